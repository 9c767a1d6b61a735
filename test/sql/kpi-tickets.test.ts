/**
 * Every ticket KPI (queries/kpi/tickets.sql, spec: kpis.md "Tickets") on hand-made rows, with the
 * expected values worked out by hand in the comments.
 *
 * Reporting zone Asia/Tehran (UTC+03:30 all year since 2022) unless said otherwise, so local
 * midnight is 20:30 UTC of the day before; one scenario runs in Europe/Berlin across the spring
 * DST change (2024-03-31 01:00 UTC: 02:00 CET → 03:00 CEST, a 23-hour local day).
 * A period's end is the next local midnight; "as of period end" is the state just before it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Grain } from '../../functions/core/catalog.ts';
import type { SqlRow } from '../../functions/core/ports.ts';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness;
afterEach(async () => {
  await h?.close();
});

const TEHRAN = { timezone: 'Asia/Tehran' };
const BERLIN = { timezone: 'Europe/Berlin' };

/** A contract ticket row: an open e-mail request unless `extra` says otherwise. */
const ticket = (id: string, created_at: string, extra: Record<string, unknown> = {}) => ({
  ticket_id: id,
  created_at,
  channel: 'email',
  status: 'open',
  customer_id: 'c1',
  ...extra,
});

/** The result row of one KPI, grain, period and dimension (the harness's row() ignores the grain). */
const pick = (rows: SqlRow[], grain: Grain, kpi: string, period: string, dim = 'all', value = 'all') =>
  h.row(
    rows.filter((r) => r.grain === grain),
    kpi,
    period,
    dim,
    value,
  );

/** The shape of an empty-denominator row: NULL value, denominator 0, sample size 0. */
const EMPTY = { value: null, denominator: 0, sample_size: 0 };

describe('created_at KPIs: tickets_created, complaints_received, complaints_via_phone_pct, escalation_rate_pct', () => {
  it('count on the local created day, by channel and team, with monthly values from the month’s records', async () => {
    // Prepare: a is 23:59:59 on 2024-03-20 in Tehran, b is 00:00:00 on 2024-03-21.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      ticket('a', '2024-03-20T20:29:59Z', {
        type: 'complaint',
        channel: 'phone',
        team: 'north',
        escalated: true,
      }),
      ticket('b', '2024-03-20T20:30:00Z', {
        type: 'complaint',
        channel: 'phone',
        team: 'north',
        escalated: false,
      }),
      ticket('c', '2024-03-21T08:00:00Z', {
        type: 'complaint',
        channel: 'email',
        team: 'south',
        escalated: 'yes',
      }),
      ticket('d', '2024-03-21T09:00:00Z', { channel: 'chat' }),
      ticket('e', '2024-03-21T10:00:00Z', {
        type: 'question',
        channel: 'phone',
        team: 'south',
        escalated: 1,
      }),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-20', '2024-03-22');
    const monthRows = await h.run('month', '2024-03-01', '2024-03-31');

    // Assess — day 20: a only. 1 created, 1 complaint (phone) → 100 %, 1 of 1 escalated → 100 %.
    expect(pick(rows, 'day', 'tickets_created', '2024-03-20')).toMatchObject({ value: 1, numerator: null });
    expect(pick(rows, 'day', 'complaints_received', '2024-03-20')?.value).toBe(1);
    expect(pick(rows, 'day', 'complaints_via_phone_pct', '2024-03-20')?.value).toBe(100);
    expect(pick(rows, 'day', 'escalation_rate_pct', '2024-03-20')?.value).toBe(100);

    // Day 21: b, c, d, e = 4 created; complaints b, c = 2, by phone b → 1/2 = 50 %;
    // escalated c, e → 2/4 = 50 %.
    const d21 = '2024-03-21';
    expect(pick(rows, 'day', 'tickets_created', d21)).toMatchObject({ value: 4, sample_size: 4 });
    expect(pick(rows, 'day', 'complaints_received', d21)).toMatchObject({ value: 2, sample_size: 2 });
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21)).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
      sample_size: 2,
    });
    expect(pick(rows, 'day', 'escalation_rate_pct', d21)).toMatchObject({
      value: 50,
      numerator: 2,
      denominator: 4,
    });

    // By channel on day 21: phone = b, e (complaint b by phone → 100 %; escalated e → 1/2);
    // email = c (complaint, not by phone → 0 %; escalated → 100 %); chat = d (no complaint: no
    // complaint rows for chat; not escalated → 0 %).
    expect(pick(rows, 'day', 'tickets_created', d21, 'channel', 'phone')?.value).toBe(2);
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21, 'channel', 'phone')?.value).toBe(100);
    expect(pick(rows, 'day', 'escalation_rate_pct', d21, 'channel', 'phone')?.value).toBe(50);
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21, 'channel', 'email')?.value).toBe(0);
    expect(pick(rows, 'day', 'escalation_rate_pct', d21, 'channel', 'email')?.value).toBe(100);
    expect(pick(rows, 'day', 'tickets_created', d21, 'channel', 'chat')?.value).toBe(1);
    expect(pick(rows, 'day', 'escalation_rate_pct', d21, 'channel', 'chat')?.value).toBe(0);
    expect(pick(rows, 'day', 'complaints_received', d21, 'channel', 'chat')).toBeUndefined();
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21, 'channel', 'chat')).toBeUndefined();

    // By team on day 21: north = b (phone complaint → 100 %, not escalated → 0 %); south = c, e
    // (complaint c by e-mail → 0 %; both escalated → 100 %); d has no team → '(none)'.
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21, 'team', 'north')?.value).toBe(100);
    expect(pick(rows, 'day', 'escalation_rate_pct', d21, 'team', 'north')?.value).toBe(0);
    expect(pick(rows, 'day', 'tickets_created', d21, 'team', 'south')?.value).toBe(2);
    expect(pick(rows, 'day', 'complaints_via_phone_pct', d21, 'team', 'south')?.value).toBe(0);
    expect(pick(rows, 'day', 'escalation_rate_pct', d21, 'team', 'south')?.value).toBe(100);
    expect(pick(rows, 'day', 'tickets_created', d21, 'team', '(none)')?.value).toBe(1);

    // Day 22: nothing created → counts 0, the ratios NULL with denominator 0 and sample size 0.
    expect(pick(rows, 'day', 'tickets_created', '2024-03-22')).toMatchObject({ value: 0, sample_size: 0 });
    expect(pick(rows, 'day', 'complaints_received', '2024-03-22')?.value).toBe(0);
    expect(pick(rows, 'day', 'complaints_via_phone_pct', '2024-03-22')).toMatchObject(EMPTY);
    expect(pick(rows, 'day', 'escalation_rate_pct', '2024-03-22')).toMatchObject(EMPTY);

    // March: 5 created, complaints a, b, c = 3 of which a, b by phone → 2/3 = 66.67 % (the mean of
    // the daily values would be (100 + 50) / 2 = 75); escalated a, c, e → 3/5 = 60 % (not 75).
    const m = '2024-03-01';
    expect(pick(monthRows, 'month', 'tickets_created', m)?.value).toBe(5);
    expect(pick(monthRows, 'month', 'complaints_received', m)?.value).toBe(3);
    const phonePct = pick(monthRows, 'month', 'complaints_via_phone_pct', m);
    expect(phonePct).toMatchObject({ numerator: 2, denominator: 3, sample_size: 3 });
    expect(phonePct?.value).toBeCloseTo(200 / 3, 10);
    expect(pick(monthRows, 'month', 'escalation_rate_pct', m)).toMatchObject({
      value: 60,
      numerator: 3,
      denominator: 5,
    });
  });
});

