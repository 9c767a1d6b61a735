/**
 * The KPI catalog (rendered as docs/kpis.md by catalog-doc.ts): one entry per public `kpi_id`,
 * with its family (which query file computes it), unit, direction, default target and the
 * dimensions it is reported by. Names in the five digest languages come from catalog-names.ts.
 *
 * Adding a KPI = an entry here (its dimensions are read from here by the SQL renderer) + its one
 * `ROW(…)` in the `kpi_rows` array of the family's query under queries/kpi/ + its names in
 * catalog-names.ts. The ids form the type {@link KpiId}; tables keyed by KPI (the names in
 * catalog-names.ts, checked below; the digest's extra sources in digest/freshness.ts) are typed
 * against it, so a typo or a missing KPI fails `tsc`.
 */

import { FAMILY_NAMES, KPI_NAMES } from './catalog-names.ts';
import type { Lang, TargetRange } from './config.ts';

export const FAMILIES = ['tickets', 'calls', 'surveys', 'customers', 'followups', 'costs', 'plans'] as const;
export type Family = (typeof FAMILIES)[number];

export const GRAINS = ['day', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

export const DIMENSIONS = ['all', 'channel', 'team', 'queue', 'agent', 'plan_kind'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** min = lower is better, max = higher is better, range = inside is better, info = never flagged. */
export type Direction = 'min' | 'max' | 'range' | 'info';

export type Unit =
  | 'count'
  | 'pct'
  | 'minutes'
  | 'hours'
  | 'seconds'
  | 'ratio'
  | 'score'
  | 'currency'
  | 'per_hour';

export interface KpiDefinition {
  id: KpiId;
  family: Family;
  unit: Unit;
  direction: Direction;
  /** Default target; per grain where the spec gives one for a grain only. */
  target?: TargetRange | { day?: TargetRange; month?: TargetRange };
  grains: readonly Grain[];
  dimensions: readonly Dimension[];
  /** The exact definition, as in the spec. */
  definition: string;
  /** The timestamp that puts a record into a period. */
  countedOn: string;
  /** Seed document references: the public articles listed at the top of docs/kpis.md (000–004). */
  seed: string;
  /** Whether numerator and denominator add up across periods (BI can re-aggregate). */
  additive: boolean;
  names: Record<Lang, string>;
}

type Entry = Omit<KpiDefinition, 'id' | 'names' | 'grains' | 'dimensions' | 'additive'> & {
  id: string;
  grains?: readonly Grain[];
  dimensions?: readonly Dimension[];
  additive?: boolean;
};

const BOTH: readonly Grain[] = ['day', 'month'];
const TICKET_DIMS: readonly Dimension[] = ['all', 'channel', 'team'];
const CALL_DIMS: readonly Dimension[] = ['all', 'queue'];

const entries = [
  // ── tickets ──
  {
    id: 'tickets_created',
    family: 'tickets',
    unit: 'count',
    direction: 'info',
    definition: 'tickets created',
    countedOn: 'created_at',
    seed: '000 #11, 003, 004 #6',
    additive: true,
  },
  {
    id: 'complaints_received',
    family: 'tickets',
    unit: 'count',
    direction: 'min',
    definition: 'tickets of type complaint created',
    countedOn: 'created_at',
    seed: '000 #8',
    additive: true,
  },
  {
    id: 'complaints_via_phone_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'info',
    definition: 'complaints whose channel is phone ÷ complaints',
    countedOn: 'created_at',
    seed: '000 #7',
    additive: true,
  },
  {
    id: 'repeat_incident_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'min',
    definition:
      'incidents (tickets of type incident grouped by incident_key; no key = its own incident) first reported in the period that have ≥ 2 tickets ÷ those incidents',
    countedOn: "first ticket's created_at",
    seed: '000 #4',
    additive: false,
  },
  {
    id: 'overdue_backlog_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'min',
    target: { max: 10 },
    definition:
      'open tickets whose due_at < period end ÷ open tickets, as of period end (open = created, not yet resolved/closed)',
    countedOn: 'period end',
    seed: '000 #9',
    additive: false,
  },
  {
    id: 'avg_first_response_minutes',
    family: 'tickets',
    unit: 'minutes',
    direction: 'min',
    definition: 'mean(first_response_at − created_at)',
    countedOn: 'first_response_at',
    seed: '002 #1, 003 FRT',
    additive: true,
  },
  {
    id: 'first_response_sla_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'max',
    target: { min: 90 },
    definition:
      "tickets whose first response came within the channel's standard time ÷ tickets first-responded",
    countedOn: 'first_response_at',
    seed: '001 (feedback timeliness)',
    additive: true,
  },
  {
    id: 'email_answered_24h_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'max',
    target: { min: 90 },
    definition:
      'e-mail tickets answered within 24 h ÷ e-mail tickets decided (answered, or unanswered and older than 24 h at evaluation time)',
    countedOn: 'created_at',
    seed: '000 #18',
    additive: true,
  },
  {
    id: 'avg_service_time_hours',
    family: 'tickets',
    unit: 'hours',
    direction: 'min',
    definition: 'mean(resolved_at − coalesce(assigned_at, first_response_at, created_at))',
    countedOn: 'resolved_at',
    seed: '000 #10, 004 #4',
    additive: true,
  },
  {
    id: 'avg_resolution_time_hours',
    family: 'tickets',
    unit: 'hours',
    direction: 'min',
    definition: 'mean(resolved_at − created_at)',
    countedOn: 'resolved_at',
    seed: '000 #14, 003 ART',
    additive: true,
  },
  {
    id: 'complaint_resolution_time_hours',
    family: 'tickets',
    unit: 'hours',
    direction: 'min',
    definition: 'mean(resolved_at − created_at) over complaints',
    countedOn: 'resolved_at',
    seed: '001',
    additive: true,
  },
  {
    id: 'messages_per_ticket',
    family: 'tickets',
    unit: 'ratio',
    direction: 'min',
    definition: 'mean(agent_messages + customer_messages) over resolved tickets with message counts',
    countedOn: 'resolved_at',
    seed: '000 #16, 004 #5',
    additive: true,
  },
  {
    id: 'first_contact_resolution_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'max',
    target: { min: 70 },
    definition:
      'resolved tickets with contacts ≤ 1 (if contacts is null: agent_messages ≤ 1) and reopens = 0 ÷ resolved tickets',
    countedOn: 'resolved_at',
    seed: '000 #13, 003 FCR, 004',
    additive: true,
  },
  {
    id: 'contacts_per_resolution',
    family: 'tickets',
    unit: 'ratio',
    direction: 'min',
    target: { max: 1.5 },
    definition: 'sum(coalesce(contacts, 1)) ÷ resolved tickets',
    countedOn: 'resolved_at',
    seed: '000 #24, 001',
    additive: true,
  },
  {
    id: 'handoffs_per_ticket',
    family: 'tickets',
    unit: 'ratio',
    direction: 'min',
    target: { max: 1 },
    definition: 'mean(coalesce(handoffs, 0)) over resolved tickets',
    countedOn: 'resolved_at',
    seed: '002 #3',
    additive: true,
  },
  {
    id: 'escalation_rate_pct',
    family: 'tickets',
    unit: 'pct',
    direction: 'min',
    target: { max: 10 },
    definition: 'escalated ÷ tickets created',
    countedOn: 'created_at',
    seed: '003',
    additive: true,
  },
  {
    id: 'tickets_resolved_per_agent',
    family: 'tickets',
    unit: 'ratio',
    direction: 'max',
    definition:
      "resolved tickets with an agent ÷ distinct agents among them; per agent = that agent's resolved tickets",
    countedOn: 'resolved_at',
    seed: '000 #20, 002 #6',
    dimensions: ['all', 'channel', 'team', 'agent'],
    additive: false,
  },
  // ── calls ──
  {
    id: 'calls_total',
    family: 'calls',
    unit: 'count',
    direction: 'info',
    definition: 'all calls, both directions, every outcome',
    countedOn: 'started_at',
    seed: '001 (呼叫數)',
    additive: true,
  },
  {
    id: 'calls_answered_per_hour',
    family: 'calls',
    unit: 'per_hour',
    direction: 'info',
    definition:
      'answered inbound calls ÷ distinct clock hours (reporting zone) in which ≥ 1 inbound call was answered',
    countedOn: 'started_at',
    seed: '000 #12',
    additive: true,
  },
  {
    id: 'service_level_pct',
    family: 'calls',
    unit: 'pct',
    direction: 'max',
    target: { min: 80 },
    definition:
      'offered calls answered with a wait ≤ the threshold ÷ offered calls, short abandons excluded from both',
    countedOn: 'started_at',
    seed: '000 #21',
    additive: true,
  },
  {
    id: 'avg_speed_of_answer_seconds',
    family: 'calls',
    unit: 'seconds',
    direction: 'min',
    target: { max: 30 },
    definition: 'mean(answered_at − started_at) over answered inbound calls',
    countedOn: 'started_at',
    seed: '000 #22, 001 (平均等待時間)',
    additive: true,
  },
  {
    id: 'max_queue_wait_seconds',
    family: 'calls',
    unit: 'seconds',
    direction: 'min',
    target: { max: 90 },
    definition:
      'max wait in queue over offered calls (answered: answered_at − started_at; abandoned: ended_at − started_at)',
    countedOn: 'started_at',
    seed: '000 #25',
    additive: false,
  },
  {
    id: 'abandonment_rate_pct',
    family: 'calls',
    unit: 'pct',
    direction: 'min',
    target: { max: 5 },
    definition: 'abandoned ÷ offered, short abandons excluded from both',
    countedOn: 'started_at',
    seed: '001, 002 #2',
    additive: true,
  },
  {
    id: 'avg_abandon_time_seconds',
    family: 'calls',
    unit: 'seconds',
    direction: 'range',
    target: { min: 20, max: 60 },
    definition: 'mean(ended_at − started_at) over abandoned calls (short abandons excluded)',
    countedOn: 'started_at',
    seed: '001',
    additive: true,
  },
  {
    id: 'avg_talk_time_minutes',
    family: 'calls',
    unit: 'minutes',
    direction: 'range',
    target: { min: 3, max: 8 },
    definition: 'mean talk over answered calls (both directions)',
    countedOn: 'started_at',
    seed: '000 #15',
    additive: true,
  },
  {
    id: 'max_call_minutes',
    family: 'calls',
    unit: 'minutes',
    direction: 'info',
    definition: 'max talk over answered calls (both directions)',
    countedOn: 'started_at',
    seed: '000 #17',
    additive: false,
  },
  {
    id: 'avg_handle_time_seconds',
    family: 'calls',
    unit: 'seconds',
    direction: 'min',
    target: { max: 360 },
    definition: 'mean(talk + hold + acw) over answered calls (both directions)',
    countedOn: 'started_at',
    seed: '001 (AHT)',
    dimensions: ['all', 'queue', 'agent'],
    additive: true,
  },
  {
    id: 'transfer_rate_pct',
    family: 'calls',
    unit: 'pct',
    direction: 'min',
    target: { max: 10 },
    definition: 'answered calls transferred ÷ answered calls (both directions)',
    countedOn: 'started_at',
    seed: '001',
    additive: true,
  },
  {
    id: 'calls_per_agent',
    family: 'calls',
    unit: 'ratio',
    direction: 'info',
    definition:
      'answered calls (both directions) with an agent ÷ (distinct agent × day pairs with ≥ 1 answered call)',
    countedOn: 'started_at',
    seed: '000 #19',
    dimensions: ['all', 'queue', 'agent'],
    additive: true,
  },
  {
    id: 'call_fcr_pct',
    family: 'calls',
    unit: 'pct',
    direction: 'max',
    target: { min: 70 },
    definition:
      'answered inbound calls with a customer_id after which the same customer makes no other inbound call within the repeat window ÷ those calls; calls whose window has not ended at evaluation time are not counted',
    countedOn: 'started_at',
    seed: '000 #13',
    additive: true,
  },
  {
    id: 'cost_per_inbound_call',
    family: 'calls',
    unit: 'currency',
    direction: 'min',
    definition: 'actual costs booked in the period ÷ inbound calls (all outcomes)',
    countedOn: 'date / started_at',
    seed: '000 #2',
    dimensions: ['all'],
    additive: true,
  },
  // ── surveys ──
  {
    id: 'csat_pct',
    family: 'surveys',
    unit: 'pct',
    direction: 'max',
    target: { min: 85 },
    definition: 'csat responses in the top two points of their scale ÷ csat responses',
    countedOn: 'responded_at',
    seed: '000 #5, 003 CSAT',
    additive: true,
  },
  {
    id: 'csat_avg_score',
    family: 'surveys',
    unit: 'score',
    direction: 'range',
    target: { min: 4, max: 5 },
    definition: 'mean csat score, normalised to the 1–5 scale',
    countedOn: 'responded_at',
    seed: '000 #6, 001 (客戶滿意度)',
    additive: true,
  },
  {
    id: 'nps',
    family: 'surveys',
    unit: 'score',
    direction: 'max',
    target: { min: 30 },
    definition: '% promoters (9–10) − % detractors (0–6) of nps responses',
    countedOn: 'responded_at',
    seed: '002 #5, 003 NPS',
    additive: true,
  },
  {
    id: 'enps',
    family: 'surveys',
    unit: 'score',
    direction: 'max',
    target: { min: 10 },
    definition: '% promoters (9–10) − % detractors (0–6) of enps responses',
    countedOn: 'responded_at',
    seed: '003 eNPS',
    additive: true,
  },
  {
    id: 'collaboration_satisfaction_pct',
    family: 'surveys',
    unit: 'pct',
    direction: 'max',
    target: { min: 80 },
    definition: '(mean score − scale_min) ÷ (scale_max − scale_min) × 100 over collaboration responses',
    countedOn: 'responded_at',
    seed: '001 (部門協作滿意度)',
    additive: true,
  },
  {
    id: 'complaint_resolution_satisfaction_pct',
    family: 'surveys',
    unit: 'pct',
    direction: 'max',
    target: { min: 80 },
    definition:
      'csat responses linked (ticket_id) to complaint tickets in the top two points ÷ such responses',
    countedOn: 'responded_at',
    seed: '001',
    additive: true,
  },
  // ── customers ──
  {
    id: 'avg_revenue_per_customer',
    family: 'customers',
    unit: 'currency',
    direction: 'max',
    definition: 'sum(revenue_to_date) ÷ customers, over customers created by period end',
    countedOn: 'period end',
    seed: '000 #3',
    additive: false,
  },
  {
    id: 'dormant_customers_pct',
    family: 'customers',
    unit: 'pct',
    direction: 'min',
    target: { max: 20 },
    definition:
      'customers not churned at period end whose last_active_at (else created_at) is more than dormantDays before period end ÷ customers not churned at period end',
    countedOn: 'period end',
    seed: '000 #23',
    additive: false,
  },
  {
    id: 'churn_rate_pct',
    family: 'customers',
    unit: 'pct',
    direction: 'min',
    target: { month: { max: 2 } },
    definition:
      'customers churned in the period ÷ customers at period start (created before, not churned before)',
    countedOn: 'churned_at',
    seed: '003',
    additive: false,
  },
  {
    id: 'retention_rate_pct',
    family: 'customers',
    unit: 'pct',
    direction: 'max',
    target: { month: { min: 95 } },
    definition: '(customers at period end − customers created in the period) ÷ customers at period start',
    countedOn: 'period',
    seed: '002 #4',
    additive: false,
  },
  {
    id: 'key_account_churn_count',
    family: 'customers',
    unit: 'count',
    direction: 'min',
    target: { max: 0 },
    definition: 'key accounts churned in the period',
    countedOn: 'churned_at',
    seed: '001 (大客戶流失數)',
    additive: true,
  },
  // ── follow-ups ──
  {
    id: 'callback_completion_pct',
    family: 'followups',
    unit: 'pct',
    direction: 'max',
    target: { min: 90 },
    definition: 'follow-ups planned in the period that are done ÷ follow-ups planned in the period',
    countedOn: 'planned_at',
    seed: '001 (客戶回訪率)',
    additive: true,
  },
  {
    id: 'key_account_callbacks',
    family: 'followups',
    unit: 'count',
    direction: 'max',
    definition: 'follow-ups with key accounts done in the period',
    countedOn: 'done_at',
    seed: '001 (大客戶回訪次數)',
    additive: true,
  },
  // ── costs ──
  {
    id: 'operating_cost',
    family: 'costs',
    unit: 'currency',
    direction: 'min',
    definition: 'sum of actual costs',
    countedOn: 'date',
    seed: '000 #1',
    additive: true,
  },
  {
    id: 'budget_utilization_pct',
    family: 'costs',
    unit: 'pct',
    direction: 'range',
    target: { min: 90, max: 100 },
    definition: 'actual ÷ budget × 100',
    countedOn: 'date',
    seed: '001 (服務費用預算控制率)',
    additive: true,
  },
  {
    id: 'budget_savings_pct',
    family: 'costs',
    unit: 'pct',
    direction: 'max',
    target: { min: 0 },
    definition: '(budget − actual) ÷ budget × 100',
    countedOn: 'date',
    seed: '001 (費用預算節省率)',
    additive: true,
  },
  // ── plans ──
  {
    id: 'plan_completion_pct',
    family: 'plans',
    unit: 'pct',
    direction: 'max',
    target: { min: 100 },
    definition: 'sum(achieved) ÷ sum(planned) × 100 of plans of the month; by plan_kind',
    countedOn: 'month',
    seed: '001 (five plan-completion KPIs)',
    grains: ['month'],
    dimensions: ['all', 'plan_kind'],
    additive: true,
  },
] as const satisfies readonly Entry[];

/** A public KPI id: one of the catalog's entries. */
export type KpiId = (typeof entries)[number]['id'];

/** A table keyed by exactly the keys `K`: every one present, any other key a compile error. */
type Exactly<T, K extends PropertyKey, V> = Record<K, V> & Record<Exclude<keyof T, K>, never>;

// catalog-names.ts cannot import KpiId or Family (this file imports it), so its tables are checked
// here: a typo, a missing or an unknown KPI id or family fails `tsc` on these lines.
KPI_NAMES satisfies Exactly<typeof KPI_NAMES, KpiId, Record<Lang, string>>;
FAMILY_NAMES satisfies Exactly<typeof FAMILY_NAMES, Family, Record<Lang, string>>;

const ENTRIES: readonly (Entry & { id: KpiId })[] = entries;

function defaultDimensions(family: Family): readonly Dimension[] {
  if (family === 'tickets') return TICKET_DIMS;
  if (family === 'calls') return CALL_DIMS;
  return ['all'];
}

export const CATALOG: readonly KpiDefinition[] = ENTRIES.map((e) => ({
  ...e,
  grains: e.grains ?? BOTH,
  dimensions: e.dimensions ?? defaultDimensions(e.family),
  additive: e.additive ?? false,
  names: KPI_NAMES[e.id],
}));

export const KPI_IDS: readonly KpiId[] = CATALOG.map((k) => k.id);

const byId = new Map<string, KpiDefinition>(CATALOG.map((k) => [k.id, k]));
export function kpi(id: string): KpiDefinition {
  const k = byId.get(id);
  if (!k) throw new Error(`unknown KPI ${id}`);
  return k;
}

export function kpisOfFamily(family: Family, grain?: Grain): KpiDefinition[] {
  return CATALOG.filter((k) => k.family === family && (!grain || k.grains.includes(grain)));
}

/** The catalog's default target for a grain, if any. */
export function defaultTarget(k: KpiDefinition, grain: Grain): TargetRange | undefined {
  const t = k.target;
  if (!t) return undefined;
  if ('day' in t || 'month' in t) return (t as { day?: TargetRange; month?: TargetRange })[grain];
  return t as TargetRange;
}
