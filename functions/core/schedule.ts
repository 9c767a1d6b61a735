/**
 * What a KPI run in AWS computes: the scheduled daily and monthly runs and operator backfills, cut
 * into chunks that Athena can write in one statement each.
 *
 * Athena fails an INSERT/MERGE into an Iceberg table that writes more than 100 partitions. The
 * results tables are partitioned by `grain` and `month(period_start)` (infra/catalog-spec.ts), so a
 * statement over one grain writes one partition per calendar month of its range; a chunk therefore
 * spans at most `maxMonthsPerChunk` whole calendar months (default 12, never more than 100).
 *
 * Besides the chunks, this module renders the statements every run starts or ends with: the
 * kpi_definitions sync (the catalog as a table) and, on monthly runs, Iceberg maintenance.
 */
import { CATALOG, GRAINS, type Grain } from './catalog.ts';
import type { Config } from './config.ts';
import { definitionRows, KPI_DEFINITIONS_COLUMNS, type ResultColumnType } from './results.ts';
import { sqlDate, sqlIdentifier, sqlString } from './sql/render.ts';
import { addDays, isoToEpochDay, monthEnd, monthStart } from './time.ts';

/** Athena's limit on the partitions one INSERT/MERGE into an Iceberg table may write. */
export const ICEBERG_PARTITION_LIMIT = 100;

