import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerParquetEncoder } from '../../functions/adapters/parquet-worker.ts';
import { curatedColumns } from '../../functions/core/contracts.ts';
import { ParquetRowWriter } from '../../functions/core/parquet.ts';
import type { ObjectSink } from '../../functions/core/ports.ts';

const encoder = new WorkerParquetEncoder();
afterAll(() => encoder.terminate());

function memorySink(failOnWrite?: number) {
  const chunks: Uint8Array[] = [];
  const state = { committed: false, aborted: false, writes: 0 };
  const sink: ObjectSink = {
    write: async (c) => {
      state.writes++;
      if (failOnWrite !== undefined && state.writes >= failOnWrite) throw new Error('disk full');
      chunks.push(c.slice());
    },
    commit: async () => {
      state.committed = true;
    },
    abort: async () => {
      state.aborted = true;
    },
  };
  return { sink, state, bytes: () => Buffer.concat(chunks) };
}

const calls = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    call_id: `c${i}`,
    direction: i % 7 === 0 ? 'outbound' : 'inbound',
    queue: i % 3 === 0 ? undefined : 'پشتیبانی',
    started_at: Date.UTC(2024, 4, 1) + i * 1000,
    answered_at: i % 5 === 0 ? undefined : Date.UTC(2024, 4, 1) + i * 1000 + 20_000,
    ended_at: Date.UTC(2024, 4, 1) + i * 1000 + 90_000,
    outcome: i % 5 === 0 ? 'abandoned' : 'answered',
    talk_seconds: i % 5 === 0 ? undefined : 70,
    hold_seconds: 0,
    acw_seconds: i / 10,
    transferred: i % 4 === 0,
    _source: 'generic',
    _source_file: 'landing/generic/calls/x.csv',
    _record: i + 2,
    _ingested_at: Date.UTC(2024, 5, 1),
  }));

async function write(rows: Record<string, unknown>[], sink: ObjectSink, withWorker: boolean) {
  const writer = new ParquetRowWriter(curatedColumns('calls'), sink, {
    rowGroupSize: 1000,
    uniqueColumns: ['call_id'],
    kvMetadata: [{ key: 'servicepulse.source_key', value: 'x' }],
    ...(withWorker ? { encoder } : {}),
  });
  for (const r of rows) await writer.append(r);
  await writer.close();
}

describe('Parquet encoding on a worker thread', () => {
  it('writes the same bytes as encoding on the main thread', async () => {
    // Prepare
    const rows = calls(3500);
    const here = memorySink();
    const there = memorySink();

    // Act
    await write(rows, here.sink, false);
    await write(rows, there.sink, true);

    // Assess
    expect(there.state.committed).toBe(true);
    expect(there.bytes().length).toBeGreaterThan(1000);
    expect(Buffer.compare(there.bytes(), here.bytes())).toBe(0);
    const b = there.bytes();
    const read = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) });
    expect(read).toHaveLength(3500);
    expect(read[4]!.queue).toBe('پشتیبانی');
    expect(read[3]!.queue).toBeNull();
  });

  it('keeps several files apart when they are written at the same time', async () => {
    // Prepare
    const a = memorySink();
    const b = memorySink();
    const rows = calls(2500);

    // Act
    await Promise.all([write(rows.slice(0, 1200), a.sink, true), write(rows.slice(1200), b.sink, true)]);
    const readA = await parquetReadObjects({ file: new Uint8Array(a.bytes()).buffer });
    const readB = await parquetReadObjects({ file: new Uint8Array(b.bytes()).buffer });

    // Assess
    expect(readA.map((r) => r.call_id)).toEqual(rows.slice(0, 1200).map((r) => r.call_id));
    expect(readB.map((r) => r.call_id)).toEqual(rows.slice(1200).map((r) => r.call_id));
  });

  it('fails the file, not the process, when the sink fails; nothing is committed', async () => {
    // Prepare
    const broken = memorySink(1);

    // Act
    const result = write(calls(3000), broken.sink, true);

    // Assess
    await expect(result).rejects.toThrow('disk full');
    expect(broken.state.committed).toBe(false);
    // The worker still serves other files.
    const ok = memorySink();
    await write(calls(10), ok.sink, true);
    expect(ok.state.committed).toBe(true);
  });
});
