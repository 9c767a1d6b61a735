/**
 * Properties of a whole KPI run on generated data (real normalizer → Parquet → queries/ on DuckDB):
 * - additivity: for every KPI the catalog marks `additive`, the month row's numerator and
 *   denominator (a count's value) are the sums of the day rows of that month, in every dimension
 *   the month row has; BI tools re-aggregate on this;
 * - reruns: an identical rerun changes no row (computed_at and run_id stay those of the first run),
 *   and a rerun after a re-ingest deletes the rows the data no longer supports, in the run's
 *   scope only;
 * - daylight saving time: Europe/Berlin's 23-hour 2024-03-31 and America/New_York's 25-hour
 *   2024-11-03: calls near local midnight land on their local day, and calls_answered_per_hour
 *   divides by the reporting zone's clock hours.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { CATALOG } from '../../functions/core/catalog.ts';
import { generateDemo } from '../../functions/core/demo/generate.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import type { SqlRow } from '../../functions/core/ports.ts';
import { periodOf, periodsBetween } from '../../functions/core/sql/render.ts';
import { addDays, startOfLocalDay } from '../../functions/core/time.ts';
import { type KpiHarness, kpiHarness } from '../support/kpi-harness.ts';

let h: KpiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Ingests text (CSV or NDJSON) as the generic format, as `servicepulse ingest` would. */
async function ingestText(harness: KpiHarness, path: string, entity: string, content: string): Promise<void> {
  const report = await ingestFile(
    {
      key: join(harness.home, 'landing', path),
      body: (async function* () {
        yield new TextEncoder().encode(content);
      })(),
    },
    {
      source: 'generic',
      entity: entity as never,
      config: harness.config,
      store: new FileSystemStore(harness.home),
    },
  );
  if (report.error) throw new Error(`${path}: ${report.error}`);
}

