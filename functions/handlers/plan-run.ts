/**
 * The plan-run Lambda: the first task of the KPI state machine (infra/constructs/kpi-schedule.ts).
 * It decides what a run computes, renders every statement, and writes each one to S3; the state
 * machine then runs them one by one through Athena (`startQueryExecution.sync`).
 *
 * The statements go to S3 rather than into the state because a backfill's SQL easily exceeds
 * Step Functions' 256 KiB payload limit; each statement alone stays far below it and below
 * Athena's 256 KiB query-text limit.
 *
 * Primary course:
 *  1. read the input: a scheduled run (`kind` daily|monthly with the scheduler's scheduled time) or
 *     a backfill (`{ kind: 'backfill', from, to, grain? }`);
 *  2. cut it into chunks (core/schedule.ts planSchedule: ≤ 100 Iceberg partitions per statement);
 *  3. render the statements: the kpi_definitions sync, one MERGE per family and chunk (core/run.ts
 *     planRun), and Iceberg maintenance on monthly runs;
 *  4. write them to `s3://$STATEMENTS_BUCKET/statements/<execution>/NNN-<label>.sql` and return
 *     their references, plus the period the digest reports (none for backfills).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { loadQueryTemplates } from '../adapters/queries-fs.ts';
import { S3Store } from '../adapters/s3.ts';
import { GRAINS, type Grain } from '../core/catalog.ts';
import type { Config } from '../core/config.ts';
import type { ObjectStore } from '../core/ports.ts';
import { planRun } from '../core/run.ts';
import {
  type Chunk,
  definitionsStatement,
  digestPeriod,
  maintenanceStatements,
  monthStart,
  planSchedule,
  RUN_KINDS,
  type RunKind,
  ScheduleError,
} from '../core/schedule.ts';
import type { QueryTemplates } from '../core/sql/render.ts';
import { addDays, localDate } from '../core/time.ts';
import { configFromEnv, optionalEnv, requireEnv } from './env.ts';
import { jsonLogger, type Logger } from './log.ts';

/** The state machine's input to this function (see infra/constructs/kpi-schedule.ts). */
export interface PlanRunEvent {
  kind: RunKind;
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`; the run reports the local day before it. */
  scheduledTime?: string;
  /** daily/monthly: the day to report instead (YYYY-MM-DD, reporting zone), for manual reruns. */
  date?: string;
  /** backfill: the range (inclusive) and grain (both grains when absent). */
  from?: string;
  to?: string;
  grain?: Grain;
  /** Evaluation instant (ISO-8601); default the scheduled time, else `startedAt`, else now. */
  asOf?: string;
  /** `$$.Execution.StartTime`. */
  startedAt?: string;
  /** `$$.Execution.Name`: names the folder the statements are written to. */
  executionName?: string;
}

/** One statement for the state machine's Map state: where its SQL is, and what it is. */
export interface StatementRef {
  bucket: string;
  key: string;
  /** For logs and the execution history: `tickets day 2024-05-01…2024-05-31`, `kpi_definitions`. */
  label: string;
}

export interface PlanRunResult {
  kind: RunKind;
  asOf: string;
  runIds: string[];
  chunks: Chunk[];
  statements: StatementRef[];
  /** The period the digest reports after the statements ran; null: send no digest. */
  digest: { grain: Grain; date: string } | null;
}

export interface PlanRunDeps {
  store: ObjectStore;
  /** Bucket behind `store`, echoed into each reference for the state machine's S3 GetObject. */
  bucket: string;
  /** Key prefix of the statements, ending in `/`. */
  prefix: string;
  templates: QueryTemplates;
  config: Config;
  /** Glue database holding the lake tables and the results tables. */
  database: string;
  maxMonthsPerChunk?: number;
  log?: Logger;
  now?: () => number;
}

function isoInstant(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new ScheduleError(`${what} is not an ISO-8601 instant: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 80);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads and checks the input; the error names the field, since operators type backfill inputs by
 * hand. The state machine sends `{ input: <execution input>, startedAt, executionName }`; the
 * execution input's fields are read as if they stood at the top.
 */
export function parseEvent(event: unknown): PlanRunEvent {
  if (!isObject(event)) throw new ScheduleError('the input must be a JSON object');
  const e: Record<string, unknown> = isObject(event.input)
    ? { ...event.input, startedAt: event.startedAt, executionName: event.executionName }
    : event;
  const kind = e.kind ?? (e.from !== undefined || e.to !== undefined ? 'backfill' : undefined);
  if (!RUN_KINDS.includes(kind as RunKind)) {
    throw new ScheduleError(`kind must be one of ${RUN_KINDS.join(', ')}; got ${JSON.stringify(e.kind)}`);
  }
  if (e.grain !== undefined && !GRAINS.includes(e.grain as Grain)) {
    throw new ScheduleError(`grain must be one of ${GRAINS.join(', ')}; got ${JSON.stringify(e.grain)}`);
  }
  for (const f of ['date', 'from', 'to', 'executionName'] as const) {
    if (e[f] !== undefined && typeof e[f] !== 'string') throw new ScheduleError(`${f} must be a string`);
  }
  const out: PlanRunEvent = { kind: kind as RunKind };
  const scheduledTime = isoInstant(e.scheduledTime, 'scheduledTime');
  const asOf = isoInstant(e.asOf, 'asOf');
  const startedAt = isoInstant(e.startedAt, 'startedAt');
  if (scheduledTime) out.scheduledTime = scheduledTime;
  if (asOf) out.asOf = asOf;
  if (startedAt) out.startedAt = startedAt;
  if (typeof e.date === 'string') out.date = e.date;
  if (typeof e.from === 'string') out.from = e.from;
  if (typeof e.to === 'string') out.to = e.to;
  if (e.grain !== undefined) out.grain = e.grain as Grain;
  if (typeof e.executionName === 'string') out.executionName = e.executionName;
  return out;
}