describe('repeat_incident_pct', () => {
  it('groups incidents by key (no key = own incident) and judges repeats as of period end', async () => {
    // Prepare (Tehran local times in brackets):
    // K1: i1 phone 03-21 11:30, i2 e-mail 03-21 23:30 (same day: repeated), i7 03-22 (third ticket);
    // K2: i3 web 03-21 12:30, i4 03-22 00:00 (second ticket one local day later);
    // i5, i6: phone, no key → two incidents of their own, never repeated;
    // K3: r8 is a *request* with key K3, i8 the only incident with it → not repeated;
    // K4: i9 03-31 23:59:59, i10 04-01 00:00 (second ticket after the month's end).
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      ticket('i1', '2024-03-21T08:00:00Z', { type: 'incident', incident_key: 'K1', channel: 'phone' }),
      ticket('i2', '2024-03-21T20:00:00Z', { type: 'incident', incident_key: 'K1', channel: 'email' }),
      ticket('i3', '2024-03-21T09:00:00Z', { type: 'incident', incident_key: 'K2', channel: 'web' }),
      ticket('i4', '2024-03-21T20:30:00Z', { type: 'incident', incident_key: 'K2', channel: 'web' }),
      ticket('i5', '2024-03-21T10:00:00Z', { type: 'incident', channel: 'phone' }),
      ticket('i6', '2024-03-21T11:00:00Z', { type: 'incident', channel: 'phone' }),
      ticket('i7', '2024-03-22T08:00:00Z', { type: 'incident', incident_key: 'K1', channel: 'phone' }),
      ticket('r8', '2024-03-22T07:00:00Z', { type: 'request', incident_key: 'K3' }),
      ticket('i8', '2024-03-22T09:00:00Z', { type: 'incident', incident_key: 'K3' }),
      ticket('i9', '2024-03-31T20:29:59Z', { type: 'incident', incident_key: 'K4', channel: 'chat' }),
      ticket('i10', '2024-03-31T20:30:00Z', { type: 'incident', incident_key: 'K4', channel: 'chat' }),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-23');
    const monthRows = await h.run('month', '2024-03-01', '2024-04-30');

    // Assess — day 21: incidents first reported K1, K2, i5, i6 = 4; by the end of the day only K1
    // has a second ticket (K2's comes on the 22nd) → 1/4 = 25 %.
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-21')).toMatchObject({
      value: 25,
      numerator: 1,
      denominator: 4,
      sample_size: 4,
    });
    // By channel of the incident's first ticket: phone = K1, i5, i6 → 1/3; web = K2 → 0/1; i2 (e-mail)
    // is not the first ticket of its incident, so no e-mail row.
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-21', 'channel', 'phone')?.value).toBeCloseTo(
      100 / 3,
      10,
    );
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-21', 'channel', 'web')?.value).toBe(0);
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-21', 'channel', 'email')).toBeUndefined();
    // Day 22: only K3 is first reported (i4 and i7 are later tickets of older incidents; r8 is not an
    // incident) → 0/1 = 0 %. Day 23: no incident → NULL.
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-22')).toMatchObject({
      value: 0,
      denominator: 1,
    });
    expect(pick(rows, 'day', 'repeat_incident_pct', '2024-03-23')).toMatchObject(EMPTY);

    // March: K1, K2, i5, i6, K3, K4 = 6 incidents; repeated by 03-31 end: K1, K2 (K4's second ticket
    // is on 04-01 local, although still 03-31 in UTC) → 2/6 = 33.33 %. April: i10 belongs to K4,
    // first reported in March → no incident → NULL.
    const march = pick(monthRows, 'month', 'repeat_incident_pct', '2024-03-01');
    expect(march).toMatchObject({ numerator: 2, denominator: 6, sample_size: 6 });
    expect(march?.value).toBeCloseTo(100 / 3, 10);
    expect(pick(monthRows, 'month', 'repeat_incident_pct', '2024-04-01')).toMatchObject(EMPTY);
  });
});

