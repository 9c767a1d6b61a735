/**
 * The customer KPIs on hand-made snapshots, values worked out by hand in each test:
 * avg_revenue_per_customer, dormant_customers_pct, churn_rate_pct, retention_rate_pct,
 * key_account_churn_count. Reporting zone Asia/Tehran (UTC+03:30 all year since 2022): local
 * midnight is 20:30 UTC, so 2024-02-29T20:29:59Z is 23:59:59 on 29 February and
 * 2024-02-29T20:30:00Z is 00:00:00 on 1 March.
 *
 * Interpretations pinned here (kpis.md "Customers, follow-ups, costs, plans"):
 * - churn_rate_pct takes the definition literally: the numerator is every customer churned in the
 *   period, also one created in the period (who is not in the denominator, the customers at
 *   period start).
 * - retention_rate_pct likewise: (customers at period end − customers created in the period) ÷
 *   customers at period start, so a customer created and churned in the period lowers it.
 * - "more than dormantDays before period end", period end being the end of the period's last
 *   local day: activity on local day (end − dormantDays) is dormant, on (end − dormantDays + 1) not.
 * - last_active_at after the period end (the snapshot is today's) means not dormant then.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };

const customer = (id: string, created_at: string, extra: Record<string, unknown> = {}) => ({
  customer_id: id,
  created_at,
  ...extra,
});

/** Eleven customers around March 2024; see each line for what it exercises. */
const MARCH = [
  // 1: at start and at end, active on 20 March.
  customer('c1', '2023-06-01T08:00:00Z', { last_active_at: '2024-03-20T08:00:00Z', revenue_to_date: 1000 }),
  // 2: created 23:59:59 on 29 February (local): before the period; never active since (created_at counts).
  customer('c2', '2024-02-29T20:29:59Z', { revenue_to_date: 500 }),
  // 3: created 00:00:00 on 1 March (local): created in the period.
  customer('c3', '2024-02-29T20:30:00Z', { revenue_to_date: 200 }),
  // 4: key account churned on 10 March; no last_active_at (created_at stands in).
  customer('c4', '2023-01-01T08:00:00Z', {
    churned_at: '2024-03-10T08:00:00Z',
    key_account: true,
    revenue_to_date: 4000,
  }),
  // 5: churned 23:59:59 on 29 February (local): before the period.
  customer('c5', '2023-01-01T08:00:00Z', { churned_at: '2024-02-29T20:29:59Z', revenue_to_date: 300 }),
  // 6: churned 00:00:00 on 1 March (local): at period start, churned in the period.
  customer('c6', '2023-01-01T08:00:00Z', { churned_at: '2024-02-29T20:30:00Z' }),
  // 7: created and churned in March.
  customer('c7', '2024-03-05T08:00:00Z', { churned_at: '2024-03-20T08:00:00Z' }),
  // 8: last active 1 December 2023: 121 days before 31 March, dormant.
  customer('c8', '2023-01-01T08:00:00Z', { last_active_at: '2023-12-01T08:00:00Z' }),
  // 9: created 00:00:00 on 1 April (local): after the period, nowhere.
  customer('c9', '2024-03-31T20:30:00Z', { revenue_to_date: 9999 }),
  // 10: churned in January with old activity: churned customers are never dormant.
  customer('c10', '2023-01-01T08:00:00Z', {
    last_active_at: '2023-06-01T08:00:00Z',
    churned_at: '2024-01-15T08:00:00Z',
    revenue_to_date: 100,
  }),
  // 11: churns only in April, so not churned at the end of March, and dormant then.
  customer('c11', '2023-01-01T08:00:00Z', {
    last_active_at: '2023-10-01T08:00:00Z',
    churned_at: '2024-04-05T08:00:00Z',
    key_account: 'yes',
  }),
];

