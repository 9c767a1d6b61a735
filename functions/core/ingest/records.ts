/**
 * Decoding a raw file's bytes into records, streaming: gzip is detected by its magic bytes (not the
 * file name), a UTF-8 BOM and CRLF line ends are accepted, and text is kept byte for byte.
 *
 * - CSV (csv-parse): the first row is the header; each later row becomes an object keyed by it.
 *   A malformed row (unclosed quote, wrong field count) becomes a record carrying its error, so it
 *   is quarantined, counted, and the rest of the file goes on.
 * - JSON: NDJSON, a JSON array, a single object, an envelope object (`{"tickets": [...]}`), or
 *   objects written back to back with no separator (Kinesis Firehose) — see json-stream.ts.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
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
}

export type FileFormat = 'csv' | 'json';

export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

async function* peekable(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) if (chunk.length > 0) yield chunk;
}

/** Reads the first bytes to detect gzip, then yields the (decompressed) byte stream. */
export async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = peekable(source)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    },
  };
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
  let format = hint;
  if (format) yield format;
  for await (const chunk of bytes) {
    if (!format) {
      let i = 0;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      while (i < chunk.length && (chunk[i] === 0x20 || chunk[i] === 0x0a || chunk[i] === 0x0d || chunk[i] === 0x09)) i++;
      if (i < chunk.length) {
        const c = chunk[i];
        format = c === 0x7b || c === 0x5b ? 'json' : 'csv';
        if (chunk.subarray(i, i + 64).some((b) => b === 0)) {
          throw new UnreadableFileError('binary content: neither CSV nor JSON text');
        }
        yield format;
      }
    }
    yield chunk;
  }
}

/** Decodes a file into records. `name` is used only for the format hint. */
export async function* decodeRecords(bytes: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<RawRecord> {
  const sniffed = withSniffedFormat(decompressed(bytes), formatFromName(name));
  const first = await sniffed.next();
  if (first.done) return; // empty file: zero records
  const format = first.value as FileFormat;
  const body: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for await (const c of sniffed) yield c as Uint8Array;
    },
  };
  if (format === 'csv') yield* csvRecords(body, name.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : ',');
  else yield* jsonRecords(body);
}

async function* csvRecords(bytes: AsyncIterable<Uint8Array>, delimiter: string): AsyncGenerator<RawRecord> {
  const parser = parseCsv({
    bom: true,
    delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  const skipped: RawRecord[] = [];
  parser.on('skip', (err: Error & { lines?: number; record?: unknown; raw?: string }) => {
    skipped.push({
      no: err.lines ?? 0,
      value: null,
      error: `malformed CSV: ${err.message}`,
      ...(err.raw !== undefined ? { rawText: err.raw } : {}),
    });
  });
  const input = Readable.from(bytes);
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let header: string[] | undefined;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    const { record, info } = item;
    if (!header) {
      header = record.map((h) => h.trim());
      if (header.every((h) => h === '')) throw new UnreadableFileError('the CSV header row is empty');
      continue;
    }
    if (record.length !== header.length) {
      yield {
        no: info.lines,
        value: null,
        error: `expected ${header.length} fields as in the header, got ${record.length}`,
        rawText: record.join(delimiter),
      };
      continue;
    }
    const obj: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) obj[header[i]!] = record[i]!;
    yield { no: info.lines, value: obj };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