describe('overdue_backlog_pct', () => {
  it('takes the open tickets as of period end, with due_at before the period end', async () => {
    // Prepare: the end of 2024-03-21 (Tehran) is 2024-03-21T20:30:00Z.
    // o1: created 03-20, due 1 s before the end of 03-21;
    // o2: due exactly at the end of 03-21 (not before it);
    // o3: resolved at 20:29:59.999Z, the last instant of 03-21 → not open at its end;
    // o4: resolved at 20:30:00Z = 03-22 00:00 local → still open at the end of 03-21;
    // o5: no due_at → open, never overdue;
    // o6: closed (no resolved_at) on 03-22 → open at the end of 03-21 only;
    // o7: created 03-23 00:00 local → not part of any earlier backlog.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      ticket('o1', '2024-03-20T06:00:00Z', {
        channel: 'phone',
        team: 'north',
        due_at: '2024-03-21T20:29:59Z',
      }),
      ticket('o2', '2024-03-21T06:00:00Z', {
        channel: 'email',
        team: 'north',
        due_at: '2024-03-21T20:30:00Z',
      }),
      ticket('o3', '2024-03-21T04:00:00Z', {
        channel: 'phone',
        team: 'south',
        due_at: '2024-03-21T10:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T20:29:59.999Z',
      }),
      ticket('o4', '2024-03-21T06:00:00Z', {
        channel: 'phone',
        team: 'south',
        due_at: '2024-03-21T12:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T20:30:00Z',
      }),
      ticket('o5', '2024-03-21T07:00:00Z', { channel: 'chat', team: 'south' }),
      ticket('o6', '2024-03-21T08:00:00Z', {
        channel: 'email',
        team: 'north',
        due_at: '2024-03-21T10:00:00Z',
        status: 'closed',
        closed_at: '2024-03-22T08:00:00Z',
      }),
      ticket('o7', '2024-03-22T20:30:00Z', { channel: 'web', due_at: '2024-03-23T10:00:00Z' }),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-19', '2024-03-22');
    const monthRows = await h.run('month', '2024-03-01', '2024-03-31');

    // Assess — 03-19: nothing created yet → NULL. 03-20: o1 open, due after the day's end → 0/1.
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-19')).toMatchObject(EMPTY);
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-20')).toMatchObject({
      value: 0,
      denominator: 1,
    });
    // 03-21: open o1 (overdue), o2 (due = end: not overdue), o4 (overdue), o5 (no due), o6 (overdue);
    // o3 is resolved → 3/5 = 60 %.
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21')).toMatchObject({
      value: 60,
      numerator: 3,
      denominator: 5,
      sample_size: 5,
    });
    // By channel: phone o1, o4 → 100 %; e-mail o2, o6 → 50 %; chat o5 → 0 %. By team: north o1, o2,
    // o6 → 2/3; south o4, o5 → 1/2 (o3 resolved).
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21', 'channel', 'phone')?.value).toBe(100);
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21', 'channel', 'email')?.value).toBe(50);
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21', 'channel', 'chat')?.value).toBe(0);
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21', 'team', 'north')?.value).toBeCloseTo(
      200 / 3,
      10,
    );
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-21', 'team', 'south')?.value).toBe(50);
    // 03-22: o4 resolved and o6 closed during the day; o7 not created yet → open o1, o2, o5; overdue
    // o1, o2 → 2/3.
    const d22 = pick(rows, 'day', 'overdue_backlog_pct', '2024-03-22');
    expect(d22).toMatchObject({ numerator: 2, denominator: 3 });
    expect(d22?.value).toBeCloseTo(200 / 3, 10);
    // March, as of 03-31 end: open o1, o2, o5, o7; overdue o1, o2, o7 → 3/4 = 75 %.
    expect(pick(monthRows, 'month', 'overdue_backlog_pct', '2024-03-01')).toMatchObject({
      value: 75,
      numerator: 3,
      denominator: 4,
    });

    // The closed-without-resolved_at ticket is resolved on its closed_at day: 03-22 resolutions are
    // o4 (06:00Z → 20:30Z = 14.5 h) and o6 (08:00Z → next day 08:00Z = 24 h) → 38.5 / 2 = 19.25 h.
    expect(pick(rows, 'day', 'avg_resolution_time_hours', '2024-03-22')).toMatchObject({
      value: 19.25,
      numerator: 38.5,
      denominator: 2,
    });
    // 03-21: o3 alone, 04:00:00Z → 20:29:59.999Z = 16.5 h less 1 ms.
    expect(pick(rows, 'day', 'avg_resolution_time_hours', '2024-03-21')?.value).toBeCloseTo(16.5, 6);
  });
});

// First responses (Tehran local days). Minutes to first response, and the default standard times
// (phone 60, chat 1, e-mail 1440, web 1440, social 60, other 1440):
const FIRST_RESPONSES = [
  // 60 min, phone standard 60 → within (≤)
  ticket('f1', '2024-03-21T06:00:00Z', {
    channel: 'phone',
    team: 'north',
    first_response_at: '2024-03-21T07:00:00Z',
  }),
  // 61 min → late
  ticket('f2', '2024-03-21T06:00:00Z', { channel: 'phone', first_response_at: '2024-03-21T07:01:00Z' }),
  // 1 min, chat standard 1 → within
  ticket('f3', '2024-03-21T08:00:00Z', {
    channel: 'chat',
    team: 'north',
    first_response_at: '2024-03-21T08:01:00Z',
  }),
  // 2 min → late
  ticket('f4', '2024-03-21T08:00:00Z', { channel: 'chat', first_response_at: '2024-03-21T08:02:00Z' }),
  // created 03-20, answered 03-21 after 1440 min → within, counted on 03-21
  ticket('f5', '2024-03-20T10:00:00Z', { channel: 'email', first_response_at: '2024-03-21T10:00:00Z' }),
  // created 03-21 22:30 local, answered 03-22 00:00 local after 90 min → counted on 03-22, within
  ticket('f6', '2024-03-21T19:00:00Z', { channel: 'web', first_response_at: '2024-03-21T20:30:00Z' }),
  // 90 min, social standard 60 → late
  ticket('f7', '2024-03-21T08:00:00Z', { channel: 'social', first_response_at: '2024-03-21T09:30:00Z' }),
  // 30 min, other standard 1440 → within
  ticket('f8', '2024-03-21T08:00:00Z', { channel: 'other', first_response_at: '2024-03-21T08:30:00Z' }),
  // never answered → in neither KPI
  ticket('f9', '2024-03-21T08:00:00Z', { channel: 'email' }),
];

