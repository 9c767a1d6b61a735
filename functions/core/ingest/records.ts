/**
 * Decoding a raw file's bytes into records, streaming: gzip is detected by its magic bytes (not the
 * file name), a UTF-8 BOM and CRLF line ends are accepted, and text is kept byte for byte.
 *
 * - CSV (Papa Parse): the first row is the header; each later row becomes an object keyed by it.
 *   A malformed row (unclosed quote, wrong field count) becomes a record carrying its error, so it
 *   is quarantined, counted, and the rest of the file goes on.
 * - JSON: NDJSON, a JSON array, a single object, an envelope object (`{"tickets": [...]}`), or
 *   objects written back to back with no separator (Kinesis Firehose) — see json-stream.ts.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { type CsvCompiler, csvByteBatches } from './csv-bytes.ts';
import { jsonRecords } from './json-stream.ts';

export interface RawRecord {
  /** Line number (CSV, NDJSON) or 1-based record number (other JSON forms). */
  no: number;
  /** The record as decoded: column → text (CSV), or a JSON value. */
  value: unknown;
  /** Set when the record could not be decoded at all. */
  error?: string;
  /** The raw text of an undecodable record, for quarantine. */
  rawText?: string;
  /** For envelope JSON: the key of the array the record came from (e.g. `tickets`, `metric_sets`). */
  envelopeKey?: string;
  /** A row the entity's contract already accepted (the CSV byte path, csv-bytes.ts); `value` is then null. */
  row?: Record<string, unknown>;
}

/** Where csvBatches takes over a file the byte path (csv-bytes.ts) has read up to a record. */
export interface CsvResume {
  /** Lines read before. */
  line: number;
  /** The file's line break; decided from the next line when not known yet. */
  newline?: '\r\n' | '\n';
  header?: string[];
}

export interface DecodeOptions {
  /**
   * For CSV: compiles the entity's contract for the file's header, so rows are validated straight
   * from their bytes (csv-bytes.ts). Without it every row comes as its row object.
   */
  compileCsv?: CsvCompiler | undefined;
}

export type FileFormat = 'csv' | 'json';

export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

/** What an iterator has left, after `taken` (items already read from it, handed on first). */
export async function* resumed<T>(it: AsyncIterator<T>, taken: Iterable<T> = []): AsyncGenerator<T> {
  yield* taken;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    yield n.value;
  }
}

async function* peekable(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) if (chunk.length > 0) yield chunk;
}

/** Reads the first bytes to detect gzip, then yields the (decompressed) byte stream. */
export async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  // Read at least the two magic bytes, however the source happens to chunk its bytes.
  const it = peekable(source)[Symbol.asyncIterator]();
  const headChunks: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const n = await it.next();
    if (n.done) break;
    headChunks.push(n.value);
    headBytes += n.value.length;
  }
  if (headBytes === 0) return;
  const head = headChunks.length === 1 ? headChunks[0]! : Buffer.concat(headChunks);
  const rest = resumed(it, [head]);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = Readable.from(rest).pipe(createGunzip());
    try {
      for await (const chunk of gunzip) yield chunk as Uint8Array;
    } catch (e) {
      throw new UnreadableFileError(`not valid gzip: ${(e as Error).message}`);
    }
  } else {
    yield* rest;
  }
}

/** Picks CSV or JSON from the name (after .gz), else from the first significant byte. */
export function formatFromName(name: string): FileFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv') || base.endsWith('.tsv')) return 'csv';
  if (/\.(ndjson|jsonl|json)$/.test(base)) return 'json';
  return undefined;
}

