/**
 * Ingest benchmark: Servicepulse's normalizer (ingestFile → curated Parquet) against DuckDB's own
 * CSV → Parquet on the same generic calls CSV, in one process.
 *
 *   npx tsx bench/ingest.ts                       # 1 000 000 rows (≈ 190 MB)
 *   BENCH_ROWS=9000000 npx tsx bench/ingest.ts    # ≈ 1.7 GB: peak memory on a big file
 *   BENCH_STAGES=1 npx tsx bench/ingest.ts        # also time the pipeline stage by stage
 *   BENCH_SKIP_DUCKDB=1, BENCH_KEEP=1 (keep the temp folder), BENCH_SEED=<n>,
 *   BENCH_INPUT=<csv> (reuse a generated file; BENCH_ROWS must match it),
 *   BENCH_OUT=<json> (default bench/out/ingest.json), BENCH_MAX_BUFFERED_ROWS=<n> (ingestFile's
 *   maxBufferedRows; default its own)
 *
 * The input is generated deterministically (the project's seeded source, functions/core/demo/random.ts)
 * into a temp folder: sorted by start
 * time over 30 days, 80 % answered, ~0.2 % invalid rows (quarantined), realistic ids and numbers.
 * Peak RSS is sampled every 50 ms per phase; `maxRSS` is the process-wide high-water mark.
 * Results print as a table and go to bench/out/ingest.json.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FileSystemStore } from '../functions/adapters/filesystem.ts';
import { defaultLocalEncoder } from '../functions/adapters/parquet-worker.ts';
import { defaultConfig } from '../functions/core/config.ts';
import {
  compileContract,
  compileCsvContract,
  contractSchemas,
  curatedColumns,
  entityColumns,
  LINEAGE_COLUMNS,
} from '../functions/core/contracts.ts';
import { rng } from '../functions/core/demo/random.ts';
import { ingestFile } from '../functions/core/ingest/normalize.ts';
import { decodeRecordBatches, type RawRecord } from '../functions/core/ingest/records.ts';
import { ParquetRowWriter } from '../functions/core/parquet.ts';
import type { ObjectSink } from '../functions/core/ports.ts';
import { measure, type Phase } from './measure.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SEED = Number(process.env.BENCH_SEED ?? 20240501);
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');

// ── deterministic input ──────────────────────────────────────────────────────
const QUEUES = ['support', 'billing', 'sales', 'vip', 'پشتیبانی', 'technical', 'retention', 'general'];
const NOT_ANSWERED = ['abandoned', 'abandoned', 'abandoned', 'no_answer', 'voicemail', 'callback', 'blocked'];
// The header is the contract's columns, in the contract's order (functions/core/contracts/).
const COLUMNS = entityColumns('calls').map((c) => c.name);
const HEADER = `${COLUMNS.join(',')}\n`;

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Writes the CSV; returns its size in bytes. */
async function generateCsv(path: string, rows: number, seed: number): Promise<number> {
  const rand = rng(seed).next;
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const start = Date.UTC(2024, 4, 1);
  const span = 30 * 86_400_000;
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  await write(HEADER);
  const batch: string[] = [];
  for (let i = 0; i < rows; i++) {
    const started = start + Math.floor((i / rows) * span) + Math.floor(rand() * 1000);
    const inbound = rand() < 0.85;
    const answered = rand() < 0.8;
    const wait = Math.floor(rand() * (answered ? 90 : 240)) * 1000;
    const talk = answered ? 20 + Math.floor(rand() * 600) : 0;
    const hold = answered && rand() < 0.3 ? Math.floor(rand() * 120) : 0;
    const acw = answered ? Math.floor(rand() * 60) : 0;
    const answeredAt = answered ? started + wait : undefined;
    const ended = (answeredAt ?? started + wait) + (talk + hold) * 1000;
    const transferred = answered && rand() < 0.1;
    let outcome = answered ? 'answered' : NOT_ANSWERED[Math.floor(rand() * NOT_ANSWERED.length)]!;
    if (rand() < 0.002) outcome = 'hung_up'; // invalid: quarantined
    const call: Record<string, string> = {
      call_id: `C${String(1_000_000_000 + i)}`,
      direction: inbound ? 'inbound' : 'outbound',
      queue: QUEUES[Math.floor(rand() * QUEUES.length)]!,
      agent_id: answered ? `A${String(100 + Math.floor(rand() * 400))}` : '',
      customer_id: `CU${String(1_000_000 + Math.floor(rand() * 8_000_000))}`,
      started_at: iso(started),
      answered_at: answeredAt === undefined ? '' : iso(answeredAt),
      ended_at: iso(ended),
      outcome,
      talk_seconds: answered ? String(talk) : '',
      hold_seconds: String(hold),
      acw_seconds: String(acw),
      transferred: transferred ? 'true' : 'false',
      initial_call_id: transferred ? `C${String(1_000_000_000 + Math.max(0, i - 1))}` : '',
      cost: (rand() * 0.5).toFixed(4),
    };
    batch.push(COLUMNS.map((c) => call[c] ?? '').join(','));
    if (batch.length === 10_000) {
      await write(`${batch.join('\n')}\n`);
      batch.length = 0;
    }
  }
  if (batch.length > 0) await write(`${batch.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return bytes;
}

// ── measurement ──────────────────────────────────────────────────────────────

const fileBody = (path: string) =>
  createReadStream(path, { highWaterMark: 1 << 20 }) as unknown as AsyncIterable<Uint8Array>;

/**
 * Stage timings: each stage adds one step of the pipeline to the previous one, on the byte path
 * the normalizer takes for generic CSV (csv-bytes.ts); and the same file through Papa Parse and
 * row objects (the path of vendor files and of CSV the byte path hands over).
 */
async function stages(path: string): Promise<Record<string, number>> {
  const config = defaultConfig();
  const schema = contractSchemas({ sourceTimezone: config.sourceTimezone }).calls;
  const keys = LINEAGE_COLUMNS.map((c) => c.name);
  const validate = compileContract(schema, keys);
  const bytePath = { compileCsv: (header: readonly string[]) => compileCsvContract(schema, header, keys) };
  const check = (r: RawRecord) => {
    if (r.row) return r.row;
    const row = validate(r.value as Record<string, unknown>);
    if (row) return row;
    const p = schema.safeParse(r.value);
    return p.success ? (p.data as Record<string, unknown>) : undefined;
  };
  const out: Record<string, number> = {};
  const time = async (name: string, fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    out[name] = (performance.now() - t0) / 1000;
    process.stderr.write(`  stage ${name}: ${out[name]!.toFixed(2)} s\n`);
  };
  await time('read', async () => {
    for await (const _ of fileBody(path));
  });
  await time('read+papaparse', async () => {
    for await (const _ of decodeRecordBatches(fileBody(path), path));
  });
  await time('read+papaparse+validate', async () => {
    for await (const batch of decodeRecordBatches(fileBody(path), path)) for (const r of batch) check(r);
  });
  await time('read+bytes+validate', async () => {
    for await (const batch of decodeRecordBatches(fileBody(path), path, bytePath))
      for (const r of batch) check(r);
  });
  const nullSink: ObjectSink = { write: async () => {}, commit: async () => {}, abort: async () => {} };
  await time('read+bytes+validate+parquet', async () => {
    const writer = new ParquetRowWriter(curatedColumns('calls'), nullSink, { uniqueColumns: ['call_id'] });
    for await (const batch of decodeRecordBatches(fileBody(path), path, bytePath)) {
      for (const r of batch) {
        const row = check(r);
        if (!row) continue;
        row._source = 'generic';
        row._source_file = path;
        row._record = r.no;
        row._ingested_at = 0;
        const flushed = writer.append(row);
        if (flushed) await flushed;
      }
    }
    await writer.close();
  });
  return out;
}

async function duckdbCopy(conn: DuckDBConnection, csv: string, parquet: string): Promise<number> {
  const esc = (p: string) => p.replace(/'/g, "''");
  await conn.run(
    `COPY (SELECT * FROM read_csv('${esc(csv)}', header = true)) TO '${esc(parquet)}' (FORMAT parquet, COMPRESSION snappy)`,
  );
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n FROM read_parquet('${esc(parquet)}')`,
  );
  return Number(reader.getRowObjects()[0]!.n);
}