describe('avg_first_response_minutes and first_response_sla_pct', () => {
  it('count on the first-response day and compare with the channel’s standard time', async () => {
    // Prepare
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', FIRST_RESPONSES);

    // Act
    const rows = await h.run('day', '2024-03-20', '2024-03-22');

    // Assess — 03-20: f5 was created but not yet answered → both NULL (tickets_created counts it).
    expect(pick(rows, 'day', 'tickets_created', '2024-03-20')?.value).toBe(1);
    expect(pick(rows, 'day', 'avg_first_response_minutes', '2024-03-20')).toMatchObject(EMPTY);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-20')).toMatchObject(EMPTY);
    // 03-21: f1, f2, f3, f4, f5, f7, f8 answered = 7; minutes 60 + 61 + 1 + 2 + 1440 + 90 + 30 = 1684
    // → 1684 / 7 = 240.57; within standard f1, f3, f5, f8 → 4/7 = 57.14 %.
    const avg = pick(rows, 'day', 'avg_first_response_minutes', '2024-03-21');
    expect(avg).toMatchObject({ numerator: 1684, denominator: 7, sample_size: 7 });
    expect(avg?.value).toBeCloseTo(1684 / 7, 10);
    const sla = pick(rows, 'day', 'first_response_sla_pct', '2024-03-21');
    expect(sla).toMatchObject({ numerator: 4, denominator: 7, sample_size: 7 });
    expect(sla?.value).toBeCloseTo(400 / 7, 10);
    // By channel on 03-21: phone (60 + 61) / 2 = 60.5, 1/2; chat 1.5, 1/2; e-mail 1440, 1/1;
    // social 90, 0/1; other 30, 1/1; web only on 03-22.
    const day = (kpi: string, channel: string, d = '2024-03-21') =>
      pick(rows, 'day', kpi, d, 'channel', channel);
    expect(day('avg_first_response_minutes', 'phone')?.value).toBe(60.5);
    expect(day('first_response_sla_pct', 'phone')?.value).toBe(50);
    expect(day('avg_first_response_minutes', 'chat')?.value).toBe(1.5);
    expect(day('first_response_sla_pct', 'chat')?.value).toBe(50);
    expect(day('avg_first_response_minutes', 'email')?.value).toBe(1440);
    expect(day('first_response_sla_pct', 'email')?.value).toBe(100);
    expect(day('first_response_sla_pct', 'social')?.value).toBe(0);
    expect(day('first_response_sla_pct', 'other')?.value).toBe(100);
    expect(day('avg_first_response_minutes', 'web')).toBeUndefined();
    // By team: north = f1, f3 → (60 + 1) / 2 = 30.5 min, both within → 100 %.
    expect(pick(rows, 'day', 'avg_first_response_minutes', '2024-03-21', 'team', 'north')?.value).toBe(30.5);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-21', 'team', 'north')?.value).toBe(100);
    // 03-22: f6 (web, 90 min ≤ 1440) → 90 min, 100 %.
    expect(pick(rows, 'day', 'avg_first_response_minutes', '2024-03-22')?.value).toBe(90);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-22')?.value).toBe(100);
    expect(day('first_response_sla_pct', 'web', '2024-03-22')?.value).toBe(100);
  });

  it('follows custom standard times per channel (thresholds.firstResponseMinutes)', async () => {
    // Prepare: phone 30 min, chat 2 min, e-mail 600 min; social, web and other keep their defaults.
    h = await kpiHarness({
      ...TEHRAN,
      thresholds: { firstResponseMinutes: { phone: 30, chat: 2, email: 600 } },
    });
    await h.load('tickets', FIRST_RESPONSES);

    // Act
    const rows = await h.run('day', '2024-03-21', '2024-03-22');

    // Assess — 03-21: f1 60 > 30 ✗, f2 61 > 30 ✗, f3 1 ≤ 2 ✓, f4 2 ≤ 2 ✓, f5 1440 > 600 ✗,
    // f7 90 > 60 ✗, f8 30 ≤ 1440 ✓ → 3/7 = 42.86 %; the mean response time does not change.
    const sla = pick(rows, 'day', 'first_response_sla_pct', '2024-03-21');
    expect(sla).toMatchObject({ numerator: 3, denominator: 7 });
    expect(sla?.value).toBeCloseTo(300 / 7, 10);
    expect(pick(rows, 'day', 'avg_first_response_minutes', '2024-03-21')?.value).toBeCloseTo(1684 / 7, 10);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-21', 'channel', 'phone')?.value).toBe(0);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-21', 'channel', 'chat')?.value).toBe(100);
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-21', 'channel', 'email')?.value).toBe(0);
    // 03-22: f6 web 90 ≤ 1440 (default) → 100 %.
    expect(pick(rows, 'day', 'first_response_sla_pct', '2024-03-22')?.value).toBe(100);
  });
});

