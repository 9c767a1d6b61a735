/**
 * The digest model: what one period's digest says, independent of language and format.
 *
 * From the kpi_results rows of the period and of the periods before it (the trend window, or
 * longer when a target's `consecutive` needs it) and the freshness gaps, it evaluates every row
 * of the period against its target (targets.ts) and orders what an executive reads:
 *  1. the sources with missing data;
 *  2. the KPIs off target: breaches, then warnings (overall rows, plus breakdown rows that have a
 *     target of their own in the configuration), each with value, target, change against the
 *     previous period, breach run and trend series; under each, the breakdown rows (queue, team,
 *     channel, agent …) that are off target too, worst first;
 *  3. every other KPI of the grain, grouped by family, compact;
 * and a one-line summary ("3 of 47 KPIs off target"). The same evaluation gives the kpi_flags rows.
 * A KPI that depends on a missing source is `no_data` with `dataMissing` set, whatever its value.
 */
import {
  CATALOG,
  type Direction,
  FAMILIES,
  type Family,
  type Grain,
  type KpiDefinition,
} from '../catalog.ts';
import type { Config, TargetRange } from '../config.ts';
import { type Period, periodOf, previousPeriod } from '../sql/render.ts';
import {
  type ChangeJudgement,
  changeOf,
  evaluateTarget,
  type FlagStatus,
  judgeChange,
  maxConsecutive,
  type ResolvedTarget,
  resolveTarget,
  statusRank,
} from '../targets.ts';
import { kpisWithMissingData, type SourceGap } from './freshness.ts';

/** The columns of a kpi_results row the digest reads. */
export interface ResultPoint {
  kpi_id: string;
  period_start: string;
  dimension: string;
  dimension_value: string;
  value: number | null;
  sample_size: number | null;
}

/** One kpi_flags row (columns as in results.ts KPI_FLAGS_COLUMNS). */
export interface KpiFlagRow {
  kpi_id: string;
  grain: Grain;
  period_start: string;
  dimension: string;
  dimension_value: string;
  status: FlagStatus;
  value: number | null;
  target_min: number | null;
  target_max: number | null;
  target_warn: number | null;
  previous_value: number | null;
  change: number | null;
  consecutive_breaches: number;
  evaluated_at: string;
}

export interface KpiLine {
  kpi: KpiDefinition;
  dimension: string;
  dimensionValue: string;
  status: FlagStatus;
  /** A source this KPI depends on is missing for the period: its value is not to be trusted. */
  dataMissing: boolean;
  value: number | null;
  previous: number | null;
  change: number | null;
  judgement: ChangeJudgement;
  target: ResolvedTarget | undefined;
  /** Periods in a row outside the range, this one included. */
  consecutive: number;
  sampleSize: number | null;
  /** Values of the trend periods (model.trendPeriods), oldest first; null where none. */
  trend: (number | null)[];
  /** Breakdown rows off target under an overall line, worst first (at most {@link BREAKDOWN_SHOWN}). */
  breakdown: KpiLine[];
  /** Breakdown rows off target beyond those listed. */
  breakdownMore: number;
}

export interface DigestSummary {
  /** KPIs of the grain (overall rows). */
  total: number;
  /** KPIs with at least one line off target (breach or warn). */
  offTarget: number;
  breaches: number;
  warnings: number;
  /** KPIs with no value for the period (sources present). */
  noData: number;
  /** KPIs whose sources are missing. */
  dataMissing: number;
}

export interface DigestModel {
  grain: Grain;
  period: Period;
  asOf: string;
  timezone: string;
  currency?: string;
  /** Period starts of the trend series, oldest first, ending with this period. */
  trendPeriods: string[];
  summary: DigestSummary;
  gaps: SourceGap[];
  offTarget: KpiLine[];
  families: { family: Family; lines: KpiLine[] }[];
  /** Every evaluated row: what kpi_flags receives for the period. */
  flags: KpiFlagRow[];
}

export const BREAKDOWN_SHOWN = 3;

/**
 * Off-target lines shown as full cards with a chart; any beyond are listed compactly under them.
 * A day with dozens of KPIs off target is one systemic problem, not dozens of charts to read, and
 * the message has to stay below Gmail's ~100 KB clipping.
 */
export const MAX_CARDS = 10;

/** The periods a digest reads, oldest first, ending with `period`: the trend and any breach run. */
export function digestWindow(
  grain: Grain,
  period: Period,
  config: Config,
): { periods: Period[]; trendLength: number } {
  const trendLength = grain === 'day' ? config.digest.trendDays : config.digest.trendMonths;
  const n = Math.max(trendLength, maxConsecutive(config.targets), 2);
  const periods: Period[] = [period];
  while (periods.length < n) periods.unshift(previousPeriod(grain, periods[0]!));
  return { periods, trendLength };
}

function lineKey(kpiId: string, dimension: string, value: string): string {
  return `${kpiId}\u0000${dimension}\u0000${value}`;
}

