/**
 * The KPI benchmark's lake, written straight to the curated layout
 * `lake/<entity>/dt=YYYY-MM-DD/<name>.parquet` with the normalizer's own writer (ParquetRowWriter
 * over curatedColumns(entity), so types, units and encodings are those of a real ingest): one file
 * per local day and entity for the month's calls, tickets (5 % of them also as an older snapshot),
 * surveys, follow-ups and costs; the month's plans; and a customer base created over the two
 * preceding years (one small file per creation day, as the normalizer partitions a customers export).
 * Random draws come from the project's one seeded source (functions/core/demo/random.ts).
 */
import { FileSystemStore } from '../functions/adapters/filesystem.ts';
import { curatedColumns, ENTITIES, type Entity } from '../functions/core/contracts.ts';
import { arrivalBetween, type Rng, rng } from '../functions/core/demo/random.ts';
import { ParquetRowWriter } from '../functions/core/parquet.ts';
import { periodOf, periodsBetween } from '../functions/core/sql/render.ts';
import { addDays, startOfLocalDay } from '../functions/core/time.ts';

export interface LakeSpec {
  calls: number;
  tickets: number;
  customers: number;
  /** YYYY-MM */
  month: string;
  timezone: string;
  seed: number;
}

export type LakeCounts = Record<Entity, { rows: number; files: number }>;

type Row = Record<string, unknown>;

const INGESTED_AT = Date.UTC(2024, 5, 2);
const QUEUES = ['general', 'billing', 'technical', 'vip', 'sales', 'retention', 'پشتیبانی', '客服'];
const TEAMS = ['پشتیبانی تهران', 'فريق الرياض', '上海客服组', 'Pasukan Kuala Lumpur', 'London desk'];
const CHANNELS = ['email', 'email', 'chat', 'chat', 'web', 'phone', 'social', 'other'];
const TYPES = ['request', 'request', 'request', 'question', 'question', 'complaint', 'incident', 'other'];
const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const AGENTS = 400;

/** 0 … n-1 */
const below = (r: Rng, n: number) => r.int(0, n - 1);

const lineage = (file: string, record: number): Row => ({
  _source: 'generic',
  _source_file: file,
  _record: record,
  _ingested_at: INGESTED_AT,
});

/** The state of one generated day: the random source, the day's bounds and the id counters. */
interface Day {
  r: Rng;
  dt: string;
  start: number;
  end: number;
  next: { call: number; ticket: number; survey: number; followup: number };
}

const fileOf = (d: Day, entity: string) => `landing/bench/${entity}-${d.dt}.csv`;

function callRow(d: Day): Row {
  const { r } = d;
  const no = ++d.next.call;
  const started = arrivalBetween(r, d.start, d.end);
  const inbound = r.chance(0.85);
  const base: Row = {
    call_id: `C${1_000_000_000 + no}`,
    direction: inbound ? 'inbound' : 'outbound',
    queue: inbound ? r.pick(QUEUES) : null,
    customer_id: r.chance(0.9) ? `CU${100_000 + below(r, 200_000)}` : null,
    started_at: started,
    ...lineage(fileOf(d, 'calls'), no),
  };
  const u = r.next();
  if (inbound && u < 0.01)
    return { ...base, ended_at: started + 2000, outcome: 'blocked', hold_seconds: 0, acw_seconds: 0 };
  if ((inbound && u < 0.1) || (!inbound && u < 0.25)) {
    const wait = Math.round(r.exp(inbound ? 60 : 30) * 1000);
    const outcome = inbound ? (u < 0.09 ? 'abandoned' : 'voicemail') : 'no_answer';
    return { ...base, ended_at: started + wait, outcome, hold_seconds: 0, acw_seconds: 0 };
  }
  const wait = Math.round(r.exp(inbound ? 18 : 5) * 1000);
  const talk = 20 + below(r, 600);
  const hold = r.chance(0.2) ? 10 + below(r, 110) : 0;
  const transferred = r.chance(0.06);
  return {
    ...base,
    agent_id: `A${100 + below(r, AGENTS)}`,
    answered_at: started + wait,
    ended_at: started + wait + (talk + hold) * 1000,
    outcome: 'answered',
    talk_seconds: talk,
    hold_seconds: hold,
    acw_seconds: 15 + below(r, 75),
    transferred,
    initial_call_id: transferred ? `C${1_000_000_000 + Math.max(0, no - 1)}` : null,
    cost: +(talk * 0.02).toFixed(4),
  };
}