describe('email_answered_24h_pct', () => {
  it('counts on the created day and judges undecided e-mails at the as-of time', async () => {
    // Prepare — e-mails (Tehran days) and their state at AS_OF_1 = 2024-03-22T12:00:00Z:
    // e0: created 03-20 23:59 local, answered after 31 min → within (counts on 03-20);
    // e1: answered after 1 h → within; e2: answered after exactly 24 h → within (≤ 24 h);
    // e3: created 03-21 00:00 local, answered after 24 h 1 s → decided, late;
    // e4: unanswered, 26 h old at AS_OF_1 → decided, not answered;
    // e5: unanswered, 23 h old → undecided (left out);
    // e7: answered 23 h after creation but after AS_OF_1, 22 h old then → undecided at AS_OF_1;
    // e8: answered 53 h after creation (after AS_OF_1), 31 h old at AS_OF_1 → decided, late;
    // e9: created 03-22 09:30 local, unanswered, 6 h old → undecided;
    // c1: a chat, never answered → not an e-mail, never counted.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      ticket('e0', '2024-03-20T20:29:00Z', { first_response_at: '2024-03-20T21:00:00Z' }),
      ticket('e1', '2024-03-21T06:00:00Z', { first_response_at: '2024-03-21T07:00:00Z' }),
      ticket('e2', '2024-03-21T06:00:00Z', { first_response_at: '2024-03-22T06:00:00Z' }),
      ticket('e3', '2024-03-20T20:30:00Z', { first_response_at: '2024-03-21T20:30:01Z' }),
      ticket('e4', '2024-03-21T10:00:00Z'),
      ticket('e5', '2024-03-21T13:00:00Z'),
      ticket('e7', '2024-03-21T14:00:00Z', { first_response_at: '2024-03-22T13:00:00Z' }),
      ticket('e8', '2024-03-21T05:00:00Z', { first_response_at: '2024-03-23T10:00:00Z' }),
      ticket('e9', '2024-03-22T06:00:00Z'),
      ticket('c1', '2024-03-21T06:00:00Z', { channel: 'chat' }),
    ]);
    const AS_OF_1 = '2024-03-22T12:00:00Z';
    const AS_OF_2 = '2024-03-25T00:00:00Z';

    // Act
    const early = await h.run('day', '2024-03-20', '2024-03-22', AS_OF_1);
    const earlyMonth = await h.run('month', '2024-03-01', '2024-03-31', AS_OF_1);
    const late = await h.run('day', '2024-03-20', '2024-03-22', AS_OF_2);

    // Assess — at AS_OF_1: 03-20: e0 → 1/1 = 100 %. 03-21: decided e1, e2, e3, e4, e8 = 5, within
    // e1, e2 → 2/5 = 40 %. 03-22: e9 undecided → NULL.
    expect(pick(early, 'day', 'email_answered_24h_pct', '2024-03-20')).toMatchObject({
      value: 100,
      denominator: 1,
    });
    expect(pick(early, 'day', 'email_answered_24h_pct', '2024-03-21')).toMatchObject({
      value: 40,
      numerator: 2,
      denominator: 5,
      sample_size: 5,
    });
    expect(pick(early, 'day', 'email_answered_24h_pct', '2024-03-21', 'channel', 'email')?.value).toBe(40);
    expect(pick(early, 'day', 'email_answered_24h_pct', '2024-03-21', 'channel', 'chat')).toBeUndefined();
    expect(pick(early, 'day', 'email_answered_24h_pct', '2024-03-22')).toMatchObject(EMPTY);
    // March at AS_OF_1: decided e0 + the five of 03-21 = 6, within e0, e1, e2 → 3/6 = 50 % (the mean
    // of the daily values would be (100 + 40) / 2 = 70).
    expect(pick(earlyMonth, 'month', 'email_answered_24h_pct', '2024-03-01')).toMatchObject({
      value: 50,
      numerator: 3,
      denominator: 6,
    });
    // At AS_OF_2 every e-mail is decided: 03-21: e1, e2, e3, e4, e5, e7, e8 = 7, within e1, e2, e7
    // → 3/7 = 42.86 %. 03-22: e9, 66 h old and unanswered → 0/1 = 0 %.
    const d21 = pick(late, 'day', 'email_answered_24h_pct', '2024-03-21');
    expect(d21).toMatchObject({ numerator: 3, denominator: 7, sample_size: 7 });
    expect(d21?.value).toBeCloseTo(300 / 7, 10);
    expect(pick(late, 'day', 'email_answered_24h_pct', '2024-03-22')).toMatchObject({
      value: 0,
      denominator: 1,
    });
  });
});

