/**
 * The compiled validators: from a contract (entities.ts), JavaScript source generated once per
 * contract that accepts exactly the rows the zod schema accepts, with the same output, without
 * zod: the fields' registered plain parsers (fields.ts) in straight-line code, then the entity's
 * row rules (rules.ts). {@link compileContract} takes row objects; {@link compileCsvContract}
 * takes a CSV row as byte ranges and reads most fields without making a string (field-bytes.ts).
 *
 * This is the hot path of ingest: the shape of the generated code is what makes it fast (see
 * bench/README.md before changing it).
 */
import type { z } from 'zod';
import { asciiText, SLOW } from './field-bytes.ts';
import { byteReaderOf, fastParserOf, REJECT } from './fields.ts';
import { objectShape, type Report, rowRulesOf } from './rules.ts';

/**
 * A validator that accepts exactly the rows a contract accepts, with the same output, without
 * zod: the fields' registered parsers in a plain loop, then the entity's row rules. It returns
 * undefined for any row it rejects; the caller asks zod for the reasons (rejected rows are rare,
 * accepted rows are the hot path: ≈ 10× faster than `safeParse` here).
 */
export type FastValidator = (input: Record<string, unknown>) => Record<string, unknown> | undefined;

export function compileContract(schema: z.ZodType, extraKeys: readonly string[] = []): FastValidator {
  // Generated so that every property access names its field: each access site then sees one
  // object shape and one parser (≈ 3× the speed of a loop over names; bench/README.md). Field
  // names come from the contract, and JSON.stringify quotes them.
  return generateValidator(
    schema,
    extraKeys,
    'input',
    (name, i) =>
      `const v${i} = p${i}(input[${JSON.stringify(name)}]); if (v${i} === REJECT) return undefined;`,
    {},
  ) as FastValidator;
}

/** Bit flags of one CSV field's bytes (see {@link CsvRowValidator}). */
export const CSV_FIELD = {
  /** A byte ≥ 0x80: the field is decoded as UTF-8 text. */
  nonAscii: 1,
  /** A quoted field holding `""`: decoded, then each `""` becomes `"`. */
  escapedQuote: 2,
} as const;

/**
 * The compiled validator of a CSV row given as byte ranges: field `c` of the header is
 * `bytes[starts[c], ends[c])` with flags `flags[c]` (unquoted, or the inside of its quotes). It
 * accepts exactly the rows that {@link compileContract}'s validator accepts for the row object
 * Papa Parse would have made (header → text), with the same values; undefined otherwise.
 */
export type CsvRowValidator = (
  bytes: Buffer,
  starts: Int32Array,
  ends: Int32Array,
  flags: Uint8Array,
) => Record<string, unknown> | undefined;

/** A CSV field's text, as Papa Parse would give it. */
export function csvFieldText(b: Buffer, start: number, end: number, flags: number): string {
  const t = flags & CSV_FIELD.nonAscii ? b.toString('utf8', start, end) : asciiText(b, start, end);
  return flags & CSV_FIELD.escapedQuote ? t.replaceAll('""', '"') : t;
}

/**
 * {@link compileContract} for CSV bytes: each field is read from its bytes by the field's byte
 * reader where it has one (numbers, timestamps, enumerations, booleans, text), so the common row
 * makes no string but its text values; any other field is decoded and given to the same plain
 * parser as the object path. `header` is the trimmed header row; a name it repeats takes its last
 * column, as the row object would.
 */
export function compileCsvContract(
  schema: z.ZodType,
  header: readonly string[],
  extraKeys: readonly string[] = [],
): CsvRowValidator {
  const column = new Map(header.map((h, c) => [h, c] as const));
  const shape = objectShape(schema);
  const params: Record<string, unknown> = { SLOW, text: csvFieldText, ascii: asciiText };
  const code = (name: string, i: number) => {
    const c = column.get(name);
    const p = `p${i}`;
    // A column the header lacks is undefined in the row object; an empty field is '' — both the
    // same for every row, so their parse is done once, here.
    const missing = fastParserOf(shape[name]!)!(c === undefined ? undefined : '');
    params[`k${i}`] = missing;
    const reject = missing === REJECT ? 'return undefined;' : '';
    if (c === undefined) return `const v${i} = k${i}; ${reject}`;
    const reader = byteReaderOf(shape[name]!);
    params[`b${i}`] = reader;
    const ascii = reader
      ? `{ v${i} = b${i}(bytes, s, e); if (v${i} === SLOW) v${i} = ${p}(ascii(bytes, s, e)); }`
      : `v${i} = ${p}(ascii(bytes, s, e));`;
    return `let v${i}; { const s = starts[${c}], e = ends[${c}], f = flags[${c}];
    if (s === e) { v${i} = k${i}; ${reject} }
    else if (f === 0) ${ascii}
    else v${i} = ${p}(text(bytes, s, e, f)); }
  if (v${i} === REJECT) return undefined;`;
  };
  return generateValidator(schema, extraKeys, 'bytes, starts, ends, flags', code, params) as CsvRowValidator;
}

/**
 * The body both compiled validators share: field values (`v<i>`, made by `fieldCode` from the
 * field's plain parser `p<i>`), one object literal, the entity's row rules.
 */
function generateValidator(
  schema: z.ZodType,
  extraKeys: readonly string[],
  args: string,
  fieldCode: (name: string, i: number) => string,
  params: Record<string, unknown>,
): (...args: never[]) => Record<string, unknown> | undefined {
  const rules = rowRulesOf(schema);
  const shape = objectShape(schema);
  const names = Object.keys(shape);
  const parsers = names.map((n) => {
    const f = fastParserOf(shape[n]!);
    if (!f) throw new Error(`contract field ${n} has no compiled parser`);
    return f;
  });
  if (!rules) throw new Error('contract has no row rules');
  const { check, finish } = rules;
  const state = { failed: false };
  const report: Report = () => {
    state.failed = true;
  };
  const lines = names.map((n, i) => fieldCode(n, i));
  // `extraKeys` (the lineage columns the normalizer adds) start undefined in the same literal, so
  // setting them later changes no object shape.
  const literal = [
    ...names.map((n, i) => `${JSON.stringify(n)}: v${i}`),
    ...extraKeys.filter((k) => !names.includes(k)).map((k) => `${JSON.stringify(k)}: undefined`),
  ].join(', ');
  const body = `return function validate(${args}) {
  ${lines.join('\n  ')}
  const row = { ${literal} };
  if (check !== undefined) { state.failed = false; check(row, report); if (state.failed) return undefined; }
  return finish === undefined ? row : finish(row);
};`;
  const all: Record<string, unknown> = { REJECT, check, finish, state, report, ...params };
  names.forEach((_, i) => {
    all[`p${i}`] = parsers[i];
  });
  const keys = Object.keys(all);
  return new Function(...keys, body)(...keys.map((k) => all[k]));
}
