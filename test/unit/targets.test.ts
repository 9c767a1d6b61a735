import { describe, expect, it } from 'vitest';
import { kpi } from '../../functions/core/catalog.ts';
import { type TargetRange, validateConfig } from '../../functions/core/config.ts';
import {
  changeOf,
  evaluateTarget,
  inWarnBand,
  isEmptyTarget,
  isOutside,
  judgeChange,
  maxConsecutive,
  outsideStreak,
  resolveTarget,
  statusRank,
  warnSide,
} from '../../functions/core/targets.ts';

const targets = (t: Record<string, unknown>) => validateConfig({ targets: t }).targets;

describe('resolveTarget', () => {
  it('falls back to the catalog default when the config says nothing', () => {
    // Prepare
    const k = kpi('service_level_pct');
    // Act
    const t = resolveTarget(k, 'day', 'all', 'all', {});
    // Assess
    expect(t).toEqual({ min: 80, source: 'catalog' });
  });

  it('has no target for a KPI without a default and without an override', () => {
    expect(resolveTarget(kpi('avg_first_response_minutes'), 'day', 'all', 'all', {})).toBeUndefined();
  });

  it('uses the catalog default of the grain only (churn has a monthly target only)', () => {
    // Prepare
    const k = kpi('churn_rate_pct');
    // Act
    const day = resolveTarget(k, 'day', 'all', 'all', {});
    const month = resolveTarget(k, 'month', 'all', 'all', {});
    // Assess
    expect(day).toBeUndefined();
    expect(month).toEqual({ max: 2, source: 'catalog' });
  });

  it('replaces the default with a plain range override, for every grain', () => {
    // Prepare
    const cfg = targets({ abandonment_rate_pct: { max: 6, warn: 4, consecutive: 2 } });
    // Act
    const day = resolveTarget(kpi('abandonment_rate_pct'), 'day', 'all', 'all', cfg);
    const month = resolveTarget(kpi('abandonment_rate_pct'), 'month', 'queue', 'vip', cfg);
    // Assess
    expect(day).toEqual({ max: 6, warn: 4, consecutive: 2, source: 'kpi' });
    expect(month).toEqual({ max: 6, warn: 4, consecutive: 2, source: 'kpi' });
  });

  it('replaces the whole range, never merging bounds with the default', () => {
    // Prepare: the default is 20–60 s; the override names only max
    const cfg = targets({ avg_abandon_time_seconds: { max: 90 } });
    // Act
    const t = resolveTarget(kpi('avg_abandon_time_seconds'), 'day', 'all', 'all', cfg);
    // Assess
    expect(t).toEqual({ max: 90, source: 'kpi' });
  });

  it('switches a default target off with an empty override', () => {
    const cfg = targets({ service_level_pct: {} });
    expect(resolveTarget(kpi('service_level_pct'), 'day', 'all', 'all', cfg)).toBeUndefined();
  });

  it('takes a per-grain override for its grain and the default for the other', () => {
    // Prepare
    const cfg = targets({ service_level_pct: { day: { min: 75, warn: 85 } } });
    // Act
    const day = resolveTarget(kpi('service_level_pct'), 'day', 'all', 'all', cfg);
    const month = resolveTarget(kpi('service_level_pct'), 'month', 'all', 'all', cfg);
    // Assess
    expect(day).toEqual({ min: 75, warn: 85, source: 'grain' });
    expect(month).toEqual({ min: 80, source: 'catalog' });
  });

  it('prefers a dimension-value override, on both grains, and only for that value', () => {
    // Prepare
    const cfg = targets({
      service_level_pct: {
        day: { min: 80 },
        month: { min: 82 },
        dimensions: { 'queue=vip': { min: 90, warn: 95 } },
      },
    });
    const k = kpi('service_level_pct');
    // Act
    const vipDay = resolveTarget(k, 'day', 'queue', 'vip', cfg);
    const vipMonth = resolveTarget(k, 'month', 'queue', 'vip', cfg);
    const billing = resolveTarget(k, 'month', 'queue', 'billing', cfg);
    const overall = resolveTarget(k, 'day', 'all', 'all', cfg);
    // Assess
    expect(vipDay).toEqual({ min: 90, warn: 95, source: 'dimension' });
    expect(vipMonth).toEqual({ min: 90, warn: 95, source: 'dimension' });
    expect(billing).toEqual({ min: 82, source: 'grain' });
    expect(overall).toEqual({ min: 80, source: 'grain' });
  });

  it('falls back to the catalog when only dimension overrides are given', () => {
    // Prepare
    const cfg = targets({ avg_handle_time_seconds: { dimensions: { 'agent=a-1': { max: 500 } } } });
    const k = kpi('avg_handle_time_seconds');
    // Act
    const a1 = resolveTarget(k, 'day', 'agent', 'a-1', cfg);
    const a2 = resolveTarget(k, 'day', 'agent', 'a-2', cfg);
    // Assess
    expect(a1).toEqual({ max: 500, source: 'dimension' });
    expect(a2).toEqual({ max: 360, source: 'catalog' });
  });

  it('does not match a dimension key on the overall row', () => {
    const cfg = targets({ service_level_pct: { dimensions: { 'all=all': { min: 99 } } } });
    expect(resolveTarget(kpi('service_level_pct'), 'day', 'all', 'all', cfg)).toEqual({
      min: 80,
      source: 'catalog',
    });
  });
});