describe('resolution KPIs', () => {
  it('count on the resolution day (resolved_at, else closed_at), by channel, team and agent', async () => {
    // Prepare (Tehran days; service time starts at assigned_at, else first_response_at, else created_at):
    // r1: complaint, e-mail, north, agent A; created 03-20 06:00Z, first response 07:00Z, assigned
    //     08:00Z, resolved 03-21 06:00Z → resolution 24 h, service 22 h; messages 2 + 3 = 5;
    //     contacts 1, reopens 0 → FCR; handoffs 1.
    // r2: request, phone, south, agent B; created 03-21 04:00Z, first response 05:00Z, resolved 10:00Z
    //     → 6 h, service 5 h; messages 1 (agent only); contacts null, agent_messages 1 → FCR; handoffs null → 0.
    // r3: complaint, phone, south, agent A; created 06:00Z, closed 09:00Z without resolved_at
    //     → 3 h, service 3 h; no message counts; contacts 3 → not FCR; handoffs 2.
    // r4: request, chat, no team, no agent; created 03-21 07:00Z, assigned 07:30Z, resolved
    //     20:30Z = 03-22 00:00 local → counted on 03-22: 13.5 h, service 13 h; messages 0 + 2 = 2;
    //     contacts 1 but reopened → not FCR; handoffs 0.
    // r5: question, e-mail, north, agent B; created 08:00Z, assigned 10:00Z, resolved 20:00Z
    //     (03-21 23:30 local) → 12 h, service 10 h; messages 4 (customer only); contacts and
    //     agent_messages null → unknown = not FCR; handoffs 0.
    // r6: complaint, chat, north, agent C; created 09:00Z, first response 10:00Z, resolved 12:00Z
    //     → 3 h, service 2 h; messages 1 + 1 = 2; FCR; handoffs 1. A stale snapshot of r6 (an open
    //     web request, smaller updated_at) arrives later and must lose.
    h = await kpiHarness(TEHRAN);
    const r6Created = '2024-03-21T09:00:00Z';
    await h.load('tickets', [
      ticket('r1', '2024-03-20T06:00:00Z', {
        type: 'complaint',
        team: 'north',
        agent_id: 'A',
        first_response_at: '2024-03-20T07:00:00Z',
        assigned_at: '2024-03-20T08:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T06:00:00Z',
        agent_messages: 2,
        customer_messages: 3,
        contacts: 1,
        reopens: 0,
        handoffs: 1,
      }),
      ticket('r2', '2024-03-21T04:00:00Z', {
        channel: 'phone',
        team: 'south',
        agent_id: 'B',
        first_response_at: '2024-03-21T05:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T10:00:00Z',
        agent_messages: 1,
      }),
      ticket('r3', '2024-03-21T06:00:00Z', {
        type: 'complaint',
        channel: 'phone',
        team: 'south',
        agent_id: 'A',
        status: 'closed',
        closed_at: '2024-03-21T09:00:00Z',
        contacts: 3,
        handoffs: 2,
      }),
      ticket('r4', '2024-03-21T07:00:00Z', {
        channel: 'chat',
        assigned_at: '2024-03-21T07:30:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T20:30:00Z',
        agent_messages: 0,
        customer_messages: 2,
        contacts: 1,
        reopens: 1,
        handoffs: 0,
      }),
      ticket('r5', '2024-03-21T08:00:00Z', {
        type: 'question',
        team: 'north',
        agent_id: 'B',
        assigned_at: '2024-03-21T10:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T20:00:00Z',
        customer_messages: 4,
        handoffs: 0,
      }),
      ticket('r6', r6Created, {
        updated_at: '2024-03-21T12:00:00Z',
        type: 'complaint',
        channel: 'chat',
        team: 'north',
        agent_id: 'C',
        first_response_at: '2024-03-21T10:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-21T12:00:00Z',
        agent_messages: 1,
        customer_messages: 1,
        contacts: 1,
        reopens: 0,
        handoffs: 1,
      }),
    ]);
    await h.load('tickets', [
      ticket('r6', r6Created, { updated_at: '2024-03-21T09:30:00Z', channel: 'web' }),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-20', '2024-03-22');
    const monthRows = await h.run('month', '2024-03-01', '2024-03-31');

    // Assess — 03-20: r1 created (counted there) but nothing resolved → every resolution KPI NULL.
    const RESOLUTION_KPIS = [
      'avg_service_time_hours',
      'avg_resolution_time_hours',
      'complaint_resolution_time_hours',
      'messages_per_ticket',
      'first_contact_resolution_pct',
      'contacts_per_resolution',
      'handoffs_per_ticket',
      'tickets_resolved_per_agent',
    ];
    expect(pick(rows, 'day', 'tickets_created', '2024-03-20')?.value).toBe(1);
    for (const kpi of RESOLUTION_KPIS) expect(pick(rows, 'day', kpi, '2024-03-20'), kpi).toMatchObject(EMPTY);

    // 03-21: resolved r1, r2, r3, r5, r6 = 5 (r6 once, from its latest snapshot).
    const d21 = (kpi: string, dim = 'all', value = 'all') => pick(rows, 'day', kpi, '2024-03-21', dim, value);
    // resolution (24 + 6 + 3 + 12 + 3) / 5 = 48 / 5 = 9.6 h; service (22 + 5 + 3 + 10 + 2) / 5 = 8.4 h.
    expect(d21('avg_resolution_time_hours')).toMatchObject({
      value: 9.6,
      numerator: 48,
      denominator: 5,
      sample_size: 5,
    });
    expect(d21('avg_service_time_hours')).toMatchObject({ value: 8.4, numerator: 42, denominator: 5 });
    // complaints r1, r3, r6: (24 + 3 + 3) / 3 = 10 h.
    expect(d21('complaint_resolution_time_hours')).toMatchObject({
      value: 10,
      denominator: 3,
      sample_size: 3,
    });
    // messages over r1, r2, r5, r6 (r3 has no counts): (5 + 1 + 4 + 2) / 4 = 3.
    expect(d21('messages_per_ticket')).toMatchObject({
      value: 3,
      numerator: 12,
      denominator: 4,
      sample_size: 4,
    });
    // FCR r1, r2, r6 → 3/5 = 60 %; contacts 1 + 1 + 3 + 1 + 1 = 7 → 1.4; handoffs 1 + 0 + 2 + 0 + 1 = 4 → 0.8.
    expect(d21('first_contact_resolution_pct')).toMatchObject({ value: 60, numerator: 3, denominator: 5 });
    expect(d21('contacts_per_resolution')).toMatchObject({ value: 1.4, numerator: 7, denominator: 5 });
    expect(d21('handoffs_per_ticket')).toMatchObject({ value: 0.8, numerator: 4, denominator: 5 });
    // per agent: 5 tickets with an agent ÷ 3 agents (A, B, C) = 1.667; A 2, B 2, C 1.
    const perAgent = d21('tickets_resolved_per_agent');
    expect(perAgent).toMatchObject({ numerator: 5, denominator: 3, sample_size: 5 });
    expect(perAgent?.value).toBeCloseTo(5 / 3, 10);
    expect(d21('tickets_resolved_per_agent', 'agent', 'A')).toMatchObject({
      value: 2,
      numerator: 2,
      denominator: 1,
    });
    expect(d21('tickets_resolved_per_agent', 'agent', 'B')?.value).toBe(2);
    expect(d21('tickets_resolved_per_agent', 'agent', 'C')?.value).toBe(1);
    // Only tickets_resolved_per_agent has agent rows.
    expect(d21('avg_resolution_time_hours', 'agent', 'A')).toBeUndefined();

    // By channel on 03-21: e-mail r1, r5: resolution (24 + 12) / 2 = 18, service (22 + 10) / 2 = 16,
    // complaint r1 24, messages (5 + 4) / 2 = 4.5, FCR 1/2, handoffs 0.5, agents A, B → 2 / 2 = 1.
    expect(d21('avg_resolution_time_hours', 'channel', 'email')?.value).toBe(18);
    expect(d21('avg_service_time_hours', 'channel', 'email')?.value).toBe(16);
    expect(d21('complaint_resolution_time_hours', 'channel', 'email')?.value).toBe(24);
    expect(d21('messages_per_ticket', 'channel', 'email')?.value).toBe(4.5);
    expect(d21('first_contact_resolution_pct', 'channel', 'email')?.value).toBe(50);
    expect(d21('handoffs_per_ticket', 'channel', 'email')?.value).toBe(0.5);
    expect(d21('tickets_resolved_per_agent', 'channel', 'email')?.value).toBe(1);
    // phone r2, r3: resolution 4.5, complaint r3 3, messages r2 only 1, FCR 1/2, contacts (1 + 3) / 2 = 2.
    expect(d21('avg_resolution_time_hours', 'channel', 'phone')?.value).toBe(4.5);
    expect(d21('complaint_resolution_time_hours', 'channel', 'phone')?.value).toBe(3);
    expect(d21('messages_per_ticket', 'channel', 'phone')).toMatchObject({ value: 1, denominator: 1 });
    expect(d21('first_contact_resolution_pct', 'channel', 'phone')?.value).toBe(50);
    expect(d21('contacts_per_resolution', 'channel', 'phone')?.value).toBe(2);
    // chat r6: 3 h; the stale snapshot's web channel appears nowhere.
    expect(d21('avg_resolution_time_hours', 'channel', 'chat')?.value).toBe(3);
    expect(d21('avg_resolution_time_hours', 'channel', 'web')).toBeUndefined();
    expect(d21('tickets_created', 'channel', 'web')).toBeUndefined();
    expect(d21('tickets_created', 'channel', 'chat')?.value).toBe(2); // r4, r6
    // By team: north r1, r5, r6 → (24 + 12 + 3) / 3 = 13 h, agents A, B, C → 1; south r2, r3 → 4.5 h.
    expect(d21('avg_resolution_time_hours', 'team', 'north')?.value).toBe(13);
    expect(d21('tickets_resolved_per_agent', 'team', 'north')?.value).toBe(1);
    expect(d21('avg_resolution_time_hours', 'team', 'south')?.value).toBe(4.5);

    // 03-22: r4 alone: 13.5 h, service 13 h, no complaint → NULL, messages 2, not FCR → 0 %,
    // contacts 1, handoffs 0, no agent → tickets_resolved_per_agent NULL; team '(none)'.
    const d22 = (kpi: string, dim = 'all', value = 'all') => pick(rows, 'day', kpi, '2024-03-22', dim, value);
    expect(d22('avg_resolution_time_hours')?.value).toBe(13.5);
    expect(d22('avg_service_time_hours')?.value).toBe(13);
    expect(d22('complaint_resolution_time_hours')).toMatchObject(EMPTY);
    expect(d22('messages_per_ticket')?.value).toBe(2);
    expect(d22('first_contact_resolution_pct')).toMatchObject({ value: 0, denominator: 1 });
    expect(d22('contacts_per_resolution')?.value).toBe(1);
    expect(d22('handoffs_per_ticket')).toMatchObject({ value: 0, denominator: 1 });
    expect(d22('tickets_resolved_per_agent')).toMatchObject(EMPTY);
    expect(d22('avg_resolution_time_hours', 'team', '(none)')?.value).toBe(13.5);
    expect(d22('tickets_resolved_per_agent', 'team', '(none)')).toBeUndefined();

    // March, from the month's six resolutions (not the mean of the daily values):
    // resolution (48 + 13.5) / 6 = 10.25 h (daily mean (9.6 + 13.5) / 2 = 11.55);
    // service (42 + 13) / 6 = 9.17 h; complaints 30 / 3 = 10 h; messages 14 / 5 = 2.8;
    // FCR 3/6 = 50 % (daily mean 30 %); contacts 8 / 6 = 1.33; handoffs 4 / 6 = 0.67;
    // per agent 5 / 3 = 1.67, agent A 2.
    const m = (kpi: string, dim = 'all', value = 'all') =>
      pick(monthRows, 'month', kpi, '2024-03-01', dim, value);
    expect(m('avg_resolution_time_hours')).toMatchObject({ value: 10.25, numerator: 61.5, denominator: 6 });
    expect(m('avg_service_time_hours')?.value).toBeCloseTo(55 / 6, 10);
    expect(m('complaint_resolution_time_hours')?.value).toBe(10);
    expect(m('messages_per_ticket')).toMatchObject({ value: 2.8, numerator: 14, denominator: 5 });
    expect(m('first_contact_resolution_pct')).toMatchObject({ value: 50, numerator: 3, denominator: 6 });
    expect(m('contacts_per_resolution')?.value).toBeCloseTo(8 / 6, 10);
    expect(m('handoffs_per_ticket')?.value).toBeCloseTo(4 / 6, 10);
    expect(m('tickets_resolved_per_agent')?.value).toBeCloseTo(5 / 3, 10);
    expect(m('tickets_resolved_per_agent', 'agent', 'A')?.value).toBe(2);
  });
});

describe('local days across a DST change (Europe/Berlin)', () => {
  it('puts tickets on the local day and measures durations in absolute time', async () => {
    // Prepare — Berlin: CET (UTC+1) until 2024-03-31 01:00Z, then CEST (UTC+2).
    // b1 03-30 22:59:59Z = 03-30 23:59:59 CET;  b2 03-30 23:00Z = 03-31 00:00 CET;
    // b3 03-31 00:30Z = 03-31 01:30 CET, answered 00:45Z (15 min), resolved 02:30Z = 04:30 CEST
    //    (2 h elapsed although the wall clock moved 3 h);
    // b4 03-31 21:59:59Z = 03-31 23:59:59 CEST; b5 03-31 22:00Z = 04-01 00:00 CEST (March in UTC).
    // Due dates around the end of 03-31 (22:00Z): b2 due 21:59:59Z (before), b4 due 22:00Z (not before).
    h = await kpiHarness(BERLIN);
    await h.load('tickets', [
      ticket('b1', '2024-03-30T22:59:59Z'),
      ticket('b2', '2024-03-30T23:00:00Z', { due_at: '2024-03-31T21:59:59Z' }),
      ticket('b3', '2024-03-31T00:30:00Z', {
        first_response_at: '2024-03-31T00:45:00Z',
        status: 'solved',
        resolved_at: '2024-03-31T02:30:00Z',
      }),
      ticket('b4', '2024-03-31T21:59:59Z', { due_at: '2024-03-31T22:00:00Z' }),
      ticket('b5', '2024-03-31T22:00:00Z'),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-30', '2024-04-01');
    const monthRows = await h.run('month', '2024-03-01', '2024-04-30');

    // Assess — created: 03-30 b1; 03-31 b2, b3, b4; 04-01 b5 (UTC days would give 2, 3, 0).
    expect(pick(rows, 'day', 'tickets_created', '2024-03-30')?.value).toBe(1);
    expect(pick(rows, 'day', 'tickets_created', '2024-03-31')?.value).toBe(3);
    expect(pick(rows, 'day', 'tickets_created', '2024-04-01')?.value).toBe(1);
    expect(pick(monthRows, 'month', 'tickets_created', '2024-03-01')?.value).toBe(4);
    expect(pick(monthRows, 'month', 'tickets_created', '2024-04-01')?.value).toBe(1);
    // b3: 15 min to first response, 2 h (not 3) to resolution, both on 03-31.
    expect(pick(rows, 'day', 'avg_first_response_minutes', '2024-03-31')?.value).toBe(15);
    expect(pick(rows, 'day', 'avg_resolution_time_hours', '2024-03-31')?.value).toBe(2);
    expect(pick(rows, 'day', 'avg_service_time_hours', '2024-03-31')?.value).toBe(1.75); // from the response
    // Backlog at the end of 03-30 (23:00Z): b1 (no due) → 0/1. At the end of 03-31 (22:00Z): b1, b2, b4
    // open (b3 resolved, b5 not created); overdue b2 → 1/3. At the end of 04-01: b1, b2, b4, b5;
    // overdue b2, b4 → 2/4 = 50 %. The months: as of 03-31 end → 1/3; as of 04-30 end → 50 %.
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-30')).toMatchObject({
      value: 0,
      denominator: 1,
    });
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-03-31')).toMatchObject({
      numerator: 1,
      denominator: 3,
    });
    expect(pick(rows, 'day', 'overdue_backlog_pct', '2024-04-01')).toMatchObject({
      value: 50,
      denominator: 4,
    });
    expect(pick(monthRows, 'month', 'overdue_backlog_pct', '2024-03-01')).toMatchObject({
      numerator: 1,
      denominator: 3,
    });
    expect(pick(monthRows, 'month', 'overdue_backlog_pct', '2024-04-01')).toMatchObject({ value: 50 });
  });
});