/** The header and first rows of the input: the warm-up file of both engines. */
async function sampleOf(csv: string, dir: string, lines = 5_000): Promise<string> {
  const sample = join(dir, 'warm.csv');
  const { createInterface } = await import('node:readline');
  const out: string[] = [];
  for await (const line of createInterface({ input: createReadStream(csv) })) {
    out.push(line);
    if (out.length > lines) break;
  }
  await writeFile(sample, `${out.join('\n')}\n`);
  return sample;
}

// ── main ─────────────────────────────────────────────────────────────────────
const ingest = (key: string, store: FileSystemStore) =>
  ingestFile(
    { key, body: fileBody(key) },
    {
      source: 'generic',
      entity: 'calls',
      config: defaultConfig(),
      store,
      // As the CLI does: a second thread encodes Parquet when there is a second core
      // (SERVICEPULSE_ENCODER=thread to encode on the main thread).
      encoder: defaultLocalEncoder(),
      ...(process.env.BENCH_MAX_BUFFERED_ROWS
        ? { maxBufferedRows: Number(process.env.BENCH_MAX_BUFFERED_ROWS) }
        : {}),
    },
  );
type IngestPhase = Awaited<ReturnType<typeof measure<Awaited<ReturnType<typeof ingest>>>>>;

/**
 * Servicepulse timed cold (a fresh process: the encoder thread starts and compiles its
 * WebAssembly meanwhile), then warm on the same file: the steady state of a process ingesting
 * file after file. BENCH_SKIP_COLD warms it with the 5 000-row sample only.
 */