async function* withSniffedFormat(
  bytes: AsyncIterable<Uint8Array>,
  hint: FileFormat | undefined,
): AsyncGenerator<Uint8Array | FileFormat> {
  if (hint) {
    yield hint;
    yield* bytes;
    return;
  }
  // Buffer up to the first significant byte (past a BOM and white space), whatever the chunking.
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let format: FileFormat | undefined;
  const it = bytes[Symbol.asyncIterator]();
  while (!format) {
    const n = await it.next();
    if (n.done) break;
    held.push(n.value);
    heldBytes += n.value.length;
    const head = held.length === 1 ? held[0]! : Buffer.concat(held);
    let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    if (i === 0 && head.length < 3 && head[0] === 0xef) continue; // a BOM may be split
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
      i++;
    if (i < head.length) {
      if (head.subarray(i, i + 64).some((b) => b === 0)) {
        throw new UnreadableFileError('binary content: neither CSV nor JSON text');
      }
      format = head[i] === 0x7b || head[i] === 0x5b ? 'json' : 'csv';
    } else if (heldBytes > 1 << 20) {
      format = 'csv'; // a megabyte of white space: let the parser say what is wrong
    }
  }
  if (!format) {
    if (heldBytes === 0) return;
    format = 'csv'; // only white space: an empty file whichever the format
  }
  yield format;
  yield* resumed(it, held);
}

/**
 * Decodes a file into batches of records (a CSV parser chunk, or up to 1 000 JSON records), so the
 * stages after decoding loop over arrays instead of paying an async hop per record.
 * `name` is used only for the format hint.
 */
export async function* decodeRecordBatches(
  bytes: AsyncIterable<Uint8Array>,
  name: string,
  options: DecodeOptions = {},
): AsyncGenerator<RawRecord[]> {
  const sniffed = withSniffedFormat(decompressed(bytes), formatFromName(name));
  const first = await sniffed.next();
  if (first.done) return; // empty file: zero records
  const format = first.value as FileFormat;
  const body: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for await (const c of sniffed) yield c as Uint8Array;
    },
  };
  if (format === 'csv') {
    const text = withoutBom(body);
    const delimiter = name.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : ',';
    yield* options.compileCsv
      ? csvByteBatches(text, delimiter, options.compileCsv, (rest, resume) =>
          csvBatches(rest, delimiter, resume),
        )
      : csvBatches(text, delimiter);
  } else yield* inBatches(jsonRecords(body), 1000);
}

/**
 * The bytes without a leading UTF-8 byte order mark, however they are chunked: a CSV parser would
 * take it for part of the first header cell, and a quote after it would not open a quoted cell
 * (Excel's "CSV UTF-8" writes one, and quotes a header cell holding a comma or a line break).
 */
