/**
 * Zendesk Support → `tickets` (field table and rules: docs/mappings/zendesk.md; the
 * contract it fills: docs/contracts.md).
 *
 * Accepts every shape a Zendesk ticket export takes: a tickets page (`{"tickets": [...]}`), an
 * incremental export page, a single `{"ticket": {...}}`, bare ticket objects (NDJSON, array) and
 * Airbyte records (`{"stream": "tickets" | "ticket_metrics", "data": {...}}`), with the ticket
 * metric sets (`metric_sets` / `ticket_metrics`) sideloaded in the same envelope, embedded in the
 * ticket (`metric_set`) or as their own records in the same file.
 *
 * A ticket row needs its metric set (first reply, solve time, replies, reopens, stations), and the
 * two may come in either order, so the mapping buffers one file's tickets and metric sets, joins
 * them by ticket id, then emits one row per ticket. A Zendesk page holds at most 1000 tickets (100
 * for list endpoints), so a file is small; a file of more than {@link ZENDESK_MAX_RECORDS} records
 * is refused with a clear error rather than exhausting memory.
 *
 * Metric sets join only within one file: a metric set whose ticket is not in the same file cannot
 * make a ticket row (channel, status and requester live on the ticket) and is quarantined with a
 * reason that says how to land it (sideloaded with `include=metric_sets`).
 */
import { parseIsoInstant } from '../time.ts';
import type { RawRecord } from './raw-record.ts';
import { type MappedRecord, type MappingContext, MappingError, type SourceMapping } from './sources.ts';
import { isObj, num, type Obj, text, unwrapAirbyte } from './vendor-util.ts';

/** Records (tickets + metric sets) one file may hold; a Zendesk page holds ≤ 1000 tickets. */
export const ZENDESK_MAX_RECORDS = 100_000;

/** initially_assigned_at may precede created_at by this much when a ticket is created assigned. */
const ASSIGN_SKEW_MS = 60_000;

/** `via.channel` → contract channel. Anything not listed is `other`. */
const CHANNELS: Record<string, string> = {
  email: 'email',
  web: 'web',
  web_form: 'web',
  web_widget: 'web',
  help_center: 'web',
  mobile_sdk: 'web',
  voice: 'phone',
  phone: 'phone',
  chat: 'chat',
  chat_transcript: 'chat',
  native_messaging: 'chat',
  messaging: 'chat',
  sms: 'chat',
  twitter: 'social',
  facebook: 'social',
  instagram_dm: 'social',
  any_channel: 'social',
};

const TYPES: Record<string, string> = {
  problem: 'incident',
  incident: 'incident',
  question: 'question',
  task: 'request',
};

const STATUSES: Record<string, string> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'on_hold',
  solved: 'solved',
  closed: 'closed',
};

type Kind = 'ticket' | 'metrics' | 'other' | 'sideload';

const TICKET_LABELS = new Set(['tickets', 'ticket']);
const METRIC_LABELS = new Set(['ticket_metrics', 'metric_sets', 'ticket_metric']);
/** Reference arrays a tickets response may sideload (`include=users,groups`): not records. */
const SIDELOADS = new Set(['users', 'groups']);

const METRIC_KEYS = ['reply_time_in_minutes', 'replies', 'reopens', 'solved_at', 'assignee_stations'];

/**
 * Sorts a decoded record into a ticket, a metric set, a sideloaded reference object or something
 * else: by its Airbyte stream, else its envelope key, else its shape (search results and bare
 * objects carry no label).
 */
function classify(r: RawRecord): { kind: Kind; value: Obj; label?: string } | { error: string } {
  if (r.error) return { error: r.error };
  if (!isObj(r.value)) return { error: 'expected a JSON object' };
  const { stream, data } = unwrapAirbyte(r.value);
  let value = data;
  let label = stream ?? r.envelopeKey;
  if (isObj(value.ticket)) {
    value = value.ticket;
    label = 'ticket';
  } else if (isObj(value.ticket_metric)) {
    value = value.ticket_metric;
    label = 'ticket_metric';
  }
  if (label !== undefined && TICKET_LABELS.has(label)) return { kind: 'ticket', value };
  if (label !== undefined && METRIC_LABELS.has(label)) return { kind: 'metrics', value };
  if (stream !== undefined) return { kind: 'other', value, label: `stream ${stream}` };
  if ('status' in value && 'id' in value) return { kind: 'ticket', value };
  if ('ticket_id' in value && METRIC_KEYS.some((k) => k in value)) return { kind: 'metrics', value };
  if (r.envelopeKey !== undefined && SIDELOADS.has(r.envelopeKey)) return { kind: 'sideload', value };
  return {
    kind: 'other',
    value,
    ...(r.envelopeKey !== undefined ? { label: `array "${r.envelopeKey}"` } : {}),
  };
}

