/**
 * Targets: which range applies to a KPI value, and whether the value is ok, in its warning band,
 * or in breach (docs/digest.md explains it with examples; docs/configuration.md, `targets`).
 *
 * Resolution (most specific wins; a whole range replaces the less specific one, bounds are never
 * merged across levels):
 *  1. `targets.<kpi>.dimensions["<dimension>=<value>"]` for a breakdown row;
 *  2. `targets.<kpi>.<grain>` (`day` / `month`);
 *  3. `targets.<kpi>` when it is a plain range (`{ max: 5, warn: 4 }`; `{}` switches a target off);
 *  4. the catalog's default for the grain.
 * A grain or catalog target also applies to breakdown rows (a queue's service level is held to the
 * same 80 % as the whole centre's) unless a dimension entry overrides it.
 *
 * Evaluation of a value v against a target [min, max] (either bound may be open):
 * - outside: v < min or v > max;
 * - warning band: `warn` is a threshold inside the range. It sits on the side that is "worse":
 *   a range with only `max` (a limit, lower is better) warns for warn < v ≤ max; a range with only
 *   `min` (a floor, higher is better) warns for min ≤ v < warn. With both bounds, the KPI's
 *   direction picks the side (min = lower is better → the max side; max → the min side); for a
 *   `range` KPI the side is the bound nearer to `warn` (e.g. 20–60 s with warn 55 warns for
 *   55 < v ≤ 60; with warn 25 for 20 ≤ v < 25). A `warn` outside the range never warns;
 * - `consecutive: N`: a value outside the range is a breach only when it is the N-th period in a row
 *   outside (the same target applied to the earlier periods); before that it is a warning. A period
 *   without a value breaks the run;
 * - status: `info` KPIs are always ok (never flagged); no value → no_data; no target → ok.
 *
 * Pure functions: no I/O, no clock.
 */
import { type Dimension, type Direction, defaultTarget, type Grain, type KpiDefinition } from './catalog.ts';
import type { Config, TargetConfig, TargetRange } from './config.ts';