function ticketRow(d: Day): Row {
  const { r } = d;
  const no = ++d.next.ticket;
  const created = arrivalBetween(r, d.start, d.end);
  const channel = r.pick(CHANNELS);
  const type = r.pick(TYPES);
  const responded = r.chance(0.95);
  const frt = Math.round(r.exp(channel === 'chat' ? 2 : channel === 'email' ? 600 : 60) * 60_000);
  const resolved =
    responded && r.chance(0.85) ? created + frt + Math.round(r.exp(14) * 3_600_000) : undefined;
  const closed = resolved !== undefined && r.chance(0.6) ? resolved + below(r, 72) * 3_600_000 : undefined;
  const contacts = 1 + (r.chance(0.3) ? 1 + below(r, 2) : 0);
  return {
    ticket_id: `T${10_000_000 + no}`,
    created_at: created,
    updated_at: closed ?? resolved ?? (responded ? created + frt : created),
    channel,
    type,
    priority: r.pick(PRIORITIES),
    status: closed !== undefined ? 'closed' : resolved !== undefined ? 'solved' : responded ? 'open' : 'new',
    customer_id: `CU${100_000 + below(r, 200_000)}`,
    agent_id: responded ? `A${100 + below(r, AGENTS)}` : null,
    team: r.pick(TEAMS),
    assigned_at: responded ? created + Math.round(frt / 2) : null,
    first_response_at: responded ? created + frt : null,
    resolved_at: resolved ?? null,
    closed_at: closed ?? null,
    due_at: created + (channel === 'chat' ? 4 : 48) * 3_600_000,
    agent_messages: responded ? contacts + below(r, 3) : 0,
    customer_messages: contacts + below(r, 2),
    contacts,
    handoffs: r.chance(0.3) ? 1 + below(r, 2) : 0,
    escalated: r.chance(type === 'complaint' ? 0.3 : 0.05),
    reopens: resolved !== undefined && r.chance(0.08) ? 1 : 0,
    incident_key: type === 'incident' && r.chance(0.8) ? `INC-${d.dt}-${below(r, 20)}` : null,
    ...lineage(fileOf(d, 'tickets'), no),
  };
}

function csatFor(d: Day, t: Row): Row {
  const no = ++d.next.survey;
  return {
    response_id: `S${no}`,
    survey: 'csat',
    score: 1 + below(d.r, 5),
    scale_min: 1,
    scale_max: 5,
    responded_at: Math.min(d.end - 1, (t.created_at as number) + below(d.r, 3_600_000)),
    customer_id: t.customer_id,
    ticket_id: t.ticket_id,
    agent_id: t.agent_id,
    ...lineage(fileOf(d, 'surveys'), no),
  };
}

/** A day's tickets (5 % an older snapshot of the ticket before: the latest must win) and their CSATs. */
function dayTickets(d: Day, n: number): { tickets: Row[]; csat: Row[] } {
  const tickets: Row[] = [];
  const csat: Row[] = [];
  for (let k = 0; k < n; k++) {
    if (k > 0 && d.r.chance(0.05)) {
      const prev = tickets.at(-1)!;
      const older = { updated_at: (prev.created_at as number) + 1000, status: 'new' };
      tickets.push({ ...prev, ...older, resolved_at: null, closed_at: null, _record: -k });
      continue;
    }
    const t = ticketRow(d);
    tickets.push(t);
    if (t.resolved_at !== null && d.r.chance(0.3)) csat.push(csatFor(d, t));
  }
  return { tickets, csat };
}

function otherSurvey(d: Day): Row {
  const survey = d.r.pick(['nps', 'nps', 'nps', 'enps', 'collaboration'] as const);
  const max = survey === 'collaboration' ? 5 : 10;
  const no = ++d.next.survey;
  return {
    response_id: `S${no}`,
    survey,
    score: (survey === 'collaboration' ? 1 : 0) + below(d.r, max),
    scale_min: survey === 'collaboration' ? 1 : 0,
    scale_max: max,
    responded_at: arrivalBetween(d.r, d.start, d.end),
    ...lineage(fileOf(d, 'surveys'), no),
  };
}

function followupRow(d: Day): Row {
  const planned = arrivalBetween(d.r, d.start, d.end);
  const no = ++d.next.followup;
  return {
    followup_id: `F${no}`,
    customer_id: `CU${100_000 + below(d.r, 200_000)}`,
    planned_at: planned,
    done_at: d.r.chance(0.85) ? planned + Math.round(d.r.exp(20) * 3_600_000) : null,
    key_account: d.r.chance(0.1),
    ...lineage(fileOf(d, 'followups'), no),
  };
}