describe('isOutside', () => {
  it.each([
    [{ max: 5 }, 5, false],
    [{ max: 5 }, 5.01, true],
    [{ min: 80 }, 80, false],
    [{ min: 80 }, 79.9, true],
    [{ min: 20, max: 60 }, 19, true],
    [{ min: 20, max: 60 }, 61, true],
    [{ min: 20, max: 60 }, 40, false],
    [{}, 1e9, false],
    [{ max: 0 }, 0, false],
    [{ max: 0 }, 1, true],
  ] as [TargetRange, number, boolean][])('%j with %d → %s', (t, v, expected) => {
    expect(isOutside(t, v)).toBe(expected);
  });

  it('is never outside without a value or a target', () => {
    expect(isOutside({ max: 5 }, null)).toBe(false);
    expect(isOutside(undefined, 100)).toBe(false);
    expect(isOutside({ max: 5 }, Number.NaN)).toBe(false);
  });
});

describe('warnSide and inWarnBand', () => {
  it('warns above `warn` for a limit (max only), up to and including max', () => {
    // Prepare
    const t = { max: 5, warn: 4 };
    // Act / Assess
    expect(warnSide('min', t)).toBe('high');
    expect(inWarnBand('min', t, 4)).toBe(false);
    expect(inWarnBand('min', t, 4.01)).toBe(true);
    expect(inWarnBand('min', t, 5)).toBe(true);
    expect(inWarnBand('min', t, 5.01)).toBe(false);
  });

  it('warns below `warn` for a floor (min only), down to and including min', () => {
    // Prepare
    const t = { min: 80, warn: 85 };
    // Act / Assess
    expect(warnSide('max', t)).toBe('low');
    expect(inWarnBand('max', t, 85)).toBe(false);
    expect(inWarnBand('max', t, 84.9)).toBe(true);
    expect(inWarnBand('max', t, 80)).toBe(true);
    expect(inWarnBand('max', t, 79.9)).toBe(false);
  });

  it('uses the KPI direction when both bounds are set', () => {
    // Prepare
    const t = { min: 0, max: 100, warn: 90 };
    // Act / Assess: lower is better → the band is near max; higher is better → near min
    expect(warnSide('min', t)).toBe('high');
    expect(warnSide('max', t)).toBe('low');
    expect(inWarnBand('min', t, 95)).toBe(true);
    expect(inWarnBand('max', t, 85)).toBe(true);
    expect(inWarnBand('max', t, 95)).toBe(false);
  });

  it('puts the band of a range KPI on the side of the bound nearer to `warn`', () => {
    // Prepare
    const near60 = { min: 20, max: 60, warn: 55 };
    const near20 = { min: 20, max: 60, warn: 25 };
    // Act / Assess
    expect(warnSide('range', near60)).toBe('high');
    expect(inWarnBand('range', near60, 56)).toBe(true);
    expect(inWarnBand('range', near60, 21)).toBe(false);
    expect(warnSide('range', near20)).toBe('low');
    expect(inWarnBand('range', near20, 21)).toBe(true);
    expect(inWarnBand('range', near20, 56)).toBe(false);
  });

  it('decides a lone `warn` by direction, and not at all for a range KPI', () => {
    expect(warnSide('min', { warn: 4 })).toBe('high');
    expect(warnSide('max', { warn: 4 })).toBe('low');
    expect(warnSide('range', { warn: 4 })).toBeUndefined();
    expect(warnSide('min', { max: 5 })).toBeUndefined();
  });

  it('never warns when `warn` lies outside the range', () => {
    // Prepare: warn above max for a limit → the band (6, 5] is empty
    const t = { max: 5, warn: 6 };
    // Act / Assess
    expect(inWarnBand('min', t, 5)).toBe(false);
    expect(inWarnBand('min', t, 4)).toBe(false);
  });
});

