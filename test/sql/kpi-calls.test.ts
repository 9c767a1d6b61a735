/**
 * Every call KPI (kpis.md "Calls") on hand-made contract rows, values worked out by hand in each test.
 * Reporting zone Asia/Tehran (UTC+03:30 all year since 2022) unless said otherwise: local midnight
 * is 20:30 UTC, and a local clock hour runs from hh:30 to hh+1:30 UTC. Europe/Berlin for DST.
 * Thresholds are the defaults: service level 20 s, short abandon < 5 s, repeat window 7 days.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlRow } from '../../functions/core/ports.ts';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };
const BERLIN = { timezone: 'Europe/Berlin' };

const at = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/**
 * An inbound call in queue q1 that waited `wait` s (started → answered, or started → ended when not
 * answered); an answered call then lasts `after` s more. `extra` overrides any column.
 */
const call = (
  id: string,
  started: string,
  wait: number,
  outcome: string,
  extra: Record<string, unknown> = {},
  after = 60,
): Record<string, unknown> => {
  const base = { call_id: id, direction: 'inbound', queue: 'q1', started_at: started, outcome };
  return outcome === 'answered'
    ? { ...base, answered_at: at(started, wait), ended_at: at(started, wait + after), ...extra }
    : { ...base, ended_at: at(started, wait), ...extra };
};

/** The rows of one grain (day and month rows of a run share period_start on the 1st). */
const ofGrain = (rows: SqlRow[], grain: 'day' | 'month'): SqlRow[] => rows.filter((r) => r.grain === grain);

