import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecords, type RawRecord, recordMaker } from '../../functions/core/ingest/records.ts';

async function decode(content: string | Uint8Array, name: string, chunk = 7): Promise<RawRecord[]> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  async function* body() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.slice(i, i + chunk);
  }
  const out: RawRecord[] = [];
  for await (const r of decodeRecords(body(), name)) out.push(r);
  return out;
}

describe('decoding CSV', () => {
  it('accepts a BOM and CRLF, keeps Unicode byte for byte, and numbers records by line', async () => {
    // Prepare: chunks of 7 bytes split multi-byte characters.
    const csv =
      '\uFEFFticket_id,subject\r\nT1,"مشکل در پرداخت, قبض"\r\nT2,无法登录账户\r\n\r\nT3,"two\r\nlines"\r\n';
    // Act
    const rows = await decode(csv, 'tickets.csv');
    // Assess
    expect(rows.map((r) => r.value)).toEqual([
      { ticket_id: 'T1', subject: 'مشکل در پرداخت, قبض' },
      { ticket_id: 'T2', subject: '无法登录账户' },
      { ticket_id: 'T3', subject: 'two\r\nlines' },
    ]);
    // Records are numbered by the line they start on; the blank line 4 is skipped but counted.
    expect(rows.map((r) => r.no)).toEqual([2, 3, 5]);
  });

  it("reads a quoted header cell after a BOM (Excel's CSV UTF-8), the BOM split across chunks", async () => {
    // Prepare: a BOM, then a header whose first cell is quoted because it holds a comma.
    const csv = '\uFEFF"id, as given",note\n1,a\n';
    for (const chunk of [1, 2, 4, 64]) {
      // Act
      const rows = await decode(csv, 'tickets.csv', chunk);
      // Assess
      expect(rows.map((r) => r.value)).toEqual([{ 'id, as given': '1', note: 'a' }]);
    }
  });

  it('turns a row with the wrong number of fields and an unclosed quote into records with errors', async () => {
    // Act
    const rows = await decode('a,b\n1,2\n1,2,3\n4,5\n', 'x.csv');
    // Assess
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ no: 3, error: 'expected 2 fields as in the header, got 3' });
    expect(rows[2]?.value).toEqual({ a: '4', b: '5' });
  });

  it('reads gzip whatever the name says', async () => {
    // Act
    const rows = await decode(gzipSync(Buffer.from('a,b\n1,2\n')), 'export.bin');
    // Assess
    expect(rows.map((r) => r.value)).toEqual([{ a: '1', b: '2' }]);
  });

  it('refuses broken gzip as a whole file', async () => {
    const gz = gzipSync(Buffer.from('a,b\n1,2\n'.repeat(1000)));
    await expect(decode(gz.subarray(0, gz.length - 20), 'x.csv.gz')).rejects.toThrow(/gzip|unexpected end/i);
  });
});

describe('decoding JSON in every form', () => {
  it.each([
    ['NDJSON', '{"a":1}\n{"a":2}\n', [1, 2]],
    ['an array', '[{"a":1},\n {"a":2}]', [1, 2]],
    ['a single object', '{\n  "a": 1,\n  "tags": [{"x": 1}]\n}', [1]],
    ['an envelope', '{"count":2,"tickets":[{"a":1},{"a":2}],"next_page":null}', [1, 2]],
    ['back-to-back objects (Firehose)', '{"a":1}{"a":2}{"a":3}', [1, 2, 3]],
    ['back-to-back objects with newlines', '{"a":1,\n"b":[1]}\n{"a":2}', [1, 2]],
  ])('reads %s', async (_, text, values) => {
    const rows = await decode(text, 'x.json', 3);
    expect(rows.map((r) => (r.value as { a: number }).a)).toEqual(values);
  });

  it('marks envelope records with their key', async () => {
    const rows = await decode('{"tickets":[{"id":1}],"metric_sets":[{"ticket_id":1}]}', 'page.json');
    expect(rows.map((r) => r.envelopeKey)).toEqual(['tickets', 'metric_sets']);
  });

  it('makes a bad NDJSON line one bad record and goes on', async () => {
    const rows = await decode('{"a":1}\n{"a":\n{"a":3}\n', 'x.ndjson');
    expect(rows.map((r) => r.error === undefined)).toEqual([true, false, true]);
    expect(rows[1]).toMatchObject({ no: 2, rawText: '{"a":' });
  });

  it('refuses a truncated JSON document and text that is not JSON', async () => {
    await expect(decode('[{"a":1},{"a":', 'x.json')).rejects.toThrow(/truncated/);
    await expect(decode('hello', 'x.json')).rejects.toThrow(/unexpected "h"/);
  });

  it('reads an empty file as zero records', async () => {
    expect(await decode('', 'x.csv')).toEqual([]);
    expect(await decode('  \n', 'x.json')).toEqual([]);
  });
});

describe('CSV row objects', () => {
  /** What the generated maker must equal: the fields assigned one by one under the header. */
  const assigned = (header: string[], fields: string[]) => {
    const obj: Record<string, string> = {};
    for (let j = 0; j < header.length; j++) obj[header[j]!] = fields[j]!;
    return obj;
  };

  it('keys the fields exactly as assigning them would, whatever the header names', () => {
    const name = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'a',
        'a',
        '',
        '"',
        "'",
        '\\',
        '$' + '{x}',
        '`',
        '0',
        '1',
        'constructor',
        'toString',
        '__proto__',
        '\u2028',
      ),
    );
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 8 }), (header) => {
        const fields = header.map((_, j) => `v${j}`);
        const made = recordMaker(header)(fields);
        expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
        expect(Object.entries(made)).toEqual(Object.entries(assigned(header, fields)));
      }),
      { numRuns: 2000 },
    );
  });
});
