/**
 * The demo's tickets of one day, with what follows from each: an older snapshot of some tickets
 * (written to an earlier export, so "latest snapshot wins" is exercised) and a CSAT survey after
 * some resolutions. Response and resolution times depend on channel, type and the late-range stress.
 */
import { AGENTS, SUBJECTS } from './cast.ts';
import { arrival } from './random.ts';
import { type DemoDay, type DemoWorld, iso, type Row } from './world.ts';

interface TicketClock {
  frtMinutes: number;
  firstResponse: number;
  resolved: number;
  responded: boolean;
  isResolved: boolean;
  /** Closed some hours after resolution (may be after the export: then not closed yet). */
  closed: number | undefined;
}

function ticketClock(w: DemoWorld, d: DemoDay, created: number, channel: string, type: string): TicketClock {
  const { r, now } = w;
  const frtMinutes =
    channel === 'chat'
      ? r.exp(1.2 * d.stress)
      : channel === 'phone' || channel === 'social'
        ? r.exp(40 * d.stress)
        : r.exp(600 * d.stress);
  const firstResponse = created + Math.round(frtMinutes * 60_000);
  const resolvedAfterH = r.logn(type === 'complaint' ? 40 : 14, 0.9);
  const resolved = created + Math.round(resolvedAfterH * 3_600_000);
  const responded = firstResponse < now && r.chance(0.995);
  const isResolved = responded && resolved < now && r.chance(0.998);
  const closed = isResolved && r.chance(0.6) ? resolved + r.int(1, 72) * 3_600_000 : undefined;
  return { frtMinutes, firstResponse, resolved, responded, isResolved, closed };
}

function ticketStatus(c: TicketClock, now: number): string {
  if (c.closed !== undefined && c.closed < now) return 'closed';
  if (c.isResolved) return 'solved';
  return c.responded ? 'open' : 'new';
}

function ticket(w: DemoWorld, d: DemoDay): { row: Row; clock: TicketClock; contacts: number } {
  const { r, now } = w;
  w.next.ticket++;
  const created = arrival(r, d.day, w.tz);
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
  const c = ticketClock(w, d, created, channel, type);
  const contacts = r.weighted([
    [1, 7],
    [2, 2],
    [3, 1],
  ] as const);
  const incidentKey = type === 'incident' ? `INC-${d.day}-${r.int(1, 4)}` : '';
  const closedBy = c.closed !== undefined && c.closed < now ? c.closed : undefined;
  const row: Row = {
    ticket_id: `T-${String(w.next.ticket).padStart(6, '0')}`,
    created_at: iso(created),
    updated_at: iso(
      Math.min(now - 1000, c.closed ?? (c.isResolved ? c.resolved : c.responded ? c.firstResponse : created)),
    ),
    channel,
    type,
    priority: r.weighted([
      ['low', 2],
      ['normal', 6],
      ['high', 2],
      ['urgent', 0.5],
    ] as const),
    status: ticketStatus(c, now),
    customer_id: w.customerOf(),
    agent_id: c.responded ? agent.id : '',
    team: agent.team,
    assigned_at: c.responded ? iso(created + Math.round(c.frtMinutes * 0.5 * 60_000)) : '',
    first_response_at: c.responded ? iso(c.firstResponse) : '',
    resolved_at: c.isResolved ? iso(c.resolved) : '',
    closed_at: closedBy !== undefined ? iso(closedBy) : '',
    due_at: iso(created + (channel === 'chat' ? 4 : 48) * 3_600_000),
    agent_messages: c.responded ? contacts + r.int(0, 2) : 0,
    customer_messages: contacts + r.int(0, 1),
    contacts,
    handoffs: r.weighted([
      [0, 6],
      [1, 2],
      [2, 1],
    ] as const),
    escalated: r.chance(type === 'complaint' ? 0.3 : 0.05),
    reopens: c.isResolved && r.chance(0.08) ? 1 : 0,
    incident_key: incidentKey,
    subject: r.pick(SUBJECTS),
  };
  return { row, clock: c, contacts };
}

/** An earlier snapshot of a responded ticket, as an older export had it: it must lose to the row. */
function earlierSnapshot(row: Row, created: string): Row {
  return {
    ...row,
    updated_at: iso(Date.parse(created) + 1000),
    status: 'new',
    agent_id: '',
    assigned_at: '',
    first_response_at: '',
    resolved_at: '',
    closed_at: '',
    agent_messages: 0,
  };
}

/** A CSAT response after resolution (happier when answered fast or in one contact), if before the export. */
function csatAfter(w: DemoWorld, row: Row, c: TicketClock, contacts: number): Row | undefined {
  const { r } = w;
  w.next.survey++;
  const happy = c.frtMinutes < 600 || contacts === 1;
  const respondedAt = c.resolved + r.int(1, 48) * 3_600_000;
  if (respondedAt >= w.now) return undefined;
  const score = happy
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
      ] as const);
  return {
    response_id: `S-${w.next.survey}`,
    survey: 'csat',
    score,
    responded_at: iso(respondedAt),
    customer_id: row.customer_id,
    ticket_id: row.ticket_id,
    agent_id: row.agent_id,
  };
}

export function dayTickets(
  w: DemoWorld,
  d: DemoDay,
): { tickets: Row[]; oldSnapshots: Row[]; surveys: Row[] } {
  const { r } = w;
  const out = { tickets: [] as Row[], oldSnapshots: [] as Row[], surveys: [] as Row[] };
  const nTickets = Math.round(r.logn(150 * w.scale * d.load, 0.15));
  for (let i = 0; i < nTickets; i++) {
    const { row, clock, contacts } = ticket(w, d);
    out.tickets.push(row);
    if (clock.responded && r.chance(0.1))
      out.oldSnapshots.push(earlierSnapshot(row, row.created_at as string));
    if (clock.isResolved && r.chance(0.35)) {
      const survey = csatAfter(w, row, clock, contacts);
      if (survey) out.surveys.push(survey);
    }
  }
  return out;
}
