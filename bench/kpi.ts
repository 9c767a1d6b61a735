/**
 * KPI benchmark: a monthly `runKpis` on DuckDB against a bare DuckDB scan of the same Parquet lake,
 * in one process.
 *
 *   npx tsx bench/kpi.ts                                        # 2 000 000 calls, 400 000 tickets
 *   BENCH_CALLS=20000 BENCH_TICKETS=4000 npx tsx bench/kpi.ts   # smoke run
 *   BENCH_CUSTOMERS=<n> (default 50 000), BENCH_MONTH=YYYY-MM (2024-05), BENCH_TZ (Asia/Tehran),
 *   BENCH_THREADS=<n> (DuckDB's default: one per core), BENCH_REPEAT=<n> (3), BENCH_SEED=<n>,
 *   BENCH_KEEP=1 (keep the temp folder), BENCH_PROFILE=1 (also print each statement's costliest
 *   DuckDB operators, from a profiled run of its computation)
 *
 * The lake is written straight to the curated layout by bench/kpi-lake.ts (see there).
 *
 * Measured, alternately BENCH_REPEAT times:
 * - run: `runKpis` for the month (one MERGE per family into results.kpi_results), per statement;
 * - scan: per entity `SELECT count(*), sum(<a number>) FROM read_parquet(<glob>)` (what reading
 *   the data costs at the least), and a fuller scan that decodes every column
 *   (`bit_xor(hash(<all columns>))`).
 * Also: statements per run, lake table references in the rendered SQL, and the Parquet scans in
 * each statement's DuckDB plan (EXPLAIN (FORMAT json) of the MERGE: READ_PARQUET operators).
 * Peak RSS is sampled every 50 ms per phase; maxRSS is the process-wide high-water mark.
 * Results print as a table and go to bench/out/kpi.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../functions/adapters/duckdb.ts';
import { loadQueryTemplates } from '../functions/adapters/queries-fs.ts';
import type { Family } from '../functions/core/catalog.ts';
import { validateConfig } from '../functions/core/config.ts';
import { curatedColumns, ENTITIES, type Entity } from '../functions/core/contracts.ts';
import type { QueryEngine, SqlRow } from '../functions/core/ports.ts';
import { planRun, type RunOptions, runKpis } from '../functions/core/run.ts';
import { periodOf, type QueryTemplates, renderCompute } from '../functions/core/sql/render.ts';
import { buildLake, type LakeCounts, type LakeSpec } from './kpi-lake.ts';
import { measure, type Phase } from './measure.ts';

const SPEC: LakeSpec = {
  calls: Number(process.env.BENCH_CALLS ?? 2_000_000),
  tickets: Number(process.env.BENCH_TICKETS ?? 400_000),
  customers: Number(process.env.BENCH_CUSTOMERS ?? 50_000),
  month: process.env.BENCH_MONTH ?? '2024-05',
  timezone: process.env.BENCH_TZ ?? 'Asia/Tehran',
  seed: Number(process.env.BENCH_SEED ?? 20240501),
};
const THREADS = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');

// ── measurement ──────────────────────────────────────────────────────────────

/** A numeric column per entity for the least scan. */
const SCAN_NUMBER: Record<Entity, string> = {
  calls: 'talk_seconds',
  tickets: 'agent_messages',
  surveys: 'score',
  customers: 'revenue_to_date',
  costs: 'amount',
  plans: 'planned',
  followups: 'epoch_ms(planned_at)',
};

function globOf(home: string, entity: Entity): string {
  return `'${join(home, 'lake', entity, 'dt=*', '*.parquet').replace(/'/g, "''")}'`;
}