describe('customer KPIs over a month', () => {
  it('rebuild the states at period start and end from the snapshot timestamps', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('customers', MARCH);
    // Act
    const rows = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess. Created by 31 March: all but c9 = 10, revenue 1000+500+200+4000+300+100 = 6100.
    // At start (created before 1 March, not churned before): c1 c2 c4 c6 c8 c11 = 6.
    // At end (not churned by 31 March): c1 c2 c3 c8 c11 = 5; dormant among them: c8, c11 = 2.
    // Churned in March: c4 c6 c7 = 3 (c7 was created in March too); key accounts: c4.
    // Created in March: c3 c7 = 2.
    const m = '2024-03-01';
    expect(h.row(rows, 'avg_revenue_per_customer', m)).toMatchObject({
      value: 610,
      numerator: 6100,
      denominator: 10,
      sample_size: 10,
    });
    expect(h.row(rows, 'dormant_customers_pct', m)).toMatchObject({
      value: 40,
      numerator: 2,
      denominator: 5,
    });
    expect(h.row(rows, 'churn_rate_pct', m)).toMatchObject({
      value: 50,
      numerator: 3,
      denominator: 6,
      sample_size: 6,
    });
    // Retention = (5 − 2) ÷ 6.
    expect(h.row(rows, 'retention_rate_pct', m)).toMatchObject({ value: 50, numerator: 3, denominator: 6 });
    expect(h.row(rows, 'key_account_churn_count', m)).toMatchObject({
      value: 1,
      numerator: null,
      denominator: null,
      sample_size: 1,
    });
    expect(h.row(rows, 'churn_rate_pct', m)).toMatchObject({ period_end: '2024-03-31', grain: 'month' });
    // Customer KPIs have an overall row only.
    expect(rows.filter((r) => r.kpi_id === 'churn_rate_pct').map((r) => r.dimension)).toEqual(['all']);
  });

  it('count churn in April for the customer churned then (c11, a key account)', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('customers', MARCH);
    // Act
    const rows = await h.run('month', '2024-04-01', '2024-04-30');
    // Assess. At start of April: c1 c2 c3 c8 c11 = 5; churned in April: c11; created: c9.
    // At end: c1 c2 c3 c8 c9 = 5 → retention (5 − 1) ÷ 5 = 80 %. Created by end: all 11.
    const m = '2024-04-01';
    expect(h.row(rows, 'churn_rate_pct', m)).toMatchObject({ value: 20, numerator: 1, denominator: 5 });
    expect(h.row(rows, 'retention_rate_pct', m)).toMatchObject({ value: 80, numerator: 4, denominator: 5 });
    expect(h.row(rows, 'key_account_churn_count', m)?.value).toBe(1);
    expect(h.row(rows, 'avg_revenue_per_customer', m)).toMatchObject({ numerator: 16099, denominator: 11 });
  });
});

