/**
 * Every survey KPI (kpis.md "Surveys") on hand-made contract rows, values worked out by hand in each
 * test: csat_pct, csat_avg_score, nps, enps, collaboration_satisfaction_pct,
 * complaint_resolution_satisfaction_pct. Reporting zone Asia/Tehran (UTC+03:30 all year since 2022),
 * so local midnight is 20:30 UTC; Europe/Berlin for DST. Default scales: csat 1–5, nps and enps
 * 0–10, collaboration 1–5.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlRow } from '../../functions/core/ports.ts';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };

/** A survey response; `extra` sets scale_min / scale_max / ticket_id / responded_at. */
const response = (id: string, survey: string, score: number, extra: Record<string, unknown> = {}) => ({
  response_id: id,
  survey,
  score,
  responded_at: '2024-03-21T08:00:00Z',
  ...extra,
});

/** The rows of one grain (day and month rows of a run share period_start on the 1st). */
const ofGrain = (rows: SqlRow[], grain: 'day' | 'month'): SqlRow[] => rows.filter((r) => r.grain === grain);

describe('csat_pct and csat_avg_score', () => {
  it('take the top two points of each scale and normalise the mean to 1–5, on the local day and month', async () => {
    // Prepare, 2024-03-21 in Tehran (r1 at 20:29:59Z = 23:59:59 local, still the 21st):
    //   1–5 (default): r1 5 (top), r2 4 (top), r3 3, r4 1                 → on 1–5: 5, 4, 3, 1
    //   1–10:          r5 10 (top), r6 9 (top), r7 8 (not top), r8 1       → 1 + 4 × (s − 1) / 9:
    //                                                                         5, 1 + 32/9, 1 + 28/9, 1
    //   0–10:          r9 5                                                → 1 + 4 × 5/10 = 3
    //   not csat: an nps 10 and a ces 7 (ignored)
    //   2024-03-22: r10 5 at 20:30:00Z on the 21st = 00:00 local on the 22nd
    h = await kpiHarness(TEHRAN);
    const ten = { scale_min: 1, scale_max: 10 };
    await h.load('surveys', [
      response('r1', 'csat', 5, { responded_at: '2024-03-21T20:29:59Z' }),
      response('r2', 'csat', 4),
      response('r3', 'csat', 3),
      response('r4', 'csat', 1),
      response('r5', 'csat', 10, ten),
      response('r6', 'csat', 9, ten),
      response('r7', 'csat', 8, ten),
      response('r8', 'csat', 1, ten),
      response('r9', 'csat', 5, { scale_min: 0, scale_max: 10 }),
      response('n1', 'nps', 10),
      response('c1', 'ces', 7),
      response('r10', 'csat', 5, { responded_at: '2024-03-21T20:30:00Z' }),
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess, the 21st: top two = r1 r2 r5 r6 = 4 of 9 csat responses.
    expect(h.row(days, 'csat_pct', '2024-03-21')).toMatchObject({
      numerator: 4,
      denominator: 9,
      sample_size: 9,
    });
    expect(h.row(days, 'csat_pct', '2024-03-21')?.value).toBeCloseTo((100 * 4) / 9, 10);
    //   mean on 1–5 = (5 + 4 + 3 + 1 + 5 + (1 + 32/9) + (1 + 28/9) + 1 + 3) / 9 = (24 + 60/9) / 9 = 3.4074
    const sum21 = 5 + 4 + 3 + 1 + 5 + (1 + 32 / 9) + (1 + 28 / 9) + 1 + 3;
    const avg21 = h.row(days, 'csat_avg_score', '2024-03-21');
    expect(avg21?.numerator).toBeCloseTo(sum21, 10);
    expect(avg21?.denominator).toBe(9);
    expect(avg21?.value).toBeCloseTo(sum21 / 9, 10);
    // The 22nd: r10 alone → 100 %, 5.0. The 23rd: no response → NULL over 0.
    expect(h.row(days, 'csat_pct', '2024-03-22')).toMatchObject({ value: 100, denominator: 1 });
    expect(h.row(days, 'csat_avg_score', '2024-03-22')).toMatchObject({ value: 5, denominator: 1 });
    expect(h.row(days, 'csat_pct', '2024-03-23')).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 0,
      sample_size: 0,
    });
    expect(h.row(days, 'csat_avg_score', '2024-03-23')).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 0,
    });
    // March from its 10 responses: csat 5/10 = 50 % (mean of the days: (44.4 + 100) / 2 = 72.2);
    // mean score (sum21 + 5) / 10.
    expect(h.row(months, 'csat_pct', '2024-03-01')).toMatchObject({
      value: 50,
      numerator: 5,
      denominator: 10,
    });
    expect(h.row(months, 'csat_avg_score', '2024-03-01')?.value).toBeCloseTo((sum21 + 5) / 10, 10);
  });

  it('counts on the Berlin calendar day across the DST change', async () => {
    // Prepare: 2024-10-26T22:30:00Z is 00:30 CEST on the 27th (a fixed +01:00 would say 23:30 on the
    // 26th); 2024-10-27T22:30:00Z is 23:30 CET, still the 27th.
    h = await kpiHarness({ timezone: 'Europe/Berlin' });
    await h.load('surveys', [
      response('1', 'csat', 5, { responded_at: '2024-10-26T21:59:59Z' }),
      response('2', 'csat', 1, { responded_at: '2024-10-26T22:30:00Z' }),
      response('3', 'csat', 3, { responded_at: '2024-10-27T22:30:00Z' }),
    ]);
    // Act
    const rows = await h.run('day', '2024-10-26', '2024-10-27');
    // Assess: the 26th = response 1 (23:59:59 CEST) → 5; the 27th = responses 2, 3 → (1 + 3) / 2 = 2.
    expect(h.row(rows, 'csat_avg_score', '2024-10-26')).toMatchObject({ value: 5, denominator: 1 });
    expect(h.row(rows, 'csat_avg_score', '2024-10-27')).toMatchObject({ value: 2, denominator: 2 });
    expect(h.row(rows, 'csat_pct', '2024-10-27')).toMatchObject({ value: 0, denominator: 2 });
  });
});

