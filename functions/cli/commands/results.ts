/** `servicepulse results`: prints kpi_results, all columns in the documented order. */
import { stringify } from 'csv-stringify/sync';
import { KPI_IDS } from '../../core/catalog.ts';
import { KPI_RESULTS_COLUMNS } from '../../core/results.ts';
import { sqlDate, sqlString } from '../../core/sql/render.ts';
import { type LocalContext, parseDate, RESULTS_SCHEMA, UsageError } from '../context.ts';
import { checkKpiId } from '../hints.ts';
import { parseGrain } from '../options.ts';

export interface ResultsArgs {
  format?: string;
  kpi?: string;
  grain?: string;
  from?: string;
  to?: string;
}

export async function resultsCommand(ctx: LocalContext, args: ResultsArgs): Promise<number> {
  const format = args.format ?? 'csv';
  if (format !== 'csv' && format !== 'json')
    throw new UsageError(`--format must be csv or json; got "${format}"`);
  const where: string[] = [];
  if (args.kpi) where.push(`kpi_id = ${sqlString(checkKpiId(args.kpi, KPI_IDS))}`);
  if (args.grain) where.push(`grain = ${sqlString(parseGrain(args.grain))}`);
  if (args.from) where.push(`period_start >= ${sqlDate(parseDate(args.from, '--from'))}`);
  if (args.to) where.push(`period_start <= ${sqlDate(parseDate(args.to, '--to'))}`);
  const cols = KPI_RESULTS_COLUMNS.map((c) => c.name);
  const engine = await ctx.engine();
  const rows = await engine.query(
    `SELECT ${cols.join(', ')} FROM ${RESULTS_SCHEMA}.kpi_results${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY kpi_id, grain, period_start, dimension, dimension_value`,
  );
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`);
  } else {
    process.stdout.write(
      stringify(
        rows.map((r) => cols.map((c) => r[c] ?? '')),
        { header: true, columns: cols, cast: { boolean: (b) => String(b) } },
      ),
    );
  }
  return 0;
}
