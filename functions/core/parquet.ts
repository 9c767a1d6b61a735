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
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'timestamp':
      return {
        name: c.name,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'date':
      return { name: c.name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type };
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

/** Converts one validated value to what hyparquet-writer expects for the column's physical type. */
function toPhysical(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (kind) {
    case 'timestamp':
      return BigInt(v as number);
    case 'integer':
      return BigInt(v as number);
    case 'date':
      return Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS);
    default:
      return v;
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
  private readonly buffers: unknown[][];
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
    this.buffers = columns.map(() => []);
    this.writer = new ParquetWriter({
      writer: new SinkByteWriter(sink),
      schema: parquetSchema(columns),
      codec: 'SNAPPY',
      createdBy: 'servicepulse',
      ...(options.kvMetadata ? { kvMetadata: options.kvMetadata } : {}),
    });
  }

  /** Adds a row; resolves once a full row group (if one filled) is handed to the sink. */
  async append(row: Record<string, unknown>): Promise<void> {
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      this.buffers[i]!.push(toPhysical(c.kind, row[c.name]));
    }
    this.pending++;
    this.rows++;
    if (this.pending >= this.rowGroupSize) await this.flushGroup();
  }

  /** Writes the buffered rows as one row group (the caller may force this to bound memory). */
  async flushGroup(): Promise<void> {
    if (this.pending === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffers[i]! }));
    await this.writer.write({ columnData: columnData as never, rowGroupSize: this.pending });
    for (const b of this.buffers) b.length = 0;
    this.pending = 0;
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
