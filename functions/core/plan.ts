/**
 * Planning a KPI run for the state machine (infra/constructs/kpi-schedule.ts): the input it is
 * started with, checked field by field, and the use case that decides what the run computes,
 * renders every statement and stages each one in the object store; the state machine then runs
 * them one by one through Athena (`startQueryExecution.sync`).
 *
 * The statements are staged rather than passed in the state because a backfill's SQL easily
 * exceeds Step Functions' 256 KiB payload limit; each statement alone stays far below it and below
 * Athena's 256 KiB query-text limit.
 */
import { z } from 'zod';
import { GRAINS, type Grain } from './catalog.ts';
import type { Config } from './config.ts';
import type { Log } from './log.ts';
import type { ObjectStore } from './ports.ts';
import { planRun } from './run.ts';
import {
  type Chunk,
  definitionsStatement,
  digestPeriod,
  maintenanceStatements,
  planSchedule,
  RUN_KINDS,
  type RunKind,
  ScheduleError,
} from './schedule.ts';
import type { QueryTemplates } from './sql/render.ts';
import { addDays, localDate, monthStart } from './time.ts';

/** The state machine's input to the plan step (see infra/constructs/kpi-schedule.ts). */
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
  log?: Pick<Log, 'info'>;
  now?: () => number;
}

/**
 * One execution's limits: Step Functions passes at most 256 KiB between states and keeps at most
 * 25 000 history events (≈ 15 per statement of the Map); a plan beyond either would fail midway.
 */
export const MAX_STATEMENTS = 1000;
export const MAX_PLAN_BYTES = 200 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An optional ISO-8601 instant, normalized to UTC (`''` and null count as absent). */
const instant = (field: string) =>
  z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined || value === null || value === '') return undefined;
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (!Number.isNaN(ms)) return new Date(ms).toISOString();
      ctx.addIssue({
        code: 'custom',
        message: `${field} is not an ISO-8601 instant: ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    })
    .optional();
const text = (field: string) => z.string({ error: `${field} must be a string` }).optional();
const oneOf = <T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, {
    error: (iss) => `${field} must be one of ${values.join(', ')}; got ${JSON.stringify(iss.input)}`,
  });

/**
 * The plan step's input. The state machine sends `{ input: <execution input>, startedAt,
 * executionName }`; the execution input's fields are read as if they stood at the top, and a
 * range without a kind is a backfill.
 */
const PlanRunInput = z.preprocess(
  (event) => {
    if (!isObject(event)) return event;
    const e = isObject(event.input)
      ? { ...event.input, startedAt: event.startedAt, executionName: event.executionName }
      : event;
    return { ...e, kind: e.kind ?? (e.from !== undefined || e.to !== undefined ? 'backfill' : undefined) };
  },
  z.object(
    {
      kind: oneOf('kind', RUN_KINDS),
      grain: oneOf('grain', GRAINS).optional(),
      date: text('date'),
      from: text('from'),
      to: text('to'),
      executionName: text('executionName'),
      scheduledTime: instant('scheduledTime'),
      asOf: instant('asOf'),
      startedAt: instant('startedAt'),
    },
    { error: 'the input must be a JSON object' },
  ),
);

/** Reads and checks the input; the error names the field, since operators type backfill inputs by hand. */
export function parseEvent(event: unknown): PlanRunEvent {
  const parsed = PlanRunInput.safeParse(event);
  if (!parsed.success) throw new ScheduleError(parsed.error.issues[0]!.message);
  const defined = Object.entries(parsed.data).filter(([, v]) => v !== undefined);
  return Object.fromEntries(defined) as unknown as PlanRunEvent;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 80);
}

interface StagedStatement {
  label: string;
  sql: string;
}

/** The statements of a run, in the order they must run, and the ids of the KPI runs among them. */
function renderStatements(
  deps: PlanRunDeps,
  event: PlanRunEvent,
  chunks: Chunk[],
  asOf: string,
  date?: string,
) {
  const staged: StagedStatement[] = [{ label: 'kpi_definitions', sql: definitionsStatement(deps.database) }];
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
  return { staged, runIds };
}

/** Writes each statement to `<prefix><folder>/NNN-<label>.sql` and returns their references. */
async function stageStatements(deps: PlanRunDeps, folder: string, staged: StagedStatement[]) {
  const statements: StatementRef[] = [];
  for (const [i, s] of staged.entries()) {
    const key = `${deps.prefix}${folder}/${String(i).padStart(3, '0')}-${safeName(s.label.replace(/…/g, '_'))}.sql`;
    await deps.store.put(key, s.sql, 'application/sql; charset=utf-8');
    statements.push({ bucket: deps.bucket, key, label: s.label });
  }
  return statements;
}

/**
 * Use case: plan one run and stage its statements.
 *
 * Primary course:
 *  1. read the input: a scheduled run (`kind` daily|monthly with the scheduler's scheduled time,
 *     reporting the local day before it) or a backfill (`{ kind: 'backfill', from, to, grain? }`);
 *  2. cut it into chunks (core/schedule.ts planSchedule: ≤ 100 Iceberg partitions per statement);
 *  3. render the statements: the kpi_definitions sync, one MERGE per family and chunk (core/run.ts
 *     planRun), and Iceberg maintenance on monthly runs;
 *  4. write them to `<prefix><execution>/NNN-<label>.sql` and return their references, plus the
 *     period the digest reports (none for backfills).
 */
export async function planKpiRun(deps: PlanRunDeps, event: PlanRunEvent): Promise<PlanRunResult> {
  const now = (deps.now ?? Date.now)();
  const asOf = event.asOf ?? event.scheduledTime ?? event.startedAt ?? new Date(now).toISOString();
  const date =
    event.kind === 'backfill'
      ? undefined
      : (event.date ?? addDays(localDate(Date.parse(event.scheduledTime ?? asOf), deps.config.timezone), -1));
  const chunks = planSchedule({
    kind: event.kind,
    ...(date !== undefined ? { date } : {}),
    ...(event.from !== undefined ? { from: event.from } : {}),
    ...(event.to !== undefined ? { to: event.to } : {}),
    ...(event.grain !== undefined ? { grain: event.grain } : {}),
    config: deps.config,
    ...(deps.maxMonthsPerChunk !== undefined ? { maxMonthsPerChunk: deps.maxMonthsPerChunk } : {}),
  });
  const { staged, runIds } = renderStatements(deps, event, chunks, asOf, date);
  const folder = safeName(event.executionName ?? `${event.kind}-${asOf}`);
  const statements = await stageStatements(deps, folder, staged);
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
