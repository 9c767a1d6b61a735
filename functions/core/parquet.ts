/**
 * Curated Parquet files: a streaming writer that turns rows of one entity into one Parquet file,
 * row group by row group, through an {@link ObjectSink}, so memory stays bounded.
 *
 * Rows are buffered column by column in typed arrays (no per-value heap objects: strings are
 * UTF-8-encoded into a byte buffer as they arrive), handed over as an Arrow record batch
 * (apache-arrow builds the IPC bytes), and encoded by the Apache Arrow project's Rust Parquet
 * writer compiled to WebAssembly (parquet-wasm): one dependency that runs unchanged on any OS and
 * CPU, Lambda's arm64 included. See bench/README.md for why (≈ 15× the encoder it replaced).
 *
 * Types are ones both Athena (engine 3) and DuckDB read natively, and the Glue tables declare
 * (infra/ddl.ts reads the same contract kinds):
 *
 * | contract kind | Arrow                         | Parquet                                      |
 * | ------------- | ----------------------------- | -------------------------------------------- |
 * | timestamp     | Timestamp(ms, "UTC")          | INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true) |
 * | date          | Date32                        | INT32 DATE                                   |
 * | integer       | Int64                         | INT64                                        |
 * | number        | Float64                       | DOUBLE                                       |
 * | boolean       | Bool                          | BOOLEAN                                      |
 * | string        | Utf8                          | BYTE_ARRAY STRING                            |
 *
 * Snappy compression; dictionary encoding for text columns other than the row's own id (unique
 * by definition, so a dictionary would only cost time); column-chunk statistics (min/max), which
 * Athena and DuckDB use to skip row groups.
 */
import type * as Arrow from 'apache-arrow';
import type * as ParquetWasm from 'parquet-wasm/node';
import type { ColumnDef, ColumnKind } from './contracts.ts';
import type { ObjectSink } from './ports.ts';

type ArrowModule = typeof Arrow;
type WasmModule = typeof ParquetWasm;

let modules: Promise<{ arrow: ArrowModule; pw: WasmModule }> | undefined;
/** Loads Arrow and the WebAssembly encoder on first use (≈ 100 ms), not when the CLI starts. */
function encoderModules() {
  modules ??= Promise.all([import('apache-arrow'), import('parquet-wasm/node')]).then(([arrow, pw]) => ({
    arrow,
    pw: ((pw as unknown as { default?: WasmModule }).default ?? pw) as WasmModule,
  }));
  return modules;
}

const DAY_MS = 86_400_000;
const TWO_32 = 4_294_967_296;
const INITIAL_ROWS = 1024;
const PAGE_BYTES = 64 * 1024;
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
  /** The buffered values as Arrow data; the column starts empty again. */
  take(arrow: ArrowModule, field: Arrow.Field): Arrow.Data;
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
  take(arrow: ArrowModule, field: Arrow.Field): Arrow.Data {
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
    return arrow.makeData({ type: field.type, length, nullCount: nulls, nullBitmap: bits, data } as never);
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
  take(arrow: ArrowModule, field: Arrow.Field): Arrow.Data {
    const length = this.length;
    const { bits, nulls } = this.validity.take();
    const data = this.values;
    this.values = new Uint8Array(INITIAL_ROWS >> 3);
    this.length = 0;
    return arrow.makeData({ type: field.type, length, nullCount: nulls, nullBitmap: bits, data } as never);
  }
}

/** UTF-8 text: bytes appended to one buffer as values arrive, with Arrow's Int32 offsets. */
class StringColumn implements Column {
  length = 0;
  private bytes = Buffer.allocUnsafe(INITIAL_ROWS * 16);
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
    if (this.pos + s.length * 3 > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.pos + s.length * 3));
      this.bytes.copy(next, 0, 0, this.pos);
      this.bytes = next;
    }
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
  take(arrow: ArrowModule, field: Arrow.Field): Arrow.Data {
    const length = this.length;
    const { bits, nulls } = this.validity.take();
    const data = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.pos);
    const valueOffsets = this.offsets.subarray(0, length + 1);
    this.bytes = Buffer.allocUnsafe(INITIAL_ROWS * 16);
    this.offsets = new Int32Array(INITIAL_ROWS + 1);
    this.pos = 0;
    this.length = 0;
    return arrow.makeData({
      type: field.type,
      length,
      nullCount: nulls,
      nullBitmap: bits,
      valueOffsets,
      data,
    } as never);
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

function arrowType(arrow: ArrowModule, kind: ColumnKind): Arrow.DataType {
  switch (kind) {
    case 'string':
      return new arrow.Utf8();
    case 'timestamp':
      return new arrow.TimestampMillisecond('UTC');
    case 'date':
      return new arrow.DateDay();
    case 'integer':
      return new arrow.Int64();
    case 'number':
      return new arrow.Float64();
    case 'boolean':
      return new arrow.Bool();
  }
}

/** The Arrow schema of a curated table: nullable exactly where the contract column is optional. */
export async function arrowSchema(columns: readonly ColumnDef[]): Promise<Arrow.Schema> {
  const { arrow } = await encoderModules();
  return schemaOf(arrow, columns);
}

function schemaOf(arrow: ArrowModule, columns: readonly ColumnDef[]): Arrow.Schema {
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.name, arrowType(arrow, c.kind), !c.required)));
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
}