const ndjson = (rows: readonly Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const iso = (ms: number) => new Date(ms).toISOString();

// ── additivity ────────────────────────────────────────────────────────────────
const ADDITIVE = CATALOG.filter((k) => k.additive && k.grains.includes('day')).map((k): string => k.id);
const ZONES = [
  'Asia/Tehran',
  'Asia/Shanghai',
  'Asia/Riyadh',
  'Asia/Kuala_Lumpur',
  'Asia/Kathmandu',
  'Europe/Berlin',
  'America/New_York',
  'UTC',
] as const;

/** One record the demo generator does not make, placed `day` days after the month's first day. */
interface ExtraEvent {
  kind: 'incident' | 'followup' | 'call' | 'churn';
  day: number;
  /** Milliseconds after local midnight; clustered at midnight. */
  at: number;
  laterMs: number;
  key: number;
  flag: boolean;
}

/**
 * Incidents reported over several days, follow-ups done days later, repeat callers across
 * midnight, key-account churn: the records whose timestamps put them into more than one day.
 */
const extraEvents: fc.Arbitrary<ExtraEvent[]> = fc.array(
  fc.record({
    kind: fc.constantFrom('incident', 'followup', 'call', 'churn'),
    day: fc.integer({ min: -2, max: 31 }),
    at: fc.oneof(fc.constantFrom(-1000, 0, 1000, 86_399_000), fc.integer({ min: 0, max: 86_399_999 })),
    laterMs: fc.integer({ min: 0, max: 5 * 86_400_000 }),
    key: fc.integer({ min: 1, max: 4 }),
    flag: fc.boolean(),
  }),
  { minLength: 4, maxLength: 30 },
);

function extraRows(events: readonly ExtraEvent[], monthStart: string, tz: string) {
  const out: Record<'tickets' | 'followups' | 'calls' | 'customers', Record<string, unknown>[]> = {
    tickets: [],
    followups: [],
    calls: [],
    customers: [],
  };
  events.forEach((e, i) => {
    const t = startOfLocalDay(addDays(monthStart, e.day), tz) + e.at;
    if (e.kind === 'incident') {
      out.tickets.push({
        ticket_id: `X-T${i}`,
        created_at: iso(t),
        channel: e.flag ? 'phone' : 'email',
        type: 'incident',
        status: 'open',
        customer_id: `X-C${e.key}`,
        incident_key: e.flag || e.key > 1 ? `X-INC-${e.key}` : null,
      });
    } else if (e.kind === 'followup') {
      out.followups.push({
        followup_id: `X-F${i}`,
        customer_id: `X-C${e.key}`,
        planned_at: iso(t),
        done_at: e.key === 4 ? null : iso(t + e.laterMs),
        key_account: e.flag,
      });
    } else if (e.kind === 'call') {
      out.calls.push({
        call_id: `X-CALL${i}`,
        direction: 'inbound',
        queue: e.flag ? 'general' : 'x-queue',
        agent_id: `X-A${e.key}`,
        customer_id: `X-C${e.key}`,
        started_at: iso(t),
        answered_at: iso(t + 5000),
        ended_at: iso(t + 65_000),
        outcome: 'answered',
      });
    } else {
      out.customers.push({
        customer_id: `X-CU${i}`,
        created_at: iso(t - 400 * 86_400_000),
        churned_at: iso(t),
        key_account: e.flag,
      });
    }
  });
  return out;
}

/** Where the month row of an additive KPI is not the sum of its days: one line per mismatch. */
function additivityProblems(
  rows: SqlRow[],
  month: string,
  days: number,
): { checked: number; problems: string[] } {
  const isAdditive = (r: SqlRow) => ADDITIVE.includes(String(r.kpi_id));
  const monthRows = rows.filter((r) => r.grain === 'month' && r.period_start === month && isAdditive(r));
  const dayRows = rows.filter(
    (r) => r.grain === 'day' && String(r.period_start).startsWith(month.slice(0, 7)),
  );
  const same = (a: SqlRow, b: SqlRow) =>
    a.kpi_id === b.kpi_id && a.dimension === b.dimension && a.dimension_value === b.dimension_value;
  const problems: string[] = [];
  const compare = (what: string, monthValue: unknown, sumOfDays: number) => {
    const m = Number(monthValue ?? 0);
    if (Math.abs(m - sumOfDays) > 1e-9 * Math.max(1, Math.abs(sumOfDays))) {
      problems.push(`${what}: month ${m}, sum of days ${sumOfDays}`);
    }
  };
  for (const m of monthRows) {
    const what = `${m.kpi_id} ${m.dimension}=${m.dimension_value}`;
    const daily = dayRows.filter((d) => same(d, m));
    // Overall rows exist for every day; a dimension's day row is left out when it has no records.
    if (m.dimension === 'all' && daily.length !== days) problems.push(`${what}: ${daily.length} day rows`);
    const sum = (f: string) => daily.reduce((s, d) => s + Number(d[f] ?? 0), 0);
    if (m.numerator === null && m.denominator === null) {
      compare(`${what} value`, m.value, sum('value'));
    } else {
      compare(`${what} numerator`, m.numerator, sum('numerator'));
      compare(`${what} denominator`, m.denominator, sum('denominator'));
    }
  }
  // No day row of an additive KPI without its month row (the month holds every day's records).
  for (const d of dayRows.filter(isAdditive)) {
    if (!monthRows.some((m) => same(m, d))) {
      problems.push(
        `${d.kpi_id} ${d.dimension}=${d.dimension_value}: a row on ${d.period_start}, none for the month`,
      );
    }
  }
  return { checked: monthRows.length, problems };
}

describe('additive KPIs', () => {
  it('have month numerators and denominators equal to the sums of their days', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 35 }),
        fc.integer({ min: 5, max: 34 }),
        extraEvents,
        async (seed, timezone, monthIndex, lastDay, events) => {
          // Prepare: a month of 2023 … 2025; eight days of demo data ending `lastDay` days after its
          // first day (so sometimes reaching into a neighbouring month), plus the extra records.
          const month = `${2023 + Math.floor(monthIndex / 12)}-${String((monthIndex % 12) + 1).padStart(2, '0')}-01`;
          const period = periodOf('month', month);
          const days = periodsBetween('day', period.start, period.end).length;
          h = await kpiHarness({ timezone });
          const demo = generateDemo({
            days: 8,
            endDate: addDays(month, lastDay),
            timezone,
            workWeek: [1, 2, 3, 4, 5],
            scale: 0.03,
            seed,
          });
          for (const f of demo) await ingestText(h, f.path, f.entity, f.content);
          for (const [entity, rows] of Object.entries(extraRows(events, month, timezone))) {
            if (rows.length > 0) await ingestText(h, `extra/${entity}.ndjson`, entity, ndjson(rows));
          }
          // Act
          await h.run('day', period.start, period.end);
          const rows = await h.run('month', period.start, period.end);
          // Assess
          const { checked, problems } = additivityProblems(rows, month, days);
          expect(problems).toEqual([]);
          expect(checked).toBeGreaterThanOrEqual(ADDITIVE.length);
          await h.close();
          h = undefined;
        },
      ),
      {
        numRuns: 8,
        // Each run ingests and computes a whole lake: report the first counterexample, do not shrink.
        endOnFailure: true,
        // First, a fixed case with each kind of cross-day record inside one month (April 2024, Tehran):
        // an incident reported on the 5th and again on the 9th, a follow-up planned on the 3rd and
        // done on the 6th, a customer calling back across midnight, a key account churning.
        examples: [
          [
            20240501,
            'Asia/Tehran',
            15,
            12,
            [
              { kind: 'incident', day: 4, at: 36_000_000, laterMs: 0, key: 2, flag: true },
              { kind: 'incident', day: 8, at: 0, laterMs: 0, key: 2, flag: true },
              { kind: 'followup', day: 2, at: 86_399_000, laterMs: 3 * 86_400_000, key: 1, flag: true },
              { kind: 'call', day: 10, at: 86_399_000, laterMs: 0, key: 3, flag: false },
              { kind: 'call', day: 11, at: 1000, laterMs: 0, key: 3, flag: false },
              { kind: 'churn', day: 20, at: 0, laterMs: 0, key: 1, flag: true },
            ],
          ],
        ],
      },
    );
  });
});

