/**
 * Properties of the normalizer (ingestFile) over generated input:
 * - any bytes: it never throws, returns a report, and either fails cleanly (all counts zero,
 *   nothing written) or reconciles (read = accepted + quarantined, outputs match the counts);
 * - generated rows of the calls and tickets entities (contract-ish values mixed with garbage),
 *   written as CSV or NDJSON, optionally gzipped: exactly the rows the zod contract accepts are
 *   accepted, and every other row is in quarantine.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.ts';
import { contractSchemas, type Entity, entityColumns } from '../../functions/core/contracts.ts';
import { type FileReport, ingestFile } from '../../functions/core/ingest/normalize.ts';
import { MemoryStore } from '../support/memory-store.ts';

const config = defaultConfig();
const schemas = contractSchemas({ sourceTimezone: config.sourceTimezone, currency: config.currency });
const NOW = Date.UTC(2024, 5, 1);

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function ingest(bytes: Uint8Array, name: string, entity: Entity, chunkSize: number) {
  const store = new MemoryStore();
  const report = await ingestFile(
    { key: `landing/generic/${entity}/${name}`, body: chunked(bytes, chunkSize) },
    { source: 'generic', entity, config, store, now: NOW, maxBufferedRows: 7 },
  );
  return { store, report };
}

/** The store holds exactly what the report says, and the counts reconcile with the objects. */
function assertReconciles(store: MemoryStore, report: FileReport): void {
  expect(store.openSinks).toBe(0);
  if (report.error !== undefined) {
    expect([report.read, report.accepted, report.quarantined, report.outputs.length]).toEqual([0, 0, 0, 0]);
    expect(store.keys()).toEqual([]);
    return;
  }
  expect(report.read).toBe(report.accepted + report.quarantined);
  const expectedKeys = [...report.outputs, ...(report.quarantineKey ? [report.quarantineKey] : [])];
  expect(store.keys().filter((k) => !k.startsWith('lake/_manifests/'))).toEqual(expectedKeys.sort());
  expect(store.keys().filter((k) => k.startsWith('lake/_manifests/'))).toHaveLength(1);
  let rows = 0;
  for (const k of report.outputs) {
    const b = store.objects.get(k)!;
    rows += Number(
      parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer).num_rows,
    );
  }
  expect(rows).toBe(report.accepted);
  const q = report.quarantineKey ? new TextDecoder().decode(store.objects.get(report.quarantineKey)!) : '';
  expect(q === '' ? 0 : q.trimEnd().split('\n').length).toBe(report.quarantined);
}

// ── arbitrary bytes ──────────────────────────────────────────────────────────
const fileNames = fc.constantFrom('x.csv', 'x.ndjson', 'x.json', 'x', 'x.csv.gz', 'x.tsv', 'x.jsonl.gz');
const textish = fc.string({
  unit: fc.constantFrom('a', ',', '"', '\n', '\r', '{', '}', '[', ']', ':', '1', ' ', 'ب', '\\', '\0'),
});
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  textish.map((s) => new TextEncoder().encode(s)),
  // a plausible header, then noise
  textish.map((s) => new TextEncoder().encode(`call_id,direction,started_at,ended_at,outcome\n${s}`)),
  // gzip magic followed by noise, and real gzip around noise
  fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b])),
  textish.map((s) => new Uint8Array(gzipSync(s))),
);

