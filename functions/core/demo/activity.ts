/**
 * The demo's other daily records (NPS, eNPS and collaboration surveys; budgeted and actual
 * costs per category; customer follow-ups) and the monthly plans.
 */
import { arrival } from './random.ts';
import { type DemoDay, type DemoWorld, iso, type Row } from './world.ts';

/** NPS responses every day; on half the working days, four eNPS or collaboration responses. */
export function daySurveys(w: DemoWorld, d: DemoDay): Row[] {
  const { r } = w;
  const surveys: Row[] = [];
  for (let i = 0; i < Math.round(25 * w.scale * d.load); i++) {
    w.next.survey++;
    surveys.push({
      response_id: `S-${w.next.survey}`,
      survey: 'nps',
      score: r.weighted([
        [10, 3],
        [9, 3],
        [8, 2],
        [7, 2],
        [6, 1],
        [4, 1],
        [2, 0.5],
      ] as const),
      responded_at: iso(arrival(r, d.day, w.tz)),
      customer_id: w.customerOf(),
    });
  }
  if (d.working && r.chance(0.5)) {
    for (let i = 0; i < 4; i++) {
      w.next.survey++;
      surveys.push({
        response_id: `S-${w.next.survey}`,
        survey: r.chance(0.5) ? 'enps' : 'collaboration',
        score: r.int(5, 10),
        scale_min: 0,
        scale_max: 10,
        responded_at: iso(arrival(r, d.day, w.tz)),
      });
    }
  }
  return surveys;
}

const DAILY_BUDGET = [
  ['staff', 90_000_000],
  ['telephony', 12_000_000],
  ['software', 6_000_000],
  ['facilities', 8_000_000],
] as const;

/** Costs booked daily: a budget and an actual per category (30 % of the budget on days off). */
export function dayCosts(w: DemoWorld, d: DemoDay): Row[] {
  const costs: Row[] = [];
  for (const [category, budget] of DAILY_BUDGET) {
    const daily = d.working ? budget : budget * 0.3;
    const base = { date: d.day, category, currency: 'IRR' };
    costs.push({ cost_id: `B-${d.day}-${category}`, ...base, kind: 'budget', amount: Math.round(daily) });
    costs.push({
      cost_id: `A-${d.day}-${category}`,
      ...base,
      kind: 'actual',
      amount: Math.round(daily * w.r.logn(0.95, 0.08)),
    });
  }
  return costs;
}

/** Follow-ups planned that day; 86 % done within about a day (if before the export). */
export function dayFollowups(w: DemoWorld, d: DemoDay): Row[] {
  const { r } = w;
  const followups: Row[] = [];
  for (let i = 0; i < Math.round(r.logn(18 * w.scale * d.load + 1, 0.2)); i++) {
    w.next.followup++;
    const planned = arrival(r, d.day, w.tz);
    const customer = w.customerOf();
    const done = r.chance(0.86) ? planned + Math.round(r.exp(20) * 3_600_000) : undefined;
    followups.push({
      followup_id: `F-${w.next.followup}`,
      customer_id: customer,
      planned_at: iso(planned),
      done_at: done !== undefined && done < w.now ? iso(done) : '',
      key_account: w.keyAccounts.has(customer),
    });
  }
  return followups;
}

const PLAN_KINDS = [
  'work_plan',
  'customer_survey',
  'process_improvement',
  'standards_execution',
  'info_relay',
];

/** Per month and plan kind: planned and achieved counts. */
export function monthlyPlans(w: DemoWorld, months: readonly string[]): Row[] {
  const { r } = w;
  const plans: Row[] = [];
  for (const m of months) {
    for (const kind of PLAN_KINDS) {
      const planned = r.int(8, 40);
      plans.push({
        plan_id: `P-${m}-${kind}`,
        month: m,
        kind,
        planned,
        achieved: Math.max(0, Math.round(planned * r.logn(0.93, 0.12))),
      });
    }
  }
  return plans;
}

/** A day's surveys, costs and follow-ups, drawn in that order. */
export function activityFor(w: DemoWorld, d: DemoDay): { surveys: Row[]; costs: Row[]; followups: Row[] } {
  const surveys = daySurveys(w, d);
  const costs = dayCosts(w, d);
  return { surveys, costs, followups: dayFollowups(w, d) };
}