/** One bare scan of every entity; `full` decodes every column, otherwise one number. */
async function scanAll(engine: DuckDbEngine, home: string, full: boolean): Promise<number> {
  let rows = 0;
  for (const entity of ENTITIES) {
    const cols = curatedColumns(entity).map((c) => c.name);
    const what = full ? `bit_xor(hash(${cols.join(', ')}))` : `sum(${SCAN_NUMBER[entity]})`;
    const out = await engine.query(
      `SELECT count(*) AS n, ${what} AS x FROM read_parquet(${globOf(home, entity)}, hive_partitioning = true)`,
    );
    rows += Number(out[0]!.n);
  }
  return rows;
}

/** Counts READ_PARQUET operators in a DuckDB JSON plan. */
function parquetScans(plan: unknown): number {
  if (Array.isArray(plan)) return plan.reduce((s: number, p) => s + parquetScans(p), 0);
  if (!plan || typeof plan !== 'object') return 0;
  const node = plan as { name?: string; children?: unknown };
  return (node.name === 'READ_PARQUET' ? 1 : 0) + parquetScans(node.children);
}

interface ProfileNode {
  operator_name?: string;
  operator_timing?: number;
  operator_cardinality?: number;
  children?: ProfileNode[];
}

/** The costliest operators of one statement's computation (DuckDB's JSON profile). */
async function profile(engine: DuckDbEngine, sql: string, file: string, top = 5): Promise<string[]> {
  await engine.run("SET enable_profiling = 'json'");
  await engine.run(`SET profiling_output = '${file.replace(/'/g, "''")}'`);
  try {
    await engine.query(sql);
  } finally {
    await engine.run("SET enable_profiling = 'no_output'");
  }
  const ops: { seconds: number; name: string; rows: number }[] = [];
  const walk = (n: ProfileNode) => {
    if (n.operator_name)
      ops.push({ seconds: n.operator_timing ?? 0, name: n.operator_name, rows: n.operator_cardinality ?? 0 });
    for (const c of n.children ?? []) walk(c);
  };
  walk(JSON.parse(await readFile(file, 'utf8')) as ProfileNode);
  return ops
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, top)
    .map((o) => `${o.seconds.toFixed(2)} s ${o.name} (${o.rows.toLocaleString('en')} rows)`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

type PerStatement = Record<string, { lakeReferences: string[]; parquetScans: number; seconds: number[] }>;

/** Per statement: its lake references in the SQL and the READ_PARQUET operators in DuckDB's plan. */
async function planScans(engine: DuckDbEngine, statements: { family: string; sql: string }[]) {
  const perStatement: PerStatement = {};
  for (const s of statements) {
    const plan = (await engine.query(`EXPLAIN (FORMAT json) ${s.sql}`))[0]!.explain_value;
    perStatement[s.family] = {
      lakeReferences: s.sql.match(/\blake\.[a-z_]+/g) ?? [],
      parquetScans: parquetScans(JSON.parse(String(plan))),
      seconds: [],
    };
  }
  return perStatement;
}

/** A QueryEngine that times each statement of a run (`reset()` before each run). */
function timedEngine(engine: DuckDbEngine, families: string[], perStatement: PerStatement) {
  let current = 0;
  const timed: QueryEngine = {
    name: 'duckdb',
    async query(sql: string): Promise<SqlRow[]> {
      const t0 = performance.now();
      const out = await engine.query(sql);
      perStatement[families[current++ % families.length]!]!.seconds.push((performance.now() - t0) / 1000);
      return out;
    },
    close: () => engine.close(),
  };
  return { timed, reset: () => (current = 0) };
}

interface Rounds {
  runs: Phase[];
  scans: Phase[];
  fullScans: Phase[];
  scannedRows: number;
}

/** REPEAT rounds, alternating: the least scan, the every-column scan, the KPI run. */
async function rounds(
  engine: DuckDbEngine,
  home: string,
  run: { timed: QueryEngine; reset: () => void; templates: QueryTemplates; options: RunOptions },
): Promise<Rounds> {
  const out: Rounds = { runs: [], scans: [], fullScans: [], scannedRows: 0 };
  for (let i = 0; i < REPEAT; i++) {
    process.stderr.write(`round ${i + 1}/${REPEAT}: scan …`);
    const s = await measure(() => scanAll(engine, home, false));
    out.scannedRows = s.result;
    out.scans.push(s);
    process.stderr.write(` ${s.seconds.toFixed(2)} s; full scan …`);
    const f = await measure(() => scanAll(engine, home, true));
    out.fullScans.push(f);
    process.stderr.write(` ${f.seconds.toFixed(2)} s; run …`);
    run.reset();
    const r = await measure(() => runKpis(run.timed, run.templates, run.options));
    out.runs.push(r);
    process.stderr.write(` ${r.seconds.toFixed(2)} s\n`);
  }
  return out;
}

async function profiles(
  engine: DuckDbEngine,
  home: string,
  templates: QueryTemplates,
  options: RunOptions,
  families: Family[],
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const family of families) {
    const sql = renderCompute(templates, family, { ...options, runId: 'profile', asOf: options.asOf! });
    out[family] = await profile(engine, sql, join(home, `profile-${family}.json`));
    console.log(`${family}: ${out[family]!.join('; ')}`);
  }
  return out;
}

