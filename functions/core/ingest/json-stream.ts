/**
 * Streaming JSON record splitter. Handles, with memory bounded by the largest single record:
 * - NDJSON (one value per line; a bad line is one bad record, the next line goes on);
 * - a JSON array of records;
 * - a single object (a record);
 * - an envelope object whose array under a known key holds the records (`{"tickets": [...],
 *   "metric_sets": [...], "next_page": ...}`): elements are streamed out one by one;
 * - objects written back to back, with or without newlines (Amazon Connect via Kinesis Firehose).
 */
import type { RawRecord } from './records.ts';

/** Keys whose array value holds records when they appear at the top of an object. */
export const ENVELOPE_KEYS = new Set([
  'tickets',
  'calls',
  'surveys',
  'customers',
  'costs',
  'plans',
  'followups',
  'ticket_metrics',
  'metric_sets',
  'results',
  'records',
  'Records',
  'data',
  'items',
  'contacts',
  'users',
  'groups',
]);

const MAX_RECORD_CHARS = 64 * 1024 * 1024;

type Mode = 'unknown' | 'ndjson' | 'stream';

/**
 * A character scanner over decoded text. In `stream` mode it tracks nesting and strings to cut
 * top-level values (and the elements of top-level arrays and envelope arrays) out of the text.
 */
