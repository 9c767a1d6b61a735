/**
 * The fast path for CSV: records are split in the bytes and handed to a compiled contract
 * validator as byte ranges (contracts.ts, `compileCsvContract`), so an accepted row costs no
 * intermediate strings, arrays or objects: only its validated row. Papa Parse stays the CSV
 * parser of record: this path takes only what RFC 4180 leaves no doubt about, and hands the rest
 * of the file to Papa Parse (csv-papa.ts, `csvBatches`) at the first record it is not sure of.
 *
 * What it reads itself, with Papa Parse's results (test/property/csv-bytes.property.test.ts
 * compares the two on generated files):
 * - fields separated by the delimiter, records by the file's line break (`\n` or `\r\n`, decided
 *   from the first line as csvBatches does); a quote inside an unquoted field is a character;
 * - a field that starts with a quote runs to the quote followed by a delimiter, line break or the
 *   end of the file; `""` inside it is a quote; line breaks inside it are text and are counted
 *   for the line numbers.
 * What it hands over: a closing quote followed by anything else, a quote never closed, a lone
 * `\n` in a `\r\n` file, a record longer than 1 MiB (likely one of the above).
 */
import type { CsvRowValidator } from '../contracts.ts';
import { CSV_FIELD, csvFieldText } from '../contracts.ts';
import { type CsvResume, csvHeader, recordMaker, wrongFieldCount } from './csv-common.ts';
import type { RawRecord } from './raw-record.ts';
import { resumed } from './streams.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Rows are handed on in batches of about this many bytes of input (few rows alive at a time). */
const WINDOW = 64 * 1024;
/** A record still open after this many bytes goes to Papa Parse, which streams it. */
const MAX_RECORD = 1 << 20;

const INCOMPLETE = -1;
const IRREGULAR = -2;

/** Compiles the row validator for a header, or says the file is to be read the plain way. */
export type CsvCompiler = (header: readonly string[]) => CsvRowValidator | undefined;
/** Papa Parse's reading of the rest of the file (csv-papa.ts, csvBatches). */
export type CsvFallback = (rest: AsyncIterable<Uint8Array>, resume: CsvResume) => AsyncIterable<RawRecord[]>;

const asBuffer = (u: Uint8Array) =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Splits one record at a time out of a buffer into reusable field arrays. */
class RecordScanner {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  flags = new Uint8Array(64);
  /** Fields of the last record scanned. */
  count = 0;
  /** Line breaks inside its quoted fields. */
  breaks = 0;
  constructor(
    private readonly delim: number,
    public crlf: boolean,
  ) {}

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(n);
    e.set(this.ends);
    this.ends = e;
    const f = new Uint8Array(n);
    f.set(this.flags);
    this.flags = f;
  }

  /**
   * Scans the record starting at `p`: the position after it (past its line break), INCOMPLETE
   * when `b` ends inside it and more bytes may come, IRREGULAR when Papa Parse is to read it.
   */
  scan(b: Buffer, p: number, eof: boolean): number {
    const n = b.length;
    const delim = this.delim;
    const crlf = this.crlf;
    let k = 0;
    this.breaks = 0;
    for (;;) {
      if (k === this.starts.length) this.grow();
      if (p < n && b[p] === QUOTE) {
        const close = this.quoted(b, p, eof, k);
        if (close < 0) return close;
        k++;
        p = close + 1;
        if (p === n) {
          this.count = k;
          return p;
        }
        const c = b[p];
        if (c === delim) {
          p++;
          continue;
        }
        if (c === LF && !crlf) {
          this.count = k;
          return p + 1;
        }
        if (c === CR && crlf) {
          if (p + 1 === n) return eof ? IRREGULAR : INCOMPLETE;
          if (b[p + 1] === LF) {
            this.count = k;
            return p + 2;
          }
        }
        return IRREGULAR;
      }
      let j = p;
      let all = 0;
      for (; j < n; j++) {
        const c = b[j]!;
        if (c === delim || c === LF) break;
        all |= c;
      }
      if (j === n && !eof) return INCOMPLETE;
      let end = j;
      if (j < n && b[j] === LF && crlf) {
        // In a \r\n file a lone \n belongs to the field (Papa Parse's reading): hand it over.
        if (j === p || b[j - 1] !== CR) return IRREGULAR;
        end = j - 1;
      }
      this.starts[k] = p;
      this.ends[k] = end;
      this.flags[k] = all & 0x80 ? CSV_FIELD.nonAscii : 0;
      k++;
      if (j < n && b[j] === delim) {
        p = j + 1;
        continue;
      }
      this.count = k;
      return j === n ? n : j + 1;
    }
  }

  /**
   * Records the quoted field starting at `p` as field `k`: the position of its closing quote, or
   * INCOMPLETE / IRREGULAR as {@link scan} returns them.
   */
  private quoted(b: Buffer, p: number, eof: boolean, k: number): number {
    const n = b.length;
    let f = 0;
    let q = p + 1;
    let close: number;
    for (;;) {
      const i = b.indexOf(QUOTE, q);
      if (i < 0) return eof ? IRREGULAR : INCOMPLETE;
      if (i + 1 === n) {
        if (!eof) return INCOMPLETE;
        close = i;
        break;
      }
      if (b[i + 1] === QUOTE) {
        f |= CSV_FIELD.escapedQuote;
        q = i + 2;
        continue;
      }
      close = i;
      break;
    }
    for (let j = p + 1; j < close; j++) {
      const c = b[j]!;
      if (c >= 0x80) f |= CSV_FIELD.nonAscii;
      else if (c === LF) this.breaks++;
    }
    this.starts[k] = p + 1;
    this.ends[k] = close;
    this.flags[k] = f;
    return close;
  }

  /** The last record's fields as text (for the row object path and for quarantine). */
  texts(b: Buffer): string[] {
    const out: string[] = new Array(this.count);
    for (let k = 0; k < this.count; k++)
      out[k] = csvFieldText(b, this.starts[k]!, this.ends[k]!, this.flags[k]!);
    return out;
  }
}

