/**
 * The normalizer's memory bound: rows wait in memory per partition up to `maxBufferedRows` in all;
 * past it, the files of the largest partitions are finished (the encoder keeps an open file's
 * unfinished row group in memory). In time order that costs nothing; in random order a partition
 * that gets more rows later continues in a part file. Either way no row is lost or duplicated,
 * every row lands in its local day's partition, and re-ingesting replaces every part.
 */
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.ts';
import { type FileReport, ingestFile } from '../../functions/core/ingest/normalize.ts';
import { MemoryStore } from '../support/memory-store.ts';

const config = { ...defaultConfig(), timezone: 'UTC' };
const HEADER = 'call_id,direction,started_at,ended_at,outcome\n';
const DAY = 86_400_000;

/** 300 calls over 12 days: `order` = time order or a fixed shuffle. */
function callsCsv(order: 'time' | 'random'): string {
  const rows = Array.from({ length: 300 }, (_, i) => {
    const start = Date.UTC(2024, 4, 1) + Math.floor(i / 25) * DAY + (i % 25) * 60_000;
    return `c${i},inbound,${new Date(start).toISOString()},${new Date(start + 30_000).toISOString()},abandoned`;
  });
  if (order === 'random') {
    let seed = 7;
    for (let i = rows.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const j = seed % (i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
  }
  return HEADER + rows.join('\n');
}

async function ingest(store: MemoryStore, csv: string): Promise<FileReport> {
  return ingestFile(
    {
      key: 'landing/generic/calls/export.csv',
      body: (async function* () {
        yield new TextEncoder().encode(csv);
      })(),
    },
    { source: 'generic', entity: 'calls', config, store, maxBufferedRows: 40 },
  );
}

/** Every lake row by output key, and each output's day partition. */
async function lakeRows(store: MemoryStore) {
  const out: { key: string; dt: string; callId: string; day: string }[] = [];
  for (const key of store.keys().filter((k) => k.startsWith('lake/calls/'))) {
    const bytes = store.objects.get(key)!;
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    const dt = /dt=([\d-]+)\//.exec(key)![1]!;
    for (const r of rows)
      out.push({
        key,
        dt,
        callId: r.call_id as string,
        day: (r.started_at as Date).toISOString().slice(0, 10),
      });
  }
  return out;
}

describe('normalizer memory bound', () => {
  it('writes one file per day for a file in time order, however small the budget', async () => {
    // Prepare
    const store = new MemoryStore();

    // Act
    const report = await ingest(store, callsCsv('time'));
    const rows = await lakeRows(store);

    // Assess
    expect(report).toMatchObject({ read: 300, accepted: 300, quarantined: 0 });
    expect(report.outputs).toHaveLength(12);
    expect(report.outputs.every((k) => /export-[0-9a-f]{16}-[0-9a-z_]+\.parquet$/.test(k))).toBe(true);
    expect(rows).toHaveLength(300);
    expect(store.openSinks).toBe(0);
  });

  it('continues a day in part files for a file in random order; nothing lost, nothing twice', async () => {
    // Prepare
    const store = new MemoryStore();

    // Act
    const report = await ingest(store, callsCsv('random'));
    const rows = await lakeRows(store);

    // Assess: 12 days, more than 12 files (40 buffered rows hold ~3 per day), every row once, in
    // its own day's partition, and every output listed in the report.
    expect(report).toMatchObject({ read: 300, accepted: 300, quarantined: 0 });
    expect(report.outputs.length).toBeGreaterThan(12);
    expect(report.outputs.some((k) => /export-[0-9a-f]{16}-[0-9a-z_]+-\d+\.parquet$/.test(k))).toBe(true);
    expect(new Set(rows.map((r) => r.callId)).size).toBe(300);
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.dt === r.day)).toBe(true);
    expect([...new Set(rows.map((r) => r.key))].sort()).toEqual([...report.outputs].sort());
    expect(store.openSinks).toBe(0);
  });

  it('replaces every part when the same source is ingested again, in another order', async () => {
    // Prepare
    const store = new MemoryStore();
    const first = await ingest(store, callsCsv('random'));

    // Act
    const second = await ingest(store, callsCsv('time'));
    const lake = store.keys().filter((k) => k.startsWith('lake/calls/'));

    // Assess: the parts of the first ingest are gone; only the second's files remain.
    expect(first.outputs.length).toBeGreaterThan(second.outputs.length);
    expect(lake.sort()).toEqual([...second.outputs].sort());
    expect(await lakeRows(store)).toHaveLength(300);
  });
});
