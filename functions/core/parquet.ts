/**
 * Curated Parquet files: a streaming writer that turns rows of one entity into one Parquet file,
 * row group by row group, through an {@link ObjectSink}, so memory stays bounded.
 *
 * Rows are buffered column by column in typed arrays (no per-value heap objects: text is
 * UTF-8-encoded into a byte buffer as it arrives, 64-bit integers are written as two 32-bit
 * halves). Each row group goes to a {@link ParquetEncoder} (parquet-encode.ts: Arrow's Rust
 * Parquet writer compiled to WebAssembly), on this thread or another; its bytes come back in order
 * and go to the sink. Types, compression and encodings: see parquet-encode.ts; what crosses
 * between the two: parquet-types.ts.
 */
import type { ColumnDef, ColumnKind } from './contracts.ts';
import { inThreadEncoder } from './parquet-encode.ts';
import type { ColumnPayload, EncodedFile, ParquetEncoder } from './parquet-types.ts';
import type { ObjectSink } from './ports.ts';

/** Re-exported where importers have always taken it (its home is parquet-types.ts). */
export type { ColumnPayload } from './parquet-types.ts';

const DAY_MS = 86_400_000;
const TWO_32 = 4_294_967_296;
const INITIAL_ROWS = 128;
const WRITE_AHEAD = 8 * 1024 * 1024;

/** A validity bitmap as Arrow lays it out (bit i of byte i >> 3, least significant first). */
class Validity {
  bits = new Uint8Array(INITIAL_ROWS >> 3);
  nulls = 0;
  grow(rows: number): void {
    const bits = new Uint8Array(rows >> 3);
    bits.set(this.bits);
    this.bits = bits;
  }
  setValid(i: number): void {
    this.bits[i >> 3]! |= 1 << (i & 7);
  }
  take(): { bits: Uint8Array | null; nulls: number } {
    const out = { bits: this.nulls > 0 ? this.bits : null, nulls: this.nulls };
    this.bits = new Uint8Array(INITIAL_ROWS >> 3);
    this.nulls = 0;
    return out;
  }
}

interface Column {
  readonly length: number;
  push(v: unknown): void;
  /** The buffered values; the column starts empty again. */
  take(): ColumnPayload;
}

/** timestamp (epoch ms), integer, number and date ('YYYY-MM-DD') columns. */
class NumericColumn implements Column {
  length = 0;
  private cap = INITIAL_ROWS;
  private f64: Float64Array | undefined;
  /** INT64 values as little-endian (low, high) 32-bit pairs: no BigInt per value. */
  private i32: Int32Array | undefined;
  private readonly validity = new Validity();
  constructor(private readonly kind: 'timestamp' | 'integer' | 'number' | 'date') {
    this.alloc();
  }
  private alloc(): void {
    if (this.kind === 'number') this.f64 = new Float64Array(this.cap);
    else this.i32 = new Int32Array(this.kind === 'date' ? this.cap : this.cap * 2);
  }
  push(v: unknown): void {
    const i = this.length;
    if (i === this.cap) this.grow();
    this.length = i + 1;
    if (v === undefined || v === null) {
      this.validity.nulls++;
      return;
    }
    this.validity.setValid(i);
    switch (this.kind) {
      case 'number':
        this.f64![i] = v as number;
        return;
      case 'date':
        this.i32![i] = Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS);
        return;
      default: {
        const n = v as number;
        const hi = Math.floor(n / TWO_32);
        this.i32![2 * i] = n - hi * TWO_32;
        this.i32![2 * i + 1] = hi;
      }
    }
  }
  private grow(): void {
    this.cap *= 2;
    this.validity.grow(this.cap);
    if (this.f64) {
      const next = new Float64Array(this.cap);
      next.set(this.f64);
      this.f64 = next;
    } else {
      const next = new Int32Array(this.kind === 'date' ? this.cap : this.cap * 2);
      next.set(this.i32!);
      this.i32 = next;
    }
  }
  take(): ColumnPayload {
    const length = this.length;
    const { bits, nulls } = this.validity.take();
    const data =
      this.kind === 'number'
        ? this.f64!.subarray(0, length)
        : this.kind === 'date'
          ? this.i32!.subarray(0, length)
          : new BigInt64Array(this.i32!.buffer, 0, length);
    this.length = 0;
    this.cap = INITIAL_ROWS;
    this.alloc();
    return { length, nulls, bits, data };
  }
}

