/**
 * The results tables (reference: docs/results-tables.md): kpi_results, kpi_definitions, kpi_flags.
 * Column lists here are the single source for the DuckDB tables, the Athena/Glue tables and the
 * CLI's `results` output order.
 */
import { CATALOG, type Dimension, defaultTarget, type Grain } from './catalog.ts';
import { LANGUAGES } from './config.ts';

export type ResultColumnType = 'string' | 'date' | 'double' | 'bigint' | 'timestamp' | 'integer' | 'boolean';

export interface ResultColumn {
  name: string;
  type: ResultColumnType;
  description: string;
}

export const KPI_RESULTS_COLUMNS: readonly ResultColumn[] = [
  { name: 'kpi_id', type: 'string', description: 'from the catalog (kpi_definitions)' },
  { name: 'grain', type: 'string', description: 'day or month' },
  { name: 'period_start', type: 'date', description: 'first day of the period (reporting zone)' },
  { name: 'period_end', type: 'date', description: 'last day of the period, inclusive' },
  { name: 'dimension', type: 'string', description: 'all, channel, team, queue, agent, plan_kind' },
  { name: 'dimension_value', type: 'string', description: "'all' for the overall row" },
  { name: 'value', type: 'double', description: 'NULL when the denominator is empty' },
  { name: 'numerator', type: 'double', description: 'NULL where not a ratio or mean' },
  { name: 'denominator', type: 'double', description: 'NULL where not a ratio or mean' },
  { name: 'sample_size', type: 'bigint', description: 'records the value rests on' },
  { name: 'computed_at', type: 'timestamp', description: 'UTC; when the value last changed' },
  { name: 'run_id', type: 'string', description: 'the run that last changed the row' },
];

export const KPI_FLAGS_COLUMNS: readonly ResultColumn[] = [
  { name: 'kpi_id', type: 'string', description: 'from the catalog' },
  { name: 'grain', type: 'string', description: 'day or month' },
  { name: 'period_start', type: 'date', description: 'first day of the period' },
  { name: 'dimension', type: 'string', description: 'as in kpi_results' },
  { name: 'dimension_value', type: 'string', description: 'as in kpi_results' },
  { name: 'status', type: 'string', description: 'ok, warn, breach, no_data (informational KPIs: ok)' },
  { name: 'value', type: 'double', description: 'the evaluated value' },
  { name: 'target_min', type: 'double', description: 'target used (NULL = open)' },
  { name: 'target_max', type: 'double', description: 'target used (NULL = open)' },
  { name: 'target_warn', type: 'double', description: 'warning threshold used, if any' },
  { name: 'previous_value', type: 'double', description: 'value of the previous period' },
  { name: 'change', type: 'double', description: 'value − previous_value' },
  { name: 'consecutive_breaches', type: 'integer', description: 'periods in a row outside the range' },
  { name: 'evaluated_at', type: 'timestamp', description: 'UTC' },
];

export const KPI_DEFINITIONS_COLUMNS: readonly ResultColumn[] = [
  { name: 'kpi_id', type: 'string', description: 'public, stable id' },
  {
    name: 'family',
    type: 'string',
    description: 'tickets, calls, surveys, customers, followups, costs, plans',
  },
  ...LANGUAGES.map((l) => ({ name: `name_${l}`, type: 'string' as const, description: `name in ${l}` })),
  {
    name: 'unit',
    type: 'string',
    description: 'count, pct, minutes, hours, seconds, ratio, score, currency, per_hour',
  },
  { name: 'direction', type: 'string', description: 'min (lower is better), max, range, info' },
  { name: 'day_target_min', type: 'double', description: 'default daily target (NULL = open)' },
  { name: 'day_target_max', type: 'double', description: '' },
  { name: 'month_target_min', type: 'double', description: 'default monthly target' },
  { name: 'month_target_max', type: 'double', description: '' },
  { name: 'grains', type: 'string', description: 'comma-separated' },
  { name: 'dimensions', type: 'string', description: 'comma-separated' },
  { name: 'definition', type: 'string', description: 'exact definition' },
  { name: 'counted_on', type: 'string', description: 'timestamp that puts a record into a period' },
  { name: 'additive', type: 'boolean', description: 'numerator/denominator re-aggregate' },
];

/** The row of kpi_results as the core sees it. */
export interface KpiResultRow {
  kpi_id: string;
  grain: Grain;
  period_start: string;
  period_end: string;
  dimension: Dimension;
  dimension_value: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  sample_size: number;
  computed_at: string;
  run_id: string;
}

/** kpi_definitions rows, from the catalog (targets: the catalog defaults). */
export function definitionRows(): Record<string, string | number | boolean | null>[] {
  return CATALOG.map((k) => {
    const d = defaultTarget(k, 'day');
    const m = defaultTarget(k, 'month');
    return {
      kpi_id: k.id,
      family: k.family,
      ...Object.fromEntries(LANGUAGES.map((l) => [`name_${l}`, k.names[l]])),
      unit: k.unit,
      direction: k.direction,
      day_target_min: d?.min ?? null,
      day_target_max: d?.max ?? null,
      month_target_min: m?.min ?? null,
      month_target_max: m?.max ?? null,
      grains: k.grains.join(','),
      dimensions: k.dimensions.join(','),
      definition: k.definition,
      counted_on: k.countedOn,
      additive: k.additive,
    };
  });
}
