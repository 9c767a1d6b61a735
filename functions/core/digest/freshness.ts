/**
 * Freshness: did every source deliver its records for the period? A KPI computed over a missing
 * export looks like a real collapse (0 calls, 100 % abandonment of the three calls that did
 * arrive); the digest names the missing sources at the top and shows "data missing" for the KPIs
 * that depend on them instead of a misleading value.
 *
 * Rule, per source (curated entity) and period:
 * - its recent history is the {@link RECENT_PERIODS} periods before this one (at day grain with a
 *   configured `workWeek`: the last 14 work days, and no check at all on a day off);
 * - a source is *expected* when it had records in at least half of those periods (a source that
 *   delivers sporadically — monthly cost bookings, a rarely used survey — is never called missing);
 * - an expected source is missing when the period has no records (`none`) or fewer than
 *   {@link LOW_SHARE} of its recent average (`low`). The average counts periods without records
 *   as 0.
 * Counts come from the lake's `dt` partitions (the usecase asks the engine); this module is pure.
 */
import { CATALOG, type Grain, type KpiDefinition, type KpiId } from '../catalog.ts';
import { ENTITIES, type Entity } from '../contracts.ts';
import { type Period, periodOf, previousPeriod } from '../sql/render.ts';
import { isoWeekday } from '../time.ts';

export const RECENT_PERIODS = 14;
export const LOW_SHARE = 0.5;

/** Sources a KPI reads besides its family's own entity. */
const EXTRA_SOURCES: Partial<Record<KpiId, readonly Entity[]>> = {
  cost_per_inbound_call: ['costs'],
};

/** The curated entities a KPI's value depends on. */
export function kpiSources(k: KpiDefinition): Entity[] {
  return [k.family as Entity, ...(EXTRA_SOURCES[k.id] ?? [])];
}

/** The entities some KPI of the grain depends on, in ENTITIES order (plans only monthly). */
export function sourcesOfGrain(grain: Grain): Entity[] {
  const used = new Set(CATALOG.filter((k) => k.grains.includes(grain)).flatMap(kpiSources));
  return ENTITIES.filter((e) => used.has(e));
}

export interface FreshnessWindow {
  grain: Grain;
  current: Period;
  /** The recent periods the current one is compared with, newest first. */
  recent: Period[];
  /** False on a day off (day grain with a work week): nothing is expected that day. */
  check: boolean;
  /** First and last `dt` to count. */
  from: string;
  to: string;
}

/**
 * The periods to compare a period with.
 * @param workWeek ISO weekdays the centre works (config.workWeek); day grain only.
 */
export function freshnessWindow(
  grain: Grain,
  current: Period,
  workWeek?: readonly number[],
): FreshnessWindow {
  const works = (p: Period) => grain !== 'day' || !workWeek || workWeek.includes(isoWeekday(p.start));
  const recent: Period[] = [];
  let p = current;
  // Bounded search: 14 work days lie within 14 weeks even with a one-day work week.
  for (let i = 0; i < RECENT_PERIODS * 7 && recent.length < RECENT_PERIODS; i++) {
    p = previousPeriod(grain, p);
    if (works(p)) recent.push(p);
  }
  const from = recent.at(-1)?.start ?? current.start;
  return { grain, current, recent, check: works(current) && recent.length > 0, from, to: current.end };
}

export interface SourceCount {
  entity: string;
  /** The `dt` partition (YYYY-MM-DD). */
  dt: string;
  n: number;
}

export interface SourceGap {
  entity: Entity;
  /** Records in the period. */
  count: number;
  /** Mean records per recent period. */
  average: number;
  kind: 'none' | 'low';
}

/** The sources missing (or far below their usual volume) in the window's current period. */
export function assessFreshness(
  window: FreshnessWindow,
  sources: readonly Entity[],
  counts: readonly SourceCount[],
): SourceGap[] {
  if (!window.check) return [];
  const perPeriod = new Map<string, number>();
  for (const c of counts) {
    if (c.dt < window.from || c.dt > window.to) continue;
    const key = `${c.entity}|${periodOf(window.grain, c.dt).start}`;
    perPeriod.set(key, (perPeriod.get(key) ?? 0) + c.n);
  }
  const gaps: SourceGap[] = [];
  for (const entity of sources) {
    const recent = window.recent.map((p) => perPeriod.get(`${entity}|${p.start}`) ?? 0);
    const withRecords = recent.filter((n) => n > 0).length;
    if (withRecords * 2 < recent.length || withRecords === 0) continue;
    const average = recent.reduce((a, b) => a + b, 0) / recent.length;
    const count = perPeriod.get(`${entity}|${window.current.start}`) ?? 0;
    if (count === 0) gaps.push({ entity, count, average, kind: 'none' });
    else if (count < LOW_SHARE * average) gaps.push({ entity, count, average, kind: 'low' });
  }
  return gaps;
}

/** Ids of the KPIs that depend on a missing source. */
export function kpisWithMissingData(gaps: readonly SourceGap[]): Set<string> {
  const missing = new Set<string>(gaps.map((g) => g.entity));
  return new Set(CATALOG.filter((k) => kpiSources(k).some((s) => missing.has(s))).map((k) => k.id));
}
