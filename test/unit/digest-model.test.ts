import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../functions/core/catalog.ts';
import { LANGUAGES } from '../../functions/core/config.ts';
import {
  assessFreshness,
  freshnessWindow,
  kpiSources,
  kpisWithMissingData,
  sourcesOfGrain,
} from '../../functions/core/digest/freshness.ts';
import {
  formatPeriod,
  formatPeriodShort,
  formatValue,
  isRtl,
  messages,
} from '../../functions/core/digest/i18n.ts';
import { buildDigestModel, digestWindow } from '../../functions/core/digest/model.ts';
import { periodOf } from '../../functions/core/sql/render.ts';
import { addDays } from '../../functions/core/time.ts';
import { FIXTURE_AS_OF, FIXTURE_DAY, fixtureConfig, fixtureRows } from '../support/digest-fixture.ts';

function model(extra: Partial<Parameters<typeof buildDigestModel>[0]> = {}) {
  return buildDigestModel({
    grain: 'day',
    date: FIXTURE_DAY,
    asOf: FIXTURE_AS_OF,
    config: fixtureConfig(),
    rows: fixtureRows('day', FIXTURE_DAY),
    ...extra,
  });
}

describe('buildDigestModel', () => {
  it('lists the off-target lines first: breaches (longest run first), then warnings', () => {
    // Act
    const m = model();
    // Assess
    expect(m.offTarget.map((l) => [l.kpi.id, l.dimension, l.dimensionValue, l.status])).toEqual([
      ['service_level_pct', 'all', 'all', 'breach'],
      ['service_level_pct', 'queue', 'vip', 'breach'],
      ['abandonment_rate_pct', 'all', 'all', 'warn'],
    ]);
  });

  it('carries value, previous value, change, judgement, run and trend of an off-target line', () => {
    // Act
    const sl = model().offTarget[0]!;
    // Assess
    expect(sl.value).toBe(68.5);
    expect(sl.previous).toBe(70);
    expect(sl.change).toBeCloseTo(-1.5);
    expect(sl.judgement).toBe('worse');
    expect(sl.consecutive).toBe(3);
    expect(sl.target).toEqual({ min: 80, warn: 85, source: 'grain' });
    expect(sl.trend).toHaveLength(14);
    expect(sl.trend.slice(-3)).toEqual([72, 70, 68.5]);
  });

  it('summarises per KPI: a KPI off target overall and by queue counts once', () => {
    expect(model().summary).toEqual({
      total: 47,
      offTarget: 2,
      breaches: 1,
      warnings: 1,
      noData: 1,
      dataMissing: 0,
    });
  });

  it('counts every KPI of the grain: 48 monthly (plan completion is monthly only)', () => {
    // Act
    const m = buildDigestModel({
      grain: 'month',
      date: '2024-03-15',
      asOf: FIXTURE_AS_OF,
      config: fixtureConfig(),
      rows: fixtureRows('month', '2024-03-01', 12),
    });
    // Assess
    expect(m.summary.total).toBe(48);
    expect(m.period).toEqual({ start: '2024-03-01', end: '2024-03-31' });
    expect(m.trendPeriods).toHaveLength(12);
  });

  it('lists breakdown rows off target under their overall line, not as lines of their own', () => {
    // Act
    const m = model();
    const aht = m.families.flatMap((f) => f.lines).find((l) => l.kpi.id === 'avg_handle_time_seconds')!;
    const sl = m.offTarget[0]!;
    // Assess
    expect(aht.status).toBe('ok');
    expect(aht.breakdown.map((b) => [b.dimensionValue, b.status, b.value])).toEqual([
      ['a-007', 'breach', 420],
    ]);
    expect(sl.breakdown.map((b) => b.dimensionValue)).toEqual(['billing']);
    expect(m.offTarget.some((l) => l.dimension === 'agent')).toBe(false);
  });

  it('groups the other KPIs by family in catalog order and leaves out those off target', () => {
    // Act
    const m = model();
    // Assess
    expect(m.families.map((f) => f.family)).toEqual([
      'tickets',
      'calls',
      'surveys',
      'customers',
      'followups',
      'costs',
    ]);
    const ids = m.families.flatMap((f) => f.lines.map((l) => l.kpi.id));
    expect(ids).not.toContain('service_level_pct');
    expect(ids).not.toContain('abandonment_rate_pct');
    expect(ids).toHaveLength(45);
    const calls = CATALOG.filter((k) => k.family === 'calls').map((k) => k.id);
    expect(m.families[1]!.lines.map((l) => l.kpi.id)).toEqual(
      calls.filter((id) => id !== 'service_level_pct' && id !== 'abandonment_rate_pct'),
    );
  });

  it('writes one flag per evaluated row, with the target used, previous value and run', () => {
    // Act
    const m = model();
    const flag = m.flags.find((f) => f.kpi_id === 'service_level_pct' && f.dimension === 'all')!;
    const nodata = m.flags.find((f) => f.kpi_id === 'complaint_resolution_satisfaction_pct')!;
    const info = m.flags.find((f) => f.kpi_id === 'tickets_created' && f.dimension === 'all')!;
    // Assess
    expect(m.flags).toHaveLength(47 + 2 + 2 + 1);
    expect(flag).toMatchObject({
      grain: 'day',
      period_start: FIXTURE_DAY,
      status: 'breach',
      value: 68.5,
      target_min: 80,
      target_max: null,
      target_warn: 85,
      previous_value: 70,
      consecutive_breaches: 3,
      evaluated_at: FIXTURE_AS_OF,
    });
    expect(flag.change).toBeCloseTo(-1.5);
    expect(nodata.status).toBe('no_data');
    expect(info.status).toBe('ok');
  });

  it('gives every KPI an overall flag even when kpi_results has no row for it', () => {
    // Act
    const m = model({ rows: [] });
    // Assess
    expect(m.flags).toHaveLength(47);
    expect(m.flags.filter((f) => f.status === 'no_data').length).toBe(
      47 - CATALOG.filter((k) => k.direction === 'info').length,
    );
    expect(m.summary.offTarget).toBe(0);
  });

  it('marks the KPIs of a missing source as data missing instead of evaluating them', () => {
    // Act
    const m = model({ gaps: [{ entity: 'calls', count: 0, average: 900, kind: 'none' }] });
    // Assess: the calls KPIs are no longer off target, whatever their values
    expect(m.offTarget).toEqual([]);
    const calls = m.families.find((f) => f.family === 'calls')!;
    expect(calls.lines.every((l) => l.dataMissing && l.status === 'no_data')).toBe(true);
    expect(m.summary.dataMissing).toBe(CATALOG.filter((k) => k.family === 'calls').length);
    expect(m.flags.filter((f) => f.kpi_id === 'service_level_pct').every((f) => f.status === 'no_data')).toBe(
      true,
    );
    expect(m.gaps).toHaveLength(1);
  });

  it('reads far enough back for the longest configured run', () => {
    // Prepare
    const config = fixtureConfig({ targets: { abandonment_rate_pct: { max: 5, consecutive: 20 } } });
    // Act
    const w = digestWindow('day', periodOf('day', FIXTURE_DAY), config);
    // Assess
    expect(w.periods).toHaveLength(20);
    expect(w.trendLength).toBe(14);
    expect(w.periods.at(-1)!.start).toBe(FIXTURE_DAY);
    expect(w.periods[0]!.start).toBe(addDays(FIXTURE_DAY, -19));
  });

  it('ignores rows of KPIs outside the catalog', () => {
    // Prepare
    const rows = [...fixtureRows('day', FIXTURE_DAY, 2)];
    rows.push({ ...rows[0]!, kpi_id: 'retired_kpi', value: 1e9 });
    // Act
    const m = model({ rows });
    // Assess
    expect(m.flags.some((f) => f.kpi_id === 'retired_kpi')).toBe(false);
  });
});

