/**
 * The plan-run Lambda: the first task of the KPI state machine (infra/constructs/kpi-schedule.ts).
 * It reads the input and calls the core use case `planKpiRun` (functions/core/plan.ts: the input
 * schema, the primary course), which renders every statement of the run and stages each one in
 * `s3://$STATEMENTS_BUCKET/statements/<execution>/`; the state machine then runs them in Athena.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { loadQueryTemplates } from '../adapters/queries-fs.ts';
import { S3Store } from '../adapters/s3.ts';
import { type PlanRunDeps, type PlanRunResult, parseEvent, planKpiRun } from '../core/plan.ts';
import { configFromEnv, optionalEnv, requireEnv } from './env.ts';
import { jsonLogger } from './log.ts';

export type { PlanRunDeps, PlanRunEvent, PlanRunResult, StatementRef } from '../core/plan.ts';

let deps: PlanRunDeps | undefined;

/** The use case's dependencies from the environment (see {@link handler}). */
function depsFromEnv(): PlanRunDeps {
  const bucket = requireEnv('STATEMENTS_BUCKET');
  const prefix = optionalEnv('STATEMENTS_PREFIX') ?? 'statements/';
  const maxMonths = optionalEnv('MAX_MONTHS_PER_CHUNK');
  return {
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

/**
 * Lambda entry. Environment (read once per container): SERVICEPULSE_CONFIG, GLUE_DATABASE,
 * STATEMENTS_BUCKET (required), STATEMENTS_PREFIX (default `statements/`), MAX_MONTHS_PER_CHUNK,
 * SERVICEPULSE_QUERIES (the queries/ folder copied into the bundle). Lambda's JSON log format
 * stamps each log line with the request id.
 */
export const handler = async (event: unknown): Promise<PlanRunResult> => {
  deps ??= depsFromEnv();
  return planKpiRun(deps, parseEvent(event));
};
