/**
 * The five foundation KPIs on hand-made rows, values worked out by hand in each test:
 * tickets_created, avg_first_response_minutes, service_level_pct, abandonment_rate_pct, csat_pct.
 * Reporting zone Asia/Tehran (UTC+03:30 all year since 2022), so local midnight is 20:30 UTC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };

describe('tickets_created', () => {
  it('counts on the local day in Asia/Tehran, either side of local midnight', async () => {
    // Prepare: 20:29:59Z is 23:59:59 on 2024-03-20 in Tehran; 20:30:00Z is 00:00:00 on 2024-03-21.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      {
        ticket_id: 'a',
        created_at: '2024-03-20T20:29:59Z',
        channel: 'email',
        status: 'open',
        customer_id: 'c1',
      },
      {
        ticket_id: 'b',
        created_at: '2024-03-20T20:30:00Z',
        channel: 'email',
        status: 'open',
        customer_id: 'c1',
      },
      {
        ticket_id: 'c',
        created_at: '2024-03-21T10:00:00+03:30',
        channel: 'chat',
        status: 'new',
        customer_id: 'c2',
      },
    ]);
    // Act
    const rows = await h.run('day', '2024-03-20', '2024-03-21');
    // Assess: day 20 has a; day 21 has b and c (one e-mail, one chat).
    expect(h.row(rows, 'tickets_created', '2024-03-20')?.value).toBe(1);
    expect(h.row(rows, 'tickets_created', '2024-03-21')?.value).toBe(2);
    expect(h.row(rows, 'tickets_created', '2024-03-21', 'channel', 'chat')?.value).toBe(1);
    expect(h.row(rows, 'tickets_created', '2024-03-21', 'channel', 'email')?.value).toBe(1);
    expect(h.row(rows, 'tickets_created', '2024-03-21')?.numerator).toBeNull();
  });

  it('lets the latest snapshot win and gives 0 (not NULL) on a day without tickets', async () => {
    // Prepare: ticket a first exported as e-mail, later (greater updated_at) as chat.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      {
        ticket_id: 'a',
        created_at: '2024-03-21T06:00:00Z',
        updated_at: '2024-03-21T07:00:00Z',
        channel: 'chat',
        status: 'open',
        customer_id: 'c',
      },
    ]);
    await h.load('tickets', [
      {
        ticket_id: 'a',
        created_at: '2024-03-21T06:00:00Z',
        updated_at: '2024-03-21T06:00:00Z',
        channel: 'email',
        status: 'new',
        customer_id: 'c',
      },
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-22');
    // Assess: one ticket, on chat; the stale e-mail snapshot (loaded last) loses on updated_at.
    expect(h.row(rows, 'tickets_created', '2024-03-21')?.value).toBe(1);
    expect(h.row(rows, 'tickets_created', '2024-03-21', 'channel', 'chat')?.value).toBe(1);
    expect(h.row(rows, 'tickets_created', '2024-03-21', 'channel', 'email')).toBeUndefined();
    expect(h.row(rows, 'tickets_created', '2024-03-22')?.value).toBe(0);
  });
});

describe('avg_first_response_minutes', () => {
  it('averages over tickets first-responded in the period, NULL when none', async () => {
    // Prepare: responses after 30 and 90 minutes on 2024-03-21 (local), none on 2024-03-22.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      {
        ticket_id: 'a',
        created_at: '2024-03-21T05:00:00Z',
        first_response_at: '2024-03-21T05:30:00Z',
        channel: 'email',
        status: 'open',
        customer_id: 'c',
      },
      {
        ticket_id: 'b',
        created_at: '2024-03-21T05:00:00Z',
        first_response_at: '2024-03-21T06:30:00Z',
        channel: 'web',
        status: 'open',
        customer_id: 'c',
      },
      // created on the 21st, responded at 20:45Z = 00:15 local on the 22nd? No: 20:45Z is 00:15 on the 22nd.
      {
        ticket_id: 'c',
        created_at: '2024-03-21T19:45:00Z',
        first_response_at: '2024-03-21T20:45:00Z',
        channel: 'chat',
        status: 'open',
        customer_id: 'c',
      },
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-23');
    // Assess: day 21 = (30 + 90) / 2 = 60; day 22 = 60 (ticket c, counted on its response day); day 23 NULL.
    const d21 = h.row(rows, 'avg_first_response_minutes', '2024-03-21');
    expect(d21?.value).toBe(60);
    expect(d21?.numerator).toBe(120);
    expect(d21?.denominator).toBe(2);
    expect(h.row(rows, 'avg_first_response_minutes', '2024-03-22')?.value).toBe(60);
    const d23 = h.row(rows, 'avg_first_response_minutes', '2024-03-23');
    expect(d23?.value).toBeNull();
    expect(d23?.denominator).toBe(0);
    expect(d23?.sample_size).toBe(0);
  });
});

const call = (
  id: string,
  started: string,
  waitS: number,
  outcome: string,
  extra: Record<string, unknown> = {},
) => {
  const start = Date.parse(started);
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  return outcome === 'answered'
    ? {
        call_id: id,
        direction: 'inbound',
        queue: 'q1',
        started_at: started,
        answered_at: at(waitS),
        ended_at: at(waitS + 60),
        outcome,
        ...extra,
      }
    : {
        call_id: id,
        direction: 'inbound',
        queue: 'q1',
        started_at: started,
        ended_at: at(waitS),
        outcome,
        ...extra,
      };
};

describe('service_level_pct and abandonment_rate_pct', () => {
  it('exclude short abandons from numerator and denominator, and blocked calls from offered', async () => {
    // Prepare (thresholds 20 s / 5 s): answered after 10 s (in SL), 20 s (in SL: ≤), 21 s (late);
    // abandoned after 3 s (short: excluded), after 30 s (counted); one blocked; one outbound.
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('1', d, 10, 'answered'),
      call('2', d, 20, 'answered'),
      call('3', d, 21, 'answered'),
      call('4', d, 3, 'abandoned'),
      call('5', d, 30, 'abandoned'),
      { ...call('6', d, 1, 'blocked'), queue: 'q1' },
      {
        call_id: '7',
        direction: 'outbound',
        started_at: d,
        ended_at: '2024-03-21T08:05:00Z',
        outcome: 'no_answer',
      },
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-22');
    // Assess: offered = 1,2,3,5 = 4 (4 short-abandoned, 6 blocked, 7 outbound). SL = 2/4 = 50 %.
    // Abandonment = 1/4 = 25 %.
    const sl = h.row(rows, 'service_level_pct', '2024-03-21');
    expect(sl).toMatchObject({ value: 50, numerator: 2, denominator: 4, sample_size: 4 });
    expect(h.row(rows, 'abandonment_rate_pct', '2024-03-21')).toMatchObject({
      value: 25,
      numerator: 1,
      denominator: 4,
    });
    expect(h.row(rows, 'service_level_pct', '2024-03-21', 'queue', 'q1')?.value).toBe(50);
    // An empty day: NULL, not 0.
    expect(h.row(rows, 'service_level_pct', '2024-03-22')).toMatchObject({ value: null, denominator: 0 });
    expect(h.row(rows, 'abandonment_rate_pct', '2024-03-22')?.value).toBeNull();
  });

  it('follows the configured thresholds', async () => {
    // Prepare: with serviceLevelSeconds 10 and shortAbandonSeconds 0, the 3 s abandon counts.
    h = await kpiHarness({ ...TEHRAN, thresholds: { serviceLevelSeconds: 10, shortAbandonSeconds: 0 } });
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('1', d, 10, 'answered'),
      call('2', d, 20, 'answered'),
      call('4', d, 3, 'abandoned'),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21');
    // Assess: offered 3; within 10 s: call 1 → 1/3; abandoned 1/3.
    expect(h.row(rows, 'service_level_pct', '2024-03-21')?.value).toBeCloseTo(100 / 3, 10);
    expect(h.row(rows, 'abandonment_rate_pct', '2024-03-21')?.value).toBeCloseTo(100 / 3, 10);
  });
});

describe('csat_pct', () => {
  it('counts the top two points of each response scale', async () => {
    // Prepare: 1-5 scale scores 5, 4, 3; a 1-10 scale score 9 (top two of 10 = 9, 10); an NPS (ignored).
    h = await kpiHarness(TEHRAN);
    const t = '2024-03-21T08:00:00Z';
    await h.load('surveys', [
      { response_id: '1', survey: 'csat', score: 5, responded_at: t },
      { response_id: '2', survey: 'csat', score: 4, responded_at: t },
      { response_id: '3', survey: 'csat', score: 3, responded_at: t },
      { response_id: '4', survey: 'csat', score: 9, scale_min: 1, scale_max: 10, responded_at: t },
      { response_id: '5', survey: 'nps', score: 10, responded_at: t },
    ]);
    // Act
    const rows = await h.run('month', '2024-03-01', '2024-03-31');
    // Assess: 3 of 4 csat responses in their top two points = 75 %.
    expect(h.row(rows, 'csat_pct', '2024-03-01')).toMatchObject({
      value: 75,
      numerator: 3,
      denominator: 4,
      sample_size: 4,
    });
  });
});