/** What {@link CsvByteReader.scanWindow} stopped at. */
const WINDOW_FULL = 0;
const NEED_BYTES = 1;
const HAND_OVER = 2;
type Stop = typeof WINDOW_FULL | typeof NEED_BYTES | typeof HAND_OVER;

/**
 * CSV records in batches, as csvBatches yields them (same line numbers, blank lines skipped,
 * wrong field counts as error records), except that a row the compiled validator accepts comes
 * as `{ no, value: null, row }`: already validated. A row it rejects comes as its row object, for
 * the plain path to say why.
 */
export async function* csvByteBatches(
  source: AsyncIterable<Uint8Array>,
  delimiter: string,
  compile: CsvCompiler,
  fallback: CsvFallback,
): AsyncGenerator<RawRecord[]> {
  // 1. read a chunk (completing the record the previous one cut);
  // 2. decide the line break from the first line;
  // 3. scan the chunk's records, a window of about 64 KiB at a time, each window one batch;
  // 4. at the first record it is not sure of, hand the rest of the file to Papa Parse.
  const reader = new CsvByteReader(source[Symbol.asyncIterator](), delimiter, compile);
  for (;;) {
    await reader.fill();
    const lineBreak = reader.decideLineBreak();
    if (lineBreak === NEED_BYTES) continue;
    if (lineBreak === HAND_OVER) {
      yield* reader.handOver(fallback);
      return;
    }
    let stop: Stop;
    do {
      const out: RawRecord[] = [];
      stop = reader.scanWindow(out);
      if (out.length > 0) yield out;
    } while (stop === WINDOW_FULL);
    if (stop === HAND_OVER || (!reader.eof && reader.recordTooLong())) {
      yield* reader.handOver(fallback);
      return;
    }
    if (reader.eof) return;
  }
}

