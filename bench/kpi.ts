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
 * The lake is written straight to the curated layout `lake/<entity>/dt=YYYY-MM-DD/<name>.parquet`
 * with the normalizer's own writer (ParquetRowWriter over curatedColumns(entity), so types, units
 * and encodings are those of a real ingest), one file per local day and entity: the month's calls,
 * tickets (5 % of them also as an older snapshot), surveys, follow-ups, costs and plans, and a
 * customer base created over the two preceding years (one small file per creation day, as the
 * normalizer partitions a customers export).
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
import { FileSystemStore } from '../functions/adapters/filesystem.ts';
import { loadQueryTemplates } from '../functions/adapters/queries-fs.ts';
import { validateConfig } from '../functions/core/config.ts';
import { curatedColumns, ENTITIES, type Entity } from '../functions/core/contracts.ts';
import { ParquetRowWriter } from '../functions/core/parquet.ts';
import type { QueryEngine, SqlRow } from '../functions/core/ports.ts';
import { planRun, type RunOptions, runKpis } from '../functions/core/run.ts';
import { periodOf, periodsBetween, renderCompute } from '../functions/core/sql/render.ts';
import { addDays, startOfLocalDay } from '../functions/core/time.ts';
import { measure, type Phase } from './measure.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 2_000_000);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 400_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 50_000);
const MONTH = process.env.BENCH_MONTH ?? '2024-05';
const TZ = process.env.BENCH_TZ ?? 'Asia/Tehran';
const THREADS = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const SEED = Number(process.env.BENCH_SEED ?? 20240501);
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');
const INGESTED_AT = Date.UTC(2024, 5, 2);

// ── deterministic data ───────────────────────────────────────────────────────
function rng(seed: number) {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    exp: (mean: number) => -Math.log(1 - next()) * mean,
  };
}
type Rng = ReturnType<typeof rng>;

// Office-hours arrival curve (local hour → weight), as a cumulative distribution.
const HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 3.2, 5.6, 6.4, 6.1, 4.8, 5.2, 5.9, 5.5, 4.6, 3.4, 2.2, 1.6, 1.2,
  0.9, 0.6, 0.4,
];
const HOURLY_CDF = (() => {
  const total = HOURLY.reduce((a, b) => a + b, 0);
  let acc = 0;
  return HOURLY.map((w) => (acc += w / total));
})();
function arrival(r: Rng, dayStart: number, dayEnd: number): number {
  const u = r.next();
  let hour = HOURLY_CDF.findIndex((c) => u <= c);
  if (hour < 0) hour = 23;
  return Math.min(dayEnd - 1, dayStart + hour * 3_600_000 + r.int(3_600_000));
}
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

const QUEUES = ['general', 'billing', 'technical', 'vip', 'sales', 'retention', 'پشتیبانی', '客服'];
const TEAMS = ['پشتیبانی تهران', 'فريق الرياض', '上海客服组', 'Pasukan Kuala Lumpur', 'London desk'];
const CHANNELS = ['email', 'email', 'chat', 'chat', 'web', 'phone', 'social', 'other'];
const TYPES = ['request', 'request', 'request', 'question', 'question', 'complaint', 'incident', 'other'];
const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const AGENTS = 400;

type Row = Record<string, unknown>;
const lineage = (file: string, record: number): Row => ({
  _source: 'generic',
  _source_file: file,
  _record: record,
  _ingested_at: INGESTED_AT,
});

function callRow(r: Rng, no: number, dayStart: number, dayEnd: number, file: string): Row {
  const started = arrival(r, dayStart, dayEnd);
  const inbound = r.chance(0.85);
  const base: Row = {
    call_id: `C${1_000_000_000 + no}`,
    direction: inbound ? 'inbound' : 'outbound',
    queue: inbound ? pick(r, QUEUES) : null,
    customer_id: r.chance(0.9) ? `CU${100_000 + r.int(200_000)}` : null,
    started_at: started,
    ...lineage(file, no),
  };
  const u = r.next();
  if (inbound && u < 0.01)
    return { ...base, ended_at: started + 2000, outcome: 'blocked', hold_seconds: 0, acw_seconds: 0 };
  if ((inbound && u < 0.1) || (!inbound && u < 0.25)) {
    const wait = Math.round(r.exp(inbound ? 60 : 30) * 1000);
    const outcome = inbound ? (u < 0.09 ? 'abandoned' : 'voicemail') : 'no_answer';
    return { ...base, ended_at: started + wait, outcome, hold_seconds: 0, acw_seconds: 0 };
  }
  const wait = Math.round(r.exp(inbound ? 18 : 5) * 1000);
  const talk = 20 + r.int(600);
  const hold = r.chance(0.2) ? 10 + r.int(110) : 0;
  const transferred = r.chance(0.06);
  return {
    ...base,
    agent_id: `A${100 + r.int(AGENTS)}`,
    answered_at: started + wait,
    ended_at: started + wait + (talk + hold) * 1000,
    outcome: 'answered',
    talk_seconds: talk,
    hold_seconds: hold,
    acw_seconds: 15 + r.int(75),
    transferred,
    initial_call_id: transferred ? `C${1_000_000_000 + Math.max(0, no - 1)}` : null,
    cost: +(talk * 0.02).toFixed(4),
  };
}

