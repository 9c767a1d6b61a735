/**
 * Format dispatch: which reader decodes a raw file's bytes into records. Gzip is undone first
 * (streams.ts), then the format is taken from the name (`.csv`, `.tsv`, `.json`, `.ndjson`,
 * `.jsonl`, after `.gz`), else from the first significant byte, and the bytes go to:
 *
 * - CSV: the byte path (csv-bytes.ts) when the caller can compile the entity's contract for the
 *   header, which hands over to Papa Parse (csv-papa.ts) at the first record it is not sure of;
 *   else Papa Parse alone. A UTF-8 BOM and CRLF line ends are accepted, text is kept byte for byte.
 * - JSON: NDJSON, a JSON array, a single object, an envelope object (`{"tickets": [...]}`), or
 *   objects written back to back with no separator (Kinesis Firehose) — see json-stream.ts.
 */
import { type CsvCompiler, csvByteBatches } from './csv-bytes.ts';
import { csvBatches } from './csv-papa.ts';
import { jsonRecords } from './json-stream.ts';
import { type RawRecord, UnreadableFileError } from './raw-record.ts';
import { decompressed, inBatches, resumed, withoutBom } from './streams.ts';

// Tests and the bench import these from here, where they lived before the split.
export { recordMaker } from './csv-common.ts';
export type { RawRecord } from './raw-record.ts';

export interface DecodeOptions {
  /**
   * For CSV: compiles the entity's contract for the file's header, so rows are validated straight
   * from their bytes (csv-bytes.ts). Without it every row comes as its row object.
   */
  compileCsv?: CsvCompiler | undefined;
}

export type FileFormat = 'csv' | 'json';

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

/** Decodes a file into records, one at a time (see {@link decodeRecordBatches}). */
export async function* decodeRecords(
  bytes: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<RawRecord> {
  for await (const batch of decodeRecordBatches(bytes, name)) yield* batch;
}
