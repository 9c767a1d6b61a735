/**
 * A deterministic (seeded) generator of realistic contact-centre exports, for the demo and tests.
 *
 * Arrivals follow an office-hours curve on the configured work week (Friday is the weekend in
 * Iran); calls wait in queues, are answered or abandoned by a patience model; tickets flow
 * through channels with first responses, resolutions, reopens and handoffs; surveys, customers,
 * costs with budgets, monthly plans and follow-ups complete the picture. Names and subjects are
 * in Persian, Arabic, Chinese, Malay and English. Files are in the generic format (CSV and
 * NDJSON); some tickets are written twice (an older snapshot, then the latest) so that the
 * "latest snapshot wins" rule is exercised on every demo run.
 */
import { addDays, isoWeekday } from '../time.ts';
import { activityFor, monthlyPlans } from './activity.ts';
import { dayCalls } from './calls.ts';
import { type DemoFile, type DemoRows, demoFiles } from './files.ts';
import { rng } from './random.ts';
import { dayTickets } from './tickets.ts';
import { createWorld, type DemoDay } from './world.ts';

export type { DemoFile } from './files.ts';

export interface DemoOptions {
  /** Days of history, ending `endDate` (inclusive). */
  days: number;
  endDate: string;
  timezone: string;
  /** ISO weekdays that are working days (1 = Monday … 7 = Sunday). */
  workWeek: readonly number[];
  seed?: number;
  /** Scale of the volumes (1 = a mid-size centre: ~400 calls and ~150 tickets a working day). */
  scale?: number;
}

export function generateDemo(opts: DemoOptions): DemoFile[] {
  const r = rng(opts.seed ?? 20241120);
  const tz = opts.timezone;
  const first = addDays(opts.endDate, -(opts.days - 1));
  const days = Array.from({ length: opts.days }, (_, i) => addDays(first, i));
  const work = new Set(opts.workWeek);
  const { world, customers } = createWorld(r, { scale: opts.scale ?? 1, tz, first, endDate: opts.endDate });
  const rows: DemoRows = {
    customers,
    calls: [],
    tickets: [],
    oldSnapshots: [],
    surveys: [],
    costs: [],
    plans: [],
    followups: [],
  };
  // Day by day, in a fixed order of entities: the random sequence (and so every file) depends on it.
  days.forEach((day, i) => {
    const working = work.has(isoWeekday(day));
    // The last three days are a bad stretch that makes the digest interesting: longer waits.
    const d: DemoDay = { day, working, load: working ? 1 : 0.15, stress: i >= days.length - 3 ? 1.9 : 1 };
    rows.calls.push(...dayCalls(world, d));
    const t = dayTickets(world, d);
    rows.tickets.push(...t.tickets);
    rows.oldSnapshots.push(...t.oldSnapshots);
    rows.surveys.push(...t.surveys);
    const a = activityFor(world, d);
    rows.surveys.push(...a.surveys);
    rows.costs.push(...a.costs);
    rows.followups.push(...a.followups);
  });
  rows.plans = monthlyPlans(world, [...new Set(days.map((d) => d.slice(0, 7)))]);
  return demoFiles(rows, tz);
}
