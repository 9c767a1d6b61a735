/** `servicepulse kpis [--format json]`: the catalog. */
import { CATALOG, defaultTarget } from '../../core/catalog.ts';
import { UsageError } from '../context.ts';
import { printTable } from '../table.ts';

function range(t: { min?: number; max?: number } | undefined): string {
  if (!t) return '-';
  if (t.min !== undefined && t.max !== undefined) return `${t.min} – ${t.max}`;
  if (t.min !== undefined) return `≥ ${t.min}`;
  if (t.max !== undefined) return `≤ ${t.max}`;
  return '-';
}

export function kpisCommand(args: { format?: string }): number {
  const format = args.format ?? 'table';
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(CATALOG, null, 2)}\n`);
    return 0;
  }
  if (format !== 'table') throw new UsageError(`--format must be table or json; got "${format}"`);
  printTable(
    ['kpi_id', 'family', 'name', 'unit', 'dir', 'target day', 'target month', 'grains'],
    CATALOG.map((k) => [
      k.id,
      k.family,
      k.names.en,
      k.unit,
      k.direction,
      range(defaultTarget(k, 'day')),
      range(defaultTarget(k, 'month')),
      k.grains.join(','),
    ]),
  );
  process.stdout.write(`${CATALOG.length} KPIs\n`);
  return 0;
}
