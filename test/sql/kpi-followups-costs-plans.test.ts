/**
 * Follow-up, cost and plan KPIs on hand-made rows, values worked out by hand in each test:
 * callback_completion_pct, key_account_callbacks, operating_cost, budget_utilization_pct,
 * budget_savings_pct, plan_completion_pct. Reporting zone Asia/Tehran (UTC+03:30): local midnight
 * is 20:30 UTC.
 *
 * Interpretations pinned here (kpis.md "Customers, follow-ups, costs, plans"):
 * - a follow-up "is done" when done_at is set and not after the run's as-of time, whenever that
 *   is relative to its period: callback_completion_pct of a period rises as late call-backs are made;
 * - budget KPIs: no budget in a period → NULL (denominator 0); actual costs without a budget still
 *   count in operating_cost and in the numerators, so that daily numerators and denominators add up
 *   to the month's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlRow } from '../../functions/core/ports.ts';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };

/** kpi_results holds every run's rows: the rows of one grain. */
const grain = (rows: SqlRow[], g: 'day' | 'month') => rows.filter((r) => r.grain === g);

const followup = (id: string, planned_at: string, done_at: string | null, key_account = false) => ({
  followup_id: id,
  customer_id: `cust-${id}`,
  planned_at,
  done_at,
  key_account,
});

const FOLLOWUPS = [
  followup('f1', '2024-03-05T08:00:00Z', '2024-03-05T10:00:00Z'),
  followup('f2', '2024-03-05T09:00:00Z', null),
  // Planned in March, done in April (local 2 April).
  followup('f3', '2024-03-05T10:00:00Z', '2024-04-02T08:00:00Z', true),
  // Planned in February, done on 5 March.
  followup('f4', '2024-02-28T08:00:00Z', '2024-03-05T12:00:00Z', true),
  // Planned and done just after local midnight: 21 March.
  followup('f5', '2024-03-20T20:30:00Z', '2024-03-20T20:45:00Z', true),
  // Planned and done one second before local midnight: 20 March.
  followup('f6', '2024-03-20T20:29:59Z', '2024-03-20T20:29:59Z', true),
];

describe('callback_completion_pct and key_account_callbacks', () => {
  it('count planned follow-ups on planned_at and key-account call-backs on done_at (month)', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('followups', FOLLOWUPS);
    // Act
    const rows = await h.run('month', '2024-02-01', '2024-04-30');
    // Assess. March: planned f1 f2 f3 f5 f6 = 5, done (as of 2030) f1 f3 f5 f6 = 4 → 80 %.
    // Key-account call-backs done in March: f4 (planned in February), f5, f6 = 3; f3 counts in April.
    expect(h.row(rows, 'callback_completion_pct', '2024-03-01')).toMatchObject({
      value: 80,
      numerator: 4,
      denominator: 5,
      sample_size: 5,
    });
    expect(h.row(rows, 'key_account_callbacks', '2024-03-01')).toMatchObject({ value: 3, numerator: null });
    expect(h.row(rows, 'key_account_callbacks', '2024-04-01')?.value).toBe(1);
    // February: f4 planned and done (in March) → 100 %; no key-account call-back done in February.
    expect(h.row(rows, 'callback_completion_pct', '2024-02-01')).toMatchObject({
      value: 100,
      denominator: 1,
    });
    expect(h.row(rows, 'key_account_callbacks', '2024-02-01')?.value).toBe(0);
    // April: nothing planned → NULL, not 0.
    expect(h.row(rows, 'callback_completion_pct', '2024-04-01')).toMatchObject({
      value: null,
      denominator: 0,
    });
  });

  it('count on the local day, either side of local midnight (day)', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('followups', FOLLOWUPS);
    // Act
    const rows = await h.run('day', '2024-03-05', '2024-03-22');
    // Assess. 5 March: planned f1 f2 f3, done f1 f3 → 2/3; key call-backs done: f4.
    expect(h.row(rows, 'callback_completion_pct', '2024-03-05')).toMatchObject({
      numerator: 2,
      denominator: 3,
    });
    expect(h.row(rows, 'key_account_callbacks', '2024-03-05')?.value).toBe(1);
    // 20 March: f6; 21 March: f5.
    expect(h.row(rows, 'callback_completion_pct', '2024-03-20')).toMatchObject({
      value: 100,
      denominator: 1,
    });
    expect(h.row(rows, 'callback_completion_pct', '2024-03-21')).toMatchObject({
      value: 100,
      denominator: 1,
    });
    expect(h.row(rows, 'key_account_callbacks', '2024-03-20')?.value).toBe(1);
    expect(h.row(rows, 'key_account_callbacks', '2024-03-21')?.value).toBe(1);
    // 22 March: nothing.
    expect(h.row(rows, 'callback_completion_pct', '2024-03-22')).toMatchObject({
      value: null,
      denominator: 0,
    });
    expect(h.row(rows, 'key_account_callbacks', '2024-03-22')).toMatchObject({ value: 0, sample_size: 0 });
  });

  it('treat a follow-up done after the as-of time as not done yet', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('followups', FOLLOWUPS);
    // Act: as of 09:30Z on 5 March (f1 is done at 10:00Z, f4 at 12:00Z), then as of 1 April
    // 12:00Z (f3 is done only on 2 April).
    const early = await h.run('day', '2024-03-05', '2024-03-05', '2024-03-05T09:30:00Z');
    const earlyDay = { ...h.row(early, 'callback_completion_pct', '2024-03-05') };
    const earlyKey = { ...h.row(early, 'key_account_callbacks', '2024-03-05') };
    const month = await h.run('month', '2024-03-01', '2024-03-31', '2024-04-01T12:00:00Z');
    // Assess: nothing done yet on 5 March; March without f3 = 3 of 5.
    expect(earlyDay).toMatchObject({ value: 0, numerator: 0, denominator: 3 });
    expect(earlyKey).toMatchObject({ value: 0 });
    expect(h.row(month, 'callback_completion_pct', '2024-03-01')).toMatchObject({ value: 60, numerator: 3 });
    expect(h.row(month, 'key_account_callbacks', '2024-03-01')?.value).toBe(3);
  });
});

