/**
 * Column-building micro-benchmark: 1 015 808 calls rows (31 row groups) appended to one
 * ParquetRowWriter whose encoder is stubbed out, so only the per-row pushes into the typed-array
 * column buffers are timed. Five repetitions in one process; the first includes JIT warm-up.
 *
 *   npx tsx bench/append.ts
 *   BENCH_SOURCE_FILE=s3://bucket/landing/generic/calls/2024/05/calls.csv npx tsx bench/append.ts
 */
import { curatedColumns } from '../functions/core/contracts.ts';
import { ParquetRowWriter } from '../functions/core/parquet.ts';
import type { ParquetEncoder } from '../functions/core/parquet-encode.ts';
import type { ObjectSink } from '../functions/core/ports.ts';

const sourceFile = process.env.BENCH_SOURCE_FILE ?? '/tmp/calls.csv';
const group = 32_768;
const rows: Record<string, unknown>[] = [];
for (let i = 0; i < group; i++) {
  const answered = i % 5 !== 0;
  const start = 1_714_521_600_000 + i * 1000;
  rows.push({
    call_id: `C${1_000_000_000 + i}`,
    direction: i % 3 ? 'inbound' : 'outbound',
    queue: ['sales', 'retention', 'support'][i % 3],
    agent_id: answered ? `A${i % 300}` : undefined,
    customer_id: `CU${i * 7}`,
    started_at: start,
    answered_at: answered ? start + 30_000 : undefined,
    ended_at: start + 300_000,
    outcome: answered ? 'answered' : 'abandoned',
    talk_seconds: answered ? 270 : undefined,
    hold_seconds: 0,
    acw_seconds: 21,
    transferred: false,
    initial_call_id: undefined,
    cost: 0.462,
    _source: 'generic',
    _source_file: sourceFile,
    _record: i + 2,
    _ingested_at: 1_700_000_000_000,
  });
}
const encoder: ParquetEncoder = {
  open: () => ({ write: async () => {}, close: async () => {}, abort: () => {} }),
};
const sink: ObjectSink = { write: async () => {}, commit: async () => {}, abort: async () => {} };
for (let rep = 0; rep < 5; rep++) {
  const writer = new ParquetRowWriter(curatedColumns('calls'), sink, { encoder });
  const t0 = performance.now();
  for (let g = 0; g < 31; g++)
    for (const r of rows) {
      const flushed = writer.append(r);
      if (flushed) await flushed;
    }
  console.log(`append ${(31 * group).toLocaleString('en')} rows: ${(performance.now() - t0).toFixed(0)} ms`);
}