function instant(v: unknown, zone: string): number | undefined {
  const t = text(v);
  return t === undefined ? undefined : parseIsoInstant(t, zone);
}

/** Calendar minutes (or seconds) of a `{calendar, business}` duration. */
function calendar(v: unknown): number | undefined {
  return isObj(v) ? num(v.calendar) : undefined;
}

type TicketResult = { row: Record<string, unknown> } | { error: { field: string; reason: string } };

/** Maps one ticket, joined with its metric set when there is one. */
export function zendeskTicketRow(
  t: Obj,
  m: Obj | undefined,
  ctx: Pick<MappingContext, 'sourceTimezone'>,
): TicketResult {
  // 1. a ticket needs an id, and a deleted one is not counted;
  // 2. the ticket's own fields;
  // 3. the metric set's (assignment, first reply, solve time, replies, reopens, hand-offs);
  // 4. a closed ticket's close time; a solved ticket without a solve time cannot be a row.
  const id = text(t.id);
  if (id === undefined) return { error: { field: 'id', reason: 'a Zendesk ticket without an id' } };
  const rawStatus = text(t.status)?.toLowerCase();
  if (rawStatus === 'deleted') {
    return {
      error: {
        field: 'status',
        reason: `ticket ${id} was deleted in Zendesk (status deleted); deleted tickets are not counted`,
      },
    };
  }
  const status = rawStatus === undefined ? undefined : (STATUSES[rawStatus] ?? rawStatus);
  const zone = ctx.sourceTimezone;
  const row = ticketFields(t, id, status);
  const created = instant(row.created_at, zone);
  if (m) addMetricSet(row, m, { status, created, zone });
  if (status === 'closed') row.closed_at = (m ? text(m.status_updated_at) : undefined) ?? text(t.updated_at);
  if (status === 'solved' && row.resolved_at === undefined) {
    return {
      error: {
        field: 'status',
        reason: `solved ticket ${id} has no metric set in this file, so its solve time is unknown: land tickets with their metric sets sideloaded (include=metric_sets)`,
      },
    };
  }
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  return { row };
}

/** The row's fields from the ticket itself (undefined where the ticket says nothing). */
function ticketFields(t: Obj, id: string, status: string | undefined): Record<string, unknown> {
  const tags = Array.isArray(t.tags) ? t.tags.map((x) => String(x).toLowerCase()) : [];
  const rawType = text(t.type)?.toLowerCase();
  const type = tags.includes('complaint')
    ? 'complaint'
    : rawType === undefined
      ? 'request'
      : (TYPES[rawType] ?? 'other');
  const via = isObj(t.via) ? text(t.via.channel)?.toLowerCase() : undefined;
  const incidentKey = rawType === 'problem' ? id : text(t.problem_id);
  return {
    ticket_id: id,
    created_at: text(t.created_at),
    updated_at: text(t.updated_at),
    channel: via === undefined ? 'other' : (CHANNELS[via] ?? 'other'),
    type,
    priority: text(t.priority)?.toLowerCase(),
    status,
    customer_id: text(t.requester_id),
    agent_id: text(t.assignee_id),
    team: text(t.group_id),
    due_at: text(t.due_at),
    escalated: tags.includes('escalated') ? true : undefined,
    incident_key: incidentKey,
  };
}

/** Adds the fields that come from the ticket's metric set (`created`: the row's created_at instant). */
function addMetricSet(
  row: Record<string, unknown>,
  m: Obj,
  { status, created, zone }: { status: string | undefined; created: number | undefined; zone: string },
): void {
  const createdAt = row.created_at;
  // Ticket created already assigned: Zendesk may stamp the assignment a moment before creation.
  const assignedText = text(m.initially_assigned_at);
  const assigned = instant(assignedText, zone);
  row.assigned_at =
    assigned !== undefined &&
    created !== undefined &&
    assigned < created &&
    created - assigned <= ASSIGN_SKEW_MS
      ? createdAt
      : assignedText;
  // First reply: calendar time from creation (an instant; business minutes follow a schedule).
  const replySeconds = calendar(m.reply_time_in_seconds);
  const replyMinutes = calendar(m.reply_time_in_minutes);
  const replyMs =
    replySeconds !== undefined
      ? replySeconds * 1000
      : replyMinutes !== undefined
        ? replyMinutes * 60_000
        : undefined;
  if (created !== undefined && replyMs !== undefined)
    row.first_response_at = new Date(created + replyMs).toISOString();
  row.resolved_at = text(m.solved_at) ?? (status === 'solved' ? text(m.status_updated_at) : undefined);
  row.agent_messages = num(m.replies);
  row.reopens = num(m.reopens);
  const a = num(m.assignee_stations);
  const g = num(m.group_stations);
  if (a !== undefined || g !== undefined) row.handoffs = Math.max(a ?? 0, g ?? 0, 1) - 1;
}