const cost = (id: string, date: string, kind: 'actual' | 'budget', amount: number, category = 'staff') => ({
  cost_id: id,
  date,
  kind,
  amount,
  category,
});

const COSTS = [
  cost('a1', '2024-03-01', 'actual', 80),
  cost('a1b', '2024-03-01', 'actual', 20, 'telephony'),
  cost('b1', '2024-03-01', 'budget', 120),
  cost('a2', '2024-03-02', 'actual', 50), // actual without a budget
  cost('b3', '2024-03-03', 'budget', 100), // budget without actual costs
  // 4 March: nothing
  cost('a5', '2024-03-05', 'actual', 110),
  cost('b5', '2024-03-05', 'budget', 100),
];

describe('operating_cost, budget_utilization_pct and budget_savings_pct', () => {
  it('compare actual with budget per day; no budget → NULL', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('costs', COSTS);
    // Act
    const rows = await h.run('day', '2024-03-01', '2024-03-05');
    // Assess. 1 March: actual 100 of budget 120.
    expect(h.row(rows, 'operating_cost', '2024-03-01')).toMatchObject({
      value: 100,
      numerator: null,
      denominator: null,
      sample_size: 2,
    });
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-01')).toMatchObject({
      numerator: 100,
      denominator: 120,
    });
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-01')?.value).toBeCloseTo(250 / 3, 10);
    expect(h.row(rows, 'budget_savings_pct', '2024-03-01')).toMatchObject({
      numerator: 20,
      denominator: 120,
    });
    expect(h.row(rows, 'budget_savings_pct', '2024-03-01')?.value).toBeCloseTo(50 / 3, 10);
    // 2 March: actual only → operating cost 50, both budget KPIs NULL (their numerators still carry
    // the day's spend: utilisation 50, savings 0 − 50).
    expect(h.row(rows, 'operating_cost', '2024-03-02')?.value).toBe(50);
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-02')).toMatchObject({
      value: null,
      numerator: 50,
      denominator: 0,
    });
    expect(h.row(rows, 'budget_savings_pct', '2024-03-02')).toMatchObject({
      value: null,
      numerator: -50,
      denominator: 0,
    });
    // 3 March: budget only → nothing spent: 0 % used, 100 % saved.
    expect(h.row(rows, 'operating_cost', '2024-03-03')).toMatchObject({ value: 0, sample_size: 0 });
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-03')).toMatchObject({ value: 0, denominator: 100 });
    expect(h.row(rows, 'budget_savings_pct', '2024-03-03')).toMatchObject({ value: 100, numerator: 100 });
    // 4 March: nothing booked.
    expect(h.row(rows, 'operating_cost', '2024-03-04')).toMatchObject({ value: 0, sample_size: 0 });
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-04')).toMatchObject({
      value: null,
      sample_size: 0,
    });
    expect(h.row(rows, 'budget_savings_pct', '2024-03-04')).toMatchObject({ value: null, sample_size: 0 });
    // 5 March: over budget → 110 % used, −10 % saved.
    expect(h.row(rows, 'budget_utilization_pct', '2024-03-05')?.value).toBeCloseTo(110, 10);
    expect(h.row(rows, 'budget_savings_pct', '2024-03-05')?.value).toBeCloseTo(-10, 10);
  });

  it('compute the month from its bookings, and daily numerators and denominators add up to it', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('costs', COSTS);
    // Act
    const days = grain(await h.run('day', '2024-03-01', '2024-03-31'), 'day');
    const rows = grain(await h.run('month', '2024-03-01', '2024-04-30'), 'month');
    // Assess. March: actual 80 + 20 + 50 + 110 = 260; budget 120 + 100 + 100 = 320.
    const m = '2024-03-01';
    expect(h.row(rows, 'operating_cost', m)).toMatchObject({ value: 260, sample_size: 4 });
    expect(h.row(rows, 'budget_utilization_pct', m)).toMatchObject({
      value: 81.25,
      numerator: 260,
      denominator: 320,
    });
    expect(h.row(rows, 'budget_savings_pct', m)).toMatchObject({
      value: 18.75,
      numerator: 60,
      denominator: 320,
    });
    for (const kpi of ['budget_utilization_pct', 'budget_savings_pct']) {
      const daily = days.filter((r) => r.kpi_id === kpi);
      expect(daily).toHaveLength(31);
      const sum = (f: 'numerator' | 'denominator') => daily.reduce((s, r) => s + Number(r[f] ?? 0), 0);
      expect(sum('numerator'), kpi).toBe(h.row(rows, kpi, m)?.numerator);
      expect(sum('denominator'), kpi).toBe(h.row(rows, kpi, m)?.denominator);
    }
    // April: no costs at all.
    expect(h.row(rows, 'operating_cost', '2024-04-01')?.value).toBe(0);
    expect(h.row(rows, 'budget_utilization_pct', '2024-04-01')?.value).toBeNull();
    expect(h.row(rows, 'budget_savings_pct', '2024-04-01')?.value).toBeNull();
  });

  it('let the latest delivery of a cost win', async () => {
    // Prepare: a1 corrected from 80 to 30 in a later file.
    h = await kpiHarness(TEHRAN);
    await h.load('costs', COSTS, 'costs-march-v1.ndjson');
    await h.load('costs', [cost('a1', '2024-03-01', 'actual', 30)], 'costs-march-v2.ndjson');
    // Act
    const rows = await h.run('day', '2024-03-01');
    // Assess: 30 + 20.
    expect(h.row(rows, 'operating_cost', '2024-03-01')?.value).toBe(50);
  });
});