async function* withoutBom(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = bytes[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  for (;;) {
    const n = await it.next();
    if (n.done) break;
    head = head.length === 0 ? n.value : Buffer.concat([head, n.value]);
    if (head.length >= 3) break;
  }
  const bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const first = bom ? head.subarray(3) : head;
  yield* resumed(it, first.length > 0 ? [first] : []);
}

/** Decodes a file into records, one at a time (see {@link decodeRecordBatches}). */
export async function* decodeRecords(
  bytes: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<RawRecord> {
  for await (const batch of decodeRecordBatches(bytes, name)) yield* batch;
}

/** Groups an iterable's items into arrays of up to `size`. */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The header row's names (trimmed); a header of nothing but empty names makes the file unreadable. */
export function csvHeader(fields: readonly string[]): string[] {
  const header = fields.map((h) => h.trim());
  if (header.every((h) => h === '')) throw new UnreadableFileError('the CSV header row is empty');
  return header;
}

/** The error record of a row with more or fewer fields than the header. */
export function wrongFieldCount(
  no: number,
  header: readonly string[],
  fields: readonly string[],
  delimiter: string,
): RawRecord {
  return {
    no,
    value: null,
    error: `expected ${header.length} fields as in the header, got ${fields.length}`,
    rawText: fields.join(delimiter),
  };
}

/**
 * A function making the object of one CSV row, keyed by the header. Generated as one object
 * literal so every row gets the same hidden class at once (property access downstream stays
 * monomorphic); the same keys and values as assigning them in a loop, which is the fallback for a
 * header naming `__proto__` (a literal may not repeat that key).
 */
export function recordMaker(header: readonly string[]): (fields: string[]) => Record<string, string> {
  if (header.includes('__proto__')) {
    return (fields) => {
      const obj: Record<string, string> = {};
      for (let j = 0; j < header.length; j++) obj[header[j]!] = fields[j]!;
      return obj;
    };
  }
  const literal = header.map((h, j) => `${JSON.stringify(h)}: f[${j}]`).join(', ');
  return new Function('f', `return { ${literal} };`) as (fields: string[]) => Record<string, string>;
}

const SLICE = 64 * 1024;
function* slices(chunk: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < chunk.length; i += SLICE) yield chunk.subarray(i, i + SLICE);
}

/**
 * CSV through Papa Parse in chunk mode (about 2.5× faster here than csv-parse with line info):
 * rows arrive in batches, the parser pauses while a few batches wait, so memory stays bounded.
 * Line numbers are counted from the rows themselves: each row is one line plus the line breaks
 * inside its quoted fields; blank lines are skipped but counted.
 */
async function* csvBatches(
  bytes: AsyncIterable<Uint8Array>,
  delimiter: string,
  from?: CsvResume,
): AsyncGenerator<RawRecord[]> {
  // Papa Parse guesses the line break from its first chunk; decide it from the first line instead.
  const it = bytes[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let newline: '\r\n' | '\n' = from?.newline ?? '\n';
  while (!from?.newline) {
    const n = await it.next();
    if (n.done) break;
    head.push(n.value);
    const lf = n.value.indexOf(0x0a);
    if (lf >= 0) {
      const prev = lf > 0 ? n.value[lf - 1] : head.length > 1 ? head.at(-2)!.at(-1) : undefined;
      newline = prev === 0x0d ? '\r\n' : '\n';
      break;
    }
  }
  // Papa Parse turns each piece of text it is given into one batch of rows. Pieces of at most
  // 64 KiB keep few rows alive at a time: with megabyte pieces, tens of thousands of rows
  // outlive each young-generation collection and every one of them is copied (measured: 3× the
  // decoding time; bench/README.md).
  const input = Readable.from(
    (async function* () {
      for await (const chunk of resumed(it, head)) yield* slices(chunk);
    })(),
    { highWaterMark: 2 },
  );
  input.setEncoding('utf8');
  const queue: { rows: string[][]; errors: Papa.ParseError[] }[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused = false;
  // Backpressure on the byte stream itself: Papa Parse's own pause does not stop it from queueing
  // every 'data' event, so the input is paused while batches wait to be consumed.
  const resume = () => {
    if (paused) {
      paused = false;
      input.resume();
    }
  };
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  input.on('error', (e) => {
    failure = e;
    signal();
  });
  Papa.parse<string[]>(input as unknown as File, {
    delimiter,
    newline,
    skipEmptyLines: false,
    chunk: (res) => {
      queue.push({ rows: res.data, errors: res.errors });
      if (queue.length >= 4 && !paused) {
        paused = true;
        input.pause();
      }
      signal();
    },
    complete: () => {
      done = true;
      signal();
    },
    error: (e: Error) => {
      failure = e;
      signal();
    },
  });
  let header = from?.header;
  let makeRecord = header ? recordMaker(header) : undefined;
  let line = from?.line ?? 0;
  for (;;) {
    const batch = queue.shift();
    if (!batch) {
      if (failure)
        throw failure instanceof UnreadableFileError ? failure : new UnreadableFileError(failure.message);
      if (done) return;
      resume();
      await new Promise<void>((r) => {
        wake = r;
      });
      continue;
    }
    if (queue.length < 2) resume();
    const bad = new Map<number, string>();
    for (const e of batch.errors) if (e.row !== undefined && e.type === 'Quotes') bad.set(e.row, e.message);
    const rows = batch.rows;
    const out: RawRecord[] = [];
    for (let i = 0; i < rows.length; i++) {
      const record = rows[i]!;
      line++;
      const no = line;
      for (const f of record) if (f.includes('\n')) line += f.split('\n').length - 1;
      if (record.length === 1 && record[0] === '') continue; // a blank line
      const quoteError = bad.get(i);
      if (!header) {
        header = csvHeader(record);
        makeRecord = recordMaker(header);
        continue;
      }
      if (quoteError) {
        out.push({ no, value: null, error: `malformed CSV: ${quoteError}`, rawText: record.join(delimiter) });
        continue;
      }
      if (record.length !== header.length) {
        out.push(wrongFieldCount(no, header, record, delimiter));
        continue;
      }
      out.push({ no, value: makeRecord!(record) });
    }
    if (out.length > 0) yield out;
  }
}