describe('evaluateTarget', () => {
  it('is ok inside, warn in the band, breach outside (lower is better)', () => {
    // Prepare
    const t = { max: 5, warn: 4 };
    // Act / Assess
    expect(evaluateTarget('min', t, [3]).status).toBe('ok');
    expect(evaluateTarget('min', t, [4.6]).status).toBe('warn');
    expect(evaluateTarget('min', t, [5.4])).toEqual({ status: 'breach', outside: true, consecutive: 1 });
  });

  it('is ok inside, warn in the band, breach outside (higher is better)', () => {
    const t = { min: 80, warn: 85 };
    expect(evaluateTarget('max', t, [90]).status).toBe('ok');
    expect(evaluateTarget('max', t, [82]).status).toBe('warn');
    expect(evaluateTarget('max', t, [72]).status).toBe('breach');
  });

  it('breaches a range on either side', () => {
    const t = { min: 20, max: 60 };
    expect(evaluateTarget('range', t, [19]).status).toBe('breach');
    expect(evaluateTarget('range', t, [61]).status).toBe('breach');
    expect(evaluateTarget('range', t, [20]).status).toBe('ok');
    expect(evaluateTarget('range', t, [60]).status).toBe('ok');
  });

  it('never flags an informational KPI, whatever its target or value', () => {
    expect(evaluateTarget('info', { max: 1 }, [1000])).toEqual({
      status: 'ok',
      outside: false,
      consecutive: 0,
    });
    expect(evaluateTarget('info', { max: 1 }, [null]).status).toBe('ok');
  });

  it('is no_data without a value, and ok without a target', () => {
    expect(evaluateTarget('min', { max: 5 }, [null]).status).toBe('no_data');
    expect(evaluateTarget('min', { max: 5 }, []).status).toBe('no_data');
    expect(evaluateTarget('min', { max: 5 }, [Number.NaN]).status).toBe('no_data');
    expect(evaluateTarget('min', undefined, [123]).status).toBe('ok');
    expect(evaluateTarget('min', {}, [123]).status).toBe('ok');
  });

  it('with consecutive: N, warns for the first N−1 periods outside and breaches from the N-th', () => {
    // Prepare
    const t = { max: 5, consecutive: 3 };
    // Act
    const first = evaluateTarget('min', t, [3, 3, 6]);
    const second = evaluateTarget('min', t, [3, 6, 6]);
    const third = evaluateTarget('min', t, [6, 6, 6]);
    const fourth = evaluateTarget('min', t, [6, 6, 6, 6]);
    // Assess
    expect(first).toEqual({ status: 'warn', outside: true, consecutive: 1 });
    expect(second).toEqual({ status: 'warn', outside: true, consecutive: 2 });
    expect(third).toEqual({ status: 'breach', outside: true, consecutive: 3 });
    expect(fourth).toEqual({ status: 'breach', outside: true, consecutive: 4 });
  });

  it('restarts the run after a period inside or a period without a value', () => {
    const t = { max: 5, consecutive: 2 };
    expect(evaluateTarget('min', t, [6, 4, 6]).status).toBe('warn');
    expect(evaluateTarget('min', t, [6, null, 6]).status).toBe('warn');
    expect(evaluateTarget('min', t, [null, 6, 6]).status).toBe('breach');
  });

  it('counts the run without `consecutive` too (for the flags table)', () => {
    expect(evaluateTarget('max', { min: 80 }, [70, 75, 79])).toEqual({
      status: 'breach',
      outside: true,
      consecutive: 3,
    });
    expect(evaluateTarget('max', { min: 80 }, [70, 75, 81])).toEqual({
      status: 'ok',
      outside: false,
      consecutive: 0,
    });
  });

  it('reports the warning band, not the run, for a value back inside', () => {
    expect(evaluateTarget('max', { min: 80, warn: 85, consecutive: 2 }, [70, 70, 82]).status).toBe('warn');
  });
});

