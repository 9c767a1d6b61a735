/**
 * The compiled validator (compileContract) is an optimisation of the zod contract, so it must be
 * indistinguishable from it: for any input row, it accepts exactly when `safeParse` succeeds, and
 * then returns the same row. Rows are drawn per field from values that probe every coercion rule
 * (blanks, case, padding, numbers as text and as numbers, hex and exponent forms, non-finite
 * numbers, every timestamp shape, booleans in all spellings, wrong JSON types, absent keys), plus
 * arbitrary strings and JSON values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileContract,
  contractSchemas,
  ENTITIES,
  type Entity,
  entityColumns,
} from '../../functions/core/contracts.ts';

const contexts = [
  { sourceTimezone: 'Asia/Tehran', currency: 'IRR' },
  { sourceTimezone: 'UTC', currency: undefined },
];

const TEXTS = ['', '  ', ' a ', 'x', 'پشتیبانی', '中文', '0', 'null', '\t'];
const NUMBERS = [
  '1',
  ' 2 ',
  '0',
  '-0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '9007199254740993',
  '1,5',
  '.5',
  '5.',
];
const NUMERIC_VALUES = [0, 1, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 2, 1e21, 6, 7, 10, 11];
const TIMESTAMPS = [
  '2024-05-01T08:00:00Z',
  '2024-05-01T08:00:00.123+03:30',
  '2024-05-01 08:00:00',
  '2024-05-01T08:00',
  '2024-05-01',
  '2024-02-30T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2024-05-01T24:00:00Z',
  '2024-05-01T08:00:00+1900',
  '2024-05-01T07:59:59z',
  '2024-05-01T09:00:00-0100',
  'yesterday',
];
const BOOLEANS = ['true', 'FALSE', 'Yes', 'n', 't', '1', '0', '2', 'maybe'];
const DATES = ['2024-05-01', '2024-02-29', '2023-02-29', '2024-13-01', '2024-5-1', '20240501'];
const MONTHS = ['2024-05', '2024-12', '2024-13', '2024-00', '2024-5'];
const CURRENCIES = ['IRR', 'irr', 'USD', 'EURO', ' eur '];

function fieldValue(
  name: string,
  kind: string,
  values: readonly string[] | undefined,
): fc.Arbitrary<unknown> {
  const enumValues = values
    ? [...values, ...values.map((v) => v.toUpperCase()), ` ${values[0]} `, 'other?']
    : [];
  const byKind: Record<string, unknown[]> = {
    string: name === 'month' ? MONTHS : name === 'currency' ? CURRENCIES : values ? enumValues : TEXTS,
    timestamp: TIMESTAMPS,
    date: DATES,
    integer: [...NUMBERS, ...NUMERIC_VALUES],
    number: [...NUMBERS, ...NUMERIC_VALUES],
    boolean: [...BOOLEANS, true, false, 0, 1, 2],
  };
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...(byKind[kind] ?? TEXTS)) },
    { weight: 2, arbitrary: fc.constantFrom(undefined, null, '') },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean()) },
    { weight: 1, arbitrary: fc.constantFrom({}, [], { a: 1 }, [1]) },
  );
}

/** A row of the entity: each contract column present (with a probing value) or absent. */
function rowOf(entity: Entity): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const c of entityColumns(entity)) record[c.name] = fieldValue(c.name, c.kind, c.values);
  return fc.record(record, { requiredKeys: [] });
}

/** A valid-leaning row: required columns usually present with plausible values. */
function plausibleRowOf(entity: Entity): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const c of entityColumns(entity)) {
    const good =
      c.values !== undefined
        ? fc.constantFrom(...c.values)
        : c.kind === 'timestamp'
          ? fc.constantFrom('2024-05-01T08:00:00Z', '2024-05-01T08:05:00Z', '2024-05-01T09:00:00+03:30')
          : c.kind === 'date'
            ? fc.constant('2024-05-01')
            : c.kind === 'integer' || c.kind === 'number'
              ? fc.constantFrom('0', '1', '3', '7', '10', 4, 5.5)
              : c.kind === 'boolean'
                ? fc.constantFrom('true', '0', 'yes')
                : c.name === 'month'
                  ? fc.constant('2024-05')
                  : c.name === 'currency'
                    ? fc.constantFrom('IRR', 'usd', '')
                    : fc.constantFrom('a', 'b', ' c ');
    record[c.name] = c.required ? good : fc.oneof(good, fc.constant(''), fc.constant(undefined));
  }
  return fc.record(record, { requiredKeys: [] });
}

describe('compiled contract validator', () => {
  for (const ctx of contexts) {
    const schemas = contractSchemas(ctx);
    it.each(ENTITIES)(
      `%s (${ctx.sourceTimezone}): accepts exactly what zod accepts, with the same row`,
      (entity) => {
        const fast = compileContract(schemas[entity]);
        let accepted = 0;
        fc.assert(
          fc.property(fc.oneof(rowOf(entity), plausibleRowOf(entity)), (row) => {
            const expected = schemas[entity].safeParse(row);
            const got = fast(row);
            if (expected.success) {
              accepted++;
              expect(got).toEqual(expected.data);
            } else {
              expect(got).toBeUndefined();
            }
          }),
          { numRuns: 3000 },
        );
        // The generator must reach both outcomes, or the property proves little.
        expect(accepted).toBeGreaterThan(50);
      },
    );
  }
});
