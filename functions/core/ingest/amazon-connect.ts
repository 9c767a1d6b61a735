/**
 * Amazon Connect contact records (CTR) → `calls` (field table and rules:
 * docs/mappings/amazon-connect.md; the contract it fills: docs/contracts.md).
 *
 * Kinesis Firehose delivers CTRs as JSON objects back to back (with or without newlines), at
 * least once: the same ContactId arrives again when the record is updated (after-contact work,
 * attribute changes) or redelivered. Within one file the record with the latest
 * `LastUpdateTimestamp` per ContactId wins; so the mapping buffers the file (a Firehose batch is
 * bounded by its buffer size, ≤ 128 MiB) and keeps only the winning record's body. Every losing
 * delivery is still accounted for (rows read = accepted + quarantined): it is emitted as a
 * rejected record whose reason starts with `duplicate delivery`. Duplicates across files are
 * resolved downstream, where the latest `_ingested_at` per call_id wins.
 *
 * Outcome: connected to an agent → answered; an inbound contact that entered a queue but never
 * reached an agent → abandoned (or callback, when a queued callback for it is in the same file);
 * an inbound contact that never entered a queue (ended in the IVR / flow) → blocked, which the KPI
 * layer does not count as offered.
 */
import { parseIsoInstant } from '../time.ts';
import type { MappedRecord, SourceMapping } from './sources.ts';
import { isObj, num, type Obj, text } from './vendor-util.ts';

const obj = (v: unknown): Obj => (isObj(v) ? v : {});

/** InitiationMethod → direction; methods not listed are not customer calls. */
const DIRECTIONS: Record<string, 'inbound' | 'outbound'> = {
  INBOUND: 'inbound',
  TRANSFER: 'inbound',
  QUEUE_TRANSFER: 'inbound',
  WEBRTC_API: 'inbound',
  OUTBOUND: 'outbound',
  API: 'outbound',
  CALLBACK: 'outbound',
  EXTERNAL_OUTBOUND: 'outbound',
  CAMPAIGN: 'outbound',
};
const NOT_CALLS: Record<string, string> = {
  MONITOR: 'a supervisor monitoring a call',
  DISCONNECT: 'a contact created by a disconnect flow',
};

type Result = { row: Record<string, unknown> } | { error: { field: string; reason: string } };

/**
 * Maps one (winning) CTR. `callbacks` holds the ContactIds that a queued callback in the same file
 * names as its PreviousContactId.
 */
export function connectCallRow(c: Obj, callbacks: ReadonlySet<string> = new Set()): Result {
  const id = text(c.ContactId);
  if (id === undefined)
    return { error: { field: 'ContactId', reason: 'a contact record without ContactId' } };
  const channel = text(c.Channel)?.toUpperCase();
  if (channel !== undefined && channel !== 'VOICE') {
    return { error: { field: 'Channel', reason: `not a call: contact ${id} is a ${channel} contact` } };
  }
  const method = text(c.InitiationMethod)?.toUpperCase();
  if (method !== undefined && NOT_CALLS[method]) {
    return {
      error: { field: 'InitiationMethod', reason: `not a customer call: ${method} is ${NOT_CALLS[method]}` },
    };
  }
  const direction = method !== undefined ? DIRECTIONS[method] : undefined;
  if (direction === undefined) {
    return {
      error: {
        field: 'InitiationMethod',
        reason: `unknown InitiationMethod "${method ?? ''}" of contact ${id}`,
      },
    };
  }
  const queue = obj(c.Queue);
  const agent = obj(c.Agent);
  const enqueued = text(queue.EnqueueTimestamp);
  const connected = text(agent.ConnectedToAgentTimestamp);
  const outcome = connected
    ? 'answered'
    : direction === 'outbound'
      ? 'no_answer'
      : enqueued
        ? callbacks.has(id)
          ? 'callback'
          : 'abandoned'
        : 'blocked';
  const transferred =
    text(obj(c.TransferredToEndpoint).Address) !== undefined ||
    text(c.NextContactId) !== undefined ||
    text(c.TransferCompletedTimestamp) !== undefined;
  const row: Record<string, unknown> = {
    call_id: id,
    direction,
    queue: text(queue.Name),
    agent_id: text(agent.Username) ?? text(agent.ARN),
    customer_id: text(obj(c.CustomerEndpoint).Address),
    started_at: enqueued ?? text(c.InitiationTimestamp),
    answered_at: connected,
    ended_at: text(c.DisconnectTimestamp),
    outcome,
    talk_seconds: num(agent.AgentInteractionDuration),
    hold_seconds: num(agent.CustomerHoldDuration),
    acw_seconds: num(agent.AfterContactWorkDuration),
    transferred,
    initial_call_id: text(c.InitialContactId),
  };
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  return { row };
}