describe('customer KPIs by day', () => {
  it('put creations and churns either side of local midnight on the right day', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('customers', MARCH);
    // Act
    const rows = await h.run('day', '2024-02-29', '2024-03-10');
    // Assess 29 February: at start c1 c4 c5 c6 c8 c11 = 6 (c2 is created that day, c5 churns that
    // day); at end c1 c2 c4 c6 c8 c11 = 6; created c2; churned c5.
    expect(h.row(rows, 'churn_rate_pct', '2024-02-29')).toMatchObject({ numerator: 1, denominator: 6 });
    expect(h.row(rows, 'retention_rate_pct', '2024-02-29')).toMatchObject({ numerator: 5, denominator: 6 });
    expect(h.row(rows, 'avg_revenue_per_customer', '2024-02-29')).toMatchObject({
      numerator: 5900,
      denominator: 8,
    });
    // 1 March: at start c1 c2 c4 c6 c8 c11 = 6; at end c1 c2 c3 c4 c8 c11 = 6 (c6 churns that day);
    // created c3. Dormant at the end of 1 March (90 days: on or before 2 December 2023): c4 (created
    // 2023-01-01, never active), c8, c11 = 3 of 6; c1's activity (20 March) lies after the day.
    expect(h.row(rows, 'churn_rate_pct', '2024-03-01')).toMatchObject({ numerator: 1, denominator: 6 });
    expect(h.row(rows, 'churn_rate_pct', '2024-03-01')?.value).toBeCloseTo(100 / 6, 10);
    expect(h.row(rows, 'retention_rate_pct', '2024-03-01')?.value).toBeCloseTo(500 / 6, 10);
    expect(h.row(rows, 'dormant_customers_pct', '2024-03-01')).toMatchObject({
      value: 50,
      numerator: 3,
      denominator: 6,
    });
    expect(h.row(rows, 'avg_revenue_per_customer', '2024-03-01')).toMatchObject({
      numerator: 6100,
      denominator: 9,
    });
    // The key account c4 churns on 10 March only.
    expect(h.row(rows, 'key_account_churn_count', '2024-03-10')?.value).toBe(1);
    expect(h.row(rows, 'key_account_churn_count', '2024-03-09')?.value).toBe(0);
    expect(h.row(rows, 'churn_rate_pct', '2024-03-09')).toMatchObject({ value: 0, numerator: 0 });
    // One row per day and KPI, all in the overall dimension.
    expect(rows.filter((r) => r.kpi_id === 'churn_rate_pct' && r.grain === 'day')).toHaveLength(11);
  });
});

describe('empty denominators', () => {
  it('give NULL, not 0, for every ratio and 0 for the count', async () => {
    // Prepare: a single customer, created on 10 March and churned on 20 March 2024 (local).
    h = await kpiHarness(TEHRAN);
    await h.load('customers', [
      customer('solo', '2024-03-10T08:00:00Z', { churned_at: '2024-03-20T08:00:00Z', revenue_to_date: 70 }),
    ]);
    // Act
    const days = await h.run('day', '2024-03-09', '2024-03-09');
    const months = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess: on 9 March there is no customer at all.
    for (const kpi of [
      'avg_revenue_per_customer',
      'dormant_customers_pct',
      'churn_rate_pct',
      'retention_rate_pct',
    ]) {
      expect(h.row(days, kpi, '2024-03-09'), kpi).toMatchObject({
        value: null,
        denominator: 0,
        sample_size: 0,
      });
    }
    expect(h.row(days, 'key_account_churn_count', '2024-03-09')).toMatchObject({ value: 0, sample_size: 0 });
    // March: one customer created by its end (revenue 70), none at start, none at end.
    const m = '2024-03-01';
    expect(h.row(months, 'avg_revenue_per_customer', m)).toMatchObject({ value: 70, denominator: 1 });
    expect(h.row(months, 'churn_rate_pct', m)).toMatchObject({ value: null, numerator: 1, denominator: 0 });
    expect(h.row(months, 'retention_rate_pct', m)).toMatchObject({ value: null, denominator: 0 });
    expect(h.row(months, 'dormant_customers_pct', m)).toMatchObject({ value: null, denominator: 0 });
  });
});

