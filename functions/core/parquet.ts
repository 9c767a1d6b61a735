/**
 * Curated Parquet files: the schema of each entity (read off its zod contract) and a streaming
 * writer that emits row groups to an {@link ObjectSink} as they fill, so memory stays bounded by
 * one row group per open partition.
 *
 * Types are ones both Athena (engine 3) and DuckDB read natively: timestamps as INT64
 * TIMESTAMP(MILLIS, isAdjustedToUTC=true), dates as INT32 DATE, integers as INT64, numbers as
 * DOUBLE, booleans, and UTF-8 strings. Snappy compression.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnDef, ColumnKind } from './contracts.ts';
import type { ObjectSink } from './ports.ts';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

function element(c: { name: string; kind: ColumnKind; required: boolean }): SchemaElement {
  const repetition_type = c.required ? 'REQUIRED' : 'OPTIONAL';
  switch (c.kind) {
    case 'string':
      return {
        name: c.name,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
        repetition_type,
      };
    case 'timestamp':
      return {
        name: c.name,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'date':
      return {
        name: c.name,
        type: 'INT32',
        converted_type: 'DATE',
        logical_type: { type: 'DATE' },
        repetition_type,
      };
    case 'integer':
      return { name: c.name, type: 'INT64', repetition_type };
    case 'number':
      return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name: c.name, type: 'BOOLEAN', repetition_type };
  }
}

export function parquetSchema(columns: readonly ColumnDef[]): SchemaElement[] {
  return [{ name: 'schema', num_children: columns.length }, ...columns.map(element)];
}

const DAY_MS = 86_400_000;

/**
 * A column being buffered for the next row group. Numeric kinds sit in a growable Float64Array
 * with a null mask (no per-value heap objects: BigInts are made only while a row group is encoded),
 * which keeps garbage collection out of the hot path; strings and booleans in plain arrays.
 */
class ColumnBuffer {
  private nums: Float64Array | undefined;
  private nulls: Uint8Array | undefined;
  private values: unknown[] | undefined;
  length = 0;
  constructor(readonly kind: ColumnKind) {
    if (kind === 'timestamp' || kind === 'integer' || kind === 'number' || kind === 'date') {
      this.nums = new Float64Array(1024);
      this.nulls = new Uint8Array(1024);
    } else {
      this.values = [];
    }
  }

  push(v: unknown): void {
    if (this.values) {
      this.values.push(v === undefined ? null : v);
      this.length++;
      return;
    }
    let nums = this.nums!;
    if (this.length === nums.length) {
      const bigger = new Float64Array(nums.length * 2);
      bigger.set(nums);
      const mask = new Uint8Array(nums.length * 2);
      mask.set(this.nulls!);
      this.nums = nums = bigger;
      this.nulls = mask;
    }
    if (v === undefined || v === null) {
      this.nulls![this.length] = 1;
    } else {
      this.nulls![this.length] = 0;
      nums[this.length] =
        this.kind === 'date' ? Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS) : (v as number);
    }
    this.length++;
  }

  /** The buffered values as hyparquet-writer expects them for the column's physical type. */
  take(): unknown[] {
    const n = this.length;
    this.length = 0;
    if (this.values) {
      const out = this.values;
      this.values = [];
      return out;
    }
    const out = new Array<unknown>(n);
    const nums = this.nums!;
    const nulls = this.nulls!;
    const big = this.kind === 'timestamp' || this.kind === 'integer';
    for (let i = 0; i < n; i++) out[i] = nulls[i] ? null : big ? BigInt(nums[i]!) : nums[i];
    // Give grown buffers back: a file with many partitions keeps one writer per partition open.
    if (nums.length > 1024) {
      this.nums = new Float64Array(1024);
      this.nulls = new Uint8Array(1024);
    }
    return out;
  }
}

/** An ObjectSink seen through hyparquet-writer's Writer: each flushed row group goes to the sink. */
class SinkByteWriter extends ByteWriter {
  constructor(private readonly sink: ObjectSink) {
    super(1 << 20);
  }
  flush(): Promise<void> {
    const chunk = this.getBytes().slice();
    this.index = 0;
    // A row group grows the buffer to its size; do not keep that per open partition.
    if (this.buffer.byteLength > 1 << 20) {
      this.buffer = new ArrayBuffer(1 << 20);
      this.view = new DataView(this.buffer);
    }
    return this.sink.write(chunk);
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

export interface ParquetRowWriterOptions {
  /** Rows per row group (default 100 000). */
  rowGroupSize?: number;
  kvMetadata?: { key: string; value: string }[];
}

/** Streams row objects into one Parquet file. Call `append` per row, `close` once. */
export class ParquetRowWriter {
  private readonly writer: ParquetWriter;
  private readonly buffers: ColumnBuffer[];
  private readonly rowGroupSize: number;
  /** Rows buffered for the next row group. */
  pending = 0;
  rows = 0;

  constructor(
    private readonly columns: readonly ColumnDef[],
    private readonly sink: ObjectSink,
    options: ParquetRowWriterOptions = {},
  ) {
    this.rowGroupSize = options.rowGroupSize ?? 100_000;
    this.buffers = columns.map((c) => new ColumnBuffer(c.kind));
    this.writer = new ParquetWriter({
      writer: new SinkByteWriter(sink),
      schema: parquetSchema(columns),
      codec: 'SNAPPY',
      createdBy: 'servicepulse',
      ...(options.kvMetadata ? { kvMetadata: options.kvMetadata } : {}),
    });
  }

  /**
   * Adds a row. Returns a promise only when a full row group was handed to the sink (await it
   * then); otherwise undefined, so the per-row path allocates no promise.
   */
  append(row: Record<string, unknown>): Promise<void> | undefined {
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) this.buffers[i]!.push(row[cols[i]!.name]);
    this.pending++;
    this.rows++;
    return this.pending >= this.rowGroupSize ? this.flushGroup() : undefined;
  }

  /** Writes the buffered rows as one row group (the caller may force this to bound memory). */
  async flushGroup(): Promise<void> {
    if (this.pending === 0) return;
    const rows = this.pending;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffers[i]!.take() }));
    this.pending = 0;
    await this.writer.write({ columnData: columnData as never, rowGroupSize: rows });
  }

  /** Writes the last row group and the footer, then commits the sink. */
  async close(): Promise<void> {
    await this.flushGroup();
    await this.writer.finish();
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }
}