describe('freshness', () => {
  const day = FIXTURE_DAY;
  const window = freshnessWindow('day', periodOf('day', day));
  const recentDays = window.recent.map((p) => p.start);

  it('compares a day with the 14 days before it', () => {
    expect(window.recent).toHaveLength(14);
    expect(window.recent[0]!.start).toBe(addDays(day, -1));
    expect(window.from).toBe(addDays(day, -14));
    expect(window.to).toBe(day);
  });

  it('names a source with no records, and one far below its recent average', () => {
    // Prepare
    const counts = [
      ...recentDays.flatMap((dt) => [
        { entity: 'tickets', dt, n: 400 },
        { entity: 'calls', dt, n: 1000 },
        { entity: 'surveys', dt, n: 100 },
      ]),
      { entity: 'tickets', dt: day, n: 150 },
      { entity: 'surveys', dt: day, n: 60 },
    ];
    // Act
    const gaps = assessFreshness(window, ['tickets', 'calls', 'surveys'], counts);
    // Assess
    expect(gaps).toEqual([
      { entity: 'tickets', count: 150, average: 400, kind: 'low' },
      { entity: 'calls', count: 0, average: 1000, kind: 'none' },
    ]);
  });

  it('does not call a sporadic or a brand-new source missing', () => {
    // Prepare: costs booked on 3 of 14 days; followups only yesterday
    const counts = [
      ...recentDays.slice(0, 3).map((dt) => ({ entity: 'costs', dt, n: 5 })),
      { entity: 'followups', dt: recentDays[0]!, n: 50 },
    ];
    // Act / Assess
    expect(assessFreshness(window, ['costs', 'followups'], counts)).toEqual([]);
  });

  it('checks nothing on a day off, and compares work days with work days', () => {
    // Prepare: 2024-03-22 is a Friday; Sunday–Thursday work week
    const workWeek = [7, 1, 2, 3, 4];
    const friday = freshnessWindow('day', periodOf('day', '2024-03-22'), workWeek);
    const thursday = freshnessWindow('day', periodOf('day', '2024-03-21'), workWeek);
    // Act
    const gaps = assessFreshness(friday, ['tickets'], []);
    // Assess
    expect(friday.check).toBe(false);
    expect(gaps).toEqual([]);
    expect(thursday.check).toBe(true);
    expect(thursday.recent).toHaveLength(14);
    expect(thursday.recent.every((p) => ![5, 6].includes(new Date(`${p.start}T00:00Z`).getUTCDay()))).toBe(
      true,
    );
  });

  it('sums a month from its dt partitions', () => {
    // Prepare
    const w = freshnessWindow('month', periodOf('month', '2024-03-10'));
    const counts = [
      ...w.recent.map((p) => ({ entity: 'tickets', dt: p.start, n: 3000 })),
      { entity: 'tickets', dt: '2024-03-01', n: 500 },
      { entity: 'tickets', dt: '2024-03-02', n: 600 },
    ];
    // Act
    const gaps = assessFreshness(w, ['tickets'], counts);
    // Assess
    expect(w.recent).toHaveLength(14);
    expect(w.from).toBe('2023-01-01');
    expect(gaps).toEqual([{ entity: 'tickets', count: 1100, average: 3000, kind: 'low' }]);
  });

  it('knows which sources each grain depends on and which KPIs a gap affects', () => {
    expect(sourcesOfGrain('day')).not.toContain('plans');
    expect(sourcesOfGrain('month')).toContain('plans');
    expect(kpiSources(CATALOG.find((k) => k.id === 'cost_per_inbound_call')!)).toEqual(['calls', 'costs']);
    const affected = kpisWithMissingData([{ entity: 'costs', count: 0, average: 4, kind: 'none' }]);
    expect([...affected].sort()).toEqual([
      'budget_savings_pct',
      'budget_utilization_pct',
      'cost_per_inbound_call',
      'operating_cost',
    ]);
  });
});

