/**
 * Hand-made kpi_results for the digest tests: every KPI of a grain over a run of periods, values
 * inside their targets, with a few planted stories:
 * - service_level_pct (overall) breaks its 80 % floor for the last three periods (72, 70, 68.5);
 * - abandonment_rate_pct is 4.6 % — inside its 5 % limit but above the configured warning at 4;
 * - avg_handle_time_seconds for agent a-007 is 420 s (limit 360): a breakdown breach;
 * - service_level_pct for queue vip has its own target (≥ 90) and is at 86: its own line;
 * - complaint_resolution_satisfaction_pct has no value in the last period (no responses).
 */
import { CATALOG, defaultTarget, type Grain, type KpiDefinition } from '../../functions/core/catalog.ts';
import { type Config, validateConfig } from '../../functions/core/config.ts';
import type { SourceGap } from '../../functions/core/digest/freshness.ts';
import { buildDigestModel, type DigestModel } from '../../functions/core/digest/model.ts';
import type { QueryEngine, SqlRow } from '../../functions/core/ports.ts';
import type { KpiResultRow } from '../../functions/core/results.ts';
import { type Period, periodOf, previousPeriod } from '../../functions/core/sql/render.ts';

export const FIXTURE_DAY = '2024-03-20';
export const FIXTURE_AS_OF = '2024-03-21T02:30:00Z';

export function fixtureConfig(extra: Record<string, unknown> = {}): Config {
  return validateConfig({
    timezone: 'Asia/Tehran',
    currency: 'IRR',
    targets: {
      abandonment_rate_pct: { max: 5, warn: 4 },
      service_level_pct: {
        day: { min: 80, warn: 85 },
        month: { min: 82 },
        dimensions: { 'queue=vip': { min: 90 } },
      },
    },
    digest: {
      from: 'Servicepulse <kpi@example.com>',
      recipients: [
        { email: 'ceo@example.com', name: 'Dana Chief', lang: 'en' },
        { email: 'ops@example.com', name: 'مریم رضایی', lang: 'fa' },
        { email: 'cs@example.com', name: '王小明', lang: 'zh' },
      ],
    },
    ...extra,
  });
}

/** Periods oldest first, ending with the period of `date`. */
export function fixturePeriods(grain: Grain, date: string, n: number): Period[] {
  const out = [periodOf(grain, date)];
  while (out.length < n) out.unshift(previousPeriod(grain, out[0]!));
  return out;
}

function inside(k: KpiDefinition, grain: Grain, i: number): number {
  const wobble = Math.sin(i * 1.7 + k.id.length) * 0.04;
  const t = defaultTarget(k, grain);
  if (t?.min !== undefined && t.max !== undefined)
    return (t.min + t.max) / 2 + ((t.max - t.min) / 4) * wobble * 10;
  if (t?.max !== undefined) return t.max === 0 ? 0 : t.max * (0.7 + wobble);
  if (t?.min !== undefined)
    return k.unit === 'pct' ? Math.min(100, t.min + 6 + wobble * 50) : t.min * 1.3 + 5;
  const base: Record<string, number> = {
    count: 140,
    pct: 35,
    minutes: 42,
    hours: 7.5,
    seconds: 25,
    ratio: 3.2,
    score: 4.2,
    currency: 1_250_000,
    per_hour: 18,
  };
  return Number(((base[k.unit] ?? 10) * (1 + wobble)).toFixed(3));
}

/** kpi_results rows of a grain for `n` periods ending with the period of `date`. */
export function fixtureRows(grain: Grain, date: string, n = 14): KpiResultRow[] {
  const periods = fixturePeriods(grain, date, n);
  const rows: KpiResultRow[] = [];
  const push = (k: KpiDefinition, p: Period, dimension: string, value: string, v: number | null) =>
    rows.push({
      kpi_id: k.id,
      grain,
      period_start: p.start,
      period_end: p.end,
      dimension: dimension as KpiResultRow['dimension'],
      dimension_value: value,
      value: v === null ? null : Number(v.toFixed(4)),
      numerator: null,
      denominator: null,
      sample_size: v === null ? 0 : 120,
      computed_at: '2024-03-21T01:00:00.000Z',
      run_id: 'fixture',
    });
  for (const k of CATALOG.filter((c) => c.grains.includes(grain))) {
    periods.forEach((p, i) => {
      const last = i === periods.length - 1;
      let v: number | null = inside(k, grain, i);
      if (k.id === 'service_level_pct' && i >= periods.length - 3)
        v = [72, 70, 68.5][i - (periods.length - 3)]!;
      if (k.id === 'abandonment_rate_pct' && last) v = 4.6;
      if (k.id === 'complaint_resolution_satisfaction_pct' && last) v = null;
      push(k, p, 'all', 'all', v);
      if (k.id === 'service_level_pct') {
        push(k, p, 'queue', 'vip', last ? 86 : 93);
        push(k, p, 'queue', 'billing', last ? 74 : 84);
      }
      if (k.id === 'avg_handle_time_seconds') {
        push(k, p, 'agent', 'a-007', last ? 420 : 300);
        push(k, p, 'agent', 'a-012', 280);
      }
      if (k.id === 'tickets_created') push(k, p, 'channel', 'email', 60);
    });
  }
  return rows;
}

export interface FakeEngine extends QueryEngine {
  statements: string[];
}

/**
 * A QueryEngine serving canned rows: kpi_results SELECTs get `rows` (Athena-style text values when
 * `asText`), freshness counts get `counts`, writes are recorded.
 */
export function fakeEngine(
  rows: readonly KpiResultRow[],
  counts: readonly { entity: string; dt: string; n: number }[] = [],
  asText = false,
): FakeEngine {
  const statements: string[] = [];
  const text = (v: unknown) => (v === null ? null : String(v));
  return {
    name: 'athena',
    statements,
    async query(sql: string): Promise<SqlRow[]> {
      statements.push(sql);
      if (/FROM \w+\.kpi_results/.test(sql)) {
        return rows.map((r) => ({
          kpi_id: r.kpi_id,
          period_start: r.period_start,
          dimension: r.dimension,
          dimension_value: r.dimension_value,
          value: asText ? text(r.value) : r.value,
          sample_size: asText ? text(r.sample_size) : r.sample_size,
        }));
      }
      if (/count\(\*\)/.test(sql)) return counts.map((c) => ({ ...c, n: asText ? String(c.n) : c.n }));
      return [];
    },
    async close() {},
  };
}

/** Steady record counts per entity and day, for freshness (omit an entity to make it missing). */
export function steadyCounts(
  entities: readonly string[],
  days: readonly string[],
  perDay = 500,
): { entity: string; dt: string; n: number }[] {
  return entities.flatMap((entity) => days.map((dt) => ({ entity, dt, n: perDay })));
}

/** The daily digest model of the fixture (FIXTURE_DAY, as of FIXTURE_AS_OF), with optional source gaps. */
export function fixtureModel(config: Config = fixtureConfig(), gaps: SourceGap[] = []): DigestModel {
  return buildDigestModel({
    grain: 'day',
    date: FIXTURE_DAY,
    asOf: FIXTURE_AS_OF,
    config,
    rows: fixtureRows('day', FIXTURE_DAY),
    ...(gaps.length > 0 ? { gaps } : {}),
  });
}

/** The surveys gap the rendering tests show at the top of the digest. */
export const SURVEYS_GAP: SourceGap = { entity: 'surveys', count: 0, average: 143, kind: 'none' };
