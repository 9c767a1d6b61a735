/**
 * Renders the statements of a KPI run from the Athena SQL templates in queries/.
 *
 * Templates are Trino SQL with `{{name}}` placeholders; every placeholder is filled with a SQL
 * literal rendered here (never with user text spliced raw), so the same text runs on Athena and,
 * through the DuckDB adapter's small compatibility layer, locally. An unknown placeholder is an
 * error, so a typo cannot silently render as nothing.
 *
 * A run over [from, to] at a grain renders one MERGE per family: each family's computation covers
 * every period of the range in one pass (periods are a VALUES list), so each source's partitions
 * are scanned once per statement.
 */
import { FAMILIES, type Family, type Grain, kpisOfFamily } from '../catalog.ts';
import type { Config } from '../config.ts';
import { addDays, localDate, monthEnd, monthStart } from '../time.ts';

/** The text of queries/: `kpi/<family>.sql` and `merge_kpi_results.sql`. */
export interface QueryTemplates {
  kpi: Record<Family, string>;
  merge: string;
}

export interface Period {
  start: string;
  end: string;
}

export interface RunRequest {
  grain: Grain;
  /** First and last day (YYYY-MM-DD, reporting zone) whose periods are computed. */
  from: string;
  to: string;
  config: Config;
  /** The evaluation instant (ISO-8601): KPIs whose window reaches past it count only decided records. */
  asOf: string;
  runId: string;
  /** Schemas (Glue databases) of the curated lake and of the results tables. */
  lakeSchema: string;
  resultsSchema: string;
  families?: readonly Family[];
}

export interface Statement {
  family: Family;
  grain: Grain;
  kpiIds: string[];
  periods: Period[];
  sql: string;
}

// ── literals ──────────────────────────────────────────────────────────────────
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlDate(iso: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not a date: ${iso}`);
  return `DATE '${iso}'`;
}

/** A UTC instant as a plain TIMESTAMP literal (the engines run in UTC; see the DuckDB adapter). */
export function sqlTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${iso}`);
  return `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/** A number as a DOUBLE, so no division it takes part in can be an integer division. */
export function sqlDouble(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return `CAST(${n} AS DOUBLE)`;
}

export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/** Fills `{{name}}` placeholders; each value must already be SQL. */
export function fillTemplate(template: string, values: Record<string, string>, what = 'template'): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${what}: no value for placeholder {{${name}}}`);
    return v;
  });
}

// ── periods ───────────────────────────────────────────────────────────────────
/** The periods of a grain that intersect [from, to]: days, or whole calendar months. */
export function periodsBetween(grain: Grain, from: string, to: string): Period[] {
  if (from > to) throw new Error(`--from ${from} is after --to ${to}`);
  const out: Period[] = [];
  if (grain === 'day') {
    for (let d = from; d <= to; d = addDays(d, 1)) out.push({ start: d, end: d });
  } else {
    for (let m = monthStart(from); m <= to; m = addDays(monthEnd(m), 1))
      out.push({ start: m, end: monthEnd(m) });
  }
  return out;
}

/** The period of a grain that contains a day. */
export function periodOf(grain: Grain, day: string): Period {
  return grain === 'day' ? { start: day, end: day } : { start: monthStart(day), end: monthEnd(day) };
}

/** The period before `p` at the same grain. */
export function previousPeriod(grain: Grain, p: Period): Period {
  return periodOf(grain, addDays(p.start, -1));
}