describe('calls_total', () => {
  it('counts calls of both directions and every outcome on the local day, overall and by queue', async () => {
    // Prepare: 20:29:59Z is 23:59:59 on 2024-03-20 in Tehran; 20:30:00Z is 00:00:00 on 2024-03-21.
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T06:00:00Z';
    await h.load('calls', [
      call('t1', '2024-03-20T20:29:59Z', 10, 'answered'),
      call('t2', '2024-03-20T20:30:00Z', 30, 'abandoned'),
      call('t3', d, 2, 'blocked', { queue: 'q2' }),
      call('t4', d, 40, 'callback', { queue: 'q2' }),
      call('t5', d, 50, 'voicemail', { queue: 'q2' }),
      call('t6', d, 15, 'answered', { direction: 'outbound' }),
      call('t7', d, 25, 'no_answer', { direction: 'outbound', queue: undefined }),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-20', '2024-03-22');
    // Assess: day 20 = t1; day 21 = t2..t7 = 6 (q1: t2, t6; q2: t3, t4, t5; no queue: t7); day 22 = 0.
    expect(h.row(rows, 'calls_total', '2024-03-20')).toMatchObject({
      value: 1,
      numerator: null,
      denominator: null,
    });
    expect(h.row(rows, 'calls_total', '2024-03-21')).toMatchObject({ value: 6, sample_size: 6 });
    expect(h.row(rows, 'calls_total', '2024-03-21', 'queue', 'q1')?.value).toBe(2);
    expect(h.row(rows, 'calls_total', '2024-03-21', 'queue', 'q2')?.value).toBe(3);
    expect(h.row(rows, 'calls_total', '2024-03-21', 'queue', '(none)')?.value).toBe(1);
    expect(h.row(rows, 'calls_total', '2024-03-22')).toMatchObject({ value: 0, sample_size: 0 });
    // calls_total has no agent rows.
    expect(rows.some((r) => r.kpi_id === 'calls_total' && r.dimension === 'agent')).toBe(false);
  });
});

describe('queue KPIs: service_level_pct, abandonment_rate_pct, avg_abandon_time_seconds, avg_speed_of_answer_seconds, max_queue_wait_seconds', () => {
  it('count offered inbound calls, leave out blocked and outbound calls and short abandons (< 5 s)', async () => {
    // Prepare (2024-03-21 in Tehran), waits in seconds:
    //   q1: a1 answered 20 (in SL: ≤ 20), a2 answered 21 (late), s1 abandoned 4.999 (short),
    //       s2 abandoned 5 (exactly the threshold: NOT short), b1 blocked after 500 s (not offered),
    //       o1 outbound answered after 30 s (not inbound);
    //   q2: a3 answered 4, a4 answered 0, s3 abandoned 45, cb callback after 40 (offered, neither
    //       answered nor abandoned);
    //   no queue: o2 outbound no_answer after 200 s.
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('a1', d, 20, 'answered'),
      call('a2', d, 21, 'answered'),
      call('s1', d, 4.999, 'abandoned'),
      call('s2', d, 5, 'abandoned'),
      call('b1', d, 500, 'blocked'),
      call('o1', d, 30, 'answered', { direction: 'outbound' }),
      call('a3', d, 4, 'answered', { queue: 'q2' }),
      call('a4', d, 0, 'answered', { queue: 'q2' }),
      call('s3', d, 45, 'abandoned', { queue: 'q2' }),
      call('cb', d, 40, 'callback', { queue: 'q2' }),
      call('o2', d, 200, 'no_answer', { direction: 'outbound', queue: undefined }),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21');
    const day = '2024-03-21';
    // Assess, overall. Offered = inbound, not blocked = a1 a2 s1 s2 a3 a4 s3 cb = 8; without the short
    // abandon s1: 7.
    //   service level = answered with wait ≤ 20 = a1, a3, a4 = 3 / 7
    expect(h.row(rows, 'service_level_pct', day)).toMatchObject({
      numerator: 3,
      denominator: 7,
      sample_size: 7,
    });
    expect(h.row(rows, 'service_level_pct', day)?.value).toBeCloseTo((100 * 3) / 7, 10);
    //   abandonment = s2, s3 = 2 / 7
    expect(h.row(rows, 'abandonment_rate_pct', day)).toMatchObject({ numerator: 2, denominator: 7 });
    expect(h.row(rows, 'abandonment_rate_pct', day)?.value).toBeCloseTo((100 * 2) / 7, 10);
    //   abandon time = (5 + 45) / 2 = 25 (s1 left out)
    expect(h.row(rows, 'avg_abandon_time_seconds', day)).toMatchObject({
      value: 25,
      numerator: 50,
      denominator: 2,
    });
    //   speed of answer = inbound answered a1 a2 a3 a4 = (20 + 21 + 4 + 0) / 4 = 11.25 (o1 is outbound)
    expect(h.row(rows, 'avg_speed_of_answer_seconds', day)).toMatchObject({
      value: 11.25,
      numerator: 45,
      denominator: 4,
    });
    //   max wait over offered = s3's 45 (blocked b1's 500 s and outbound o2's 200 s are not queue waits);
    //   a max carries no numerator / denominator; its sample is the 8 offered calls.
    expect(h.row(rows, 'max_queue_wait_seconds', day)).toMatchObject({
      value: 45,
      numerator: null,
      denominator: null,
      sample_size: 8,
    });
    // Assess, by queue. q1: offered a1 a2 s2 (s1 short) = 3; q2: offered a3 a4 s3 cb = 4.
    expect(h.row(rows, 'service_level_pct', day, 'queue', 'q1')?.value).toBeCloseTo(100 / 3, 10); // a1
    expect(h.row(rows, 'service_level_pct', day, 'queue', 'q2')?.value).toBe(50); // a3, a4 of 4
    expect(h.row(rows, 'abandonment_rate_pct', day, 'queue', 'q1')?.value).toBeCloseTo(100 / 3, 10); // s2
    expect(h.row(rows, 'abandonment_rate_pct', day, 'queue', 'q2')?.value).toBe(25); // s3 of 4
    expect(h.row(rows, 'avg_abandon_time_seconds', day, 'queue', 'q1')?.value).toBe(5);
    expect(h.row(rows, 'avg_abandon_time_seconds', day, 'queue', 'q2')?.value).toBe(45);
    expect(h.row(rows, 'avg_speed_of_answer_seconds', day, 'queue', 'q1')?.value).toBe(20.5); // (20 + 21) / 2
    expect(h.row(rows, 'avg_speed_of_answer_seconds', day, 'queue', 'q2')?.value).toBe(2); // (4 + 0) / 2
    expect(h.row(rows, 'max_queue_wait_seconds', day, 'queue', 'q1')?.value).toBe(21);
    expect(h.row(rows, 'max_queue_wait_seconds', day, 'queue', 'q2')?.value).toBe(45);
    // The no-queue group holds only an outbound call: no queue-KPI row for it, and no agent rows at all.
    expect(h.row(rows, 'service_level_pct', day, 'queue', '(none)')).toBeUndefined();
    expect(h.row(rows, 'max_queue_wait_seconds', day, 'queue', '(none)')).toBeUndefined();
    expect(rows.some((r) => r.kpi_id === 'service_level_pct' && r.dimension === 'agent')).toBe(false);
  });

  it('follows a configured short-abandon threshold: wait < threshold is short, wait = threshold is not', async () => {
    // Prepare: shortAbandonSeconds 10, serviceLevelSeconds 30. Abandoned after 9.5 s (short) and
    // after 10 s (counted); answered after 30 s (in SL: ≤ 30) and 31 s (late).
    h = await kpiHarness({ ...TEHRAN, thresholds: { shortAbandonSeconds: 10, serviceLevelSeconds: 30 } });
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('1', d, 9.5, 'abandoned'),
      call('2', d, 10, 'abandoned'),
      call('3', d, 30, 'answered'),
      call('4', d, 31, 'answered'),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21');
    // Assess: offered without short abandons = 2, 3, 4 → SL 1/3, abandonment 1/3, abandon time 10.
    expect(h.row(rows, 'service_level_pct', '2024-03-21')).toMatchObject({ numerator: 1, denominator: 3 });
    expect(h.row(rows, 'abandonment_rate_pct', '2024-03-21')).toMatchObject({ numerator: 1, denominator: 3 });
    expect(h.row(rows, 'avg_abandon_time_seconds', '2024-03-21')).toMatchObject({
      value: 10,
      denominator: 1,
    });
  });
});

describe('calls_answered_per_hour', () => {
  it('divides by distinct local clock hours with an answered inbound call (half-hour offset), day vs month', async () => {
    // Prepare. Tehran's 12:00–13:00 on 2024-03-21 is 08:30Z–09:30Z.
    //   h1 08:50Z = 12:20 local (UTC hour 08), q1; h2 09:10Z = 12:40 local (UTC hour 09), q1;
    //   h3 started 09:29:50Z = 12:59:50 local, answered 20 s later at 13:00:10 local, q2: counted in
    //      the hour it started (the timestamp that puts a call into a period);
    //   h4 10:40Z = 14:10 local, q2;
    //   not counted: x1 abandoned at 13:15 local (no answer in hour 13), x2 outbound answered at
    //      15:15 local, x3 blocked at 15:30 local;
    //   h5 08:50Z on 2024-03-22 = 12:20 local on the 22nd.
    h = await kpiHarness(TEHRAN);
    await h.load('calls', [
      call('h1', '2024-03-21T08:50:00Z', 5, 'answered'),
      call('h2', '2024-03-21T09:10:00Z', 5, 'answered'),
      call('h3', '2024-03-21T09:29:50Z', 20, 'answered', { queue: 'q2' }),
      call('h4', '2024-03-21T10:40:00Z', 5, 'answered', { queue: 'q2' }),
      call('x1', '2024-03-21T09:45:00Z', 30, 'abandoned'),
      call('x2', '2024-03-21T11:45:00Z', 5, 'answered', { direction: 'outbound' }),
      call('x3', '2024-03-21T12:00:00Z', 1, 'blocked'),
      call('h5', '2024-03-22T08:50:00Z', 5, 'answered'),
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess: day 21 = 4 answered (h1..h4) ÷ local hours {12, 14} = 2 (UTC hours {08, 09, 10} would
    // give 4/3); q1 = 2 ÷ {12} = 2; q2 = 2 ÷ {12, 14} = 1. Day 22 = 1 ÷ 1. Day 23: no answers → NULL.
    expect(h.row(days, 'calls_answered_per_hour', '2024-03-21')).toMatchObject({
      value: 2,
      numerator: 4,
      denominator: 2,
      sample_size: 4,
    });
    expect(h.row(days, 'calls_answered_per_hour', '2024-03-21', 'queue', 'q1')?.value).toBe(2);
    expect(h.row(days, 'calls_answered_per_hour', '2024-03-21', 'queue', 'q2')?.value).toBe(1);
    expect(h.row(days, 'calls_answered_per_hour', '2024-03-22')?.value).toBe(1);
    expect(h.row(days, 'calls_answered_per_hour', '2024-03-23')).toMatchObject({
      value: null,
      denominator: 0,
    });
    // Month: 5 calls ÷ 3 distinct clock hours (21st 12:00, 21st 14:00, 22nd 12:00 — an hour is a
    // date and hour, not an hour of the day) = 1.667; the mean of the daily values would be 1.5.
    expect(h.row(months, 'calls_answered_per_hour', '2024-03-01')).toMatchObject({
      numerator: 5,
      denominator: 3,
    });
    expect(h.row(months, 'calls_answered_per_hour', '2024-03-01')?.value).toBeCloseTo(5 / 3, 10);
  });

  it('keeps the two 02:00 hours of a DST fall-back night (Europe/Berlin) apart', async () => {
    // Prepare: on 2024-10-27 Berlin goes from 03:00 CEST back to 02:00 CET at 01:00Z. 00:30Z and
    // 00:40Z are 02:30 and 02:40 CEST (first 02:00 hour); 01:30Z is 02:30 CET (second 02:00 hour).
    h = await kpiHarness(BERLIN);
    await h.load('calls', [
      call('1', '2024-10-27T00:30:00Z', 5, 'answered'),
      call('2', '2024-10-27T00:40:00Z', 5, 'answered'),
      call('3', '2024-10-27T01:30:00Z', 5, 'answered'),
    ]);
    // Act
    const rows = await h.run('day', '2024-10-27');
    // Assess: 3 answered ÷ 2 hours that each had an answer = 1.5 (not 3 ÷ 1).
    expect(h.row(rows, 'calls_answered_per_hour', '2024-10-27')).toMatchObject({
      value: 1.5,
      numerator: 3,
      denominator: 2,
    });
  });
});

describe('talk and handle KPIs: avg_talk_time_minutes, max_call_minutes, avg_handle_time_seconds, transfer_rate_pct', () => {
  it('take answered calls of both directions, AHT also by agent, month from the month’s calls', async () => {
    // Prepare (Tehran; talk defaults to ended − answered − hold, hold and acw to 0):
    //   A 21st inbound,  q1, ag1: answered, 300 s to the end, hold 60, acw 30 → talk 240, handle 330
    //   B 21st outbound, q2, ag1: talk 360 given, acw 90                     → talk 360, handle 450
    //   C 21st inbound,  q1, ag2: 120 s to the end, transferred              → talk 120, handle 120
    //   D 21st inbound,  q1: abandoned, flagged transferred                  → not answered: ignored
    //   E 22nd inbound,  q1, ag2: talk 60 given                              → talk 60,  handle 60
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('A', d, 10, 'answered', { agent_id: 'ag1', hold_seconds: 60, acw_seconds: 30 }, 300),
      call(
        'B',
        d,
        5,
        'answered',
        { direction: 'outbound', queue: 'q2', agent_id: 'ag1', talk_seconds: 360, acw_seconds: 90 },
        400,
      ),
      call('C', d, 3, 'answered', { agent_id: 'ag2', transferred: true }, 120),
      call('D', d, 30, 'abandoned', { transferred: true }),
      call('E', '2024-03-22T08:00:00Z', 3, 'answered', { agent_id: 'ag2', talk_seconds: 60 }, 60),
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess, day 21 overall (A, B, C):
    //   talk = (240 + 360 + 120) / 3 = 240 s = 4 min; numerator in minutes 12, denominator 3
    expect(h.row(days, 'avg_talk_time_minutes', '2024-03-21')).toMatchObject({
      value: 4,
      numerator: 12,
      denominator: 3,
    });
    //   longest talk = B's 360 s = 6 min
    expect(h.row(days, 'max_call_minutes', '2024-03-21')).toMatchObject({
      value: 6,
      numerator: null,
      sample_size: 3,
    });
    //   AHT = (330 + 450 + 120) / 3 = 300
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-21')).toMatchObject({
      value: 300,
      numerator: 900,
      denominator: 3,
    });
    //   transfers = C of A, B, C = 1/3 (D is not answered)
    expect(h.row(days, 'transfer_rate_pct', '2024-03-21')).toMatchObject({ numerator: 1, denominator: 3 });
    expect(h.row(days, 'transfer_rate_pct', '2024-03-21')?.value).toBeCloseTo(100 / 3, 10);
    // By queue: q1 = A, C; q2 = B.
    expect(h.row(days, 'avg_talk_time_minutes', '2024-03-21', 'queue', 'q1')?.value).toBe(3); // (240 + 120) / 2 s
    expect(h.row(days, 'max_call_minutes', '2024-03-21', 'queue', 'q1')?.value).toBe(4); // 240 s
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-21', 'queue', 'q1')?.value).toBe(225); // (330 + 120) / 2
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-21', 'queue', 'q2')?.value).toBe(450);
    expect(h.row(days, 'transfer_rate_pct', '2024-03-21', 'queue', 'q1')?.value).toBe(50); // C of A, C
    expect(h.row(days, 'transfer_rate_pct', '2024-03-21', 'queue', 'q2')).toMatchObject({
      value: 0,
      denominator: 1,
    });
    // By agent, AHT only: ag1 = (330 + 450) / 2 = 390; ag2 = 120.
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-21', 'agent', 'ag1')).toMatchObject({
      value: 390,
      numerator: 780,
      denominator: 2,
    });
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-21', 'agent', 'ag2')?.value).toBe(120);
    for (const kpi of ['avg_talk_time_minutes', 'max_call_minutes', 'transfer_rate_pct']) {
      expect(days.some((r) => r.kpi_id === kpi && r.dimension === 'agent')).toBe(false);
    }
    // Day 22 = E alone; day 23 has no answered calls: NULL (a max has no denominator).
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-22')?.value).toBe(60);
    expect(h.row(days, 'avg_talk_time_minutes', '2024-03-23')).toMatchObject({ value: null, denominator: 0 });
    expect(h.row(days, 'max_call_minutes', '2024-03-23')).toMatchObject({ value: null, sample_size: 0 });
    expect(h.row(days, 'avg_handle_time_seconds', '2024-03-23')).toMatchObject({
      value: null,
      denominator: 0,
    });
    expect(h.row(days, 'transfer_rate_pct', '2024-03-23')).toMatchObject({ value: null, denominator: 0 });
    // Month from the month's four answered calls, not from the daily values:
    //   AHT = (900 + 60) / 4 = 240 (mean of the daily values: (300 + 60) / 2 = 180)
    //   talk = (720 + 60) / 4 = 195 s = 3.25 min; max 6 min; transfers 1/4; ag2 AHT = (120 + 60) / 2 = 90
    expect(h.row(months, 'avg_handle_time_seconds', '2024-03-01')).toMatchObject({
      value: 240,
      denominator: 4,
    });
    expect(h.row(months, 'avg_talk_time_minutes', '2024-03-01')?.value).toBe(3.25);
    expect(h.row(months, 'max_call_minutes', '2024-03-01')?.value).toBe(6);
    expect(h.row(months, 'transfer_rate_pct', '2024-03-01')?.value).toBe(25);
    expect(h.row(months, 'avg_handle_time_seconds', '2024-03-01', 'agent', 'ag2')?.value).toBe(90);
  });
});

describe('calls_per_agent and avg_speed_of_answer_seconds by day and by month', () => {
  it('divides by agent × local-day pairs; the month is not the mean of its days', async () => {
    // Prepare (Tehran). 20:20Z on the 5th is 23:50 local on the 5th; 20:40Z is 00:10 local on the 6th.
    //   p1 ag1 inbound answered 23:50 local on the 5th, wait 10, q1
    //   p2 ag1 inbound answered 00:10 local on the 6th, wait 30, q1
    //   p3..p5 ag1 inbound answered on the 6th, wait 30, q1
    //   p6 ag2 inbound answered on the 6th, wait 30, q2; p7 ag2 outbound answered on the 6th, q2
    //   p8 inbound answered on the 6th without an agent, wait 30, q1 (not in calls_per_agent)
    //   p9 ag3 inbound abandoned on the 6th (no answered call: no agent × day pair)
    h = await kpiHarness(TEHRAN);
    const d6 = '2024-03-06T06:00:00Z';
    await h.load('calls', [
      call('p1', '2024-03-05T20:20:00Z', 10, 'answered', { agent_id: 'ag1' }),
      call('p2', '2024-03-05T20:40:00Z', 30, 'answered', { agent_id: 'ag1' }),
      call('p3', d6, 30, 'answered', { agent_id: 'ag1' }),
      call('p4', d6, 30, 'answered', { agent_id: 'ag1' }),
      call('p5', d6, 30, 'answered', { agent_id: 'ag1' }),
      call('p6', d6, 30, 'answered', { agent_id: 'ag2', queue: 'q2' }),
      call('p7', d6, 30, 'answered', { agent_id: 'ag2', queue: 'q2', direction: 'outbound' }),
      call('p8', d6, 30, 'answered'),
      call('p9', d6, 30, 'abandoned', { agent_id: 'ag3' }),
    ]);
    // Act
    const days = await h.run('day', '2024-03-05', '2024-03-06');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess, calls_per_agent:
    //   day 5 = 1 call (p1) ÷ 1 pair (ag1) = 1
    //   day 6 = 6 calls (p2..p5 by ag1, p6 + outbound p7 by ag2) ÷ 2 pairs = 3; ag1 4, ag2 2;
    //          q1 = 4 ÷ {ag1} = 4, q2 = 2 ÷ {ag2} = 2
    //   month = 7 ÷ 3 pairs (ag1|5th, ag1|6th, ag2|6th) = 2.333 (mean of the days: 2);
    //          ag1 = 5 ÷ 2 days = 2.5; ag2 = 2 ÷ 1 = 2; ag3 none
    expect(h.row(days, 'calls_per_agent', '2024-03-05')).toMatchObject({
      value: 1,
      numerator: 1,
      denominator: 1,
    });
    expect(h.row(days, 'calls_per_agent', '2024-03-06')).toMatchObject({
      value: 3,
      numerator: 6,
      denominator: 2,
    });
    expect(h.row(days, 'calls_per_agent', '2024-03-06', 'agent', 'ag1')?.value).toBe(4);
    expect(h.row(days, 'calls_per_agent', '2024-03-06', 'agent', 'ag2')?.value).toBe(2);
    expect(h.row(days, 'calls_per_agent', '2024-03-06', 'queue', 'q1')?.value).toBe(4);
    expect(h.row(days, 'calls_per_agent', '2024-03-06', 'queue', 'q2')?.value).toBe(2);
    expect(h.row(days, 'calls_per_agent', '2024-03-06', 'agent', 'ag3')).toBeUndefined();
    expect(h.row(months, 'calls_per_agent', '2024-03-01')).toMatchObject({ numerator: 7, denominator: 3 });
    expect(h.row(months, 'calls_per_agent', '2024-03-01')?.value).toBeCloseTo(7 / 3, 10);
    expect(h.row(months, 'calls_per_agent', '2024-03-01', 'agent', 'ag1')).toMatchObject({
      value: 2.5,
      denominator: 2,
    });
    expect(h.row(months, 'calls_per_agent', '2024-03-01', 'agent', 'ag2')?.value).toBe(2);
    // Assess, speed of answer (inbound answered): day 5 = 10; day 6 = p2..p6, p8 = 6 × 30 / 6 = 30;
    // month = (10 + 180) / 7 = 27.14 (mean of the days: 20). No agent rows for it.
    expect(h.row(days, 'avg_speed_of_answer_seconds', '2024-03-05')?.value).toBe(10);
    expect(h.row(days, 'avg_speed_of_answer_seconds', '2024-03-06')).toMatchObject({
      value: 30,
      denominator: 6,
    });
    expect(h.row(months, 'avg_speed_of_answer_seconds', '2024-03-01')).toMatchObject({
      numerator: 190,
      denominator: 7,
    });
    expect(h.row(months, 'avg_speed_of_answer_seconds', '2024-03-01')?.value).toBeCloseTo(190 / 7, 10);
    expect(days.some((r) => r.kpi_id === 'avg_speed_of_answer_seconds' && r.dimension === 'agent')).toBe(
      false,
    );
  });
});

describe('call_fcr_pct', () => {
  it('counts answered inbound calls with a customer that see no other inbound call of that customer within 7 days', async () => {
    // Prepare (Tehran; all answered inbound in q1 unless said; the run covers 2024-03-21 only):
    //   f1  A 21st 08:00Z; A calls again (abandoned) on the 25th, outside the run → repeat: not resolved
    //   f2  B 21st 08:00Z; B calls again 7 days + 1 s later                     → resolved
    //   f3  C 21st 08:00Z, q2; the centre calls C (outbound) on the 22nd          → resolved
    //   f4  D 21st 08:00Z, q2; another customer E calls on the 22nd               → resolved
    //   f5  G 21st 09:00Z; G calls again exactly 7 days later (within the window) → not resolved
    //   f6  H 21st 10:00Z, transferred; its transfer leg f6b (inbound, initial_call_id f6, H, q2)
    //       is the same call continued, not a repeat, and no FCR call of its own → resolved
    //   f7  21st, no customer_id                                                  → not counted
    //   f8  I 21st 11:00Z abandoned (not answered: not counted); I calls again at 11:30Z (f9) → f9 resolved
    //   f10 J 21st 12:00Z, f11 J 21st 15:00Z: f10 repeated → not resolved; f11   → resolved
    //   k1  outbound answered call to K on the 21st                               → not counted
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('f1', d, 10, 'answered', { customer_id: 'A' }),
      call('f1r', '2024-03-25T08:00:00Z', 10, 'abandoned', { customer_id: 'A' }),
      call('f2', d, 10, 'answered', { customer_id: 'B' }),
      call('f2r', '2024-03-28T08:00:01Z', 10, 'answered', { customer_id: 'B' }),
      call('f3', d, 10, 'answered', { customer_id: 'C', queue: 'q2' }),
      call('f3o', '2024-03-22T08:00:00Z', 10, 'answered', { customer_id: 'C', direction: 'outbound' }),
      call('f4', d, 10, 'answered', { customer_id: 'D', queue: 'q2' }),
      call('e1', '2024-03-22T08:00:00Z', 10, 'answered', { customer_id: 'E' }),
      call('f5', '2024-03-21T09:00:00Z', 10, 'answered', { customer_id: 'G' }),
      call('f5r', '2024-03-28T09:00:00Z', 10, 'answered', { customer_id: 'G' }),
      call('f6', '2024-03-21T10:00:00Z', 10, 'answered', { customer_id: 'H', transferred: true }),
      call('f6b', '2024-03-21T10:01:10Z', 10, 'answered', {
        customer_id: 'H',
        queue: 'q2',
        initial_call_id: 'f6',
      }),
      call('f7', d, 10, 'answered'),
      call('f8', '2024-03-21T11:00:00Z', 10, 'abandoned', { customer_id: 'I' }),
      call('f9', '2024-03-21T11:30:00Z', 10, 'answered', { customer_id: 'I' }),
      call('f10', '2024-03-21T12:00:00Z', 10, 'answered', { customer_id: 'J' }),
      call('f11', '2024-03-21T15:00:00Z', 10, 'answered', { customer_id: 'J' }),
      call('k1', d, 10, 'answered', { customer_id: 'K', direction: 'outbound' }),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-21');
    // Assess: counted on the 21st: f1 f2 f3 f4 f5 f6 f9 f10 f11 = 9; resolved f2 f3 f4 f6 f9 f11 = 6.
    expect(h.row(rows, 'call_fcr_pct', '2024-03-21')).toMatchObject({
      numerator: 6,
      denominator: 9,
      sample_size: 9,
    });
    expect(h.row(rows, 'call_fcr_pct', '2024-03-21')?.value).toBeCloseTo((100 * 6) / 9, 10);
    // q1: f1 f2 f5 f6 f9 f10 f11 = 7, resolved f2 f6 f9 f11 = 4; q2: f3 f4 = 2 of 2 (f6b is no FCR call).
    expect(h.row(rows, 'call_fcr_pct', '2024-03-21', 'queue', 'q1')).toMatchObject({
      numerator: 4,
      denominator: 7,
    });
    expect(h.row(rows, 'call_fcr_pct', '2024-03-21', 'queue', 'q2')).toMatchObject({
      value: 100,
      denominator: 2,
    });
    expect(rows.some((r) => r.kpi_id === 'call_fcr_pct' && r.dimension === 'agent')).toBe(false);
  });

  it('leaves out calls whose repeat window has not closed at the as-of time', async () => {
    // Prepare (Tehran): three answered inbound calls on 2024-03-21, windows closing 7 days later:
    //   a1 customer A at 06:00Z, no other call            → window closes 03-28 06:00Z, resolved
    //   b1 customer B at 12:00Z, B calls again on the 22nd → window closes 03-28 12:00Z, not resolved
    //   c1 customer C at 18:00Z (21:30 local, the 21st)    → window closes 03-28 18:00Z, resolved
    h = await kpiHarness(TEHRAN);
    await h.load('calls', [
      call('a1', '2024-03-21T06:00:00Z', 10, 'answered', { customer_id: 'A' }),
      call('b1', '2024-03-21T12:00:00Z', 10, 'answered', { customer_id: 'B' }),
      call('b2', '2024-03-22T06:00:00Z', 10, 'answered', { customer_id: 'B' }),
      call('c1', '2024-03-21T18:00:00Z', 10, 'answered', { customer_id: 'C' }),
    ]);
    // Act
    const early = await h.run('day', '2024-03-21', '2024-03-21', '2024-03-22T12:00:00Z');
    const earlyRow = h.row(early, 'call_fcr_pct', '2024-03-21');
    const mid = await h.run('day', '2024-03-21', '2024-03-21', '2024-03-28T12:00:00Z');
    const midRow = h.row(mid, 'call_fcr_pct', '2024-03-21');
    const late = await h.run('day', '2024-03-21', '2024-03-21', '2024-04-01T00:00:00Z');
    const lateRow = h.row(late, 'call_fcr_pct', '2024-03-21');
    // Assess: as of 03-22 12:00Z no window has closed → NULL over 0 calls, although b1's repeat is
    // already known (counting known repeats alone would bias the rate down).
    expect(earlyRow).toMatchObject({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
    // As of 03-28 12:00Z: a1 closed, b1 closes exactly then (counted), c1 still open → 1 of 2 = 50.
    expect(midRow).toMatchObject({ value: 50, numerator: 1, denominator: 2 });
    // As of 04-01: all three decided → a1, c1 of 3.
    expect(lateRow).toMatchObject({ numerator: 2, denominator: 3 });
    expect(lateRow?.value).toBeCloseTo((100 * 2) / 3, 10);
  });
});

describe('cost_per_inbound_call', () => {
  it('divides actual costs booked in the period by inbound calls of every outcome; NULL without inbound calls', async () => {
    // Prepare (Tehran):
    //   21st: inbound answered, abandoned, blocked, voicemail (4 inbound); outbound answered, no_answer
    //   22nd: one outbound call at 20:40Z on the 21st = 00:10 local on the 22nd; no inbound call
    //   23rd: two inbound answered calls; no costs
    //   costs: k1 21st actual 200, re-delivered as 300 (the latest load wins); k2 21st actual 100;
    //          k3 21st budget 1000 (ignored); k4 22nd actual 50; k5 22nd budget 80 (ignored)
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-21T08:00:00Z';
    await h.load('calls', [
      call('1', d, 10, 'answered'),
      call('2', d, 30, 'abandoned'),
      call('3', d, 1, 'blocked'),
      call('4', d, 40, 'voicemail', { queue: 'q2' }),
      call('5', d, 10, 'answered', { direction: 'outbound' }),
      call('6', d, 20, 'no_answer', { direction: 'outbound' }),
      call('7', '2024-03-21T20:40:00Z', 10, 'answered', { direction: 'outbound' }),
      call('8', '2024-03-23T08:00:00Z', 10, 'answered'),
      call('9', '2024-03-23T09:00:00Z', 10, 'answered'),
    ]);
    await h.load('costs', [
      { cost_id: 'k1', date: '2024-03-21', kind: 'actual', category: 'staff', amount: 200 },
      { cost_id: 'k2', date: '2024-03-21', kind: 'actual', category: 'telephony', amount: 100 },
      { cost_id: 'k3', date: '2024-03-21', kind: 'budget', amount: 1000 },
      { cost_id: 'k4', date: '2024-03-22', kind: 'actual', category: 'software', amount: 50 },
      { cost_id: 'k5', date: '2024-03-22', kind: 'budget', amount: 80 },
    ]);
    await h.load('costs', [
      { cost_id: 'k1', date: '2024-03-21', kind: 'actual', category: 'staff', amount: 300 },
    ]);
    // Act
    const days = await h.run('day', '2024-03-21', '2024-03-23');
    const months = ofGrain(await h.run('month', '2024-03-01'), 'month');
    // Assess: 21st = (300 + 100) / 4 = 100.
    expect(h.row(days, 'cost_per_inbound_call', '2024-03-21')).toMatchObject({
      value: 100,
      numerator: 400,
      denominator: 4,
      sample_size: 4,
    });
    // 22nd: 50 booked, no inbound call → NULL over 0 (the cost stays in the numerator for re-aggregation).
    expect(h.row(days, 'cost_per_inbound_call', '2024-03-22')).toMatchObject({
      value: null,
      numerator: 50,
      denominator: 0,
    });
    // 23rd: no actual cost booked → 0 ÷ 2 = 0.
    expect(h.row(days, 'cost_per_inbound_call', '2024-03-23')).toMatchObject({
      value: 0,
      numerator: 0,
      denominator: 2,
    });
    // Overall only: no queue or agent rows.
    expect(days.some((r) => r.kpi_id === 'cost_per_inbound_call' && r.dimension !== 'all')).toBe(false);
    // March = (400 + 50) / (4 + 0 + 2) = 75 (the mean of the defined daily values would be 50).
    expect(h.row(months, 'cost_per_inbound_call', '2024-03-01')).toMatchObject({
      value: 75,
      numerator: 450,
      denominator: 6,
    });
  });
});

describe('empty denominators', () => {
  it('give NULL over a denominator of 0 for every call ratio and mean, and NULL for the maxima', async () => {
    // Prepare (Tehran): the 22nd has only a short abandon (2 s), a blocked call and an outbound
    // answered call; the 23rd has no calls at all.
    h = await kpiHarness(TEHRAN);
    const d = '2024-03-22T08:00:00Z';
    await h.load('calls', [
      call('s', d, 2, 'abandoned', { customer_id: 'A' }),
      call('b', d, 1, 'blocked', { customer_id: 'A' }),
      call('o', d, 10, 'answered', { direction: 'outbound', agent_id: 'ag1', customer_id: 'A' }),
    ]);
    // Act
    const rows = await h.run('day', '2024-03-22', '2024-03-23');
    // Assess, the 23rd: a count of 0, maxima NULL, every ratio / mean NULL over 0 (numerator 0).
    expect(h.row(rows, 'calls_total', '2024-03-23')).toMatchObject({ value: 0, sample_size: 0 });
    for (const kpi of ['max_queue_wait_seconds', 'max_call_minutes']) {
      expect(h.row(rows, kpi, '2024-03-23'), kpi).toMatchObject({
        value: null,
        numerator: null,
        denominator: null,
        sample_size: 0,
      });
    }
    const ratios = [
      'calls_answered_per_hour',
      'service_level_pct',
      'avg_speed_of_answer_seconds',
      'abandonment_rate_pct',
      'avg_abandon_time_seconds',
      'avg_talk_time_minutes',
      'avg_handle_time_seconds',
      'transfer_rate_pct',
      'calls_per_agent',
      'call_fcr_pct',
      'cost_per_inbound_call',
    ];
    for (const kpi of ratios) {
      expect(h.row(rows, kpi, '2024-03-23'), kpi).toMatchObject({
        value: null,
        numerator: 0,
        denominator: 0,
        sample_size: 0,
      });
    }
    // Assess, the 22nd: nothing offered once the short abandon is left out, no inbound answer, no
    // FCR call (the answered one is outbound) → NULL; the outbound answered call still has a talk
    // time, a handle time and an agent; the max wait over offered calls is the short abandon's 2 s.
    for (const kpi of [
      'calls_answered_per_hour',
      'service_level_pct',
      'avg_speed_of_answer_seconds',
      'abandonment_rate_pct',
      'avg_abandon_time_seconds',
      'call_fcr_pct',
    ]) {
      expect(h.row(rows, kpi, '2024-03-22'), kpi).toMatchObject({ value: null, denominator: 0 });
    }
    expect(h.row(rows, 'calls_total', '2024-03-22')?.value).toBe(3);
    expect(h.row(rows, 'max_queue_wait_seconds', '2024-03-22')?.value).toBe(2);
    expect(h.row(rows, 'avg_talk_time_minutes', '2024-03-22')?.value).toBe(1); // 60 s
    expect(h.row(rows, 'calls_per_agent', '2024-03-22')?.value).toBe(1);
    expect(h.row(rows, 'cost_per_inbound_call', '2024-03-22')).toMatchObject({ value: 0, denominator: 2 }); // s, b
    // A queue row only where the KPI has records: q1 has no offered call left for service level.
    expect(h.row(rows, 'service_level_pct', '2024-03-22', 'queue', 'q1')).toBeUndefined();
    expect(h.row(rows, 'calls_total', '2024-03-22', 'queue', 'q1')?.value).toBe(3);
  });
});

describe('local days across DST (Europe/Berlin)', () => {
  it('puts calls on the Berlin calendar day and month on either side of the spring-forward change', async () => {
    // Prepare: Berlin is UTC+1 until 2024-03-31 01:00Z, then UTC+2.
    //   e4 2024-03-30T22:59:59Z = 23:59:59 CET on the 30th, wait 60
    //   e1 2024-03-30T23:30:00Z = 00:30 CET on the 31st, wait 10
    //   e2 2024-03-31T21:59:59Z = 23:59:59 CEST on the 31st, wait 20
    //   e3 2024-03-31T22:30:00Z = 00:30 CEST on April 1st (a fixed +01:00 would say 23:30 on the 31st), wait 40
    h = await kpiHarness(BERLIN);
    await h.load('calls', [
      call('e4', '2024-03-30T22:59:59Z', 60, 'answered'),
      call('e1', '2024-03-30T23:30:00Z', 10, 'answered'),
      call('e2', '2024-03-31T21:59:59Z', 20, 'answered'),
      call('e3', '2024-03-31T22:30:00Z', 40, 'answered'),
    ]);
    // Act
    const days = ofGrain(await h.run('day', '2024-03-30', '2024-04-01'), 'day');
    const months = ofGrain(await h.run('month', '2024-03-01', '2024-04-30'), 'month');
    // Assess: 30th = e4; 31st = e1, e2 (ASA (10 + 20) / 2 = 15); April 1st = e3.
    expect(h.row(days, 'calls_total', '2024-03-30')?.value).toBe(1);
    expect(h.row(days, 'calls_total', '2024-03-31')?.value).toBe(2);
    expect(h.row(days, 'avg_speed_of_answer_seconds', '2024-03-31')?.value).toBe(15);
    expect(h.row(days, 'calls_total', '2024-04-01')?.value).toBe(1);
    expect(h.row(days, 'avg_speed_of_answer_seconds', '2024-04-01')?.value).toBe(40);
    // March = e4, e1, e2: ASA (60 + 10 + 20) / 3 = 30; April = e3.
    expect(h.row(months, 'calls_total', '2024-03-01')?.value).toBe(3);
    expect(h.row(months, 'avg_speed_of_answer_seconds', '2024-03-01')?.value).toBe(30);
    expect(h.row(months, 'calls_total', '2024-04-01')?.value).toBe(1);
    expect(h.row(months, 'avg_speed_of_answer_seconds', '2024-04-01')?.value).toBe(40);
  });
});