class BooleanColumn implements Column {
  length = 0;
  private values = new Uint8Array(INITIAL_ROWS >> 3);
  private readonly validity = new Validity();
  push(v: unknown): void {
    const i = this.length;
    if (i === this.values.length << 3) {
      const next = new Uint8Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
      this.validity.grow(next.length << 3);
    }
    this.length = i + 1;
    if (v === undefined || v === null) {
      this.validity.nulls++;
      return;
    }
    this.validity.setValid(i);
    if (v === true) this.values[i >> 3]! |= 1 << (i & 7);
  }
  take(): ColumnPayload {
    const length = this.length;
    const { bits, nulls } = this.validity.take();
    const data = this.values;
    this.values = new Uint8Array(INITIAL_ROWS >> 3);
    this.length = 0;
    return { length, nulls, bits, data };
  }
}

/** UTF-8 text: bytes appended to one buffer as values arrive, with Arrow's Int32 offsets. */
class StringColumn implements Column {
  length = 0;
  private bytes = Buffer.allocUnsafeSlow(INITIAL_ROWS * 16);
  private pos = 0;
  private offsets = new Int32Array(INITIAL_ROWS + 1);
  private readonly validity = new Validity();
  push(v: unknown): void {
    const i = this.length;
    if (i + 1 === this.offsets.length) {
      const next = new Int32Array((this.offsets.length - 1) * 2 + 1);
      next.set(this.offsets);
      this.offsets = next;
      this.validity.grow(next.length - 1);
    }
    this.length = i + 1;
    if (v === undefined || v === null) {
      this.validity.nulls++;
      this.offsets[i + 1] = this.pos;
      return;
    }
    this.validity.setValid(i);
    const s = typeof v === 'string' ? v : String(v);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    if (this.pos + s.length * 3 > this.bytes.length) this.reserve(s.length * 3);
    const bytes = this.bytes;
    const start = this.pos;
    const n = s.length;
    let j = 0;
    // Short ASCII text (ids, codes, names) is copied code unit by code unit: cheaper than a
    // native call per value. Anything else (or the rest of it) goes through Buffer.write.
    if (n <= 32) {
      for (; j < n; j++) {
        const c = s.charCodeAt(j);
        if (c > 0x7f) break;
        bytes[start + j] = c;
      }
    }
    this.pos = j === n ? start + n : start + bytes.write(s, start);
    if (this.pos > 0x7fff_ffff) throw new Error('a text column exceeded 2 GiB in one row group');
    this.offsets[i + 1] = this.pos;
  }
  private reserve(extra: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.pos + extra));
    this.bytes.copy(next, 0, 0, this.pos);
    this.bytes = next;
  }
  take(): ColumnPayload {
    const length = this.length;
    const { bits, nulls } = this.validity.take();
    const data = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.pos);
    const offsets = this.offsets.subarray(0, length + 1);
    this.bytes = Buffer.allocUnsafeSlow(INITIAL_ROWS * 16);
    this.offsets = new Int32Array(INITIAL_ROWS + 1);
    this.pos = 0;
    this.length = 0;
    return { length, nulls, bits, data, offsets };
  }
}

function columnFor(kind: ColumnKind): Column {
  switch (kind) {
    case 'string':
      return new StringColumn();
    case 'boolean':
      return new BooleanColumn();
    default:
      return new NumericColumn(kind);
  }
}

const pushers = new Map<string, (cols: Column[], row: Record<string, unknown>) => void>();
/**
 * `cols[i].push(row.<name i>)` for every column, generated once per column list: each statement
 * then reads one property of one row shape and calls one column class (a loop over the names made
 * both lookups generic: 0.65 s → 0.35 s per million calls, CPU profile).
 */
function rowPusher(names: readonly string[]): (cols: Column[], row: Record<string, unknown>) => void {
  const id = JSON.stringify(names);
  let f = pushers.get(id);
  if (!f) {
    const body = names.map((n, i) => `c[${i}].push(row[${JSON.stringify(n)}]);`).join('\n');
    f = new Function('c', 'row', body) as (cols: Column[], row: Record<string, unknown>) => void;
    pushers.set(id, f);
  }
  return f;
}

