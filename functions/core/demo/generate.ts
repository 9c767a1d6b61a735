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
import { type Entity, entityColumns } from '../contracts.ts';
import { addDays, isoWeekday, localDate, startOfLocalDay } from '../time.ts';

const contractColumnNames = (entity: Entity) => entityColumns(entity).map((c) => c.name);

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

export interface DemoFile {
  /** Path relative to the landing folder, e.g. `generic/calls/calls-2024-05.csv`. */
  path: string;
  content: string;
  entity: string;
  source: 'generic';
  rows: number;
}

/** mulberry32: a tiny, well-known seeded PRNG; the demo must be reproducible, not cryptographic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
    exp: (mean: number) => -Math.log(1 - next()) * mean,
    /** Log-normal with the given median and spread. */
    logn: (median: number, sigma: number) => {
      const u = 1 - next();
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * z);
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [x, w] of items) {
        r -= w;
        if (r <= 0) return x;
      }
      return items.at(-1)![0];
    },
  };
}
type Rng = ReturnType<typeof rng>;

// Office-hours arrival curve (local hour → relative weight).
const HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 3.2, 5.6, 6.4, 6.1, 4.8, 5.2, 5.9, 5.5, 4.6, 3.4, 2.2, 1.6, 1.2,
  0.9, 0.6, 0.4,
];