function costRows(d: Day): Row[] {
  return ['staff', 'telephony', 'software', 'facilities'].flatMap((category, k) => {
    const base = { date: d.dt, category, currency: 'USD' };
    return [
      { cost_id: `B-${d.dt}-${category}`, ...base, kind: 'budget', amount: 1000 * (k + 1) },
      { cost_id: `A-${d.dt}-${category}`, ...base, kind: 'actual', amount: 950 * (k + 1) + below(d.r, 200) },
    ].map((row, j) => ({ ...row, ...lineage(fileOf(d, 'costs'), 2 * k + j) }));
  });
}

const PLAN_KINDS = [
  'work_plan',
  'customer_survey',
  'process_improvement',
  'standards_execution',
  'info_relay',
  'other',
];

function planRows(r: Rng, month: string): Row[] {
  return PLAN_KINDS.map((kind, k) => ({
    plan_id: `P-${month}-${kind}`,
    month,
    kind,
    planned: 10 + k,
    achieved: 9 + below(r, 4),
    ...lineage('landing/bench/plans.csv', k),
  }));
}

/** Customers created over the 730 days before the month's end, grouped by creation day. */
function customersByDay(r: Rng, spec: LakeSpec, monthEnd: string): Map<string, Row[]> {
  const byDay = new Map<string, Row[]>();
  const end = startOfLocalDay(addDays(monthEnd, 1), spec.timezone);
  for (let i = 0; i < spec.customers; i++) {
    const dt = addDays(monthEnd, -below(r, 730));
    const created = startOfLocalDay(dt, spec.timezone) + below(r, 86_000_000);
    const churned = r.chance(0.08) ? created + Math.round(r.exp(200) * 86_400_000) : undefined;
    const lastActive = Math.max(created, end - Math.round(r.exp(40) * 86_400_000));
    const row: Row = {
      customer_id: `CU${100_000 + i}`,
      created_at: created,
      churned_at: churned !== undefined && churned < end ? churned : null,
      last_active_at: lastActive,
      key_account: r.chance(0.05),
      revenue_to_date: below(r, 10_000_000),
      updated_at: end - 1000,
      ...lineage('landing/bench/customers.csv', i),
    };
    if (!byDay.has(dt)) byDay.set(dt, []);
    byDay.get(dt)!.push(row);
  }
  return byDay;
}

function* times<T>(n: number, f: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield f(i);
}

/** Spreads `total` over `parts` as evenly as possible. */
const share = (total: number, parts: number, i: number) =>
  Math.floor(total / parts) + (i < total % parts ? 1 : 0);

/** Writes the lake under `home`; returns rows and files per entity. */
export async function buildLake(home: string, spec: LakeSpec): Promise<LakeCounts> {
  const store = new FileSystemStore(home);
  const r = rng(spec.seed);
  const month = periodOf('month', `${spec.month}-01`);
  const days = periodsBetween('day', month.start, month.end).map((p) => p.start);
  const counts = Object.fromEntries(ENTITIES.map((e) => [e, { rows: 0, files: 0 }])) as LakeCounts;
  const write = async (entity: Entity, dt: string, rows: Iterable<Row>) => {
    const sink = await store.create(`lake/${entity}/dt=${dt}/bench-${entity}-${dt}.parquet`);
    const writer = new ParquetRowWriter(curatedColumns(entity), sink);
    for (const row of rows) await writer.append(row);
    await writer.close();
    counts[entity].rows += writer.rows;
    counts[entity].files++;
  };
  const next = { call: 0, ticket: 0, survey: 0, followup: 0 };
  for (const [i, dt] of days.entries()) {
    const tz = spec.timezone;
    const d: Day = { r, dt, start: startOfLocalDay(dt, tz), end: startOfLocalDay(addDays(dt, 1), tz), next };
    await write(
      'calls',
      dt,
      times(share(spec.calls, days.length, i), () => callRow(d)),
    );
    const t = dayTickets(d, share(spec.tickets, days.length, i));
    await write('tickets', dt, t.tickets);
    const others = [...times(Math.max(1, Math.round(spec.tickets / days.length / 20)), () => otherSurvey(d))];
    await write('surveys', dt, [...t.csat, ...others]);
    await write(
      'followups',
      dt,
      times(Math.max(1, Math.round(spec.calls / days.length / 200)), () => followupRow(d)),
    );
    await write('costs', dt, costRows(d));
  }
  await write('plans', month.start, planRows(r, spec.month));
  for (const [dt, rows] of customersByDay(r, spec, month.end)) await write('customers', dt, rows);
  return counts;
}