interface Entry {
  no: number;
  raw: unknown;
  contactId?: string;
  updated?: number;
  updatedText?: string;
  /** The record's body while it is the best of its ContactId; dropped once it loses. */
  value?: Obj;
  error?: { field: string; reason: string };
  winner?: boolean;
}

function lastUpdate(v: Obj): number {
  const t = text(v.LastUpdateTimestamp);
  return (t !== undefined ? parseIsoInstant(t, 'UTC') : undefined) ?? Number.NEGATIVE_INFINITY;
}

export const amazonConnectMapping: SourceMapping = {
  name: 'amazon-connect',
  entities: ['calls'],
  async *map(records) {
    const entries: Entry[] = [];
    const best = new Map<string, Entry>();
    for await (const r of records) {
      if (r.error) {
        entries.push({ no: r.no, raw: r.rawText ?? null, error: { field: '(record)', reason: r.error } });
        continue;
      }
      if (!isObj(r.value)) {
        entries.push({
          no: r.no,
          raw: r.value,
          error: { field: '(record)', reason: 'expected a contact record object' },
        });
        continue;
      }
      const contactId = text(r.value.ContactId);
      if (contactId === undefined) {
        entries.push({
          no: r.no,
          raw: r.value,
          error: { field: 'ContactId', reason: 'a contact record without ContactId' },
        });
        continue;
      }
      const e: Entry = {
        no: r.no,
        raw: r.value,
        contactId,
        updated: lastUpdate(r.value),
        updatedText: text(r.value.LastUpdateTimestamp),
        value: r.value,
        winner: true,
      };
      entries.push(e);
      const prev = best.get(contactId);
      // The later LastUpdateTimestamp wins; of equal ones (exact redeliveries) the first.
      const loser = prev && prev.updated! >= e.updated! ? e : prev;
      if (!prev || loser === prev) best.set(contactId, e);
      if (loser) {
        loser.winner = false;
        loser.value = undefined;
        loser.raw = { ContactId: contactId, LastUpdateTimestamp: loser.updatedText ?? null };
      }
    }
    // A queued callback names the inbound contact it replaces as its previous contact.
    const callbacks = new Set<string>();
    for (const e of best.values()) {
      if (text(e.value?.InitiationMethod)?.toUpperCase() === 'CALLBACK') {
        const prev = text(e.value?.PreviousContactId);
        if (prev !== undefined) callbacks.add(prev);
      }
    }
    for (const e of entries) {
      const out: MappedRecord = { entity: 'calls', no: e.no, raw: e.raw };
      if (e.error) {
        out.error = e.error;
      } else if (!e.winner) {
        const w = best.get(e.contactId!)!;
        out.error = {
          field: 'ContactId',
          reason: `duplicate delivery of contact ${e.contactId}: superseded by record ${w.no} (LastUpdateTimestamp ${w.updatedText ?? 'none'}) in this file`,
        };
      } else {
        const res = connectCallRow(e.value!, callbacks);
        if ('row' in res) out.row = res.row;
        else out.error = res.error;
      }
      yield out;
    }
  },
};