const TEAMS = ['پشتیبانی تهران', 'فريق الرياض', '上海客服组', 'Pasukan Kuala Lumpur', 'London desk'] as const;
const AGENTS: readonly { id: string; team: (typeof TEAMS)[number] }[] = [
  { id: 'مریم رضایی', team: 'پشتیبانی تهران' },
  { id: 'علی محمدی', team: 'پشتیبانی تهران' },
  { id: 'زهرا کریمی', team: 'پشتیبانی تهران' },
  { id: 'رضا احمدی', team: 'پشتیبانی تهران' },
  { id: 'أحمد العتيبي', team: 'فريق الرياض' },
  { id: 'فاطمة الزهراني', team: 'فريق الرياض' },
  { id: 'خالد الحربي', team: 'فريق الرياض' },
  { id: '王芳', team: '上海客服组' },
  { id: '李伟', team: '上海客服组' },
  { id: '陈静', team: '上海客服组' },
  { id: 'Nurul Aisyah', team: 'Pasukan Kuala Lumpur' },
  { id: 'Muhammad Hafiz', team: 'Pasukan Kuala Lumpur' },
  { id: 'Siti Nurhaliza', team: 'Pasukan Kuala Lumpur' },
  { id: 'Emma Clarke', team: 'London desk' },
  { id: 'James Okafor', team: 'London desk' },
];
const QUEUES = [
  ['general', 5],
  ['billing', 3],
  ['technical', 3],
  ['vip', 1],
] as const;
const SUBJECTS = [
  'مشکل در پرداخت قبض',
  'درخواست بازگشت وجه',
  'تأخیر در ارسال سفارش',
  'استفسار عن الفاتورة',
  'شكوى بخصوص التأخير',
  '无法登录账户',
  '退款申请进度查询',
  'Permohonan tukar pelan',
  'Aduan: bil tidak tepat',
  'Cannot reset my password',
  'Order arrived damaged',
] as const;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function csv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${columns.join(',')}\r\n${rows.map((r) => columns.map((c) => cell(r[c])).join(',')).join('\r\n')}\r\n`;
}

function ndjson(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** A random instant on local day `day` following the office-hours curve. */
function arrival(r: Rng, day: string, tz: string): number {
  const hour = r.weighted(HOURLY.map((w, h) => [h, w] as const));
  return startOfLocalDay(day, tz) + hour * 3_600_000 + Math.floor(r.next() * 3_600_000);
}

export function generateDemo(opts: DemoOptions): DemoFile[] {
  const r = rng(opts.seed ?? 20241120);
  const scale = opts.scale ?? 1;
  const tz = opts.timezone;
  const first = addDays(opts.endDate, -(opts.days - 1));
  const days = Array.from({ length: opts.days }, (_, i) => addDays(first, i));
  const work = new Set(opts.workWeek);

  // ── customers (snapshot) ──
  const customers: Record<string, unknown>[] = [];
  const customerIds: string[] = [];
  const keyAccounts = new Set<string>();
  const firstDayStart = startOfLocalDay(first, tz);
  const nCustomers = Math.round(1500 * scale);
  for (let i = 1; i <= nCustomers; i++) {
    const id = `C${String(i).padStart(5, '0')}`;
    const created = firstDayStart - Math.floor(r.next() * 720) * 86_400_000 + r.int(0, 86_399) * 1000;
    const key = r.chance(0.05);
    if (key) keyAccounts.add(id);
    const churned = r.chance(0.08) ? created + Math.floor(r.exp(400)) * 86_400_000 : undefined;
    const lastActive = Math.min(
      churned ?? Number.POSITIVE_INFINITY,
      startOfLocalDay(opts.endDate, tz) - Math.floor(r.exp(35)) * 86_400_000,
    );
    customers.push({
      customer_id: id,
      created_at: iso(created),
      churned_at:
        churned !== undefined && churned < startOfLocalDay(addDays(opts.endDate, 1), tz) ? iso(churned) : '',
      last_active_at: lastActive > created ? iso(lastActive) : '',
      key_account: key ? 'yes' : 'no',
      revenue_to_date: (Math.round(r.logn(key ? 90_000_000 : 6_000_000, 0.8) / 1000) * 1000).toFixed(0),
      updated_at: iso(startOfLocalDay(opts.endDate, tz)),
    });
    customerIds.push(id);
  }
  const customerOf = () =>
    r.chance(0.3) ? (r.pick([...keyAccounts]) ?? r.pick(customerIds)) : r.pick(customerIds);

  const calls: Record<string, unknown>[] = [];
  const tickets: Record<string, unknown>[] = [];
  const oldSnapshots: Record<string, unknown>[] = [];
  const surveys: Record<string, unknown>[] = [];
  const costs: Record<string, unknown>[] = [];
  const followups: Record<string, unknown>[] = [];
  let callNo = 0;
  let ticketNo = 0;
  let surveyNo = 0;
  let followNo = 0;

  for (const day of days) {
    const working = work.has(isoWeekday(day));
    const load = working ? 1 : 0.15;
    // A bad week in the middle of the range makes the digest interesting: longer waits.
    const dayIndex = days.indexOf(day);
    const stress = dayIndex >= days.length - 3 ? 1.9 : 1;

    // ── calls ──
    const nCalls = Math.round(r.logn(400 * scale * load, 0.12));
    for (let i = 0; i < nCalls; i++) {
      callNo++;
      const inbound = r.chance(0.85);
      const started = arrival(r, day, tz);
      const queue = r.weighted(QUEUES);
      const agent = r.pick(AGENTS);
      const call: Record<string, unknown> = {
        call_id: `CALL-${String(callNo).padStart(7, '0')}`,
        direction: inbound ? 'inbound' : 'outbound',
        queue: inbound ? queue : '',
        // Most callers are one-off numbers; a third are known customers, who sometimes call back.
        customer_id: r.chance(0.7) ? `+98912${String(r.int(0, 9_999_999)).padStart(7, '0')}` : customerOf(),
      };
      if (inbound && r.chance(0.01)) {
        const ended = started + r.int(1, 4) * 1000;
        Object.assign(call, { started_at: iso(started), ended_at: iso(ended), outcome: 'blocked' });
      } else {
        const wait = inbound ? r.exp((queue === 'vip' ? 4 : 8) * stress) : r.exp(6);
        const patience = r.exp(170);
        if (inbound && wait > patience) {
          const ended = started + Math.round(patience * 1000);
          Object.assign(call, {
            started_at: iso(started),
            ended_at: iso(ended),
            outcome: r.chance(0.1) ? 'voicemail' : 'abandoned',
          });
        } else if (!inbound && r.chance(0.25)) {
          Object.assign(call, {
            started_at: iso(started),
            ended_at: iso(started + 30_000),
            outcome: 'no_answer',
            agent_id: agent.id,
          });
        } else {
          const answered = started + Math.round(wait * 1000);
          const talk = Math.round(Math.max(20, r.logn(270, 0.55)));
          const hold = r.chance(0.2) ? r.int(10, 120) : 0;
          const ended = answered + (talk + hold) * 1000;
          Object.assign(call, {
            agent_id: agent.id,
            started_at: iso(started),
            answered_at: iso(answered),
            ended_at: iso(ended),
            outcome: 'answered',
            talk_seconds: talk,
            hold_seconds: hold,
            acw_seconds: r.int(15, 90),
            transferred: r.chance(0.06) ? 'true' : 'false',
            cost: (talk / 60) * 1200,
          });
        }
      }
      calls.push(call);
    }

    // ── tickets ──
    const nTickets = Math.round(r.logn(150 * scale * load, 0.15));
    for (let i = 0; i < nTickets; i++) {
      ticketNo++;
      const created = arrival(r, day, tz);
      const channel = r.weighted([
        ['email', 5],
        ['chat', 3],
        ['web', 2],
        ['phone', 2],
        ['social', 1],
        ['other', 0.3],
      ] as const);
      const type = r.weighted([
        ['request', 6],
        ['question', 3],
        ['complaint', 1.2],
        ['incident', 1],
        ['other', 0.3],
      ] as const);
      const agent = r.pick(AGENTS);
      const frtMinutes =
        channel === 'chat'
          ? r.exp(1.2 * stress)
          : channel === 'phone' || channel === 'social'
            ? r.exp(40 * stress)
            : r.exp(600 * stress);
      const firstResponse = created + Math.round(frtMinutes * 60_000);
      const resolvedAfterH = r.logn(type === 'complaint' ? 40 : 14, 0.9);
      const resolved = created + Math.round(resolvedAfterH * 3_600_000);
      const now = startOfLocalDay(addDays(opts.endDate, 1), tz);
      const responded = firstResponse < now && r.chance(0.995);
      const isResolved = responded && resolved < now && r.chance(0.998);
      const closed = isResolved && r.chance(0.6) ? resolved + r.int(1, 72) * 3_600_000 : undefined;
      const contacts = r.weighted([
        [1, 7],
        [2, 2],
        [3, 1],
      ] as const);
      const incidentKey = type === 'incident' ? `INC-${day}-${r.int(1, 4)}` : '';
      const row: Record<string, unknown> = {
        ticket_id: `T-${String(ticketNo).padStart(6, '0')}`,
        created_at: iso(created),
        updated_at: iso(
          Math.min(now - 1000, closed ?? (isResolved ? resolved : responded ? firstResponse : created)),
        ),
        channel,
        type,
        priority: r.weighted([
          ['low', 2],
          ['normal', 6],
          ['high', 2],
          ['urgent', 0.5],
        ] as const),
        status:
          closed !== undefined && closed < now
            ? 'closed'
            : isResolved
              ? 'solved'
              : responded
                ? 'open'
                : 'new',
        customer_id: customerOf(),
        agent_id: responded ? agent.id : '',
        team: agent.team,
        assigned_at: responded ? iso(created + Math.round(frtMinutes * 0.5 * 60_000)) : '',
        first_response_at: responded ? iso(firstResponse) : '',
        resolved_at: isResolved ? iso(resolved) : '',
        closed_at: closed !== undefined && closed < now ? iso(closed) : '',
        due_at: iso(created + (channel === 'chat' ? 4 : 48) * 3_600_000),
        agent_messages: responded ? contacts + r.int(0, 2) : 0,
        customer_messages: contacts + r.int(0, 1),
        contacts,
        handoffs: r.weighted([
          [0, 6],
          [1, 2],
          [2, 1],
        ] as const),
        escalated: r.chance(type === 'complaint' ? 0.3 : 0.05),
        reopens: isResolved && r.chance(0.08) ? 1 : 0,
        incident_key: incidentKey,
        subject: r.pick(SUBJECTS),
      };
      tickets.push(row);
      // An earlier snapshot of some tickets, in an older export: it must lose to the row above.
      if (responded && r.chance(0.1)) {
        oldSnapshots.push({
          ...row,
          updated_at: iso(created + 1000),
          status: 'new',
          agent_id: '',
          assigned_at: '',
          first_response_at: '',
          resolved_at: '',
          closed_at: '',
          agent_messages: 0,
        });
      }
      // ── surveys after resolution ──
      if (isResolved && r.chance(0.35)) {
        surveyNo++;
        const happy = frtMinutes < 600 || contacts === 1;
        const responded_at = resolved + r.int(1, 48) * 3_600_000;
        if (responded_at < now) {
          surveys.push({
            response_id: `S-${surveyNo}`,
            survey: 'csat',
            score: happy
              ? r.weighted([
                  [5, 6],
                  [4, 3],
                  [3, 1],
                ] as const)
              : r.weighted([
                  [5, 2],
                  [4, 3],
                  [3, 2],
                  [2, 1],
                  [1, 1],
                ] as const),
            responded_at: iso(responded_at),
            customer_id: row.customer_id,
            ticket_id: row.ticket_id,
            agent_id: row.agent_id,
          });
        }
      }
    }
    // NPS, CES, eNPS and collaboration surveys.
    for (let i = 0; i < Math.round(25 * scale * load); i++) {
      surveyNo++;
      surveys.push({
        response_id: `S-${surveyNo}`,
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
        responded_at: iso(arrival(r, day, tz)),
        customer_id: customerOf(),
      });
    }
    if (working && r.chance(0.5)) {
      for (let i = 0; i < 4; i++) {
        surveyNo++;
        surveys.push({
          response_id: `S-${surveyNo}`,
          survey: r.chance(0.5) ? 'enps' : 'collaboration',
          score: r.int(5, 10),
          scale_min: 0,
          scale_max: 10,
          responded_at: iso(arrival(r, day, tz)),
        });
      }
    }

    // ── costs: actual and budget per category, booked daily ──
    for (const [category, budget] of [
      ['staff', 90_000_000],
      ['telephony', 12_000_000],
      ['software', 6_000_000],
      ['facilities', 8_000_000],
    ] as const) {
      const daily = working ? budget : budget * 0.3;
      costs.push({
        cost_id: `B-${day}-${category}`,
        date: day,
        kind: 'budget',
        category,
        amount: Math.round(daily),
        currency: 'IRR',
      });
      costs.push({
        cost_id: `A-${day}-${category}`,
        date: day,
        kind: 'actual',
        category,
        amount: Math.round(daily * r.logn(0.95, 0.08)),
        currency: 'IRR',
      });
    }

    // ── follow-ups ──
    for (let i = 0; i < Math.round(r.logn(18 * scale * load + 1, 0.2)); i++) {
      followNo++;
      const planned = arrival(r, day, tz);
      const customer = customerOf();
      const done = r.chance(0.86) ? planned + Math.round(r.exp(20) * 3_600_000) : undefined;
      const now = startOfLocalDay(addDays(opts.endDate, 1), tz);
      followups.push({
        followup_id: `F-${followNo}`,
        customer_id: customer,
        planned_at: iso(planned),
        done_at: done !== undefined && done < now ? iso(done) : '',
        key_account: keyAccounts.has(customer),
      });
    }
  }

  // ── plans: per month and kind ──
  const plans: Record<string, unknown>[] = [];
  const months = [...new Set(days.map((d) => d.slice(0, 7)))];
  for (const m of months) {
    for (const kind of [
      'work_plan',
      'customer_survey',
      'process_improvement',
      'standards_execution',
      'info_relay',
    ]) {
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

  const byMonth = (rows: Record<string, unknown>[], field: string) => {
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const v = row[field] as string;
      const m = /^\d{4}-\d{2}$/.test(v) ? v : localDate(Date.parse(v), tz).slice(0, 7);
      if (!groups.has(m)) groups.set(m, []);
      groups.get(m)!.push(row);
    }
    return groups;
  };

  const files: DemoFile[] = [];
  const ticketCols = Object.keys(tickets[0] ?? { ticket_id: '' });
  // Column order follows the contract, read off its zod schema (contracts.ts), like the lake's.
  const callCols = contractColumnNames('calls');
  for (const [m, rows] of byMonth(calls, 'started_at')) {
    files.push({
      path: `generic/calls/calls-${m}.csv`,
      content: csv(rows, callCols),
      entity: 'calls',
      source: 'generic',
      rows: rows.length,
    });
  }
  files.push({
    path: 'generic/tickets/tickets-early-snapshot.csv',
    content: csv(oldSnapshots, ticketCols),
    entity: 'tickets',
    source: 'generic',
    rows: oldSnapshots.length,
  });
  const ticketMonths = [...byMonth(tickets, 'created_at')];
  ticketMonths.forEach(([m, rows], i) => {
    // The last month carries three broken rows, as real exports do: they go to quarantine with reasons.
    const broken =
      i === ticketMonths.length - 1
        ? [
            { ...rows[0], ticket_id: `${rows[0]!.ticket_id}-X1`, channel: 'fax' },
            { ...rows[0], ticket_id: `${rows[0]!.ticket_id}-X2`, created_at: '2024-02-30T10:00:00Z' },
            { ...rows[0], ticket_id: '', status: 'solved', resolved_at: '', closed_at: '' },
          ]
        : [];
    const all = [...rows, ...broken];
    files.push({
      path: `generic/tickets/tickets-${m}.csv`,
      content: csv(all, ticketCols),
      entity: 'tickets',
      source: 'generic',
      rows: all.length,
    });
  });
  files.push({
    path: 'generic/surveys/surveys.ndjson',
    content: ndjson(surveys),
    entity: 'surveys',
    source: 'generic',
    rows: surveys.length,
  });
  files.push({
    path: 'generic/customers/customers.csv',
    content: csv(customers, Object.keys(customers[0]!)),
    entity: 'customers',
    source: 'generic',
    rows: customers.length,
  });
  files.push({
    path: 'generic/costs/costs.csv',
    content: csv(costs, contractColumnNames('costs')),
    entity: 'costs',
    source: 'generic',
    rows: costs.length,
  });
  files.push({
    path: 'generic/plans/plans.csv',
    content: csv(plans, contractColumnNames('plans')),
    entity: 'plans',
    source: 'generic',
    rows: plans.length,
  });
  files.push({
    path: 'generic/followups/followups.ndjson',
    content: ndjson(followups),
    entity: 'followups',
    source: 'generic',
    rows: followups.length,
  });
  return files;
}