describe('i18n', () => {
  it('writes right to left for fa and ar only', () => {
    expect(LANGUAGES.filter(isRtl)).toEqual(['fa', 'ar']);
  });

  it('formats numbers with the language digits and unit words', () => {
    expect(formatValue('en', 'pct', 85.25)).toBe('85.3%');
    expect(formatValue('fa', 'pct', 85.25)).toBe('۸۵٫۳٪');
    expect(formatValue('ar', 'pct', 85.25)).toContain('٨٥٫٣');
    expect(formatValue('zh', 'seconds', 42)).toBe('42秒');
    expect(formatValue('ms', 'count', 1234)).toBe('1,234');
    expect(formatValue('fa', 'minutes', 4)).toBe('۴ دقیقه');
    expect(formatValue('en', 'currency', 1250000, { currency: 'IRR' })).toBe('IRR\u00a01,250,000');
    expect(formatValue('en', 'per_hour', 18.25)).toBe('18.3/h');
  });

  it('formats a change signed, percentages in points', () => {
    expect(formatValue('en', 'pct', -1.5, { signed: true })).toBe('-1.5 pts');
    expect(formatValue('en', 'seconds', 12, { signed: true })).toBe('+12 secs');
    expect(formatValue('zh', 'pct', 2, { signed: true })).toBe('+2个百分点');
  });

  it('names the day in the Persian calendar for fa and a Gregorian month with its Persian days', () => {
    expect(formatPeriod('fa', 'day', '2024-03-20', '2024-03-20')).toBe('چهارشنبه ۱ فروردین ۱۴۰۳');
    expect(formatPeriodShort('en', 'day', '2024-03-20')).toBe('20 March 2024');
    expect(formatPeriod('zh', 'month', '2024-03-01', '2024-03-31')).toBe('2024年3月');
    const faMonth = formatPeriod('fa', 'month', '2024-03-01', '2024-03-31');
    expect(faMonth).toContain('مارس ۲۰۲۴');
    expect(faMonth).toContain('اسفند');
    expect(faMonth).toContain('فروردین');
  });

  it('agrees Arabic counts with their number', () => {
    const ar = messages('ar');
    expect(ar.trendCaption(2, 'day', '٢')).toBe('آخر يومين');
    expect(ar.trendCaption(7, 'day', '٧')).toBe('آخر ٧ أيام');
    expect(ar.trendCaption(14, 'day', '١٤')).toBe('آخر ١٤ يومًا');
    expect(ar.trendCaption(12, 'month', '١٢')).toBe('آخر ١٢ شهرًا');
  });
});