/** Use case: plan one run and stage its statements. */
export async function planKpiRun(deps: PlanRunDeps, event: PlanRunEvent): Promise<PlanRunResult> {
  const now = (deps.now ?? Date.now)();
  const asOf = event.asOf ?? event.scheduledTime ?? event.startedAt ?? new Date(now).toISOString();
  // 1. the day a scheduled run reports: the local day before the scheduled time.
  const date =
    event.kind === 'backfill'
      ? undefined
      : (event.date ?? addDays(localDate(Date.parse(event.scheduledTime ?? asOf), deps.config.timezone), -1));

  // 2. chunks
  const chunks = planSchedule({
    kind: event.kind,
    ...(date !== undefined ? { date } : {}),
    ...(event.from !== undefined ? { from: event.from } : {}),
    ...(event.to !== undefined ? { to: event.to } : {}),
    ...(event.grain !== undefined ? { grain: event.grain } : {}),
    config: deps.config,
    ...(deps.maxMonthsPerChunk !== undefined ? { maxMonthsPerChunk: deps.maxMonthsPerChunk } : {}),
  });

  // 3. statements, in the order they must run
  const staged: { label: string; sql: string }[] = [
    { label: 'kpi_definitions', sql: definitionsStatement(deps.database) },
  ];
  const runIds: string[] = [];
  for (const c of chunks) {
    const plan = planRun(deps.templates, {
      grain: c.grain,
      from: c.from,
      to: c.to,
      config: deps.config,
      asOf,
      lakeSchema: deps.database,
      resultsSchema: deps.database,
    });
    runIds.push(plan.runId);
    for (const s of plan.statements) {
      staged.push({ label: `${s.family} ${c.grain} ${c.from}…${c.to}`, sql: s.sql });
    }
  }
  if (event.kind === 'monthly' && date !== undefined) {
    const since = monthStart(addDays(monthStart(date), -1));
    for (const m of maintenanceStatements(deps.database, since)) {
      staged.push({ label: `${m.sql.split(' ')[0]!.toLowerCase()} ${m.table}`, sql: m.sql });
    }
  }

  if (staged.length > MAX_STATEMENTS) {
    throw new ScheduleError(
      `the run has ${staged.length} statements; one execution runs at most ${MAX_STATEMENTS}: backfill a shorter range, one grain at a time, or raise maxMonthsPerChunk`,
    );
  }

  // 4. stage them
  const folder = safeName(event.executionName ?? `${event.kind}-${asOf}`);
  const statements: StatementRef[] = [];
  for (const [i, s] of staged.entries()) {
    const key = `${deps.prefix}${folder}/${String(i).padStart(3, '0')}-${safeName(s.label.replace(/…/g, '_'))}.sql`;
    await deps.store.put(key, s.sql, 'application/sql; charset=utf-8');
    statements.push({ bucket: deps.bucket, key, label: s.label });
  }
  const result: PlanRunResult = {
    kind: event.kind,
    asOf,
    runIds,
    chunks,
    statements,
    digest: digestPeriod(event.kind, date),
  };
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > MAX_PLAN_BYTES) {
    throw new ScheduleError(
      `the plan is ${Math.round(bytes / 1024)} KiB; Step Functions passes at most 256 KiB between states: backfill a shorter range`,
    );
  }
  deps.log?.info('run planned', {
    kind: event.kind,
    asOf,
    chunks,
    statements: statements.length,
    folder: `${deps.prefix}${folder}/`,
    digest: result.digest,
  });
  return result;
}

/**
 * One execution's limits: Step Functions passes at most 256 KiB between states and keeps at most
 * 25 000 history events (≈ 15 per statement of the Map); a plan beyond either would fail midway.
 */
export const MAX_STATEMENTS = 1000;
export const MAX_PLAN_BYTES = 200 * 1024;

let deps: PlanRunDeps | undefined;

/**
 * Lambda entry. Environment (read once per container): SERVICEPULSE_CONFIG, GLUE_DATABASE,
 * STATEMENTS_BUCKET (required), STATEMENTS_PREFIX (default `statements/`), MAX_MONTHS_PER_CHUNK,
 * SERVICEPULSE_QUERIES (the queries/ folder copied into the bundle).
 */
export const handler = async (event: unknown, context?: Context): Promise<PlanRunResult> => {
  if (!deps) {
    const bucket = requireEnv('STATEMENTS_BUCKET');
    const prefix = optionalEnv('STATEMENTS_PREFIX') ?? 'statements/';
    const maxMonths = optionalEnv('MAX_MONTHS_PER_CHUNK');
    deps = {
      store: new S3Store({ client: new S3Client({}), bucket }),
      bucket,
      prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
      templates: loadQueryTemplates(),
      config: configFromEnv(),
      database: requireEnv('GLUE_DATABASE'),
      ...(maxMonths ? { maxMonthsPerChunk: Number(maxMonths) } : {}),
      log: jsonLogger({ base: { fn: 'plan-run' } }),
    };
  }
  const log = deps.log?.child({ requestId: context?.awsRequestId });
  return planKpiRun({ ...deps, ...(log ? { log } : {}) }, parseEvent(event));
};
