/**
 * Freshdesk → `tickets` (field table and rules: docs/mappings/freshdesk.md; the
 * contract it fills: docs/contracts.md).
 *
 * Two forms, told apart per record:
 * - API v2 ticket JSON (bare objects, arrays, `{"results": [...]}` search pages, Airbyte records
 *   `{"stream": "tickets", "data": {...}}`): numeric codes (status 2–5, priority 1–4, source 1–13)
 *   and, with `include=stats`, the `stats` timestamps;
 * - the ticket CSV export ("Ticket ID", "Status", "Created time", …): labels instead of codes, and
 *   timestamps in the exporting account's local time without an offset. Those are passed on as
 *   they are, so the contract reads them as wall-clock time in `sourceTimezone`.
 *
 * Records map one to one, streaming; nothing is buffered.
 */
import { parseIsoInstant } from '../time.ts';
import type { MappedRecord, MappingContext, SourceMapping } from './sources.ts';
import { isObj, num, type Obj, text, unwrapAirbyte } from './vendor-util.ts';

/** Source: API code and CSV label (lower case) → contract channel. */
const SOURCE_CODES: Record<number, string> = {
  1: 'email',
  2: 'web',
  3: 'phone',
  4: 'web',
  5: 'social',
  6: 'social',
  7: 'chat',
  8: 'web',
  9: 'web',
  10: 'email',
  11: 'other',
  12: 'chat',
  13: 'chat',
};
const SOURCE_LABELS: Record<string, number> = {
  email: 1,
  portal: 2,
  phone: 3,
  forum: 4,
  twitter: 5,
  facebook: 6,
  chat: 7,
  mobihelp: 8,
  'feedback widget': 9,
  'outbound email': 10,
  ecommerce: 11,
  bot: 12,
  whatsapp: 13,
};
const OUTBOUND_EMAIL = 10;

const STATUS_CODES: Record<number, string> = { 2: 'open', 3: 'pending', 4: 'solved', 5: 'closed' };
const STATUS_LABELS: Record<string, string> = {
  open: 'open',
  pending: 'pending',
  resolved: 'solved',
  closed: 'closed',
};

const PRIORITY_CODES: Record<number, string> = { 1: 'low', 2: 'normal', 3: 'high', 4: 'urgent' };
const PRIORITY_LABELS: Record<string, string> = {
  low: 'low',
  medium: 'normal',
  high: 'high',
  urgent: 'urgent',
};

const TYPES: Record<string, string> = {
  question: 'question',
  incident: 'incident',
  problem: 'incident',
  'feature request': 'request',
  refund: 'request',
  'service request': 'request',
  request: 'request',
  complaint: 'complaint',
};

function channelOf(source: unknown): { channel: string; code: number | undefined } {
  const n = num(source);
  const code = n ?? SOURCE_LABELS[text(source)?.toLowerCase() ?? ''];
  return { channel: (code !== undefined ? SOURCE_CODES[code] : undefined) ?? 'other', code };
}

/** Status 6 and up (API) and any label beyond the four defaults (CSV) are custom statuses. */
function statusOf(v: unknown): string | undefined {
  const n = num(v);
  if (n !== undefined) return STATUS_CODES[n] ?? (n >= 6 ? 'on_hold' : String(n));
  const t = text(v)?.toLowerCase();
  return t === undefined ? undefined : (STATUS_LABELS[t] ?? 'on_hold');
}

function priorityOf(v: unknown): string | undefined {
  const n = num(v);
  if (n !== undefined) return PRIORITY_CODES[n] ?? String(n);
  const t = text(v)?.toLowerCase();
  return t === undefined ? undefined : (PRIORITY_LABELS[t] ?? t);
}