type Item =
  | { no: number; kind: 'ticket'; value: Obj }
  | { no: number; kind: 'metrics'; value: Obj; ticketId: string | undefined }
  | { no: number; kind: 'error'; raw: unknown; field: string; reason: string };

export const zendeskMapping: SourceMapping = {
  name: 'zendesk',
  entities: ['tickets'],
  async *map(records, ctx) {
    const items: Item[] = [];
    // ticket id → metric set (the latest by updated_at when a file holds several)
    const metrics = new Map<string, Obj>();
    for await (const r of records) {
      if (items.length >= ZENDESK_MAX_RECORDS) {
        throw new MappingError(
          `${ctx.fileName} holds more than ${ZENDESK_MAX_RECORDS} Zendesk records; land one API page (≤ 1000 tickets) per file`,
        );
      }
      const c = classify(r);
      if ('error' in c) {
        items.push({
          no: r.no,
          kind: 'error',
          raw: r.rawText ?? r.value,
          field: '(record)',
          reason: c.error,
        });
        continue;
      }
      if (c.kind === 'ticket') {
        items.push({ no: r.no, kind: 'ticket', value: c.value });
        // A ticket listed with include=metric_sets may carry its metric set inside.
        const embedded = isObj(c.value.metric_set) ? c.value.metric_set : undefined;
        const id = text(c.value.id);
        if (embedded && id !== undefined) keepLatest(metrics, id, embedded);
      } else if (c.kind === 'metrics') {
        const ticketId = text(c.value.ticket_id);
        items.push({ no: r.no, kind: 'metrics', value: c.value, ticketId });
        if (ticketId !== undefined) keepLatest(metrics, ticketId, c.value);
      } else if (c.kind === 'sideload') {
        // Sideloaded users and groups describe the tickets; like the page's other keys
        // (count, next_page, organizations…) they are not records.
      } else {
        items.push({
          no: r.no,
          kind: 'error',
          raw: r.value,
          field: '(record)',
          reason: `not a Zendesk ticket or ticket metric set${c.label ? ` (${c.label})` : ''}`,
        });
      }
    }
    const ticketIds = new Set(items.flatMap((i) => (i.kind === 'ticket' ? [text(i.value.id) ?? ''] : [])));
    for (const item of items) {
      if (item.kind === 'error') {
        yield {
          entity: 'tickets',
          no: item.no,
          raw: item.raw,
          error: { field: item.field, reason: item.reason },
        };
      } else if (item.kind === 'ticket') {
        const id = text(item.value.id);
        const m = id !== undefined ? metrics.get(id) : undefined;
        const raw = m && !isObj(item.value.metric_set) ? { ticket: item.value, metric_set: m } : item.value;
        const res = zendeskTicketRow(item.value, m, ctx);
        const out: MappedRecord = { entity: 'tickets', no: item.no, raw };
        if ('row' in res) out.row = res.row;
        else out.error = res.error;
        yield out;
      } else if (item.ticketId === undefined || !ticketIds.has(item.ticketId)) {
        // The metric set of a ticket in this file was joined into its row; an orphan cannot be.
        yield {
          entity: 'tickets',
          no: item.no,
          raw: item.value,
          error: {
            field: 'ticket_id',
            reason: `ticket_metrics for ticket ${item.ticketId ?? '(none)'} without the ticket in this file: land metric sets sideloaded with their tickets (include=metric_sets)`,
          },
        };
      }
    }
  },
};

function keepLatest(metrics: Map<string, Obj>, id: string, m: Obj): void {
  const prev = metrics.get(id);
  if (!prev || (text(m.updated_at) ?? '') >= (text(prev.updated_at) ?? '')) metrics.set(id, m);
}