const row = (phases: Phase[]) => ({
  'median s': +median(phases.map((p) => p.seconds)).toFixed(2),
  'best s': +Math.min(...phases.map((p) => p.seconds)).toFixed(2),
  'peak RSS MB': Math.round(Math.max(...phases.map((p) => p.peakRssMB))),
});

interface Outcome {
  lake: Phase & { result: LakeCounts };
  rounds: Rounds;
  perStatement: PerStatement;
  statements: number;
  threads: number;
  resultRows: number;
  profiles: Record<string, string[]>;
  maxRssMB: number;
}

/** Prints the tables and the ratio line; returns the figures the JSON keeps. */
function report(o: Outcome) {
  const { runs, scans, fullScans } = o.rounds;
  console.table({
    'run (runKpis, month)': row(runs),
    'scan (count + one number)': row(scans),
    'scan (every column)': row(fullScans),
  });
  const stmts = Object.values(o.perStatement);
  console.table(
    Object.fromEntries(
      Object.entries(o.perStatement).map(([family, s]) => [
        family,
        {
          'median s': +median(s.seconds).toFixed(2),
          'lake refs': s.lakeReferences.join(' '),
          'READ_PARQUET in plan': s.parquetScans,
        },
      ]),
    ),
  );
  const lakeRefs = stmts.reduce((n, s) => n + s.lakeReferences.length, 0);
  const planScans = stmts.reduce((n, s) => n + s.parquetScans, 0);
  const runS = median(runs.map((p) => p.seconds));
  const ratio = runS / median(scans.map((p) => p.seconds));
  const ratioFull = runS / median(fullScans.map((p) => p.seconds));
  const oneScanEach = stmts.every((s) => s.parquetScans === new Set(s.lakeReferences).size);
  console.log(
    `ratio run / scan = ${ratio.toFixed(2)}× (target ≤ 6×, goal ≤ 2×); run / every-column scan = ${ratioFull.toFixed(2)}×\n` +
      `${o.statements} statements per run; ${lakeRefs} lake table references in the rendered SQL; ` +
      `${planScans} Parquet scans in DuckDB's plans (every statement reads each of its sources once: ` +
      `${oneScanEach}); ${o.rounds.scannedRows.toLocaleString('en')} lake rows; ` +
      `${o.resultRows.toLocaleString('en')} result rows; DuckDB threads ${o.threads}; process maxRSS ${Math.round(o.maxRssMB)} MB`,
  );
  return { ratio, ratioFull, lakeRefs, planScans };
}