describe('nps and enps', () => {
  it('count promoters 9–10 and detractors 0–6 (7–8 passive) of their own survey, −100 … 100', async () => {
    // Prepare, the 21st (Tehran):
    //   nps (0–10 default, n6 with the scale given explicitly): 10, 9, 9 promoters; 8, 7 passive;
    //       6, 0 detractors
    //   enps (0–10): 10, 9, 9 promoters; 7 passive; 3 detractor
    //   a csat 5 (not nps)
    // the 22nd: nps 6 and 0 → all detractors.
    h = await kpiHarness(TEHRAN);
    const d22 = { responded_at: '2024-03-22T08:00:00Z' };
    await h.load('surveys', [
      response('n1', 'nps', 10),
      response('n2', 'nps', 9),
      response('n3', 'nps', 8),
      response('n4', 'nps', 7),
      response('n5', 'nps', 6),
      response('n6', 'nps', 9, { scale_min: 0, scale_max: 10 }),
      response('n7', 'nps', 0),
      response('e1', 'enps', 10),
      response('e2', 'enps', 9),
      response('e3', 'enps', 9),
      response('e4', 'enps', 7),
      response('e5', 'enps', 3),
      response('c1', 'csat', 5),
      response('n8', 'nps', 6, d22),
      response('n9', 'nps', 0, d22),
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess, the 21st: nps = (3 − 2) / 7 × 100 = 14.29; enps = (3 − 1) / 5 × 100 = 40.
    expect(h.row(days, 'nps', '2024-03-21')).toMatchObject({ numerator: 1, denominator: 7, sample_size: 7 });
    expect(h.row(days, 'nps', '2024-03-21')?.value).toBeCloseTo(100 / 7, 10);
    expect(h.row(days, 'enps', '2024-03-21')).toMatchObject({ value: 40, numerator: 2, denominator: 5 });
    // The 22nd: (0 − 2) / 2 = −100; no enps → NULL. The 23rd: both NULL over 0.
    expect(h.row(days, 'nps', '2024-03-22')).toMatchObject({ value: -100, numerator: -2, denominator: 2 });
    expect(h.row(days, 'enps', '2024-03-22')).toMatchObject({ value: null, denominator: 0 });
    expect(h.row(days, 'nps', '2024-03-23')).toMatchObject({ value: null, numerator: 0, denominator: 0 });
    // March: nps (3 − 4) / 9 = −11.1 (mean of the days: (14.29 − 100) / 2 = −42.9); enps 40.
    expect(h.row(months, 'nps', '2024-03-01')).toMatchObject({ numerator: -1, denominator: 9 });
    expect(h.row(months, 'nps', '2024-03-01')?.value).toBeCloseTo(-100 / 9, 10);
    expect(h.row(months, 'enps', '2024-03-01')?.value).toBe(40);
  });
});

describe('collaboration_satisfaction_pct', () => {
  it('is (mean score − scale_min) ÷ (scale_max − scale_min) × 100', async () => {
    // Prepare (Tehran):
    //   the 21st, default 1–5: 5, 4, 3 → mean 4 → (4 − 1) / (5 − 1) × 100 = 75
    //             (positions 1, 0.75, 0.5: numerator 2.25 of 3); a csat 1 is not collaboration
    //   the 22nd, 1–10: 10, 4 → mean 7 → (7 − 1) / (10 − 1) × 100 = 66.67 (positions 1, 1/3)
    h = await kpiHarness(TEHRAN);
    const d22 = { responded_at: '2024-03-22T08:00:00Z', scale_min: 1, scale_max: 10 };
    await h.load('surveys', [
      response('1', 'collaboration', 5),
      response('2', 'collaboration', 4),
      response('3', 'collaboration', 3),
      response('4', 'csat', 1),
      response('5', 'collaboration', 10, d22),
      response('6', 'collaboration', 4, d22),
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess
    expect(h.row(days, 'collaboration_satisfaction_pct', '2024-03-21')).toMatchObject({
      value: 75,
      numerator: 2.25,
      denominator: 3,
      sample_size: 3,
    });
    expect(h.row(days, 'collaboration_satisfaction_pct', '2024-03-22')?.value).toBeCloseTo((100 * 6) / 9, 10);
    expect(h.row(days, 'collaboration_satisfaction_pct', '2024-03-23')).toMatchObject({
      value: null,
      denominator: 0,
    });
    // March: each response on its own scale, (1 + 0.75 + 0.5 + 1 + 1/3) / 5 × 100 = 71.67
    // (the mean of the days would be 70.83).
    expect(h.row(months, 'collaboration_satisfaction_pct', '2024-03-01')?.value).toBeCloseTo(
      (100 * (2.25 + 1 + 1 / 3)) / 5,
      10,
    );
  });
});

describe('complaint_resolution_satisfaction_pct', () => {
  it('takes csat responses whose ticket is a complaint in its latest snapshot', async () => {
    // Prepare (Tehran). Tickets:
    //   T1 complaint; T2 request;
    //   T3 complaint (updated 03-10), later request (updated 03-12) → not a complaint now;
    //   T4 request (updated 03-10), later complaint (updated 03-12) → a complaint now.
    //   The later snapshots are loaded first: updated_at, not load order, decides.
    // csat responses on the 21st:
    //   s1 5 → T1 (top); s2 2 → T1; s3 5 → T2 (not a complaint); s4 1 → T3 (no longer one);
    //   s5 9 on 1–10 → T4 (top); s6 an nps 10 → T1 (not csat); s7 4 → unknown ticket; s8 5, no ticket.
    h = await kpiHarness(TEHRAN);
    const ticket = (id: string, type: string, updated: string) => ({
      ticket_id: id,
      type,
      created_at: '2024-03-09T08:00:00Z',
      updated_at: updated,
      channel: 'phone',
      status: 'open',
      customer_id: 'c1',
    });
    await h.load('tickets', [
      ticket('T3', 'request', '2024-03-12T08:00:00Z'),
      ticket('T4', 'complaint', '2024-03-12T08:00:00Z'),
    ]);
    await h.load('tickets', [
      ticket('T1', 'complaint', '2024-03-10T08:00:00Z'),
      ticket('T2', 'request', '2024-03-10T08:00:00Z'),
      ticket('T3', 'complaint', '2024-03-10T08:00:00Z'),
      ticket('T4', 'request', '2024-03-10T08:00:00Z'),
    ]);
    await h.load('surveys', [
      response('s1', 'csat', 5, { ticket_id: 'T1' }),
      response('s2', 'csat', 2, { ticket_id: 'T1' }),
      response('s3', 'csat', 5, { ticket_id: 'T2' }),
      response('s4', 'csat', 1, { ticket_id: 'T3' }),
      response('s5', 'csat', 9, { ticket_id: 'T4', scale_min: 1, scale_max: 10 }),
      response('s6', 'nps', 10, { ticket_id: 'T1' }),
      response('s7', 'csat', 4, { ticket_id: 'T404' }),
      response('s8', 'csat', 5),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-22');
    // Assess: complaint-linked csat = s1 s2 s5, top two s1 s5 → 2/3 = 66.67.
    const c21 = h.row(rows, 'complaint_resolution_satisfaction_pct', '2024-03-21');
    expect(c21).toMatchObject({ numerator: 2, denominator: 3, sample_size: 3 });
    expect(c21?.value).toBeCloseTo((100 * 2) / 3, 10);
    // All csat: s1 s2 s3 s4 s5 s7 s8 = 7, top s1 s3 s5 s7 s8 = 5.
    expect(h.row(rows, 'csat_pct', '2024-03-21')).toMatchObject({ numerator: 5, denominator: 7 });
    // No responses on the 22nd → NULL over 0.
    expect(h.row(rows, 'complaint_resolution_satisfaction_pct', '2024-03-22')).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 0,
    });
  });
});