function ticketRow(r: Rng, no: number, dt: string, dayStart: number, dayEnd: number, file: string): Row {
  const created = arrival(r, dayStart, dayEnd);
  const channel = pick(r, CHANNELS);
  const type = pick(r, TYPES);
  const responded = r.chance(0.95);
  const frt = Math.round(r.exp(channel === 'chat' ? 2 : channel === 'email' ? 600 : 60) * 60_000);
  const resolved =
    responded && r.chance(0.85) ? created + frt + Math.round(r.exp(14) * 3_600_000) : undefined;
  const closed = resolved !== undefined && r.chance(0.6) ? resolved + r.int(72) * 3_600_000 : undefined;
  const contacts = 1 + (r.chance(0.3) ? 1 + r.int(2) : 0);
  return {
    ticket_id: `T${10_000_000 + no}`,
    created_at: created,
    updated_at: closed ?? resolved ?? (responded ? created + frt : created),
    channel,
    type,
    priority: pick(r, PRIORITIES),
    status: closed !== undefined ? 'closed' : resolved !== undefined ? 'solved' : responded ? 'open' : 'new',
    customer_id: `CU${100_000 + r.int(200_000)}`,
    agent_id: responded ? `A${100 + r.int(AGENTS)}` : null,
    team: pick(r, TEAMS),
    assigned_at: responded ? created + Math.round(frt / 2) : null,
    first_response_at: responded ? created + frt : null,
    resolved_at: resolved ?? null,
    closed_at: closed ?? null,
    due_at: created + (channel === 'chat' ? 4 : 48) * 3_600_000,
    agent_messages: responded ? contacts + r.int(3) : 0,
    customer_messages: contacts + r.int(2),
    contacts,
    handoffs: r.chance(0.3) ? 1 + r.int(2) : 0,
    escalated: r.chance(type === 'complaint' ? 0.3 : 0.05),
    reopens: resolved !== undefined && r.chance(0.08) ? 1 : 0,
    incident_key: type === 'incident' && r.chance(0.8) ? `INC-${dt}-${r.int(20)}` : null,
    ...lineage(file, no),
  };
}

/** Writes one Parquet file of the curated lake; returns the number of rows. */
async function writePartition(
  store: FileSystemStore,
  entity: Entity,
  dt: string,
  rows: Iterable<Row>,
): Promise<number> {
  const sink = await store.create(`lake/${entity}/dt=${dt}/bench-${entity}-${dt}.parquet`);
  const writer = new ParquetRowWriter(curatedColumns(entity), sink);
  for (const row of rows) await writer.append(row);
  await writer.close();
  return writer.rows;
}

function* times<T>(n: number, f: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield f(i);
}

/** Spreads `total` over `parts` as evenly as possible. */
const share = (total: number, parts: number, i: number) =>
  Math.floor(total / parts) + (i < total % parts ? 1 : 0);