async function writeResult(o: Outcome, figures: ReturnType<typeof report>): Promise<void> {
  const { runs, scans, fullScans } = o.rounds;
  const secs = (ps: Phase[]) => ps.map((p) => +p.seconds.toFixed(3));
  const result = {
    benchmark: 'kpi',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    duckdbThreads: o.threads,
    month: SPEC.month,
    timezone: SPEC.timezone,
    seed: SPEC.seed,
    repeat: REPEAT,
    lake: o.lake.result,
    lakeRows: o.rounds.scannedRows,
    buildSeconds: +o.lake.seconds.toFixed(2),
    runSeconds: secs(runs),
    scanSeconds: secs(scans),
    fullScanSeconds: secs(fullScans),
    ratio: +figures.ratio.toFixed(3),
    ratioFullScan: +figures.ratioFull.toFixed(3),
    statementsPerRun: o.statements,
    lakeReferencesPerRun: figures.lakeRefs,
    parquetScansPerRun: figures.planScans,
    statements: o.perStatement,
    resultRows: o.resultRows,
    ...(process.env.BENCH_PROFILE ? { profiles: o.profiles } : {}),
    peakRssMB: {
      build: Math.round(o.lake.peakRssMB),
      run: Math.round(Math.max(...runs.map((p) => p.peakRssMB))),
      scan: Math.round(Math.max(...scans.map((p) => p.peakRssMB), ...fullScans.map((p) => p.peakRssMB))),
    },
    maxRssMB: Math.round(o.maxRssMB),
  };
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(join(OUT_DIR, 'kpi.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`wrote ${join(OUT_DIR, 'kpi.json')}\n`);
}

/** Builds the lake, then measures scans and runs on one DuckDB engine. */
async function bench(home: string): Promise<Outcome> {
  const n = (x: number) => x.toLocaleString('en');
  process.stderr.write(
    `building the lake: ${n(SPEC.calls)} calls, ${n(SPEC.tickets)} tickets, ${n(SPEC.customers)} customers, ` +
      `${SPEC.month} in ${SPEC.timezone} (seed ${SPEC.seed}) in ${home} …\n`,
  );
  const lake = await measure(() => buildLake(home, SPEC));
  process.stderr.write(`  ${lake.seconds.toFixed(1)} s\n`);
  console.table(lake.result);
  const engine = await DuckDbEngine.open({
    database: join(home, 'servicepulse.duckdb'),
    lakeRoot: home,
    ...(THREADS ? { threads: THREADS } : {}),
  });
  const threads = Number((await engine.query("SELECT current_setting('threads') AS t"))[0]!.t);
  const templates = loadQueryTemplates();
  const month = periodOf('month', `${SPEC.month}-01`);
  const options: RunOptions = {
    grain: 'month',
    from: month.start,
    to: month.end,
    config: validateConfig({ timezone: SPEC.timezone }),
    asOf: '2024-06-15T00:00:00Z',
    lakeSchema: 'lake',
    resultsSchema: 'results',
  };
  const { statements } = planRun(templates, options);
  const families = statements.map((s) => s.family);
  const perStatement = await planScans(engine, statements);
  const { timed, reset } = timedEngine(engine, families, perStatement);
  const measured = await rounds(engine, home, { timed, reset, templates, options });
  const resultRows = Number((await engine.query('SELECT count(*) AS n FROM results.kpi_results'))[0]!.n);
  const profiled = process.env.BENCH_PROFILE
    ? await profiles(engine, home, templates, options, families)
    : {};
  await engine.close();
  const maxRssMB = process.resourceUsage().maxRSS / 1e3;
  return {
    lake,
    rounds: measured,
    perStatement,
    statements: statements.length,
    threads,
    resultRows,
    profiles: profiled,
    maxRssMB,
  };
}

async function main() {
  const home = await mkdtemp(join(tmpdir(), 'servicepulse-bench-kpi-'));
  try {
    const outcome = await bench(home);
    await writeResult(outcome, report(outcome));
  } finally {
    if (!process.env.BENCH_KEEP) await rm(home, { recursive: true, force: true });
    else process.stderr.write(`kept ${home}\n`);
  }
}

await main();