interface Output {
  enqueue(batch: ParquetWasm.RecordBatch): Promise<void>;
  close(): Promise<void>;
  abort(reason: Error): void;
}

/**
 * Streams row objects into one Parquet file. `append` per row, `close` once (or `abort`).
 * Nothing reaches the sink's committed object before `close`: the sink commits atomically.
 */
export class ParquetRowWriter {
  private readonly cols: Column[];
  private readonly names: string[];
  private readonly rowGroupSize: number;
  private output: Output | undefined;
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
    this.names = columns.map((c) => c.name);
  }

  /**
   * Adds a row. Returns a promise only when a full row group was handed to the encoder (await it
   * then); otherwise undefined, so the per-row path allocates nothing but the values themselves.
   */
  append(row: Record<string, unknown>): Promise<void> | undefined {
    const cols = this.cols;
    const names = this.names;
    for (let i = 0; i < cols.length; i++) cols[i]!.push(row[names[i]!]);
    this.pending++;
    this.rows++;
    return this.pending >= this.rowGroupSize ? this.flushGroup() : undefined;
  }

  /** Hands the buffered rows to the encoder as one record batch (the caller may force this to bound memory). */
  async flushGroup(): Promise<void> {
    if (this.pending === 0 && this.output) return;
    const { arrow, pw } = await encoderModules();
    const schema = schemaOf(arrow, this.columns);
    const length = this.pending;
    const children = this.cols.map((c, i) => c.take(arrow, schema.fields[i]!));
    this.pending = 0;
    const batch = new arrow.RecordBatch(
      schema,
      arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children }),
    );
    const ipc = arrow.tableToIPC(new arrow.Table(schema, [batch]), 'stream');
    const table = pw.Table.fromIPCStream(ipc);
    const wasmBatch = table.recordBatch(0);
    table.free();
    if (!wasmBatch) throw new Error('parquet-wasm returned no record batch');
    this.output ??= this.openOutput(pw);
    await this.output.enqueue(wasmBatch);
  }

  private openOutput(pw: WasmModule): Output {
    let props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setCreatedBy('servicepulse')
      .setMaxRowGroupSize(this.rowGroupSize)
      .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
      // Each open file keeps one page per column being filled (uncompressed) and its unfinished
      // row group in WebAssembly memory, and a file ingest keeps one file open per day it spans:
      // 1 MB pages (the default) made that 300 MB for a 30-day export. 64 KiB pages cost ≈ 1 %
      // in file size.
      .setDataPageSizeLimit(PAGE_BYTES)
      .setDictionaryPageSizeLimit(4 * PAGE_BYTES)
      .setDictionaryEnabled(false);
    const unique = new Set(this.options.uniqueColumns ?? []);
    for (const c of this.columns)
      if (c.kind === 'string' && !unique.has(c.name)) props = props.setColumnDictionaryEnabled(c.name, true);
    if (this.options.kvMetadata?.length)
      props = props.setKeyValueMetadata(new Map(this.options.kvMetadata.map((m) => [m.key, m.value])));

    // Strict hand-off: a batch is enqueued only when the encoder asks for one, so at most one
    // batch waits in WebAssembly memory per open file.
    let wanted: (() => void) | undefined;
    let asked = new Promise<void>((r) => {
      wanted = r;
    });
    let controller!: ReadableStreamDefaultController<ParquetWasm.RecordBatch>;
    const input = new ReadableStream<ParquetWasm.RecordBatch>(
      {
        start: (c) => {
          controller = c;
        },
        pull: () => {
          wanted?.();
        },
      },
      { highWaterMark: 0 },
    );
    const pump = (async () => {
      const bytes = (await pw.transformParquetStream(input, props.build())) as ReadableStream<Uint8Array>;
      // Writes are chained, not awaited one by one: the encoder goes on with the next row group
      // while the sink stores the last one (a disk or network write leaves this thread idle).
      // Order is kept by the chain; at most WRITE_AHEAD bytes wait in it.
      let chain: Promise<void> = Promise.resolve();
      let waiting = 0;
      for await (const chunk of bytes as unknown as AsyncIterable<Uint8Array>) {
        waiting += chunk.length;
        chain = chain.then(async () => {
          await this.sink.write(chunk);
          waiting -= chunk.length;
        });
        chain.catch(() => {}); // observed below; keeps an early failure from going unhandled
        if (waiting > WRITE_AHEAD) await chain;
      }
      await chain;
    })().catch((e: unknown) => {
      this.failed = e instanceof Error ? e : new Error(String(e));
      wanted?.();
    });
    return {
      enqueue: async (batch) => {
        await asked;
        if (this.failed) throw this.failed;
        asked = new Promise<void>((r) => {
          wanted = r;
        });
        controller.enqueue(batch);
      },
      close: async () => {
        controller.close();
        await pump;
        if (this.failed) throw this.failed;
      },
      abort: (reason) => {
        try {
          controller.error(reason);
        } catch {
          // already closed or errored
        }
      },
    };
  }

  /** Writes the last row group and the footer, then commits the sink. */
  async close(): Promise<void> {
    await this.flushGroup();
    await this.output!.close();
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    this.output?.abort(new Error('aborted'));
    await this.sink.abort();
  }
}