describe('outsideStreak', () => {
  it('counts from the end', () => {
    expect(outsideStreak({ max: 1 }, [2, 0, 2, 2])).toBe(2);
    expect(outsideStreak({ max: 1 }, [])).toBe(0);
    expect(outsideStreak(undefined, [2, 2])).toBe(0);
  });
});

describe('changeOf and judgeChange', () => {
  it('is value − previous, null when either is missing', () => {
    expect(changeOf(5, 3)).toBe(2);
    expect(changeOf(null, 3)).toBeNull();
    expect(changeOf(5, null)).toBeNull();
  });

  it('judges by direction: lower is better for min, higher for max', () => {
    expect(judgeChange('min', 3, 5)).toBe('better');
    expect(judgeChange('min', 5, 3)).toBe('worse');
    expect(judgeChange('max', 85, 80)).toBe('better');
    expect(judgeChange('max', 80, 85)).toBe('worse');
    expect(judgeChange('max', 80, 80)).toBe('neutral');
    expect(judgeChange('info', 1, 100)).toBe('neutral');
    expect(judgeChange('max', null, 80)).toBe('neutral');
  });

  it('judges a range KPI by its distance to the range', () => {
    // Prepare
    const t = { min: 20, max: 60 };
    // Act / Assess
    expect(judgeChange('range', 65, 70, t)).toBe('better');
    expect(judgeChange('range', 18, 19, t)).toBe('worse');
    expect(judgeChange('range', 40, 30, t)).toBe('neutral');
    expect(judgeChange('range', 59, 70, t)).toBe('better');
    expect(judgeChange('range', 59, 70)).toBe('neutral');
  });
});

describe('helpers', () => {
  it('ranks breach before warn before no_data before ok', () => {
    const order = (['ok', 'no_data', 'breach', 'warn'] as const)
      .slice()
      .sort((a, b) => statusRank(a) - statusRank(b));
    expect(order).toEqual(['breach', 'warn', 'no_data', 'ok']);
  });

  it('finds the longest configured run at any level', () => {
    // Prepare
    const cfg = targets({
      abandonment_rate_pct: { max: 5, consecutive: 2 },
      service_level_pct: { day: { min: 80 }, dimensions: { 'queue=vip': { min: 90, consecutive: 5 } } },
    });
    // Act / Assess
    expect(maxConsecutive(cfg)).toBe(5);
    expect(maxConsecutive({})).toBe(1);
  });

  it('knows an empty target', () => {
    expect(isEmptyTarget(undefined)).toBe(true);
    expect(isEmptyTarget({})).toBe(true);
    expect(isEmptyTarget({ consecutive: 2 })).toBe(true);
    expect(isEmptyTarget({ warn: 1 })).toBe(false);
  });
});