export const FLAG_STATUSES = ['ok', 'warn', 'breach', 'no_data'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** Where a resolved target came from, most specific first. */
export type TargetSource = 'dimension' | 'grain' | 'kpi' | 'catalog';

export interface ResolvedTarget extends TargetRange {
  source: TargetSource;
}

interface PerGrainTarget {
  day?: TargetRange;
  month?: TargetRange;
  dimensions?: Record<string, TargetRange>;
}

function isPerGrain(t: TargetConfig): t is TargetConfig & PerGrainTarget {
  return 'day' in t || 'month' in t || 'dimensions' in t;
}

function copyRange(r: TargetRange, source: TargetSource): ResolvedTarget {
  const out: ResolvedTarget = { source };
  if (r.min !== undefined) out.min = r.min;
  if (r.max !== undefined) out.max = r.max;
  if (r.warn !== undefined) out.warn = r.warn;
  if (r.consecutive !== undefined) out.consecutive = r.consecutive;
  return out;
}

/** True when a resolved target has neither bound nor warning threshold: nothing to evaluate against. */
export function isEmptyTarget(t: TargetRange | undefined): boolean {
  return !t || (t.min === undefined && t.max === undefined && t.warn === undefined);
}

/**
 * The target that applies to one row of kpi_results, or undefined when none does.
 * @param targets `config.targets` (overrides keyed by KPI id)
 */
export function resolveTarget(
  kpi: KpiDefinition,
  grain: Grain,
  dimension: Dimension | string,
  dimensionValue: string,
  targets: Config['targets'],
): ResolvedTarget | undefined {
  const override = targets[kpi.id];
  if (override) {
    if (isPerGrain(override)) {
      if (dimension !== 'all') {
        const d = override.dimensions?.[`${dimension}=${dimensionValue}`];
        if (d) return copyRange(d, 'dimension');
      }
      const g = override[grain];
      if (g) return copyRange(g, 'grain');
    } else {
      return isEmptyTarget(override) ? undefined : copyRange(override, 'kpi');
    }
  }
  const d = defaultTarget(kpi, grain);
  return d && !isEmptyTarget(d) ? copyRange(d, 'catalog') : undefined;
}

/** True when v lies outside [min, max] (open bounds never exclude). */
export function isOutside(target: TargetRange | undefined, v: number | null): boolean {
  if (!target || v === null || Number.isNaN(v)) return false;
  return (target.min !== undefined && v < target.min) || (target.max !== undefined && v > target.max);
}

/**
 * Which side of the range the warning band is on: 'high' = between `warn` and `max` (values above
 * `warn` warn), 'low' = between `min` and `warn`. Undefined when the target has no `warn`, or no
 * side can be decided (a `range` KPI with a lone `warn`).
 */
export function warnSide(direction: Direction, target: TargetRange): 'low' | 'high' | undefined {
  if (target.warn === undefined) return undefined;
  const hasMin = target.min !== undefined;
  const hasMax = target.max !== undefined;
  if (hasMax && !hasMin) return 'high';
  if (hasMin && !hasMax) return 'low';
  if (direction === 'min') return 'high';
  if (direction === 'max') return 'low';
  if (hasMin && hasMax) return target.warn - target.min! <= target.max! - target.warn ? 'low' : 'high';
  return undefined;
}

/** True when v is inside the range but in its warning band. */
export function inWarnBand(direction: Direction, target: TargetRange, v: number): boolean {
  if (isOutside(target, v)) return false;
  const side = warnSide(direction, target);
  if (side === 'high') return v > target.warn!;
  if (side === 'low') return v < target.warn!;
  return false;
}

/** How many periods in a row, ending with the last element, lie outside the target. */
export function outsideStreak(target: TargetRange | undefined, series: readonly (number | null)[]): number {
  let n = 0;
  for (let i = series.length - 1; i >= 0; i--) {
    if (!isOutside(target, series[i] ?? null)) break;
    n++;
  }
  return n;
}

export interface Evaluation {
  status: FlagStatus;
  /** The value lies outside [min, max]. */
  outside: boolean;
  /** Periods in a row (this one included) outside the range; 0 when this one is inside. */
  consecutive: number;
}

/**
 * Evaluates the last value of a series against a target.
 * @param series values of consecutive periods, oldest first, ending with the evaluated period;
 *   null where a period has no value. Only the last element matters unless the target has
 *   `consecutive` > 1.
 */
export function evaluateTarget(
  direction: Direction,
  target: TargetRange | undefined,
  series: readonly (number | null)[],
): Evaluation {
  const v = series.length > 0 ? (series[series.length - 1] ?? null) : null;
  if (direction === 'info') return { status: 'ok', outside: false, consecutive: 0 };
  if (v === null || Number.isNaN(v)) return { status: 'no_data', outside: false, consecutive: 0 };
  if (!target || isEmptyTarget(target)) return { status: 'ok', outside: false, consecutive: 0 };
  if (isOutside(target, v)) {
    const consecutive = outsideStreak(target, series);
    const needed = target.consecutive ?? 1;
    return { status: consecutive >= needed ? 'breach' : 'warn', outside: true, consecutive };
  }
  return { status: inWarnBand(direction, target, v) ? 'warn' : 'ok', outside: false, consecutive: 0 };
}

/** value − previous, or null when either is missing. */
export function changeOf(value: number | null, previous: number | null): number | null {
  if (value === null || previous === null || Number.isNaN(value) || Number.isNaN(previous)) return null;
  return value - previous;
}

export type ChangeJudgement = 'better' | 'worse' | 'neutral';

function distanceToRange(t: TargetRange, v: number): number {
  if (t.min !== undefined && v < t.min) return t.min - v;
  if (t.max !== undefined && v > t.max) return v - t.max;
  return 0;
}

/**
 * Whether a change from `previous` to `value` is an improvement, by the KPI's direction: lower is
 * better for `min`, higher for `max`; for `range`, nearer to (or into) the range is better and
 * moving inside the range is neutral. `info` KPIs and missing values are neutral.
 */
export function judgeChange(
  direction: Direction,
  value: number | null,
  previous: number | null,
  target?: TargetRange,
): ChangeJudgement {
  const d = changeOf(value, previous);
  if (d === null || d === 0) return 'neutral';
  if (direction === 'min') return d < 0 ? 'better' : 'worse';
  if (direction === 'max') return d > 0 ? 'better' : 'worse';
  if (direction === 'range' && target) {
    const before = distanceToRange(target, previous!);
    const after = distanceToRange(target, value!);
    if (after < before) return 'better';
    if (after > before) return 'worse';
  }
  return 'neutral';
}

/** Severity order for sorting: breach first, then warn, no_data, ok. */
export function statusRank(s: FlagStatus): number {
  return s === 'breach' ? 0 : s === 'warn' ? 1 : s === 'no_data' ? 2 : 3;
}

/** The largest `consecutive` of any configured target: how far back a breach run must be read. */
export function maxConsecutive(targets: Config['targets']): number {
  let n = 1;
  for (const t of Object.values(targets)) {
    const ranges: (TargetRange | undefined)[] = isPerGrain(t)
      ? [t.day, t.month, ...Object.values(t.dimensions ?? {})]
      : [t];
    for (const r of ranges) if (r?.consecutive && r.consecutive > n) n = r.consecutive;
  }
  return n;
}
