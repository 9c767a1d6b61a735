/**
 * Checks the prototype CSV splitter (`npx tsx bench/proto/csv-split.fuzz.ts`):
 * 1. on well-formed CSV (any fields, quoting, CRLF or LF, any chunking) it yields exactly the
 *    records csv-parse yields with the options records.ts uses;
 * 2. on arbitrary text it never throws, and its output does not depend on chunk boundaries.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { type CsvRow, CsvSplitter } from './csv-split.ts';

function split(bytes: Buffer, chunk: number): CsvRow[] {
  const s = new CsvSplitter(',');
  const out: CsvRow[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...s.push(bytes.subarray(i, i + chunk)));
  out.push(...s.push(undefined, true));
  return out;
}

const field = fc.string({
  unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'ب', '😀'),
  maxLength: 6,
});
const quote = (s: string, all: boolean) => (all || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

fc.assert(
  fc.property(
    fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 1, max: 50 }),
    fc.boolean(),
    (rows, crlf, quoteAll, chunk, trailing) => {
      const nl = crlf ? '\r\n' : '\n';
      const text =
        rows.map((r) => r.map((f) => quote(f, quoteAll)).join(',')).join(nl) + (trailing ? nl : '');
      const expected = parse(text, {
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
      const got = split(Buffer.from(text), chunk).map((r) => r.fields);
      return JSON.stringify(got) === JSON.stringify(expected);
    },
  ),
  { numRuns: 5000 },
);
console.log('well-formed CSV: same records as csv-parse');

fc.assert(
  fc.property(
    fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r'), maxLength: 60 }),
    fc.integer({ min: 1, max: 7 }),
    (text, chunk) =>
      JSON.stringify(split(Buffer.from(text), chunk)) === JSON.stringify(split(Buffer.from(text), 1 << 20)),
  ),
  { numRuns: 5000 },
);
console.log('arbitrary text: never throws, independent of chunking');