async function buildLake(home: string): Promise<Record<Entity, { rows: number; files: number }>> {
  const store = new FileSystemStore(home);
  const r = rng(SEED);
  const month = periodOf('month', `${MONTH}-01`);
  const days = periodsBetween('day', month.start, month.end).map((p) => p.start);
  const counts = Object.fromEntries(ENTITIES.map((e) => [e, { rows: 0, files: 0 }])) as Record<
    Entity,
    { rows: number; files: number }
  >;
  const add = (e: Entity, rows: number) => {
    counts[e].rows += rows;
    counts[e].files++;
  };
  let callNo = 0;
  let ticketNo = 0;
  let surveyNo = 0;
  let followNo = 0;
  for (const [i, dt] of days.entries()) {
    const dayStart = startOfLocalDay(dt, TZ);
    const dayEnd = startOfLocalDay(addDays(dt, 1), TZ);
    const file = (e: string) => `landing/bench/${e}-${dt}.csv`;
    add(
      'calls',
      await writePartition(
        store,
        'calls',
        dt,
        times(share(CALLS, days.length, i), () => callRow(r, ++callNo, dayStart, dayEnd, file('calls'))),
      ),
    );
    const tickets = share(TICKETS, days.length, i);
    const ticketRows: Row[] = [];
    const csatRows: Row[] = [];
    for (let k = 0; k < tickets; k++) {
      // 5 % of the rows are an older snapshot of the ticket before (the latest snapshot must win).
      if (k > 0 && r.chance(0.05)) {
        const prev = ticketRows.at(-1)!;
        ticketRows.push({
          ...prev,
          updated_at: (prev.created_at as number) + 1000,
          status: 'new',
          resolved_at: null,
          closed_at: null,
          _record: -k,
        });
        continue;
      }
      const t = ticketRow(r, ++ticketNo, dt, dayStart, dayEnd, file('tickets'));
      ticketRows.push(t);
      if (t.resolved_at !== null && r.chance(0.3)) {
        csatRows.push({
          response_id: `S${++surveyNo}`,
          survey: 'csat',
          score: 1 + r.int(5),
          scale_min: 1,
          scale_max: 5,
          responded_at: Math.min(dayEnd - 1, (t.created_at as number) + r.int(3_600_000)),
          customer_id: t.customer_id,
          ticket_id: t.ticket_id,
          agent_id: t.agent_id,
          ...lineage(file('surveys'), surveyNo),
        });
      }
    }
    add('tickets', await writePartition(store, 'tickets', dt, ticketRows));
    const other = times(Math.max(1, Math.round(TICKETS / days.length / 20)), () => {
      const survey = pick(r, ['nps', 'nps', 'nps', 'enps', 'collaboration'] as const);
      const max = survey === 'collaboration' ? 5 : 10;
      return {
        response_id: `S${++surveyNo}`,
        survey,
        score: (survey === 'collaboration' ? 1 : 0) + r.int(max),
        scale_min: survey === 'collaboration' ? 1 : 0,
        scale_max: max,
        responded_at: arrival(r, dayStart, dayEnd),
        ...lineage(file('surveys'), surveyNo),
      };
    });
    add('surveys', await writePartition(store, 'surveys', dt, [...csatRows, ...other]));
    add(
      'followups',
      await writePartition(
        store,
        'followups',
        dt,
        times(Math.max(1, Math.round(CALLS / days.length / 200)), () => {
          const planned = arrival(r, dayStart, dayEnd);
          return {
            followup_id: `F${++followNo}`,
            customer_id: `CU${100_000 + r.int(200_000)}`,
            planned_at: planned,
            done_at: r.chance(0.85) ? planned + Math.round(r.exp(20) * 3_600_000) : null,
            key_account: r.chance(0.1),
            ...lineage(file('followups'), followNo),
          };
        }),
      ),
    );
    add(
      'costs',
      await writePartition(
        store,
        'costs',
        dt,
        ['staff', 'telephony', 'software', 'facilities'].flatMap((category, k) => [
          {
            cost_id: `B-${dt}-${category}`,
            date: dt,
            kind: 'budget',
            category,
            amount: 1000 * (k + 1),
            currency: 'USD',
            ...lineage(file('costs'), 2 * k),
          },
          {
            cost_id: `A-${dt}-${category}`,
            date: dt,
            kind: 'actual',
            category,
            amount: 950 * (k + 1) + r.int(200),
            currency: 'USD',
            ...lineage(file('costs'), 2 * k + 1),
          },
        ]),
      ),
    );
  }
  add(
    'plans',
    await writePartition(
      store,
      'plans',
      month.start,
      [
        'work_plan',
        'customer_survey',
        'process_improvement',
        'standards_execution',
        'info_relay',
        'other',
      ].map((kind, k) => ({
        plan_id: `P-${MONTH}-${kind}`,
        month: MONTH,
        kind,
        planned: 10 + k,
        achieved: 9 + r.int(4),
        ...lineage('landing/bench/plans.csv', k),
      })),
    ),
  );
  // Customers: created over the 730 days before the month's end, one file per creation day.
  const byDay = new Map<string, Row[]>();
  const end = startOfLocalDay(addDays(month.end, 1), TZ);
  for (let i = 0; i < CUSTOMERS; i++) {
    const dayIndex = r.int(730);
    const dt = addDays(month.end, -dayIndex);
    const created = startOfLocalDay(dt, TZ) + r.int(86_000_000);
    const churned = r.chance(0.08) ? created + Math.round(r.exp(200) * 86_400_000) : undefined;
    const lastActive = Math.max(created, end - Math.round(r.exp(40) * 86_400_000));
    const row: Row = {
      customer_id: `CU${100_000 + i}`,
      created_at: created,
      churned_at: churned !== undefined && churned < end ? churned : null,
      last_active_at: lastActive,
      key_account: r.chance(0.05),
      revenue_to_date: r.int(10_000_000),
      updated_at: end - 1000,
      ...lineage('landing/bench/customers.csv', i),
    };
    if (!byDay.has(dt)) byDay.set(dt, []);
    byDay.get(dt)!.push(row);
  }
  for (const [dt, rows] of byDay) add('customers', await writePartition(store, 'customers', dt, rows));
  return counts;
}

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