function typeOf(v: unknown): string | undefined {
  const t = text(v)?.toLowerCase();
  return t === undefined ? undefined : (TYPES[t] ?? 'other');
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const t = text(v)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

type Result = { row: Record<string, unknown> } | { error: { field: string; reason: string } };

/**
 * Fills resolved_at / closed_at the way both forms share: an outbound e-mail is resolved when it
 * is created; a resolved or closed ticket without its time takes the last status change.
 */
function finish(
  row: Record<string, unknown>,
  sourceCode: number | undefined,
  statusUpdatedAt: string | undefined,
  remedy: string,
): Result {
  const status = row.status;
  const done = status === 'solved' || status === 'closed';
  if (sourceCode === OUTBOUND_EMAIL) {
    // The outbound e-mail is itself the agent's first public message, sent at creation.
    row.first_response_at ??= row.created_at;
    if (done) row.resolved_at ??= row.created_at;
  }
  if (status === 'solved') row.resolved_at ??= statusUpdatedAt;
  if (status === 'closed') row.closed_at ??= statusUpdatedAt;
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  if (done && row.resolved_at === undefined && row.closed_at === undefined) {
    return {
      error: {
        field: 'status',
        reason: `${status === 'solved' ? 'resolved' : 'closed'} ticket ${String(row.ticket_id)} carries no resolved or closed time: ${remedy}`,
      },
    };
  }
  return { row };
}

/** Maps one API v2 ticket. */
export function freshdeskApiRow(t: Obj): Result {
  const id = text(t.id);
  if (id === undefined) return { error: { field: 'id', reason: 'a Freshdesk ticket without an id' } };
  if (t.spam === true || t.deleted === true) {
    return {
      error: {
        field: t.spam === true ? 'spam' : 'deleted',
        reason: `ticket ${id} is ${t.spam === true ? 'spam' : 'deleted'}; not counted`,
      },
    };
  }
  const stats = isObj(t.stats) ? t.stats : undefined;
  const { channel, code } = channelOf(t.source);
  const flags = [t.is_escalated, t.fr_escalated, t.nr_escalated].map(bool).filter((b) => b !== undefined);
  const row: Record<string, unknown> = {
    ticket_id: id,
    created_at: text(t.created_at),
    updated_at: text(t.updated_at),
    channel,
    type: typeOf(t.type),
    priority: priorityOf(t.priority),
    status: statusOf(t.status),
    customer_id: text(t.requester_id),
    agent_id: text(t.responder_id),
    team: text(t.group_id),
    due_at: text(t.due_by),
    escalated: flags.length > 0 ? flags.some(Boolean) : undefined,
  };
  if (stats) {
    row.first_response_at = text(stats.first_responded_at);
    row.resolved_at = text(stats.resolved_at);
    row.closed_at = text(stats.closed_at);
    // Only the last reopening is recorded: 1 is a lower bound of the count.
    row.reopens = text(stats.reopened_at) !== undefined ? 1 : 0;
  }
  return finish(
    row,
    code,
    stats ? text(stats.status_updated_at) : undefined,
    'fetch tickets with their stats (include=stats)',
  );
}

/** CSV header → normalised key ("Due by Time" → "due by time"). */
const norm = (h: string) => h.trim().toLowerCase().replace(/\s+/g, ' ');

function pick(r: Map<string, string>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = text(r.get(n));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Maps one row of the ticket CSV export. */
export function freshdeskCsvRow(csv: Obj, ctx: Pick<MappingContext, 'sourceTimezone'>): Result {
  const r = new Map<string, string>();
  for (const [k, v] of Object.entries(csv)) if (typeof v === 'string') r.set(norm(k), v);
  const id = pick(r, 'ticket id');
  if (id === undefined)
    return { error: { field: 'Ticket ID', reason: 'a Freshdesk export row without a Ticket ID' } };
  const { channel, code } = channelOf(pick(r, 'source'));
  const createdAt = pick(r, 'created time');
  const row: Record<string, unknown> = {
    ticket_id: id,
    created_at: createdAt,
    updated_at: pick(r, 'last update time'),
    channel,
    type: typeOf(pick(r, 'type')),
    priority: priorityOf(pick(r, 'priority')),
    status: statusOf(pick(r, 'status')),
    customer_id: pick(
      r,
      'contact id',
      'requester id',
      'requester email',
      'email',
      'requester phone',
      'requester name',
      'full name',
    ),
    agent_id: pick(r, 'agent'),
    team: pick(r, 'group'),
    due_at: pick(r, 'due by time'),
    resolved_at: pick(r, 'resolved time'),
    closed_at: pick(r, 'closed time'),
    agent_messages: pick(r, 'agent interactions'),
    customer_messages: pick(r, 'customer interactions'),
  };
  // "Initial response time" is the first response's time; failing that, "First response time (in
  // hrs)" is the delay from creation.
  const initial = pick(r, 'initial response time');
  const created = createdAt !== undefined ? parseIsoInstant(createdAt, ctx.sourceTimezone) : undefined;
  const hours = num(pick(r, 'first response time (in hrs)'));
  if (initial !== undefined && parseIsoInstant(initial, ctx.sourceTimezone) !== undefined)
    row.first_response_at = initial;
  else if (created !== undefined && hours !== undefined)
    row.first_response_at = new Date(created + hours * 3_600_000).toISOString();
  return finish(row, code, undefined, 'the export row has neither "Resolved time" nor "Closed time"');
}

export const freshdeskMapping: SourceMapping = {
  name: 'freshdesk',
  entities: ['tickets'],
  async *map(records, ctx) {
    for await (const rec of records) {
      const base = { entity: 'tickets' as const, no: rec.no };
      if (rec.error) {
        yield { ...base, raw: rec.rawText ?? null, error: { field: '(record)', reason: rec.error } };
        continue;
      }
      if (!isObj(rec.value)) {
        yield {
          ...base,
          raw: rec.value,
          error: { field: '(record)', reason: 'expected an object with named fields' },
        };
        continue;
      }
      const { stream, data } = unwrapAirbyte(rec.value);
      let res: Result;
      if (stream !== undefined && stream !== 'tickets') {
        res = { error: { field: '(record)', reason: `not a Freshdesk ticket (stream ${stream})` } };
      } else if (Object.keys(data).some((k) => norm(k) === 'ticket id')) {
        res = freshdeskCsvRow(data, ctx);
      } else if ('id' in data && ('status' in data || 'source' in data)) {
        res = freshdeskApiRow(data);
      } else {
        res = {
          error: {
            field: '(record)',
            reason: 'not a Freshdesk ticket (neither an API v2 ticket nor a CSV export row)',
          },
        };
      }
      const out: MappedRecord = { ...base, raw: data };
      if ('row' in res) out.row = res.row;
      else out.error = res.error;
      yield out;
    }
  },
};