describe('dormant_customers_pct', () => {
  it('is dormant from exactly dormantDays local days before the period end (config dormantDays 30)', async () => {
    // Prepare: period end 31 March 2024, the instant 2024-03-31T20:30:00Z (00:00 on 1 April, local).
    // 30 days before that instant is 2024-03-01T20:30:00Z (00:00 on 2 March, local).
    h = await kpiHarness({ ...TEHRAN, thresholds: { dormantDays: 30 } });
    const created = '2023-01-01T08:00:00Z';
    await h.load('customers', [
      // 23:59:59 on 1 March: 30 days and 1 second before the period end → dormant.
      customer('p', created, { last_active_at: '2024-03-01T20:29:59Z' }),
      // 00:00:00 on 2 March: exactly 30 days before → not more than 30 → active.
      customer('q', created, { last_active_at: '2024-03-01T20:30:00Z' }),
      // Never active, created 23:59:59 on 1 March: created_at stands in → dormant.
      customer('r', '2024-03-01T20:29:59Z'),
      // Never active, created 00:00:00 on 2 March → active.
      customer('s', '2024-03-01T20:30:00Z'),
      // Dormant-looking but churned on 31 March: not a customer at period end, left out.
      customer('t', created, { last_active_at: '2023-06-01T08:00:00Z', churned_at: '2024-03-31T08:00:00Z' }),
    ]);
    // Act
    const days = await h.run('day', '2024-03-30', '2024-03-31');
    const months = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess: on 31 March (day and month alike) p and r of p, q, r, s are dormant.
    expect(h.row(days, 'dormant_customers_pct', '2024-03-31')).toMatchObject({
      value: 50,
      numerator: 2,
      denominator: 4,
    });
    expect(h.row(months, 'dormant_customers_pct', '2024-03-01')).toMatchObject({
      value: 50,
      numerator: 2,
      denominator: 4,
    });
    // On 30 March the boundary moves a day back (1 March is 29 days before 30 March): of p, q, r, s
    // and t (churned only on 31 March, so still a customer; last active June 2023) only t: 1 of 5.
    expect(h.row(days, 'dormant_customers_pct', '2024-03-30')).toMatchObject({
      numerator: 1,
      denominator: 5,
    });
  });

  it('uses 90 days by default', async () => {
    // Prepare: period end 30 June 2024; 90 days before the end of that day is 00:00 on 2 April.
    h = await kpiHarness(TEHRAN);
    const created = '2023-01-01T08:00:00Z';
    await h.load('customers', [
      customer('a', created, { last_active_at: '2024-04-01T08:00:00Z' }), // 1 April: dormant
      customer('b', created, { last_active_at: '2024-04-02T08:00:00Z' }), // 2 April: active
    ]);
    // Act
    const rows = await h.run('day', '2024-06-30');
    // Assess
    expect(h.row(rows, 'dormant_customers_pct', '2024-06-30')).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
    });
  });
});

describe('snapshots', () => {
  it('let the latest snapshot (greatest updated_at) win, whichever file came last', async () => {
    // Prepare: x churned in its latest snapshot (loaded first); y churned only in a stale snapshot
    // loaded later; z's latest snapshot moves it into key accounts and raises its revenue.
    h = await kpiHarness(TEHRAN);
    await h.load('customers', [
      customer('x', '2023-01-01T08:00:00Z', {
        churned_at: '2024-03-10T08:00:00Z',
        updated_at: '2024-03-11T00:00:00Z',
      }),
      customer('y', '2023-01-01T08:00:00Z', { updated_at: '2024-03-11T00:00:00Z' }),
      customer('z', '2023-01-01T08:00:00Z', {
        churned_at: '2024-03-12T08:00:00Z',
        key_account: true,
        revenue_to_date: 900,
        updated_at: '2024-03-13T00:00:00Z',
      }),
    ]);
    await h.load('customers', [
      customer('x', '2023-01-01T08:00:00Z', { updated_at: '2024-03-01T00:00:00Z' }),
      customer('y', '2023-01-01T08:00:00Z', {
        churned_at: '2024-03-05T08:00:00Z',
        updated_at: '2024-03-06T00:00:00Z',
      }),
      customer('z', '2023-01-01T08:00:00Z', { revenue_to_date: 100, updated_at: '2024-03-02T00:00:00Z' }),
    ]);
    // Act
    const rows = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess: 3 customers at start; x and z churned; z is a key account; revenue 900.
    const m = '2024-03-01';
    expect(h.row(rows, 'churn_rate_pct', m)).toMatchObject({ numerator: 2, denominator: 3 });
    expect(h.row(rows, 'key_account_churn_count', m)?.value).toBe(1);
    expect(h.row(rows, 'avg_revenue_per_customer', m)).toMatchObject({
      value: 300,
      numerator: 900,
      denominator: 3,
    });
  });
});