export const RUN_KINDS = ['daily', 'monthly', 'backfill'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** One statement-sized piece of a run: a grain and a range of days (YYYY-MM-DD, reporting zone). */
export interface Chunk {
  grain: Grain;
  from: string;
  to: string;
}

export interface ScheduleRequest {
  kind: RunKind;
  /**
   * daily: the last complete local day, the one the digest reports; monthly: any day of the month
   * to compute. Ignored for backfills.
   */
  date?: string;
  /** Backfill range, inclusive. */
  from?: string;
  to?: string;
  /** Backfill grain; both grains when absent. */
  grain?: Grain;
  config: Pick<Config, 'recompute'>;
  /**
   * Calendar months one chunk may span (1…100).
   * @default 12
   */
  maxMonthsPerChunk?: number;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

// ── calendar helpers ──────────────────────────────────────────────────────────
export { monthEnd, monthStart } from './time.ts';

function nextMonth(day: string): string {
  return addDays(monthEnd(day), 1);
}

/** Number of calendar months [from, to] touches: the Iceberg partitions one grain's statement writes. */
export function monthsTouched(from: string, to: string): number {
  const months = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
  return months(to) - months(from) + 1;
}

function checkDate(value: string | undefined, what: string): string {
  if (value === undefined) throw new ScheduleError(`${what} is required (YYYY-MM-DD)`);
  try {
    isoToEpochDay(value);
  } catch {
    throw new ScheduleError(`${what} is not a calendar date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Cuts [from, to] at one grain into chunks of at most `maxMonths` whole calendar months. Day chunks
 * keep the exact range at their ends; month chunks always cover whole months (the renderer computes
 * every month that intersects the range anyway).
 */
export function chunkRange(grain: Grain, from: string, to: string, maxMonths = 12): Chunk[] {
  if (!Number.isInteger(maxMonths) || maxMonths < 1 || maxMonths > ICEBERG_PARTITION_LIMIT) {
    throw new ScheduleError(`maxMonthsPerChunk must be an integer from 1 to ${ICEBERG_PARTITION_LIMIT}`);
  }
  if (from > to) throw new ScheduleError(`from (${from}) is after to (${to})`);
  const chunks: Chunk[] = [];
  let start = grain === 'day' ? from : monthStart(from);
  while (start <= to) {
    let end = monthEnd(start);
    for (let i = 1; i < maxMonths && end < to; i++) end = monthEnd(nextMonth(end));
    if (grain === 'day' && end > to) end = to;
    chunks.push({ grain, from: start, to: end });
    start = addDays(end, 1);
  }
  return chunks;
}

/**
 * The chunks a run computes, in the order they must run.
 *
 * - daily: days [date − recompute.trailingDays, date]; and, when that window reaches back into a
 *   month that has already ended before `date`, that month again at month grain (the monthly run
 *   closed it on day 1; late data landed since).
 * - monthly: the calendar month of `date`.
 * - backfill: [from, to] at `grain` (or day, then month), chunked by months.
 */
export function planSchedule(request: ScheduleRequest): Chunk[] {
  const max = request.maxMonthsPerChunk ?? 12;
  switch (request.kind) {
    case 'daily': {
      const date = checkDate(request.date, 'date');
      const trailing = request.config.recompute.trailingDays;
      const from = addDays(date, -trailing);
      const chunks = chunkRange('day', from, date, max);
      for (let m = monthStart(from); monthEnd(m) < date; m = nextMonth(m)) {
        chunks.push({ grain: 'month', from: m, to: monthEnd(m) });
      }
      return chunks;
    }
    case 'monthly': {
      const date = checkDate(request.date, 'date');
      return [{ grain: 'month', from: monthStart(date), to: monthEnd(date) }];
    }
    case 'backfill': {
      const from = checkDate(request.from, 'from');
      const to = checkDate(request.to, 'to');
      if (from > to) throw new ScheduleError(`from (${from}) is after to (${to})`);
      if (request.grain !== undefined && !GRAINS.includes(request.grain)) {
        throw new ScheduleError(
          `grain must be one of ${GRAINS.join(', ')}; got ${JSON.stringify(request.grain)}`,
        );
      }
      const grains: readonly Grain[] = request.grain ? [request.grain] : GRAINS;
      return grains.flatMap((g) => chunkRange(g, from, to, max));
    }
    default:
      throw new ScheduleError(
        `kind must be one of ${RUN_KINDS.join(', ')}; got ${JSON.stringify((request as { kind: unknown }).kind)}`,
      );
  }
}

/** The period the digest of a scheduled run reports; backfills send none. */
export function digestPeriod(kind: RunKind, date: string | undefined): { grain: Grain; date: string } | null {
  if (kind === 'daily') return { grain: 'day', date: checkDate(date, 'date') };
  if (kind === 'monthly') return { grain: 'month', date: monthStart(checkDate(date, 'date')) };
  return null;
}

// ── statements around the KPI MERGEs ─────────────────────────────────────────
const LITERAL_TYPES: Partial<Record<ResultColumnType, string>> = {
  string: 'VARCHAR',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

function literal(type: ResultColumnType, v: string | number | boolean | null): string {
  const sqlType = LITERAL_TYPES[type];
  if (!sqlType) throw new Error(`kpi_definitions has no ${type} columns`);
  if (v === null) return `CAST(NULL AS ${sqlType})`;
  if (type === 'string') return sqlString(String(v));
  if (type === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`not a finite number: ${String(v)}`);
  return `CAST(${v} AS DOUBLE)`;
}

/**
 * One MERGE that makes kpi_definitions equal the deployed catalog (rows of KPIs since removed from
 * the catalog stay; Athena's MERGE has no WHEN NOT MATCHED BY SOURCE). A row is rewritten only
 * when it changed, so a daily run adds no Iceberg snapshot unless the catalog did.
 */
export function definitionsStatement(resultsSchema: string): string {
  const schema = sqlIdentifier(resultsSchema);
  const cols = KPI_DEFINITIONS_COLUMNS;
  const names = cols.map((c) => c.name);
  const rows = definitionRows().map(
    (r) => `    (${cols.map((c) => literal(c.type, r[c.name] ?? null)).join(', ')})`,
  );
  const changed = names
    .filter((n) => n !== 'kpi_id')
    .map((n) => `t.${n} IS DISTINCT FROM s.${n}`)
    .join('\n  OR ');
  return `-- kpi_definitions: the KPI catalog of this deployment (${CATALOG.length} KPIs)
MERGE INTO ${schema}.kpi_definitions AS t
USING (
  SELECT * FROM (VALUES
${rows.join(',\n')}
  ) AS v (${names.join(', ')})
) AS s
ON t.kpi_id = s.kpi_id
WHEN MATCHED AND (
  ${changed}
) THEN UPDATE SET
  ${names
    .filter((n) => n !== 'kpi_id')
    .map((n) => `${n} = s.${n}`)
    .join(',\n  ')}
WHEN NOT MATCHED THEN INSERT (${names.join(', ')})
VALUES (${names.map((n) => `s.${n}`).join(', ')})
`;
}

/**
 * Iceberg upkeep for the results tables, run at the end of each monthly run: compact the small
 * files daily MERGEs leave in the recent partitions, then expire old snapshots and orphan files
 * (per the tables' `history.expire.*` properties).
 */
export function maintenanceStatements(
  resultsSchema: string,
  since: string,
): { table: string; sql: string }[] {
  const schema = sqlIdentifier(resultsSchema);
  const out: { table: string; sql: string }[] = [];
  for (const table of ['kpi_results', 'kpi_flags']) {
    out.push({
      table,
      sql: `OPTIMIZE ${schema}.${table} REWRITE DATA USING BIN_PACK WHERE period_start >= ${sqlDate(since)}\n`,
    });
  }
  for (const table of ['kpi_results', 'kpi_flags', 'kpi_definitions']) {
    out.push({ table, sql: `VACUUM ${schema}.${table}\n` });
  }
  return out;
}