// ── reruns ────────────────────────────────────────────────────────────────────
describe('reruns', () => {
  it('an identical rerun changes no row, not even computed_at or run_id', async () => {
    // Prepare: eight days of demo data in Asia/Tehran, computed once as of 2030-01-01.
    h = await kpiHarness({ timezone: 'Asia/Tehran' });
    for (const f of generateDemo({
      days: 8,
      endDate: '2024-05-08',
      timezone: 'Asia/Tehran',
      workWeek: [6, 7, 1, 2, 3],
      scale: 0.03,
      seed: 7,
    })) {
      await ingestText(h, f.path, f.entity, f.content);
    }
    await h.run('day', '2024-05-01', '2024-05-08', '2030-01-01T00:00:00Z');
    const first = await h.run('month', '2024-05-01', '2024-05-31', '2030-01-01T00:00:00Z');
    // Act: the same runs, later (every window has long closed, so no value can change).
    await h.run('day', '2024-05-01', '2024-05-08', '2031-06-01T00:00:00Z');
    const second = await h.run('month', '2024-05-01', '2024-05-31', '2031-06-01T00:00:00Z');
    // Assess
    expect(first.length).toBeGreaterThan(300);
    expect(second).toEqual(first);
    expect(new Set(second.map((r) => r.computed_at))).toEqual(new Set(['2030-01-01T00:00:00.000Z']));
  });

  it('a rerun after a re-ingest deletes the stale rows of its periods, and only those', async () => {
    // Prepare: agents A and B answer calls on 10 May (Tehran); B also on 12 May, in another file.
    h = await kpiHarness({ timezone: 'Asia/Tehran' });
    const answered = (id: string, agent: string, started: string) => ({
      call_id: id,
      direction: 'inbound',
      queue: 'q1',
      agent_id: agent,
      started_at: started,
      answered_at: iso(Date.parse(started) + 10_000),
      ended_at: iso(Date.parse(started) + 130_000),
      outcome: 'answered',
    });
    const a1 = answered('a1', 'A', '2024-05-10T06:00:00Z');
    const a2 = answered('a2', 'A', '2024-05-10T07:00:00Z');
    const b1 = answered('b1', 'B', '2024-05-10T08:00:00Z');
    await h.load('calls', [a1, a2, b1], 'calls-10.ndjson');
    await h.load('calls', [answered('b2', 'B', '2024-05-12T08:00:00Z')], 'calls-12.ndjson');
    await h.run('day', '2024-05-10', '2024-05-12', '2030-01-01T00:00:00Z');
    const before = await h.run('month', '2024-05-01', '2024-05-31', '2030-01-01T00:00:00Z');
    const agentRow = (rows: SqlRow[], grain: string, day: string, agent: string) =>
      rows.find(
        (r) =>
          r.kpi_id === 'calls_per_agent' &&
          r.grain === grain &&
          r.period_start === day &&
          r.dimension === 'agent' &&
          r.dimension_value === agent,
      );
    expect(agentRow(before, 'day', '2024-05-10', 'B')).toBeDefined();
    expect(agentRow(before, 'month', '2024-05-01', 'B')?.numerator).toBe(2);
    // Act: the 10 May export is re-delivered without B's call; rerun 10 May and May.
    await h.load('calls', [a1, a2], 'calls-10.ndjson');
    await h.run('day', '2024-05-10', '2024-05-10', '2030-02-01T00:00:00Z');
    const after = await h.run('month', '2024-05-01', '2024-05-31', '2030-02-01T00:00:00Z');
    // Assess: B's rows for 10 May are gone (both KPIs reported by agent); B's 12 May row is outside
    // the rerun and stays; B's May row now counts one call; A's rows did not change at all.
    for (const kpi of ['calls_per_agent', 'avg_handle_time_seconds']) {
      expect(
        after.filter((r) => r.kpi_id === kpi && r.period_start === '2024-05-10' && r.dimension_value === 'B'),
      ).toEqual([]);
    }
    expect(agentRow(after, 'day', '2024-05-12', 'B')).toEqual(agentRow(before, 'day', '2024-05-12', 'B'));
    expect(agentRow(after, 'month', '2024-05-01', 'B')).toMatchObject({
      numerator: 1,
      computed_at: '2030-02-01T00:00:00.000Z',
    });
    expect(agentRow(after, 'day', '2024-05-10', 'A')).toEqual(agentRow(before, 'day', '2024-05-10', 'A'));
    const total = after.find(
      (r) => r.kpi_id === 'calls_total' && r.grain === 'day' && r.period_start === '2024-05-10',
    );
    expect(total).toMatchObject({ value: 2, computed_at: '2030-02-01T00:00:00.000Z' });
    expect(total?.run_id).toMatch(/^day-2024-05-10-2024-05-10-/);
    // Exactly those two rows went: the queue and overall rows of 10 May were updated in place.
    expect(before.length - after.length).toBe(2);
  });
});

