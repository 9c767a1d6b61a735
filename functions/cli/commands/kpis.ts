/**
 * `servicepulse kpis [--format table|json]`: the catalog, with the targets in effect for the
 * configuration (`--config`, else <home>/servicepulse.config.yaml, else the catalog's).
 */
import { type GlobalOptions, loadConfig, resolveHome, UsageError } from '../context.ts';
import { KPI_TABLE_HEADER, kpiListing, kpiTableRows } from '../kpi-list.ts';
import { printTable } from '../table.ts';

export function kpisCommand(args: { format?: string }, opts: GlobalOptions = {}): number {
  const format = args.format ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`--format must be table or json; got "${format}"`);
  const list = kpiListing(loadConfig(resolveHome(opts), opts));
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  printTable(KPI_TABLE_HEADER, kpiTableRows(list));
  process.stdout.write(
    `${list.length} KPIs; targets are for the whole centre ("config": set in the configuration, otherwise the catalog's)\n`,
  );
  return 0;
}
