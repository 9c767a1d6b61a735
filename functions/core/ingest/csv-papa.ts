/**
 * The CSV reader of record: Papa Parse in chunk mode (about 2.5× faster here than csv-parse with
 * line info). The first row is the header; each later row becomes an object keyed by it. A
 * malformed row (unclosed quote, wrong field count) becomes a record carrying its error, so it is
 * quarantined, counted, and the rest of the file goes on. The byte path (csv-bytes.ts) hands a
 * file over to it at the first record it is not sure of.
 *
 * Rows arrive in batches, and the parser pauses while a few batches wait, so memory stays
 * bounded. Line numbers are counted from the rows themselves: each row is one line plus the line
 * breaks inside its quoted fields; blank lines are skipped but counted.
 */
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { type CsvResume, csvHeader, recordMaker, wrongFieldCount } from './csv-common.ts';
import { type RawRecord, UnreadableFileError } from './raw-record.ts';
import { resumed } from './streams.ts';

/** One chunk of Papa Parse's output: its rows, and the errors it reported for them. */
interface PapaBatch {
  rows: string[][];
  errors: Papa.ParseError[];
}

/**
 * CSV records in batches (one per piece of text Papa Parse was given), from the start of the file
 * or, after the byte path, from where it stopped (`from`).
 */
export async function* csvBatches(
  bytes: AsyncIterable<Uint8Array>,
  delimiter: string,
  from?: CsvResume,
): AsyncGenerator<RawRecord[]> {
  // 1. decide the line break from the first line (unless the byte path knew it already);
  // 2. feed the text to Papa Parse in small pieces, with backpressure;
  // 3. turn each batch of its rows into records, counting lines.
  const it = bytes[Symbol.asyncIterator]();
  const { head, newline } = from?.newline ? { head: [], newline: from.newline } : await firstLineBreak(it);
  const parser = new PapaBatches(textPieces(resumed(it, head)), delimiter, newline);
  const rows = new PapaRows(delimiter, from);
  for (;;) {
    const batch = await parser.next();
    if (!batch) return;
    const out = rows.records(batch);
    if (out.length > 0) yield out;
  }
}

/**
 * Papa Parse guesses the line break from its first chunk; decide it from the first line instead.
 * Returns the chunks read to find it (handed on first) and the line break (`\n` if none).
 */
async function firstLineBreak(
  it: AsyncIterator<Uint8Array>,
): Promise<{ head: Uint8Array[]; newline: '\r\n' | '\n' }> {
  const head: Uint8Array[] = [];
  for (;;) {
    const n = await it.next();
    if (n.done) return { head, newline: '\n' };
    head.push(n.value);
    const lf = n.value.indexOf(0x0a);
    if (lf >= 0) {
      const prev = lf > 0 ? n.value[lf - 1] : head.length > 1 ? head.at(-2)!.at(-1) : undefined;
      return { head, newline: prev === 0x0d ? '\r\n' : '\n' };
    }
  }
}

const SLICE = 64 * 1024;
function* slices(chunk: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < chunk.length; i += SLICE) yield chunk.subarray(i, i + SLICE);
}

/**
 * The bytes as a text stream, in pieces of at most 64 KiB. Papa Parse turns each
 * piece of text it is given into one batch of rows: small pieces keep few rows alive at a time.
 * With megabyte pieces, tens of thousands of rows outlive each young-generation collection and
 * every one of them is copied (measured: 3× the decoding time; bench/README.md).
 */
function textPieces(bytes: AsyncIterable<Uint8Array>): Readable {
  const input = Readable.from(
    (async function* () {
      for await (const chunk of bytes) yield* slices(chunk);
    })(),
    { highWaterMark: 2 },
  );
  input.setEncoding('utf8');
  return input;
}

/**
 * Papa Parse over a text stream, as batches pulled one at a time. Backpressure is on the stream
 * itself: Papa Parse's own pause does not stop it from queueing every 'data' event, so the input
 * is paused while batches wait to be consumed.
 */
class PapaBatches {
  private readonly queue: PapaBatch[] = [];
  private done = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly input: Readable,
    delimiter: string,
    newline: '\r\n' | '\n',
  ) {
    input.on('error', (e) => this.fail(e));
    Papa.parse<string[]>(input as unknown as File, {
      delimiter,
      newline,
      skipEmptyLines: false,
      chunk: (res) => {
        this.queue.push({ rows: res.data, errors: res.errors });
        if (this.queue.length >= 4 && !this.paused) {
          this.paused = true;
          input.pause();
        }
        this.signal();
      },
      complete: () => {
        this.done = true;
        this.signal();
      },
      error: (e: Error) => this.fail(e),
    });
  }

  /** The next batch of rows; undefined at the end of the file. Throws UnreadableFileError. */
  async next(): Promise<PapaBatch | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        if (this.queue.length < 2) this.resume();
        return batch;
      }
      const failure = this.failure;
      if (failure)
        throw failure instanceof UnreadableFileError ? failure : new UnreadableFileError(failure.message);
      if (this.done) return undefined;
      this.resume();
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }

  private resume(): void {
    if (this.paused) {
      this.paused = false;
      this.input.resume();
    }
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private fail(e: Error): void {
    this.failure = e;
    this.signal();
  }
}

/** Papa Parse's rows to records: the header first, then one record per row, lines counted. */
class PapaRows {
  private header: string[] | undefined;
  private makeRecord: ((fields: string[]) => Record<string, string>) | undefined;
  private line: number;

  constructor(
    private readonly delimiter: string,
    from: CsvResume | undefined,
  ) {
    this.header = from?.header;
    this.makeRecord = this.header ? recordMaker(this.header) : undefined;
    this.line = from?.line ?? 0;
  }

  /** The records of one batch (none for the header row and blank lines). */
  records(batch: PapaBatch): RawRecord[] {
    const delimiter = this.delimiter;
    const bad = new Map<number, string>();
    for (const e of batch.errors) if (e.row !== undefined && e.type === 'Quotes') bad.set(e.row, e.message);
    const rows = batch.rows;
    const out: RawRecord[] = [];
    let { header, makeRecord, line } = this;
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
    this.header = header;
    this.makeRecord = makeRecord;
    this.line = line;
    return out;
  }
}