// ── main ─────────────────────────────────────────────────────────────────────
async function main() {
  const home = await mkdtemp(join(tmpdir(), 'servicepulse-bench-kpi-'));
  try {
    process.stderr.write(
      `building the lake: ${CALLS.toLocaleString('en')} calls, ${TICKETS.toLocaleString('en')} tickets, ` +
        `${CUSTOMERS.toLocaleString('en')} customers, ${MONTH} in ${TZ} (seed ${SEED}) in ${home} …\n`,
    );
    const lake = await measure(() => buildLake(home));
    process.stderr.write(`  ${lake.seconds.toFixed(1)} s\n`);
    console.table(lake.result);

    const engine = await DuckDbEngine.open({
      database: join(home, 'servicepulse.duckdb'),
      lakeRoot: home,
      ...(THREADS ? { threads: THREADS } : {}),
    });
    const threads = Number((await engine.query("SELECT current_setting('threads') AS t"))[0]!.t);
    const templates = loadQueryTemplates();
    const month = periodOf('month', `${MONTH}-01`);
    const options: RunOptions = {
      grain: 'month',
      from: month.start,
      to: month.end,
      config: validateConfig({ timezone: TZ }),
      asOf: '2024-06-15T00:00:00Z',
      lakeSchema: 'lake',
      resultsSchema: 'results',
    };

    // Scans per statement: lake references in the SQL, and READ_PARQUET operators in DuckDB's plan.
    const { statements } = planRun(templates, options);
    const perStatement: Record<
      string,
      { lakeReferences: string[]; parquetScans: number; seconds: number[] }
    > = {};
    for (const s of statements) {
      const plan = (await engine.query(`EXPLAIN (FORMAT json) ${s.sql}`))[0]!.explain_value;
      perStatement[s.family] = {
        lakeReferences: s.sql.match(/\blake\.[a-z_]+/g) ?? [],
        parquetScans: parquetScans(JSON.parse(String(plan))),
        seconds: [],
      };
    }

    // A QueryEngine that times each statement of the run.
    let current = 0;
    const timed: QueryEngine = {
      name: 'duckdb',
      async query(sql: string): Promise<SqlRow[]> {
        const t0 = performance.now();
        const out = await engine.query(sql);
        perStatement[statements[current++ % statements.length]!.family]!.seconds.push(
          (performance.now() - t0) / 1000,
        );
        return out;
      },
      close: () => engine.close(),
    };

    const runs: Phase[] = [];
    const scans: Phase[] = [];
    const fullScans: Phase[] = [];
    let scannedRows = 0;
    for (let i = 0; i < REPEAT; i++) {
      process.stderr.write(`round ${i + 1}/${REPEAT}: scan …`);
      const s = await measure(() => scanAll(engine, home, false));
      scannedRows = s.result;
      scans.push(s);
      process.stderr.write(` ${s.seconds.toFixed(2)} s; full scan …`);
      const f = await measure(() => scanAll(engine, home, true));
      fullScans.push(f);
      process.stderr.write(` ${f.seconds.toFixed(2)} s; run …`);
      current = 0;
      const run = await measure(() => runKpis(timed, templates, options));
      runs.push(run);
      process.stderr.write(` ${run.seconds.toFixed(2)} s\n`);
    }
    const resultRows = Number((await engine.query('SELECT count(*) AS n FROM results.kpi_results'))[0]!.n);
    const profiles: Record<string, string[]> = {};
    if (process.env.BENCH_PROFILE) {
      for (const s of statements) {
        const sql = renderCompute(templates, s.family, { ...options, runId: 'profile', asOf: options.asOf! });
        profiles[s.family] = await profile(engine, sql, join(home, `profile-${s.family}.json`));
        console.log(`${s.family}: ${profiles[s.family]!.join('; ')}`);
      }
    }
    await engine.close();
    const maxRssMB = process.resourceUsage().maxRSS / 1e3;

    const runS = median(runs.map((p) => p.seconds));
    const scanS = median(scans.map((p) => p.seconds));
    const fullS = median(fullScans.map((p) => p.seconds));
    const table = {
      'run (runKpis, month)': {
        'median s': +runS.toFixed(2),
        'best s': +Math.min(...runs.map((p) => p.seconds)).toFixed(2),
        'peak RSS MB': Math.round(Math.max(...runs.map((p) => p.peakRssMB))),
      },
      'scan (count + one number)': {
        'median s': +scanS.toFixed(2),
        'best s': +Math.min(...scans.map((p) => p.seconds)).toFixed(2),
        'peak RSS MB': Math.round(Math.max(...scans.map((p) => p.peakRssMB))),
      },
      'scan (every column)': {
        'median s': +fullS.toFixed(2),
        'best s': +Math.min(...fullScans.map((p) => p.seconds)).toFixed(2),
        'peak RSS MB': Math.round(Math.max(...fullScans.map((p) => p.peakRssMB))),
      },
    };
    console.table(table);
    console.table(
      Object.fromEntries(
        Object.entries(perStatement).map(([family, s]) => [
          family,
          {
            'median s': +median(s.seconds).toFixed(2),
            'lake refs': s.lakeReferences.join(' '),
            'READ_PARQUET in plan': s.parquetScans,
          },
        ]),
      ),
    );
    const lakeRefs = Object.values(perStatement).reduce((n, s) => n + s.lakeReferences.length, 0);
    const planScans = Object.values(perStatement).reduce((n, s) => n + s.parquetScans, 0);
    const ratio = runS / scanS;
    const ratioFull = runS / fullS;
    console.log(
      `ratio run / scan = ${ratio.toFixed(2)}× (target ≤ 6×, goal ≤ 2×); run / every-column scan = ${ratioFull.toFixed(2)}×\n` +
        `${statements.length} statements per run; ${lakeRefs} lake table references in the rendered SQL; ` +
        `${planScans} Parquet scans in DuckDB's plans (every statement reads each of its sources once: ` +
        `${Object.values(perStatement).every((s) => s.parquetScans === new Set(s.lakeReferences).size)}); ` +
        `${scannedRows.toLocaleString('en')} lake rows; ${resultRows.toLocaleString('en')} result rows; ` +
        `DuckDB threads ${threads}; process maxRSS ${Math.round(maxRssMB)} MB`,
    );

    await mkdir(OUT_DIR, { recursive: true });
    const result = {
      benchmark: 'kpi',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      duckdbThreads: threads,
      month: MONTH,
      timezone: TZ,
      seed: SEED,
      repeat: REPEAT,
      lake: lake.result,
      lakeRows: scannedRows,
      buildSeconds: +lake.seconds.toFixed(2),
      runSeconds: runs.map((p) => +p.seconds.toFixed(3)),
      scanSeconds: scans.map((p) => +p.seconds.toFixed(3)),
      fullScanSeconds: fullScans.map((p) => +p.seconds.toFixed(3)),
      ratio: +ratio.toFixed(3),
      ratioFullScan: +ratioFull.toFixed(3),
      statementsPerRun: statements.length,
      lakeReferencesPerRun: lakeRefs,
      parquetScansPerRun: planScans,
      statements: perStatement,
      resultRows,
      ...(process.env.BENCH_PROFILE ? { profiles } : {}),
      peakRssMB: {
        build: Math.round(lake.peakRssMB),
        run: Math.round(Math.max(...runs.map((p) => p.peakRssMB))),
        scan: Math.round(Math.max(...scans.map((p) => p.peakRssMB), ...fullScans.map((p) => p.peakRssMB))),
      },
      maxRssMB: Math.round(maxRssMB),
    };
    await writeFile(join(OUT_DIR, 'kpi.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`wrote ${join(OUT_DIR, 'kpi.json')}\n`);
  } finally {
    if (!process.env.BENCH_KEEP) await rm(home, { recursive: true, force: true });
    else process.stderr.write(`kept ${home}\n`);
  }
}

await main();
