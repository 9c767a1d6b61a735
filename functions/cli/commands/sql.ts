/** `servicepulse sql --grain G --date D [--engine athena|duckdb]`: the statements a run executes. */
import { COMPAT_MACROS } from '../../adapters/duckdb.ts';
import { planRun } from '../../core/run.ts';
import { periodOf } from '../../core/sql/render.ts';
import { LAKE_SCHEMA, type LocalContext, parseDate, RESULTS_SCHEMA, UsageError } from '../context.ts';
import { parseAsOf, parseGrain } from '../options.ts';

export interface SqlArgs {
  grain: string;
  date: string;
  engine?: string;
  asOf?: string;
  lakeSchema?: string;
  resultsSchema?: string;
}

export function sqlCommand(ctx: LocalContext, args: SqlArgs): number {
  const grain = parseGrain(args.grain);
  const date = parseDate(args.date, '--date');
  const engine = args.engine ?? 'athena';
  if (engine !== 'athena' && engine !== 'duckdb')
    throw new UsageError(`--engine must be athena or duckdb; got "${engine}"`);
  const period = periodOf(grain, date);
  // In Athena the schemas are the Glue databases; default to the stack's names.
  const lakeSchema = args.lakeSchema ?? (engine === 'athena' ? 'servicepulse_lake' : LAKE_SCHEMA);
  const resultsSchema = args.resultsSchema ?? (engine === 'athena' ? 'servicepulse_results' : RESULTS_SCHEMA);
  const asOf = parseAsOf(args.asOf);
  const { statements } = planRun(ctx.templates(), {
    grain,
    from: period.start,
    to: period.end,
    config: ctx.config,
    ...(asOf ? { asOf } : {}),
    lakeSchema,
    resultsSchema,
  });
  const out: string[] = [];
  if (engine === 'duckdb') {
    out.push(
      "-- DuckDB session set-up (the compatibility layer); the statements below are unchanged.\nSET TimeZone = 'UTC';",
    );
    for (const m of COMPAT_MACROS) out.push(`-- ${m.why}\n${m.sql};`);
  }
  for (const s of statements) out.push(`-- ${s.family}: ${s.kpiIds.join(', ')}\n${s.sql.trimEnd()};`);
  process.stdout.write(`${out.join('\n\n')}\n`);
  return 0;
}