describe('a period without tickets', () => {
  it('gives every ticket KPI an overall row: counts 0, everything else NULL over an empty denominator', async () => {
    // Prepare: the only ticket is created (and resolved) the day after the period.
    h = await kpiHarness(TEHRAN);
    await h.load('tickets', [
      ticket('later', '2024-03-23T06:00:00Z', {
        type: 'complaint',
        first_response_at: '2024-03-23T07:00:00Z',
        status: 'solved',
        resolved_at: '2024-03-23T08:00:00Z',
        agent_id: 'A',
      }),
    ]);

    // Act
    const rows = await h.run('day', '2024-03-22');

    // Assess
    const counts = ['tickets_created', 'complaints_received'];
    const ratios = [
      'complaints_via_phone_pct',
      'repeat_incident_pct',
      'overdue_backlog_pct',
      'avg_first_response_minutes',
      'first_response_sla_pct',
      'email_answered_24h_pct',
      'avg_service_time_hours',
      'avg_resolution_time_hours',
      'complaint_resolution_time_hours',
      'messages_per_ticket',
      'first_contact_resolution_pct',
      'contacts_per_resolution',
      'handoffs_per_ticket',
      'escalation_rate_pct',
      'tickets_resolved_per_agent',
    ];
    for (const kpi of counts) {
      expect(pick(rows, 'day', kpi, '2024-03-22'), kpi).toMatchObject({
        value: 0,
        numerator: null,
        denominator: null,
        sample_size: 0,
      });
    }
    for (const kpi of ratios) expect(pick(rows, 'day', kpi, '2024-03-22'), kpi).toMatchObject(EMPTY);
    const ticketRows = rows.filter((r) => [...counts, ...ratios].includes(String(r.kpi_id)));
    expect(ticketRows).toHaveLength(17);
    expect(ticketRows.every((r) => r.dimension === 'all')).toBe(true);
  });
});