export interface ParquetRowWriterOptions {
  /**
   * Rows per row group (default 32 768). The unfinished row group of every open file waits in
   * WebAssembly memory, so this bounds memory per open file: with 100 000, a 30-day calls export
   * held ≈ 200 MB there; with 32 768, ≈ 75 MB. The price is more, smaller groups (≈ 1.5 MB of
   * calls each) for readers to open; a day's file of a busy centre has a handful.
   */
  rowGroupSize?: number;
  kvMetadata?: { key: string; value: string }[];
  /** Text columns whose values are (nearly) all distinct: written without a dictionary. */
  uniqueColumns?: readonly string[];
  /** Where row groups are encoded (default: on this thread). See parquet-encode.ts. */
  encoder?: ParquetEncoder;
}

/**
 * Streams row objects into one Parquet file. `append` per row, `close` once (or `abort`).
 * Nothing reaches the sink's committed object before `close`: the sink commits atomically.
 */
export class ParquetRowWriter {
  private readonly cols: Column[];
  private readonly push: (cols: Column[], row: Record<string, unknown>) => void;
  private readonly rowGroupSize: number;
  private file: EncodedFile | undefined;
  private writes: Promise<void> = Promise.resolve();
  private waitingBytes = 0;
  private failed: Error | undefined;
  /** Rows buffered for the next row group. */
  pending = 0;
  rows = 0;

  constructor(
    private readonly columns: readonly ColumnDef[],
    private readonly sink: ObjectSink,
    private readonly options: ParquetRowWriterOptions = {},
  ) {
    this.rowGroupSize = options.rowGroupSize ?? 32_768;
    this.cols = columns.map((c) => columnFor(c.kind));
    this.push = rowPusher(columns.map((c) => c.name));
  }

  /**
   * Adds a row. Returns a promise only when a full row group was handed to the encoder (await it
   * then); otherwise undefined, so the per-row path allocates nothing but the values themselves.
   */
  append(row: Record<string, unknown>): Promise<void> | undefined {
    this.push(this.cols, row);
    this.pending++;
    this.rows++;
    return this.pending >= this.rowGroupSize ? this.flushGroup() : undefined;
  }

  /** Hands the buffered rows to the encoder as one record batch (the caller may force this to bound memory). */
  async flushGroup(): Promise<void> {
    if (this.pending === 0 && this.file) return;
    const length = this.pending;
    const payload = this.cols.map((c) => c.take());
    this.pending = 0;
    this.file ??= (this.options.encoder ?? inThreadEncoder).open(
      {
        columns: this.columns.map((c) => ({ name: c.name, kind: c.kind, required: c.required })),
        rowGroupSize: this.rowGroupSize,
        uniqueColumns: [...(this.options.uniqueColumns ?? [])],
        kvMetadata: this.options.kvMetadata ?? [],
      },
      (chunk) => this.store(chunk),
    );
    await this.file.write(payload, length);
    if (this.failed) throw this.failed;
  }

  /**
   * Sink writes are chained, not awaited one by one: the encoder goes on with the next row group
   * while the sink stores the last one (a disk or network write leaves the thread idle). Order is
   * kept by the chain; past WRITE_AHEAD bytes waiting, the encoder waits for the sink.
   */
  private store(chunk: Uint8Array): Promise<void> | undefined {
    this.waitingBytes += chunk.length;
    this.writes = this.writes.then(async () => {
      await this.sink.write(chunk);
      this.waitingBytes -= chunk.length;
    });
    this.writes.catch((e: unknown) => {
      this.failed ??= e instanceof Error ? e : new Error(String(e));
    });
    return this.waitingBytes > WRITE_AHEAD ? this.writes : undefined;
  }

  /** Writes the last row group and the footer, then commits the sink. */
  async close(): Promise<void> {
    await this.finish();
    await this.commit();
  }

  /**
   * Writes the last row group and the footer and hands every byte to the sink, without committing
   * it: the encoder's memory for this file is released, and the object appears only on `commit`.
   */
  async finish(): Promise<void> {
    await this.flushGroup();
    await this.file!.close();
    await this.writes;
    // A finished file may wait for its commit among thousands of others: keep no buffers.
    this.cols.length = 0;
  }

  async commit(): Promise<void> {
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    this.file?.abort();
    await this.writes.catch(() => {});
    await this.sink.abort();
  }
}
