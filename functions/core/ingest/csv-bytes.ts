/**
 * The fast path for CSV: records are split in the bytes and handed to a compiled contract
 * validator as byte ranges (contracts.ts, `compileCsvContract`), so an accepted row costs no
 * intermediate strings, arrays or objects: only its validated row. Papa Parse stays the CSV
 * parser of record: this path takes only what RFC 4180 leaves no doubt about, and hands the rest
 * of the file to Papa Parse (records.ts, `csvBatches`) at the first record it is not sure of.
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
import {
  type CsvResume,
  csvHeader,
  type RawRecord,
  recordMaker,
  resumed,
  wrongFieldCount,
} from './records.ts';

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
/** Papa Parse's reading of the rest of the file (records.ts, csvBatches). */
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

  /** The last record's fields as text (for the row object path and for quarantine). */
  texts(b: Buffer): string[] {
    const out: string[] = new Array(this.count);
    for (let k = 0; k < this.count; k++)
      out[k] = csvFieldText(b, this.starts[k]!, this.ends[k]!, this.flags[k]!);
    return out;
  }
}

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
  const it = source[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let eof = false;
  let crlf: boolean | undefined;
  let scanner: RecordScanner | undefined;
  let header: string[] | undefined;
  let validate: CsvRowValidator | undefined;
  let makeRecord: ((fields: string[]) => Record<string, string>) | undefined;
  let line = 0;
  /**
   * While `buf` holds a record cut by a chunk boundary (its start, `carried` bytes, and the next
   * chunk's first bytes): that chunk.
   */
  let whole: { chunk: Buffer; carried: number } | undefined;
  /** Papa Parse reads from the record at `pos` to the end of the file. */
  const handOver = () =>
    fallback(
      resumed(
        it,
        [buf.subarray(pos), ...(whole ? [whole.chunk.subarray(buf.length - whole.carried)] : [])].filter(
          (b) => b.length > 0,
        ),
      ),
      // Line break still unknown (a first line over MAX_RECORD): csvBatches decides it, as ever.
      {
        line,
        ...(crlf === undefined ? {} : { newline: crlf ? '\r\n' : '\n' }),
        ...(header ? { header } : {}),
      },
    );

  for (;;) {
    if (!eof) {
      const n = await it.next();
      if (n.done) eof = true;
      else {
        const chunk = asBuffer(n.value);
        if (pos < buf.length) {
          // The record cut by the boundary is completed in a small buffer (its start and the
          // chunk's first bytes); the records after it are read in the chunk itself, uncopied.
          const head = chunk.length > WINDOW ? chunk.subarray(0, WINDOW) : chunk;
          whole = head === chunk ? undefined : { chunk, carried: buf.length - pos };
          buf = Buffer.concat([buf.subarray(pos), head]);
        } else buf = chunk;
        pos = 0;
      }
    }
    if (crlf === undefined) {
      const lf = buf.indexOf(LF);
      if (lf < 0 && !eof) {
        if (buf.length > MAX_RECORD) {
          yield* handOver();
          return;
        }
        continue;
      }
      crlf = lf > 0 && buf[lf - 1] === CR;
      scanner = new RecordScanner(delimiter.charCodeAt(0), crlf);
    }
    const sc = scanner!;
    let out: RawRecord[] = [];
    let windowEnd = pos + WINDOW;
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
        if (out.length > 0) yield out;
        yield* handOver();
        return;
      }
      line++;
      const no = line;
      line += sc.breaks;
      const blank = sc.count === 1 && sc.starts[0] === sc.ends[0];
      if (!blank) {
        if (!header) {
          header = csvHeader(sc.texts(buf));
          makeRecord = recordMaker(header);
          validate = compile(header);
          if (!validate) {
            // Only blank lines came before the header: nothing to yield first.
            pos = next;
            yield* handOver();
            return;
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
        if (out.length > 0) yield out;
        out = [];
        windowEnd = pos + WINDOW;
      }
    }
    if (out.length > 0) yield out;
    if (eof) return;
    if (buf.length - pos > MAX_RECORD) {
      yield* handOver();
      return;
    }
  }
}