async function timeServicepulse(csv: string, sample: string, dir: string) {
  let cold: Phase | undefined;
  if (process.env.BENCH_SKIP_COLD) await ingest(sample, new FileSystemStore(join(dir, 'warm-store')));
  else {
    process.stderr.write('servicepulse ingestFile, cold …\n');
    global.gc?.();
    cold = await measure(() => ingest(csv, new FileSystemStore(join(dir, 'cold-store'))));
    await rm(join(dir, 'cold-store'), { recursive: true, force: true });
  }
  process.stderr.write('servicepulse ingestFile …\n');
  global.gc?.();
  const warm: IngestPhase = await measure(() => ingest(csv, new FileSystemStore(join(dir, 'store'))));
  if (warm.result.error) throw new Error(`ingest failed: ${warm.result.error}`);
  return { cold, warm, maxRssMB: process.resourceUsage().maxRSS / 1e3 };
}

/** DuckDB the same way: cold (instance created in the timed run), then warm; or warmed by the sample. */
async function timeDuckdb(csv: string, sample: string, dir: string, withCold: boolean) {
  process.stderr.write('duckdb COPY … TO parquet …\n');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const out = join(dir, 'duckdb.parquet');
  const start = async (warmUp: string) => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await duckdbCopy(conn, warmUp, out);
    return { instance, conn };
  };
  global.gc?.();
  let cold: Phase | undefined;
  let db: Awaited<ReturnType<typeof start>>;
  if (withCold) {
    const first = await measure(() => start(csv));
    cold = first;
    db = first.result;
  } else db = await start(sample);
  global.gc?.();
  const d = await measure(() => duckdbCopy(db.conn, csv, out));
  db.conn.closeSync();
  db.instance.closeSync();
  return {
    cold,
    warm: { seconds: d.seconds, cpuSeconds: d.cpuSeconds, peakRssMB: d.peakRssMB, rows: d.result },
  };
}

interface Outcome {
  mb: number;
  bytes: number;
  gen: Phase;
  loadAtStart: number[];
  stageTimes: Record<string, number> | undefined;
  sp: Awaited<ReturnType<typeof timeServicepulse>>;
  duck: Awaited<ReturnType<typeof timeDuckdb>> | undefined;
}

const line = (mb: number, name: string, p: Phase) => ({
  engine: name,
  rows: ROWS,
  MB: +mb.toFixed(1),
  seconds: +p.seconds.toFixed(2),
  'cpu s': +p.cpuSeconds.toFixed(2),
  'MB/s': +(mb / p.seconds).toFixed(1),
  'rows/s': Math.round(ROWS / p.seconds),
  'peak RSS MB': Math.round(p.peakRssMB),
});