// ── daylight saving time ──────────────────────────────────────────────────────
const inboundAnswered = (id: string, startedMs: number) => ({
  call_id: id,
  direction: 'inbound',
  queue: 'q1',
  agent_id: 'A',
  started_at: iso(startedMs),
  answered_at: iso(startedMs + 5000),
  ended_at: iso(startedMs + 65_000),
  outcome: 'answered',
});

const callsRow = (rows: SqlRow[], kpi: string, day: string) =>
  rows.find((r) => r.kpi_id === kpi && r.grain === 'day' && r.period_start === day && r.dimension === 'all');

describe('daylight saving time', () => {
  it('Europe/Berlin, 2024-03-31 (23 hours): local days and clock hours', async () => {
    // Prepare: clocks jump from 02:00 CET to 03:00 CEST at 01:00Z. One call 10 minutes into every
    // hour of the local day (23:10Z on the 30th … 21:10Z on the 31st: 23 calls, 23 clock hours),
    // plus calls one second either side of both local midnights.
    h = await kpiHarness({ timezone: 'Europe/Berlin' });
    const hourly = Array.from({ length: 23 }, (_, i) =>
      inboundAnswered(`h${i}`, Date.parse('2024-03-30T23:10:00Z') + i * 3_600_000),
    );
    await h.load('calls', [
      ...hourly,
      inboundAnswered('before', Date.parse('2024-03-30T22:59:59Z')), // 23:59:59 CET on the 30th
      inboundAnswered('first', Date.parse('2024-03-30T23:00:00Z')), // 00:00:00 CET on the 31st
      inboundAnswered('last', Date.parse('2024-03-31T21:59:59Z')), // 23:59:59 CEST on the 31st
      inboundAnswered('after', Date.parse('2024-03-31T22:00:00Z')), // 00:00:00 CEST on 1 April
    ]);
    // Act
    const rows = await h.run('day', '2024-03-30', '2024-04-01');
    // Assess: the 31st has 23 + 2 calls in 23 clock hours; its neighbours one call in one hour each.
    expect(callsRow(rows, 'calls_total', '2024-03-31')?.value).toBe(25);
    expect(callsRow(rows, 'calls_answered_per_hour', '2024-03-31')).toMatchObject({
      numerator: 25,
      denominator: 23,
    });
    expect(callsRow(rows, 'calls_total', '2024-03-30')?.value).toBe(1);
    expect(callsRow(rows, 'calls_answered_per_hour', '2024-03-30')).toMatchObject({
      value: 1,
      denominator: 1,
    });
    expect(callsRow(rows, 'calls_total', '2024-04-01')?.value).toBe(1);
  });

  it('America/New_York, 2024-11-03 (25 hours): local days', async () => {
    // Prepare: clocks fall back from 02:00 EDT to 01:00 EST at 06:00Z. Calls one second either side
    // of both local midnights, and calls at 00:30 EDT, 01:30 EDT and 03:30 EST.
    h = await kpiHarness({ timezone: 'America/New_York' });
    await h.load('calls', [
      inboundAnswered('before', Date.parse('2024-11-03T03:59:59Z')), // 23:59:59 EDT on 2 November
      inboundAnswered('first', Date.parse('2024-11-03T04:00:00Z')), // 00:00:00 EDT on 3 November
      inboundAnswered('h0', Date.parse('2024-11-03T04:30:00Z')), // 00:30 EDT
      inboundAnswered('h1', Date.parse('2024-11-03T05:30:00Z')), // 01:30 EDT
      inboundAnswered('h3', Date.parse('2024-11-03T08:30:00Z')), // 03:30 EST
      inboundAnswered('last', Date.parse('2024-11-04T04:59:59Z')), // 23:59:59 EST on 3 November
      inboundAnswered('after', Date.parse('2024-11-04T05:00:00Z')), // 00:00:00 EST on 4 November
    ]);
    // Act
    const rows = await h.run('day', '2024-11-02', '2024-11-04');
    // Assess: the 3rd has 5 calls in the clock hours 00, 01, 03 and 23.
    expect(callsRow(rows, 'calls_total', '2024-11-02')?.value).toBe(1);
    expect(callsRow(rows, 'calls_total', '2024-11-03')?.value).toBe(5);
    expect(callsRow(rows, 'calls_answered_per_hour', '2024-11-03')).toMatchObject({
      numerator: 5,
      denominator: 4,
    });
    expect(callsRow(rows, 'calls_total', '2024-11-04')?.value).toBe(1);
  });

  // The hour 01:00-02:00 happens twice on 3 November (EDT, then EST): two clock hours passed, so a
  // centre answering around the clock answered in 25 clock hours that day (as Athena's date_trunc,
  // which keeps the instant's offset, counts them).
  it('America/New_York, 2024-11-03: the repeated 01:00 hour is two clock hours', async () => {
    // Prepare: one call 10 minutes into every hour of the 25-hour local day (04:10Z … 04:10Z).
    h = await kpiHarness({ timezone: 'America/New_York' });
    await h.load(
      'calls',
      Array.from({ length: 25 }, (_, i) =>
        inboundAnswered(`h${i}`, Date.parse('2024-11-03T04:10:00Z') + i * 3_600_000),
      ),
    );
    // Act
    const rows = await h.run('day', '2024-11-03');
    // Assess
    expect(callsRow(rows, 'calls_total', '2024-11-03')?.value).toBe(25);
    expect(callsRow(rows, 'calls_answered_per_hour', '2024-11-03')).toMatchObject({
      value: 1,
      denominator: 25,
    });
  });

  it('Asia/Tehran (UTC+03:30): clock hours are local, not UTC, hours', async () => {
    // Prepare: 08:10 and 08:50 local are one clock hour (but two UTC hours: 04:40Z and 05:20Z).
    h = await kpiHarness({ timezone: 'Asia/Tehran' });
    await h.load('calls', [
      inboundAnswered('a', Date.parse('2024-05-10T04:40:00Z')),
      inboundAnswered('b', Date.parse('2024-05-10T05:20:00Z')),
    ]);
    // Act
    const rows = await h.run('day', '2024-05-10');
    // Assess
    expect(callsRow(rows, 'calls_answered_per_hour', '2024-05-10')).toMatchObject({
      value: 2,
      denominator: 1,
    });
  });
});