/** The state of one file on the byte path: the bytes held, where the next record starts, the header. */
class CsvByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  eof = false;
  private crlf: boolean | undefined;
  private scanner: RecordScanner | undefined;
  private header: string[] | undefined;
  private validate: CsvRowValidator | undefined;
  private makeRecord: ((fields: string[]) => Record<string, string>) | undefined;
  private line = 0;
  /** Where the current batch ends (a position in `buf`). */
  private windowEnd = 0;
  /**
   * While `buf` holds a record cut by a chunk boundary (its start, `carried` bytes, and the next
   * chunk's first bytes): that chunk.
   */
  private whole: { chunk: Buffer; carried: number } | undefined;

  constructor(
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly delimiter: string,
    private readonly compile: CsvCompiler,
  ) {}

  /** Reads the next chunk, unless the file has ended. */
  async fill(): Promise<void> {
    if (this.eof) return;
    const n = await this.it.next();
    if (n.done) {
      this.eof = true;
      return;
    }
    const chunk = asBuffer(n.value);
    if (this.pos < this.buf.length) {
      // The record cut by the boundary is completed in a small buffer (its start and the
      // chunk's first bytes); the records after it are read in the chunk itself, uncopied.
      const head = chunk.length > WINDOW ? chunk.subarray(0, WINDOW) : chunk;
      this.whole = head === chunk ? undefined : { chunk, carried: this.buf.length - this.pos };
      this.buf = Buffer.concat([this.buf.subarray(this.pos), head]);
    } else this.buf = chunk;
    this.pos = 0;
  }

  /**
   * Decides the file's line break from its first line (once), then starts a batch: undefined to
   * go on, NEED_BYTES while the first line is incomplete, HAND_OVER if it is over 1 MiB.
   */
  decideLineBreak(): typeof NEED_BYTES | typeof HAND_OVER | undefined {
    if (this.crlf === undefined) {
      const buf = this.buf;
      const lf = buf.indexOf(LF);
      if (lf < 0 && !this.eof) return buf.length > MAX_RECORD ? HAND_OVER : NEED_BYTES;
      this.crlf = lf > 0 && buf[lf - 1] === CR;
      this.scanner = new RecordScanner(this.delimiter.charCodeAt(0), this.crlf);
    }
    this.windowEnd = this.pos + WINDOW;
    return undefined;
  }

  /** The record at `pos` is still open after 1 MiB. */
  recordTooLong(): boolean {
    return this.buf.length - this.pos > MAX_RECORD;
  }

  /**
   * Scans records into `out` until the window is full (WINDOW_FULL), the bytes held end or cut a
   * record (NEED_BYTES), or Papa Parse is to read on (HAND_OVER).
   * The hot loop of the byte path, one pass per record: state is read into locals first and
   * stored back at the end, and the rare steps (the header, a cut record) are calls.
   */
  scanWindow(out: RawRecord[]): Stop {
    const sc = this.scanner!;
    const eof = this.eof;
    const delimiter = this.delimiter;
    let { buf, pos, whole, line, windowEnd, header, validate, makeRecord } = this;
    let stop: Stop = NEED_BYTES;
    while (pos < buf.length) {
      const next = sc.scan(buf, pos, eof);
      if (next === INCOMPLETE) {
        if (!whole) break;
        // The cut record runs past the chunk's first bytes: read it in the whole chunk.
        buf = Buffer.concat([buf.subarray(pos, whole.carried), whole.chunk]);
        pos = 0;
        whole = undefined;
        continue;
      }
      if (next === IRREGULAR) {
        stop = HAND_OVER;
        break;
      }
      line++;
      const no = line;
      line += sc.breaks;
      const blank = sc.count === 1 && sc.starts[0] === sc.ends[0];
      if (!blank) {
        if (!header) {
          header = this.readHeader(sc.texts(buf));
          validate = this.validate;
          makeRecord = this.makeRecord;
          if (!validate) {
            // Only blank lines came before the header: nothing to yield first.
            pos = next;
            stop = HAND_OVER;
            break;
          }
        } else if (sc.count !== header.length) {
          out.push(wrongFieldCount(no, header, sc.texts(buf), delimiter));
        } else {
          const row = validate!(buf, sc.starts, sc.ends, sc.flags);
          out.push(row ? { no, value: null, row } : { no, value: makeRecord!(sc.texts(buf)) });
        }
      }
      pos = next;
      if (whole && pos >= whole.carried) {
        // Past the cut record: on into the chunk itself.
        windowEnd -= whole.carried;
        pos -= whole.carried;
        buf = whole.chunk;
        whole = undefined;
      }
      if (pos >= windowEnd) {
        windowEnd = pos + WINDOW;
        stop = WINDOW_FULL;
        break;
      }
    }
    this.buf = buf;
    this.pos = pos;
    this.whole = whole;
    this.line = line;
    this.windowEnd = windowEnd;
    return stop;
  }

  /** The header row: its names, the row object maker and the compiled validator (if any). */
  private readHeader(fields: string[]): string[] {
    const header = csvHeader(fields);
    this.header = header;
    this.makeRecord = recordMaker(header);
    this.validate = this.compile(header);
    return header;
  }

  /** Papa Parse reads from the record at `pos` to the end of the file. */
  handOver(fallback: CsvFallback): AsyncIterable<RawRecord[]> {
    const { buf, pos, whole, crlf, header } = this;
    return fallback(
      resumed(
        this.it,
        [buf.subarray(pos), ...(whole ? [whole.chunk.subarray(buf.length - whole.carried)] : [])].filter(
          (b) => b.length > 0,
        ),
      ),
      // Line break still unknown (a first line over MAX_RECORD): csvBatches decides it, as ever.
      {
        line: this.line,
        ...(crlf === undefined ? {} : { newline: crlf ? '\r\n' : '\n' }),
        ...(header ? { header } : {}),
      },
    );
  }
}
