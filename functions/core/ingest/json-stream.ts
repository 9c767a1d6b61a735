/**
 * Streaming JSON record splitter. Handles, with memory bounded by the largest single record:
 * - NDJSON (one value per line; a bad line is one bad record, the next line goes on);
 * - a JSON array of records;
 * - a single object (a record);
 * - an envelope object whose array under a known key holds the records (`{"tickets": [...],
 *   "metric_sets": [...], "next_page": ...}`): elements are streamed out one by one;
 * - objects written back to back, with or without newlines (Amazon Connect via Kinesis Firehose).
 */
import type { RawRecord } from './raw-record.ts';

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

/** Splits a JSON file's bytes into records, as they stream (see the module comment for the forms). */
export async function* jsonRecords(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<RawRecord> {
  // 1. decode the UTF-8 text as it streams;
  // 2. decide from the first line: NDJSON (each line an object), else a stream of values;
  // 3. cut out records: line by line (NDJSON), or with the scanner (every other form);
  // 4. at the end, a value still open is a truncated file.
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  const split = new JsonSplitter();
  for await (const chunk of bytes) {
    split.pending += decoder.decode(chunk, { stream: true });
    if (split.mode === 'unknown' && !split.decideMode()) continue;
    if (split.mode === 'ndjson') yield* split.ndjsonLines(false);
    else yield* split.scan();
  }
  split.pending += decoder.decode();
  if (split.mode === 'unknown') {
    const t = split.pending.replace(/^\uFEFF/, '').trim();
    if (t === '') return;
    // Still undecided: a `{` never followed by a line break (a single object or envelope on one
    // line), or text only the decoder's last bytes made. Either way the scanner reads it.
    split.mode = 'stream';
    split.pending = t;
  }
  if (split.mode === 'ndjson') {
    yield* split.ndjsonLines(true);
    return;
  }
  yield* split.scan();
  if (split.depth !== 0 || split.inString)
    throw new Error('the JSON ends in the middle of a value (truncated file?)');
}

/**
 * The state of one file being split. In `stream` mode a character scanner tracks nesting and
 * strings to cut top-level values (and the elements of top-level arrays and envelope arrays) out
 * of the text.
 */
class JsonSplitter {
  mode: Mode = 'unknown';
  /** Text not consumed yet. */
  pending = '';
  /** Line number at the start of `pending`. */
  private line = 1;
  /** How much of `pending` the scanner has already read. */
  private scanned = 0;

  // stream-mode state
  depth = 0;
  inString = false;
  private escaped = false;
  /** Start index (in pending) of the value being cut, or -1. */
  private start = -1;
  /** In stream mode records are numbered, not lined (Firehose writes one long line). */
  private recordNo = 0;
  /** Kind of the current top-level value. */
  private container: 'none' | 'array' | 'object' = 'none';
  /** Set while inside an envelope array. */
  private envelopeKey: string | undefined;
  private envelopeSeen = false;
  private lastKey: string | undefined;
  private keyStart = -1;
  private expectValueOfKey = false;
  /** Where the text the scanner no longer needs ends (in pending). */
  private dropUpTo = 0;

  /**
   * Decides the mode from the first significant character (and, for `{`, the whole first line):
   * false while more text is needed.
   */
  decideMode(): boolean {
    const trimmed = this.pending.replace(/^\uFEFF/, '');
    const firstNonWs = trimmed.search(/\S/);
    if (firstNonWs < 0) return false;
    const first = trimmed[firstNonWs];
    if (first === '{') {
      const nl = trimmed.indexOf('\n', firstNonWs);
      if (nl < 0) return false; // need a whole first line to decide
      const firstLine = trimmed.slice(firstNonWs, nl).trim();
      let lineIsObject = false;
      try {
        const v = JSON.parse(firstLine);
        lineIsObject = typeof v === 'object' && v !== null && !Array.isArray(v) && !hasEnvelopeArray(v);
      } catch {
        lineIsObject = false;
      }
      this.mode = lineIsObject ? 'ndjson' : 'stream';
    } else {
      this.mode = 'stream';
    }
    this.pending = trimmed;
    return true;
  }

  /** NDJSON: the records of the complete lines in `pending` (and of the last line, when `final`). */
  *ndjsonLines(final: boolean): Generator<RawRecord> {
    for (;;) {
      const nl = this.pending.indexOf('\n');
      if (nl < 0) {
        if (this.pending.length > MAX_RECORD_CHARS) throw new Error('a JSON line is longer than 64 MB');
        if (!final) return;
        if (this.pending.trim() !== '') yield jsonRecord(this.pending, this.line);
        this.pending = '';
        return;
      }
      const text = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (text.trim() !== '') yield jsonRecord(text, this.line);
      this.line++;
    }
  }

  /**
   * Scans the unread part of `pending`, cutting out finished records, then drops what no open
   * value needs. The loop runs once per character: strings (most of the text) are handled in
   * it, brackets (a few per record) in {@link open} and {@link close}.
   */
  *scan(): Generator<RawRecord> {
    const s = this.pending;
    this.dropUpTo = 0;
    for (let i = this.scanned; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastKey = JSON.parse(s.slice(this.keyStart, i + 1)) as string;
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === 34) {
        if (this.depth === 0) throw new Error('a JSON string at the top level is not a record');
        this.inString = true;
        if (this.container === 'object' && this.depth === 1 && !this.expectValueOfKey) this.keyStart = i;
        continue;
      }
      if (this.container === 'object' && this.depth === 1 && (c === 58 || c === 44)) {
        this.expectValueOfKey = c === 58; // after ':' a value follows; after ',' a key
        continue;
      }
      if (c === 123 /* { */ || c === 91 /* [ */) {
        this.open(c, i);
        continue;
      }
      if (c === 125 /* } */ || c === 93 /* ] */) {
        const record = this.close(c, i, s);
        if (record) yield record;
        continue;
      }
      if (this.depth === 0 && c > 32 && c !== 44) {
        throw new Error(`unexpected "${String.fromCharCode(c)}" between JSON records`);
      }
    }
    this.keepNeeded(s);
  }

  /** An opening bracket at `i`: a record, an envelope array or a top-level value may start. */
  private open(c: number, i: number): void {
    if (this.depth === 0) {
      this.container = c === 91 ? 'array' : 'object';
      this.envelopeSeen = false;
      this.expectValueOfKey = false;
      this.start = c === 123 ? i : -1;
      if (c === 123) this.recordNo++;
    } else if (this.container === 'array' && this.depth === 1) {
      this.start = i;
      this.recordNo++;
    } else if (
      this.container === 'object' &&
      this.depth === 1 &&
      c === 91 &&
      this.expectValueOfKey &&
      this.lastKey !== undefined &&
      ENVELOPE_KEYS.has(this.lastKey)
    ) {
      this.envelopeKey = this.lastKey;
      if (!this.envelopeSeen) this.recordNo--; // the envelope itself is not a record
      this.envelopeSeen = true;
      this.start = -1;
    } else if (this.envelopeKey && this.depth === 2) {
      this.start = i;
      this.recordNo++;
    }
    this.depth++;
  }

  /** A closing bracket at `i` of `s`: the record it ends, if any. */
  private close(c: number, i: number, s: string): RawRecord | undefined {
    const depth = --this.depth;
    if (depth < 0) throw new Error(`unbalanced "${String.fromCharCode(c)}" in JSON`);
    let record: RawRecord | undefined;
    if (this.envelopeKey && depth === 2 && this.start >= 0) {
      record = jsonRecord(s.slice(this.start, i + 1), this.recordNo, this.envelopeKey);
      this.start = -1;
    } else if (this.envelopeKey && depth === 1) {
      this.envelopeKey = undefined;
      this.expectValueOfKey = false;
    } else if (this.container === 'array' && depth === 1 && this.start >= 0) {
      record = jsonRecord(s.slice(this.start, i + 1), this.recordNo);
      this.start = -1;
    } else if (depth === 0) {
      if (this.container === 'object' && !this.envelopeSeen && this.start >= 0)
        record = jsonRecord(s.slice(this.start, i + 1), this.recordNo);
      this.container = 'none';
      this.start = -1;
    } else return undefined;
    this.dropUpTo = i + 1;
    return record;
  }

  /**
   * Keeps of the scanned text `s` only what an open value still needs. An envelope's own text is
   * not needed once it is known to be an envelope; a plain object's is.
   */
  private keepNeeded(s: string): void {
    let keep = s.length;
    if (this.start >= 0) keep = this.start;
    else if (this.keyStart >= 0) keep = this.keyStart;
    else
      keep = Math.max(
        this.dropUpTo,
        this.envelopeKey || this.container !== 'object' ? s.length : this.dropUpTo,
      );
    if (this.keyStart >= 0) keep = Math.min(keep, this.keyStart);
    this.pending = s.slice(keep);
    this.scanned = s.length - keep;
    if (this.start >= 0) this.start -= keep;
    if (this.keyStart >= 0) this.keyStart -= keep;
    if (this.pending.length > MAX_RECORD_CHARS) throw new Error('a single JSON record is larger than 64 MB');
  }
}

/** The record of one JSON text, or the error record of text that does not parse. */
function jsonRecord(text: string, recLine: number, key?: string): RawRecord {
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

function hasEnvelopeArray(v: Record<string, unknown>): boolean {
  return Object.entries(v).some(([k, x]) => ENVELOPE_KEYS.has(k) && Array.isArray(x));
}