const plan = (id: string, month: string, kind: string, planned: number, achieved: number) => ({
  plan_id: id,
  month,
  kind,
  planned,
  achieved,
});

describe('plan_completion_pct', () => {
  it('is monthly, overall and by plan_kind, and may exceed 100', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('plans', [
      plan('p1', '2024-03', 'work_plan', 10, 12),
      plan('p2', '2024-03', 'work_plan', 10, 8),
      plan('p3', '2024-03', 'customer_survey', 5, 5),
      plan('p4', '2024-03', 'info_relay', 4, 6),
      plan('p5', '2024-02', 'process_improvement', 10, 1),
    ]);
    // Act
    const rows = await h.run('month', '2024-03-01', '2024-04-30');
    // Assess. March: 31 of 29 overall; work_plan 20/20; customer_survey 5/5; info_relay 6/4.
    const m = '2024-03-01';
    expect(h.row(rows, 'plan_completion_pct', m)).toMatchObject({
      numerator: 31,
      denominator: 29,
      sample_size: 4,
    });
    expect(h.row(rows, 'plan_completion_pct', m)?.value).toBeCloseTo((100 * 31) / 29, 10);
    expect(h.row(rows, 'plan_completion_pct', m, 'plan_kind', 'work_plan')).toMatchObject({
      value: 100,
      sample_size: 2,
    });
    expect(h.row(rows, 'plan_completion_pct', m, 'plan_kind', 'customer_survey')?.value).toBe(100);
    expect(h.row(rows, 'plan_completion_pct', m, 'plan_kind', 'info_relay')?.value).toBe(150);
    // February's plan is not March's; no row for a kind without plans in the month.
    expect(h.row(rows, 'plan_completion_pct', m, 'plan_kind', 'process_improvement')).toBeUndefined();
    expect(rows.filter((r) => r.kpi_id === 'plan_completion_pct' && r.period_start === m)).toHaveLength(4);
    // April: no plans → an overall row with NULL, and no plan_kind rows.
    const april = rows.filter((r) => r.kpi_id === 'plan_completion_pct' && r.period_start === '2024-04-01');
    expect(april).toHaveLength(1);
    expect(april[0]).toMatchObject({ dimension: 'all', value: null, denominator: 0, sample_size: 0 });
  });

  it('has no daily rows at all', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('plans', [plan('p1', '2024-03', 'work_plan', 10, 12)]);
    // Act
    const rows = await h.run('day', '2024-03-01', '2024-03-31');
    // Assess
    expect(rows.filter((r) => r.kpi_id === 'plan_completion_pct')).toEqual([]);
    expect(rows.some((r) => r.kpi_id === 'operating_cost')).toBe(true);
  });

  it('lets the latest delivery of a plan win', async () => {
    // Prepare: p2 re-delivered with 9 achieved instead of 8.
    h = await kpiHarness(TEHRAN);
    await h.load(
      'plans',
      [plan('p1', '2024-03', 'work_plan', 10, 12), plan('p2', '2024-03', 'work_plan', 10, 8)],
      'p-v1.ndjson',
    );
    await h.load('plans', [plan('p2', '2024-03', 'work_plan', 10, 9)], 'p-v2.ndjson');
    // Act
    const rows = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess: (12 + 9) / 20.
    expect(h.row(rows, 'plan_completion_pct', '2024-03-01', 'plan_kind', 'work_plan')?.value).toBe(105);
  });
});