/** Prints the table, the ratio and the ingest's counts; returns the ratios. */
function report(o: Outcome) {
  const { sp, duck, mb } = o;
  const table = [
    line(mb, 'servicepulse', sp.warm),
    ...(duck ? [line(mb, 'duckdb', duck.warm)] : []),
    ...(sp.cold ? [line(mb, 'servicepulse, cold', sp.cold)] : []),
    ...(duck?.cold ? [line(mb, 'duckdb, cold', duck.cold)] : []),
  ];
  console.table(table);
  if (o.loadAtStart[0]! > cpus().length) {
    console.log(
      `note: load average ${o.loadAtStart[0]} on ${cpus().length} CPUs at start; wall times are inflated`,
    );
  }
  const ratio = duck ? duck.warm.seconds / sp.warm.seconds : undefined;
  const coldRatio = duck?.cold && sp.cold ? duck.cold.seconds / sp.cold.seconds : undefined;
  if (ratio !== undefined) {
    console.log(
      `ratio duckdb_seconds / servicepulse_seconds = ${ratio.toFixed(3)}${coldRatio === undefined ? '' : ` warm, ${coldRatio.toFixed(3)} cold`} (target ≥ 0.5; > 1 beats DuckDB)`,
    );
  }
  const r = sp.warm.result;
  console.log(
    `servicepulse: read ${r.read}, accepted ${r.accepted}, quarantined ${r.quarantined}, ` +
      `${r.outputs.length} Parquet files; process maxRSS after ingest ${Math.round(sp.maxRssMB)} MB; ` +
      `Parquet encoded on ${defaultLocalEncoder() ? 'a worker thread' : 'the main thread'}`,
  );
  return { table, ratio, coldRatio };
}

async function writeResult(o: Outcome, figures: ReturnType<typeof report>): Promise<void> {
  const { sp, duck, mb } = o;
  const { table, ratio, coldRatio } = figures;
  const outFile = process.env.BENCH_OUT ?? join(OUT_DIR, 'ingest.json');
  await mkdir(dirname(outFile), { recursive: true });
  const result = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtStart: o.loadAtStart,
    parquetEncoder: defaultLocalEncoder() ? 'worker' : 'thread',
    rows: ROWS,
    seed: SEED,
    ...(process.env.BENCH_MAX_BUFFERED_ROWS
      ? { maxBufferedRows: Number(process.env.BENCH_MAX_BUFFERED_ROWS) }
      : {}),
    bytes: o.bytes,
    generateSeconds: +o.gen.seconds.toFixed(2),
    servicepulse: {
      ...table[0],
      maxRssMB: Math.round(sp.maxRssMB),
      read: sp.warm.result.read,
      accepted: sp.warm.result.accepted,
      quarantined: sp.warm.result.quarantined,
      outputs: sp.warm.result.outputs.length,
    },
    ...(duck ? { duckdb: { ...table[1], rowsWritten: duck.warm.rows } } : {}),
    ...(sp.cold ? { servicepulseCold: line(mb, 'servicepulse, cold', sp.cold) } : {}),
    ...(duck?.cold ? { duckdbCold: line(mb, 'duckdb, cold', duck.cold) } : {}),
    ...(ratio !== undefined ? { ratio: +ratio.toFixed(3) } : {}),
    ...(coldRatio !== undefined ? { coldRatio: +coldRatio.toFixed(3) } : {}),
    ...(o.stageTimes ? { stages: o.stageTimes } : {}),
  };
  await writeFile(outFile, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`wrote ${outFile}\n`);
}

async function bench(dir: string): Promise<Outcome> {
  // Other work on the machine inflates wall time: the table also gives CPU seconds.
  const loadAtStart = loadavg().map((l) => +l.toFixed(2));
  const csv = process.env.BENCH_INPUT ?? join(dir, 'calls.csv');
  process.stderr.write(`generating ${ROWS.toLocaleString('en')} rows (seed ${SEED}) in ${dir} …\n`);
  const gen: Phase = process.env.BENCH_INPUT
    ? { seconds: 0, cpuSeconds: 0, peakRssMB: 0 }
    : await measure(() => generateCsv(csv, ROWS, SEED));
  const bytes = (await stat(csv)).size;
  const mb = bytes / 1e6;
  process.stderr.write(`  ${mb.toFixed(1)} MB in ${gen.seconds.toFixed(1)} s\n`);
  const stageTimes = process.env.BENCH_STAGES ? await stages(csv) : undefined;
  const sample = await sampleOf(csv, dir);
  const sp = await timeServicepulse(csv, sample, dir);
  const duck = process.env.BENCH_SKIP_DUCKDB ? undefined : await timeDuckdb(csv, sample, dir, !!sp.cold);
  return { mb, bytes, gen, loadAtStart, stageTimes, sp, duck };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'servicepulse-bench-'));
  try {
    const outcome = await bench(dir);
    await writeResult(outcome, report(outcome));
  } finally {
    if (!process.env.BENCH_KEEP) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

await main();