/** How far a value lies beyond its limit (outside the range, else beyond `warn`), relative to it. */
function badness(direction: Direction, target: TargetRange | undefined, v: number | null): number {
  if (!target || v === null) return 0;
  const rel = (d: number, ref: number) => d / Math.max(Math.abs(ref), 1e-9);
  if (target.max !== undefined && v > target.max) return 1 + rel(v - target.max, target.max);
  if (target.min !== undefined && v < target.min) return 1 + rel(target.min - v, target.min);
  if (target.warn !== undefined) {
    const high = direction === 'min' || (target.max !== undefined && target.min === undefined);
    return high ? rel(v - target.warn, target.warn) : rel(target.warn - v, target.warn);
  }
  return 0;
}

function byUrgency(a: KpiLine, b: KpiLine): number {
  return (
    statusRank(a.status) - statusRank(b.status) ||
    b.consecutive - a.consecutive ||
    badness(b.kpi.direction, b.target, b.value) - badness(a.kpi.direction, a.target, a.value)
  );
}

export interface DigestModelInput {
  grain: Grain;
  /** Any day of the period, or its first day. */
  date: string;
  asOf: string;
  config: Config;
  /** kpi_results rows of this grain for the digest window (digestWindow), any order. */
  rows: readonly ResultPoint[];
  gaps?: readonly SourceGap[];
}

/** A row of the period to evaluate: a KPI and one value of one of its dimensions. */
interface LineRef {
  kpi: KpiDefinition;
  dimension: string;
  dimensionValue: string;
}

/** The window's points by line (KPI, dimension, value) and period start. */
type Series = Map<string, Map<string, ResultPoint>>;

/**
 * Indexes the window's rows by line and period (rows of KPIs outside the grain are dropped) and
 * lists the lines of the period: each row of the period, and an overall line for every KPI of the
 * grain, with or without a row.
 */
function indexRows(
  rows: readonly ResultPoint[],
  kpis: readonly KpiDefinition[],
  period: Period,
): { series: Series; current: LineRef[] } {
  const known = new Map<string, KpiDefinition>(kpis.map((k) => [k.id, k]));
  const series: Series = new Map();
  const current: LineRef[] = [];
  for (const r of rows) {
    const kpi = known.get(r.kpi_id);
    if (!kpi) continue;
    const key = lineKey(r.kpi_id, r.dimension, r.dimension_value);
    let s = series.get(key);
    if (!s) {
      s = new Map();
      series.set(key, s);
    }
    s.set(r.period_start, r);
    if (r.period_start === period.start) {
      current.push({ kpi, dimension: r.dimension, dimensionValue: r.dimension_value });
    }
  }
  for (const kpi of kpis) {
    if (!series.get(lineKey(kpi.id, 'all', 'all'))?.has(period.start)) {
      current.push({ kpi, dimension: 'all', dimensionValue: 'all' });
    }
  }
  return { series, current };
}

/** What every line of the period is evaluated with. */
interface EvaluationContext {
  grain: Grain;
  config: Config;
  /** The digest's period. */
  period: Period;
  /** The window's periods, oldest first, ending with `period`. */
  periods: readonly Period[];
  trendLength: number;
  /** KPIs that depend on a missing source. */
  missing: ReadonlySet<string>;
}

/** One line of the period against its target: status, change, breach run and trend. */
function evaluateLine(ref: LineRef, series: Series, ctx: EvaluationContext): KpiLine {
  const { kpi, dimension, dimensionValue } = ref;
  const s = series.get(lineKey(kpi.id, dimension, dimensionValue));
  const values = ctx.periods.map((p) => s?.get(p.start)?.value ?? null);
  const target = resolveTarget(kpi, ctx.grain, dimension, dimensionValue, ctx.config.targets);
  const ev = evaluateTarget(kpi.direction, target, values);
  const value = values.at(-1) ?? null;
  const previous = values.at(-2) ?? null;
  const dataMissing = ctx.missing.has(kpi.id);
  return {
    kpi,
    dimension,
    dimensionValue,
    status: dataMissing ? 'no_data' : ev.status,
    dataMissing,
    value,
    previous,
    change: changeOf(value, previous),
    judgement: judgeChange(kpi.direction, value, previous, target),
    target,
    consecutive: ev.consecutive,
    sampleSize: s?.get(ctx.period.start)?.sample_size ?? null,
    trend: values.slice(-ctx.trendLength),
    breakdown: [],
    breakdownMore: 0,
  };
}

const CATALOG_INDEX = new Map<string, number>(CATALOG.map((k, i) => [k.id, i]));

/** Catalog order; within a KPI the overall line first, then by dimension and value. */
function inCatalogOrder(a: KpiLine, b: KpiLine): number {
  return (
    CATALOG_INDEX.get(a.kpi.id)! - CATALOG_INDEX.get(b.kpi.id)! ||
    (a.dimension === 'all' ? -1 : b.dimension === 'all' ? 1 : 0) ||
    a.dimension.localeCompare(b.dimension) ||
    a.dimensionValue.localeCompare(b.dimensionValue)
  );
}