export async function* jsonRecords(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  let mode: Mode = 'unknown';
  let pending = ''; // text not consumed yet
  let line = 1; // line number at the start of `pending`

  // stream-mode state
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1; // start index (in pending) of the value being cut, or -1
  let recordNo = 0; // in stream mode records are numbered, not lined (Firehose writes one long line)
  let container: 'none' | 'array' | 'object' = 'none'; // kind of the current top-level value
  let envelopeKey: string | undefined; // set while inside an envelope array
  let envelopeSeen = false;
  let lastKey: string | undefined;
  let keyStart = -1;
  let expectValueOfKey = false;

  function makeRecord(text: string, recLine: number, key?: string): RawRecord {
    try {
      return { no: recLine, value: JSON.parse(text), ...(key ? { envelopeKey: key } : {}) };
    } catch (e) {
      return {
        no: recLine,
        value: null,
        error: `malformed JSON: ${(e as Error).message}`,
        rawText: text.slice(0, 10_000),
      };
    }
  }

  function* ndjsonLines(final: boolean): Generator<RawRecord> {
    for (;;) {
      const nl = pending.indexOf('\n');
      if (nl < 0) {
        if (pending.length > MAX_RECORD_CHARS) throw new Error('a JSON line is longer than 64 MB');
        if (!final) return;
        if (pending.trim() !== '') yield makeRecord(pending, line);
        pending = '';
        return;
      }
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (text.trim() !== '') yield makeRecord(text, line);
      line++;
    }
  }

  let scanned = 0; // how much of `pending` the scanner has already read

  /** Scans the unread part of `pending`, cutting out finished records, then drops what no open value needs. */
  function* scan(): Generator<RawRecord> {
    const s = pending;
    let dropUpTo = 0;
    for (let i = scanned; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (keyStart >= 0) {
            lastKey = JSON.parse(s.slice(keyStart, i + 1)) as string;
            keyStart = -1;
          }
        }
        continue;
      }
      if (c === 34) {
        if (depth === 0) throw new Error('a JSON string at the top level is not a record');
        inString = true;
        if (container === 'object' && depth === 1 && !expectValueOfKey) keyStart = i;
        continue;
      }
      if (container === 'object' && depth === 1 && (c === 58 || c === 44)) {
        expectValueOfKey = c === 58; // after ':' a value follows; after ',' a key
        continue;
      }
      if (c === 123 /* { */ || c === 91 /* [ */) {
        if (depth === 0) {
          container = c === 91 ? 'array' : 'object';
          envelopeSeen = false;
          expectValueOfKey = false;
          start = c === 123 ? i : -1;
          if (c === 123) recordNo++;
        } else if (container === 'array' && depth === 1) {
          start = i;
          recordNo++;
        } else if (
          container === 'object' &&
          depth === 1 &&
          c === 91 &&
          expectValueOfKey &&
          lastKey !== undefined &&
          ENVELOPE_KEYS.has(lastKey)
        ) {
          envelopeKey = lastKey;
          if (!envelopeSeen) recordNo--; // the envelope itself is not a record
          envelopeSeen = true;
          start = -1;
        } else if (envelopeKey && depth === 2) {
          start = i;
          recordNo++;
        }
        depth++;
        continue;
      }
      if (c === 125 /* } */ || c === 93 /* ] */) {
        depth--;
        if (depth < 0) throw new Error(`unbalanced "${String.fromCharCode(c)}" in JSON`);
        if (envelopeKey && depth === 2 && start >= 0) {
          yield makeRecord(s.slice(start, i + 1), recordNo, envelopeKey);
          start = -1;
          dropUpTo = i + 1;
        } else if (envelopeKey && depth === 1) {
          envelopeKey = undefined;
          expectValueOfKey = false;
          dropUpTo = i + 1;
        } else if (container === 'array' && depth === 1 && start >= 0) {
          yield makeRecord(s.slice(start, i + 1), recordNo);
          start = -1;
          dropUpTo = i + 1;
        } else if (depth === 0) {
          if (container === 'object' && !envelopeSeen && start >= 0)
            yield makeRecord(s.slice(start, i + 1), recordNo);
          container = 'none';
          start = -1;
          dropUpTo = i + 1;
        }
        continue;
      }
      if (depth === 0 && c > 32 && c !== 44) {
        throw new Error(`unexpected "${String.fromCharCode(c)}" between JSON records`);
      }
    }
    // An envelope's own text is not needed once it is known to be an envelope; a plain object's is.
    let keep = s.length;
    if (start >= 0) keep = start;
    else if (keyStart >= 0) keep = keyStart;
    else keep = Math.max(dropUpTo, envelopeKey || container !== 'object' ? s.length : dropUpTo);
    if (keyStart >= 0) keep = Math.min(keep, keyStart);
    pending = s.slice(keep);
    scanned = s.length - keep;
    if (start >= 0) start -= keep;
    if (keyStart >= 0) keyStart -= keep;
    if (pending.length > MAX_RECORD_CHARS) throw new Error('a single JSON record is larger than 64 MB');
  }

  for await (const chunk of bytes) {
    pending += decoder.decode(chunk, { stream: true });
    if (mode === 'unknown') {
      const trimmed = pending.replace(/^\uFEFF/, '');
      const firstNonWs = trimmed.search(/\S/);
      if (firstNonWs < 0) continue;
      const first = trimmed[firstNonWs];
      if (first === '{') {
        const nl = trimmed.indexOf('\n', firstNonWs);
        if (nl < 0) continue; // need a whole first line to decide
        const firstLine = trimmed.slice(firstNonWs, nl).trim();
        let lineIsObject = false;
        try {
          const v = JSON.parse(firstLine);
          lineIsObject = typeof v === 'object' && v !== null && !Array.isArray(v) && !hasEnvelopeArray(v);
        } catch {
          lineIsObject = false;
        }
        mode = lineIsObject ? 'ndjson' : 'stream';
      } else {
        mode = 'stream';
      }
      pending = trimmed;
    }
    if (mode === 'ndjson') yield* ndjsonLines(false);
    else yield* scan();
  }
  pending += decoder.decode();
  if (mode === 'unknown') {
    const t = pending.replace(/^\uFEFF/, '').trim();
    if (t === '') return;
    mode = t.startsWith('{') && !t.includes('\n') ? 'ndjson' : 'stream';
    pending = t;
    if (mode === 'ndjson') {
      // a single line: a single object (or envelope): let the scanner decide
      mode = 'stream';
    }
  }
  if (mode === 'ndjson') {
    yield* ndjsonLines(true);
    return;
  }
  yield* scan();
  if (depth !== 0 || inString) throw new Error('the JSON ends in the middle of a value (truncated file?)');
}

function hasEnvelopeArray(v: Record<string, unknown>): boolean {
  return Object.entries(v).some(([k, x]) => ENVELOPE_KEYS.has(k) && Array.isArray(x));
}
