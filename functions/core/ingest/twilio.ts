/**
 * Twilio Programmable Voice Call resources (API 2010-04-01) → `calls` (field table
 * and rules: docs/mappings/twilio.md; the contract it fills: docs/contracts.md).
 *
 * Accepts a list page (`{"calls": [...], "next_page_uri": …}`), single resources, Airbyte records
 * (`{"stream": "calls", "data": {...}}`, where Airbyte has already turned dates into ISO-8601 and
 * numbers into JSON numbers) and CSV with the resource's field names as headers (any case, spaces
 * or underscores: "Start Time" = `start_time`). Dates are RFC 2822 ("Tue, 31 Aug 2010 20:36:28
 * +0000") or ISO-8601; both are emitted as ISO-8601 instants. Numbers may be strings; `price` is
 * negative (a charge) and becomes a positive cost.
 *
 * The Call resource has no answer time: for a connected call it is derived as
 * `end_time − duration` (Twilio's duration counts from the answer, so ringing is excluded),
 * never before `start_time`. Records map one to one, streaming.
 */
import { parseIsoInstant, parseRfc2822Instant } from '../time.ts';
import type { MappedRecord, MappingContext, SourceMapping } from './sources.ts';
import { isObj, num, type Obj, text, unwrapAirbyte } from './vendor-util.ts';

/** "Start Time", "StartTime"… → the resource's snake_case field name. */
const ALIASES: Record<string, string> = {
  call_sid: 'sid',
  callsid: 'sid',
  starttime: 'start_time',
  endtime: 'end_time',
  datecreated: 'date_created',
  dateupdated: 'date_updated',
  parentcallsid: 'parent_call_sid',
  answeredby: 'answered_by',
};
function fieldName(k: string): string {
  const n = k
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return ALIASES[n] ?? n;
}

const FINAL = new Set(['completed', 'busy', 'no-answer', 'canceled', 'failed']);
const IN_FLIGHT = new Set(['queued', 'initiated', 'ringing', 'in-progress']);

function directionOf(v: string | undefined): 'inbound' | 'outbound' | undefined {
  if (v === 'inbound' || v === 'trunking-terminating') return 'inbound';
  if (v?.startsWith('outbound') || v === 'trunking-originating') return 'outbound';
  return undefined;
}

type Result = { row: Record<string, unknown> } | { error: { field: string; reason: string } };

class BadTime extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`not an RFC 2822 or ISO-8601 timestamp: "${value}"`);
  }
}

/** Maps one Call resource (fields already under their API names). */
export function twilioCallRow(c: Obj, ctx: Pick<MappingContext, 'sourceTimezone'>): Result {
  const sid = text(c.sid);
  if (sid === undefined) return { error: { field: 'sid', reason: 'a Twilio call without a sid' } };
  const status = text(c.status)?.toLowerCase();
  if (status !== undefined && IN_FLIGHT.has(status)) {
    return {
      error: { field: 'status', reason: `call ${sid} is still ${status}: only finished calls are counted` },
    };
  }
  if (status === undefined || !FINAL.has(status)) {
    return { error: { field: 'status', reason: `unknown call status "${status ?? ''}" of call ${sid}` } };
  }
  const rawDirection = text(c.direction)?.toLowerCase();
  const direction = directionOf(rawDirection);
  if (direction === undefined) {
    return {
      error: { field: 'direction', reason: `unknown call direction "${rawDirection ?? ''}" of call ${sid}` },
    };
  }
  const ms = (field: string): number | undefined => {
    const t = text(c[field]);
    if (t === undefined) return undefined;
    const v = parseRfc2822Instant(t) ?? parseIsoInstant(t, ctx.sourceTimezone);
    if (v === undefined) throw new BadTime(field, t);
    return v;
  };
  let start: number | undefined;
  let end: number | undefined;
  try {
    // A call that was never dialed has no start_time; a failed one may have no end_time.
    start = ms('start_time') ?? ms('date_created');
    end = ms('end_time') ?? ms('date_updated');
  } catch (e) {
    if (e instanceof BadTime) return { error: { field: e.field, reason: e.message } };
    throw e;
  }
  const duration = num(c.duration);
  const answeredBy = text(c.answered_by)?.toLowerCase();
  let outcome: string;
  if (status === 'completed') {
    // Answering-machine detection (outbound) tells a machine from a person.
    outcome = answeredBy?.startsWith('machine') || answeredBy === 'fax' ? 'voicemail' : 'answered';
  } else if (status === 'failed') outcome = 'blocked';
  else if (status === 'canceled' && direction === 'inbound') outcome = 'abandoned';
  else outcome = 'no_answer';

  // A call that never connected and has no end time (a failed dial) ends where it started.
  if (end === undefined && outcome !== 'answered' && outcome !== 'voicemail') end = start;
  const iso = (v: number | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
  let answered: number | undefined;
  if (outcome === 'answered' && end !== undefined && start !== undefined) {
    answered = duration !== undefined ? Math.max(start, end - duration * 1000) : start;
  }
  const price = num(c.price);
  const row: Record<string, unknown> = {
    call_id: sid,
    direction,
    customer_id: text(direction === 'inbound' ? c.from : c.to),
    started_at: iso(start),
    answered_at: iso(answered),
    ended_at: iso(end),
    outcome,
    talk_seconds: outcome === 'answered' ? duration : undefined,
    initial_call_id: text(c.parent_call_sid),
    cost: price === undefined ? undefined : Math.abs(price),
  };
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  return { row };
}

export const twilioMapping: SourceMapping = {
  name: 'twilio',
  entities: ['calls'],
  async *map(records, ctx) {
    for await (const rec of records) {
      const base = { entity: 'calls' as const, no: rec.no };
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
      if (stream !== undefined && stream !== 'calls') {
        res = { error: { field: '(record)', reason: `not a Twilio call (stream ${stream})` } };
      } else {
        const call: Obj = {};
        for (const [k, v] of Object.entries(data)) call[fieldName(k)] = v;
        res = twilioCallRow(call, ctx);
      }
      const out: MappedRecord = { ...base, raw: data };
      if ('row' in res) out.row = res.row;
      else out.error = res.error;
      yield out;
    }
  },
};