// ── rendering ─────────────────────────────────────────────────────────────────
function parameters(req: RunRequest, periods: Period[]): Record<string, string> {
  const first = periods[0]!.start;
  const last = periods.at(-1)!.end;
  const t = req.config.thresholds;
  // One day of margin around the scan: `dt` was assigned at ingest, and a margin keeps a change of
  // the reporting zone from dropping edge records (the SQL filters on the exact local day).
  return {
    periods: periods.map((p) => `(${sqlDate(p.start)}, ${sqlDate(p.end)})`).join(', '),
    from_date: sqlDate(first),
    to_date: sqlDate(last),
    scan_from: sqlDate(addDays(first, -1)),
    scan_to: sqlDate(addDays(last, 1)),
    // The repeat-contact window of call_fcr_pct reaches past the period.
    scan_to_repeat: sqlDate(addDays(last, t.repeatContactDays + 1)),
    tz: sqlString(req.config.timezone),
    grain: sqlString(req.grain),
    as_of: sqlTimestamp(req.asOf),
    // The as-of instant's local day: "as of period end" never looks past the evaluation time.
    as_of_date: sqlDate(localDate(Date.parse(req.asOf), req.config.timezone)),
    computed_at: sqlTimestamp(req.asOf),
    run_id: sqlString(req.runId),
    lake_schema: sqlIdentifier(req.lakeSchema),
    results_schema: sqlIdentifier(req.resultsSchema),
    service_level_seconds: sqlDouble(t.serviceLevelSeconds),
    short_abandon_seconds: sqlDouble(t.shortAbandonSeconds),
    repeat_window_ms: String(Math.trunc(t.repeatContactDays) * 86_400_000),
    dormant_days: String(Math.trunc(t.dormantDays)),
    frt_phone_minutes: sqlDouble(t.firstResponseMinutes.phone),
    frt_email_minutes: sqlDouble(t.firstResponseMinutes.email),
    frt_chat_minutes: sqlDouble(t.firstResponseMinutes.chat),
    frt_web_minutes: sqlDouble(t.firstResponseMinutes.web),
    frt_social_minutes: sqlDouble(t.firstResponseMinutes.social),
    frt_other_minutes: sqlDouble(t.firstResponseMinutes.other),
  };
}

/**
 * The `(kpi_id, dimension)` rows of a family's KPIs at a grain, one KPI a line, for the
 * `{{kpi_dimensions}}` VALUES list: which dimensions each KPI is reported by is the catalog's fact.
 */
function kpiDimensionRows(family: Family, grain: Grain): string {
  const rows = kpisOfFamily(family, grain).map((k) =>
    k.dimensions.map((d) => `(${sqlString(k.id)}, ${sqlString(d)})`).join(', '),
  );
  // A family without KPIs at the grain is never run; its list still parses, and matches nothing.
  return rows.length > 0 ? rows.join(',\n    ') : '(CAST(NULL AS varchar), CAST(NULL AS varchar))';
}

/** The run's parameters plus the family's own. */
function familyParameters(req: RunRequest, periods: Period[], family: Family): Record<string, string> {
  return { ...parameters(req, periods), kpi_dimensions: kpiDimensionRows(family, req.grain) };
}

function indent(sql: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return sql
    .trimEnd()
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** Renders the computation of one family alone (a SELECT), for tests and `servicepulse sql`. */
export function renderCompute(templates: QueryTemplates, family: Family, req: RunRequest): string {
  const periods = periodsBetween(req.grain, req.from, req.to);
  const params = familyParameters(req, periods, family);
  return fillTemplate(templates.kpi[family], params, `queries/kpi/${family}.sql`).trim();
}

/** Every statement of a run, in the order they must run (one MERGE per family, in sequence). */
export function renderRun(templates: QueryTemplates, req: RunRequest): Statement[] {
  const periods = periodsBetween(req.grain, req.from, req.to);
  const out: Statement[] = [];
  for (const family of req.families ?? FAMILIES) {
    const kpis = kpisOfFamily(family, req.grain);
    if (kpis.length === 0) continue;
    const kpiIds = kpis.map((k) => k.id);
    const params = familyParameters(req, periods, family);
    const compute = fillTemplate(templates.kpi[family], params, `queries/kpi/${family}.sql`);
    const sql = fillTemplate(
      templates.merge,
      { ...params, compute: indent(compute, 4), kpi_ids: kpiIds.map(sqlString).join(', ') },
      'queries/merge_kpi_results.sql',
    );
    out.push({ family, grain: req.grain, kpiIds, periods, sql: `${sql.trim()}\n` });
  }
  return out;
}

/** A stable run id: grain, range and as-of time. */
export function makeRunId(grain: Grain, from: string, to: string, asOf: string): string {
  const stamp = asOf.replace(/[-:.]/g, '').replace('T', 't').replace('Z', 'z');
  return `${grain}-${from}-${to}-${stamp}`;
}