describe('ingestFile on arbitrary bytes', () => {
  it('never throws, and either fails cleanly or reconciles', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytesArb,
        fileNames,
        fc.constantFrom<Entity>('calls', 'tickets'),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, name, entity, chunkSize) => {
          // Prepare: the generated input
          // Act
          const { store, report } = await ingest(bytes, name, entity, chunkSize);

          // Assess
          assertReconciles(store, report);
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ── generated rows ───────────────────────────────────────────────────────────
const MIN = Date.UTC(2023, 0, 1);
const MAX = Date.UTC(2025, 11, 31);

const garbage = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'NaN',
    '-1',
    '1e309',
    '2024-02-30T00:00:00Z',
    '0x10',
    '١٢',
    'تماس',
    '客户',
    '"',
    ',',
    '\n',
  ),
);
/** Usually the good value, sometimes blank, sometimes garbage. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: garbage },
  );

const iso = (ms: number, style: number) => {
  const s = new Date(ms).toISOString();
  if (style === 0) return s; // ...Z
  if (style === 1)
    return s
      .replace('Z', '+03:30')
      .replace(/T(\d\d)/, (_, h) => `T${String((+h + 3) % 24).padStart(2, '0')}`);
  if (style === 2) return s.slice(0, 19); // wall time in the source zone
  return s.replace('T', ' ').replace('.000Z', 'Z');
};
const idArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/),
  fc.constantFrom('مشتری-۱', '客户-2', 'Pelanggan 3'),
);
const numArb = fc.oneof(
  fc.integer({ min: -5, max: 5000 }),
  fc.double({ min: -10, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 900 }).map(String),
);
const boolArb = fc.constantFrom('true', 'false', '1', '0', 'yes', 'No', 'TRUE', true, false, 1, 0);

const callArb = fc
  .record({
    start: fc.integer({ min: MIN, max: MAX }),
    wait: fc.integer({ min: -60_000, max: 600_000 }),
    talk: fc.integer({ min: 0, max: 3_600_000 }),
    answered: fc.boolean(),
    style: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ start, wait, talk, answered, style }) => {
    const answeredAt = answered ? start + wait : undefined;
    const end = (answeredAt ?? start) + talk;
    return fc.record(
      {
        call_id: mostly(idArb),
        direction: mostly(fc.constantFrom('inbound', 'outbound', 'Inbound')),
        queue: mostly(idArb),
        agent_id: mostly(idArb),
        customer_id: mostly(idArb),
        started_at: mostly(fc.constant(iso(start, style))),
        answered_at: mostly(fc.constant(answeredAt === undefined ? '' : iso(answeredAt, style))),
        ended_at: mostly(fc.constant(iso(end, style))),
        outcome: mostly(
          answered
            ? fc.constant('answered')
            : fc.constantFrom('abandoned', 'blocked', 'callback', 'voicemail', 'no_answer'),
        ),
        talk_seconds: mostly(numArb),
        hold_seconds: mostly(numArb),
        acw_seconds: mostly(numArb),
        transferred: mostly(boolArb),
        initial_call_id: mostly(idArb),
        cost: mostly(numArb),
      },
      { requiredKeys: ['call_id', 'direction', 'started_at', 'ended_at', 'outcome'] },
    );
  });

const ticketArb = fc
  .record({
    created: fc.integer({ min: MIN, max: MAX }),
    later: fc.array(fc.integer({ min: -3_600_000, max: 30 * 86_400_000 }), { minLength: 5, maxLength: 5 }),
    style: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ created, later, style }) =>
    fc.record(
      {
        ticket_id: mostly(idArb),
        created_at: mostly(fc.constant(iso(created, style))),
        updated_at: mostly(fc.constant(iso(created + Math.abs(later[0]!), style))),
        channel: mostly(fc.constantFrom('phone', 'email', 'chat', 'web', 'social', 'other', 'EMAIL')),
        type: mostly(fc.constantFrom('request', 'complaint', 'incident', 'question', 'other')),
        priority: mostly(fc.constantFrom('low', 'normal', 'high', 'urgent')),
        status: mostly(fc.constantFrom('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
        customer_id: mostly(idArb),
        agent_id: mostly(idArb),
        team: mostly(fc.constantFrom('پشتیبانی', 'billing', 'L2')),
        assigned_at: mostly(fc.constant(iso(created + later[1]!, style))),
        first_response_at: mostly(fc.constant(iso(created + later[2]!, style))),
        resolved_at: mostly(fc.constant(iso(created + later[3]!, style))),
        closed_at: mostly(fc.constant(iso(created + later[4]!, style))),
        due_at: mostly(fc.constant(iso(created + 86_400_000, style))),
        agent_messages: mostly(numArb),
        customer_messages: mostly(numArb),
        contacts: mostly(numArb),
        handoffs: mostly(numArb),
        escalated: mostly(boolArb),
        reopens: mostly(numArb),
        incident_key: mostly(idArb),
      },
      { requiredKeys: ['ticket_id', 'created_at', 'channel', 'status', 'customer_id'] },
    ),
  );

const COLUMNS: Record<'calls' | 'tickets', string[]> = {
  calls: entityColumns('calls').map((c) => c.name),
  tickets: entityColumns('tickets').map((c) => c.name),
};

/** RFC 4180 quoting: a field with a delimiter, quote or line break is quoted, quotes doubled. */
function csvField(v: unknown, quoteAll: boolean): string {
  const s = v === undefined || v === null ? '' : String(v);
  return quoteAll || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(
  rows: Record<string, unknown>[],
  columns: string[],
  quoteAll: boolean,
  crlf: boolean,
  bom: boolean,
) {
  const nl = crlf ? '\r\n' : '\n';
  const header = [...columns, 'extra_note'].join(',');
  const body = rows.map((r) =>
    [...columns.map((c) => csvField(r[c], quoteAll)), csvField('ignored, extra', false)].join(','),
  );
  return `${bom ? '\uFEFF' : ''}${[header, ...body].join(nl)}${nl}`;
}

/** What the decoder hands the contract for each row: CSV gives text cells, NDJSON JSON values. */
function decodedRows(rows: Record<string, unknown>[], columns: string[], format: 'csv' | 'ndjson') {
  if (format === 'ndjson') return rows.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
  return rows.map((r) => {
    const o: Record<string, unknown> = { extra_note: 'ignored, extra' };
    for (const c of columns) o[c] = r[c] === undefined || r[c] === null ? '' : String(r[c]);
    return o;
  });
}

describe('ingestFile on generated rows', () => {
  for (const entity of ['calls', 'tickets'] as const) {
    it(`accepts exactly the ${entity} rows the contract accepts, in CSV and NDJSON, plain or gzipped`, async () => {
      const rowArb = (entity === 'calls' ? callArb : ticketArb) as fc.Arbitrary<Record<string, unknown>>;
      await fc.assert(
        fc.asyncProperty(
          fc.array(rowArb, { maxLength: 25 }),
          fc.record({
            format: fc.constantFrom('csv' as const, 'ndjson' as const),
            gzip: fc.boolean(),
            quoteAll: fc.boolean(),
            crlf: fc.boolean(),
            bom: fc.boolean(),
            // Sources deliver at least a few bytes per chunk (S3 and files: KiBs); see the chunking tests below.
            chunkSize: fc.integer({ min: 16, max: 4096 }),
          }),
          async (rows, { format, gzip, quoteAll, crlf, bom, chunkSize }) => {
            // Prepare
            const columns = COLUMNS[entity];
            const text =
              format === 'csv'
                ? toCsv(rows, columns, quoteAll, crlf, bom)
                : rows.map((r) => JSON.stringify(r)).join(crlf ? '\r\n' : '\n');
            const plain = new TextEncoder().encode(text);
            const bytes = gzip ? new Uint8Array(gzipSync(plain)) : plain;
            const expected = decodedRows(rows, columns, format).filter(
              (r) => schemas[entity].safeParse(r).success,
            ).length;

            // Act
            const { store, report } = await ingest(
              bytes,
              `rows.${format}${gzip ? '.gz' : ''}`,
              entity,
              chunkSize,
            );

            // Assess
            expect(report.error).toBeUndefined();
            expect(report.read).toBe(rows.length);
            expect(report.accepted).toBe(expected);
            assertReconciles(store, report);
          },
        ),
        { numRuns: 80 },
      );
    });
  }
});

/**
 * Chunk boundaries must not matter: records.ts reads at least the two gzip magic bytes, and up to
 * the first significant byte, before it decides, however small the first chunks are.
 */
describe('ingestFile does not depend on chunk boundaries', () => {
  const csv =
    'call_id,direction,started_at,ended_at,outcome\nc-1,inbound,2024-05-01T08:00:00Z,2024-05-01T08:01:00Z,abandoned\n';

  it('detects gzip when the first chunk holds a single byte', async () => {
    // Prepare
    const bytes = new Uint8Array(gzipSync(csv));

    // Act
    const { report } = await ingest(bytes, 'calls.csv.gz', 'calls', 1);

    // Assess
    expect(report).toMatchObject({ read: 1, accepted: 1 });
  });

  it('sniffs the format past a first chunk of only whitespace', async () => {
    // Prepare
    const bytes = new TextEncoder().encode(`  ${csv}`);

    // Act
    const { report } = await ingest(bytes, 'calls-export', 'calls', 2);

    // Assess
    expect(report).toMatchObject({ read: 1, accepted: 1 });
  });

  it('reads the same file alike in 1-byte and 64 KiB chunks when it is plain text', async () => {
    // Prepare
    const bytes = new TextEncoder().encode(csv);

    // Act
    const small = await ingest(bytes, 'calls.csv', 'calls', 1);
    const large = await ingest(bytes, 'calls.csv', 'calls', 65_536);

    // Assess
    expect(small.report).toMatchObject({ read: 1, accepted: 1 });
    expect(small.store.keys()).toEqual(large.store.keys());
  });
});