function isOff(l: KpiLine): boolean {
  return l.status === 'breach' || l.status === 'warn';
}

/** What the digest shows, in reading order. */
interface Arrangement {
  /** The overall line of every KPI of the grain, in catalog order. */
  overall: KpiLine[];
  offTarget: KpiLine[];
  families: { family: Family; lines: KpiLine[] }[];
}

/**
 * Orders the lines (sorted in place into catalog order, which kpi_flags keeps): under each
 * overall line its breakdown rows off target, worst first; then the lines off target (overall
 * rows, and breakdown rows with a target of their own), most urgent first; then every other KPI
 * by family.
 */
function arrangeLines(lines: KpiLine[]): Arrangement {
  lines.sort(inCatalogOrder);
  const overall = lines.filter((l) => l.dimension === 'all');
  const ownTarget = lines.filter((l) => l.dimension !== 'all' && l.target?.source === 'dimension');
  for (const o of overall) {
    const off = lines
      .filter(
        (l) => l.kpi.id === o.kpi.id && l.dimension !== 'all' && l.target?.source !== 'dimension' && isOff(l),
      )
      .sort(byUrgency);
    o.breakdown = off.slice(0, BREAKDOWN_SHOWN);
    o.breakdownMore = off.length - o.breakdown.length;
  }
  const offTarget = [...overall, ...ownTarget]
    .filter(isOff)
    .sort((a, b) => byUrgency(a, b) || inCatalogOrder(a, b));
  const offIds = new Set(offTarget.filter((l) => l.dimension === 'all').map((l) => l.kpi.id));
  const families = FAMILIES.map((family) => ({
    family,
    lines: overall.filter((l) => l.kpi.family === family && !offIds.has(l.kpi.id)),
  })).filter((f) => f.lines.length > 0);
  return { overall, offTarget, families };
}

/** The counts of the summary line, per KPI (its worst line off target). */
function summarize(total: number, offTarget: readonly KpiLine[], overall: readonly KpiLine[]): DigestSummary {
  const worst = new Map<string, FlagStatus>();
  for (const l of offTarget) {
    const w = worst.get(l.kpi.id);
    if (!w || statusRank(l.status) < statusRank(w)) worst.set(l.kpi.id, l.status);
  }
  return {
    total,
    offTarget: worst.size,
    breaches: [...worst.values()].filter((s) => s === 'breach').length,
    warnings: [...worst.values()].filter((s) => s === 'warn').length,
    noData: overall.filter((l) => l.status === 'no_data' && !l.dataMissing).length,
    dataMissing: overall.filter((l) => l.dataMissing).length,
  };
}

/** The kpi_flags rows of the evaluated lines, in their order. */
function flagRows(lines: readonly KpiLine[], grain: Grain, period: Period, asOf: string): KpiFlagRow[] {
  return lines.map((l) => ({
    kpi_id: l.kpi.id,
    grain,
    period_start: period.start,
    dimension: l.dimension,
    dimension_value: l.dimensionValue,
    status: l.status,
    value: l.value,
    target_min: l.target?.min ?? null,
    target_max: l.target?.max ?? null,
    target_warn: l.target?.warn ?? null,
    previous_value: l.previous,
    change: l.change,
    consecutive_breaches: l.consecutive,
    evaluated_at: asOf,
  }));
}

/**
 * Evaluates the period and builds the digest model (pure).
 *
 * Primary course:
 *  1. index the window's rows by line and period; list the lines of the period;
 *  2. evaluate each line against its target (a KPI whose source is missing: `no_data`);
 *  3. arrange: breakdowns under their overall line, off target first, the rest by family;
 *  4. count the summary, per KPI; 5. the kpi_flags rows of every line.
 */
export function buildDigestModel(input: DigestModelInput): DigestModel {
  const { grain, config, asOf } = input;
  const period = periodOf(grain, input.date);
  const { periods, trendLength } = digestWindow(grain, period, config);
  const gaps = [...(input.gaps ?? [])];
  const kpis = CATALOG.filter((k) => k.grains.includes(grain));

  const { series, current } = indexRows(input.rows, kpis, period);
  const missing = kpisWithMissingData(gaps);
  const ctx: EvaluationContext = { grain, config, period, periods, trendLength, missing };
  const lines = current.map((ref) => evaluateLine(ref, series, ctx));
  const { overall, offTarget, families } = arrangeLines(lines);

  return {
    grain,
    period,
    asOf,
    timezone: config.timezone,
    ...(config.currency ? { currency: config.currency } : {}),
    trendPeriods: periods.slice(-trendLength).map((p) => p.start),
    summary: summarize(kpis.length, offTarget, overall),
    gaps,
    offTarget,
    families,
    flags: flagRows(lines, grain, period, asOf),
  };
}
