/**
 * The data that crosses between the Parquet row writer (parquet.ts) and an encoder
 * (parquet-encode.ts, or an adapter running it on another thread): a file's spec, one row group's
 * columns as plain buffers, and the encoder seam. Plain data and interfaces only, so both sides,
 * and the worker-thread adapter, can import it without importing each other.
 */
import type { ColumnKind } from './contracts.ts';

/**
 * One column of a row group as plain buffers, laid out as Arrow lays them out: what crosses to
 * the encoder (another thread, maybe: every buffer is transferable).
 */
export interface ColumnPayload {
  length: number;
  nulls: number;
  /** Validity bitmap; null when there are no nulls. */
  bits: Uint8Array | null;
  /** Values: Float64Array (number), Int32Array (date), BigInt64Array (timestamp, integer), bit-packed Uint8Array (boolean), UTF-8 bytes (string). */
  data: Float64Array | Int32Array | BigInt64Array | Uint8Array;
  /** Int32 offsets into `data` (strings only). */
  offsets?: Int32Array;
}

/** What an encoder needs to know about a file: plain data, so it can cross to another thread. */
export interface FileSpec {
  columns: { name: string; kind: ColumnKind; required: boolean }[];
  rowGroupSize: number;
  /** Text columns written without a dictionary (their values are nearly all distinct). */
  uniqueColumns: string[];
  kvMetadata: { key: string; value: string }[];
}

/** One Parquet file being encoded. */
export interface EncodedFile {
  /** Appends a row group's columns; resolves when the encoder can take the next one. */
  write(columns: ColumnPayload[], length: number): Promise<void>;
  /** Writes the footer; resolves once every byte went to `onChunk`. */
  close(): Promise<void>;
  abort(): void;
}

/**
 * Turns column payloads into Parquet bytes, given to `onChunk` in order. When `onChunk` returns a
 * promise, the encoder waits for it before it hands out more bytes (backpressure).
 */
export interface ParquetEncoder {
  open(spec: FileSpec, onChunk: (chunk: Uint8Array) => Promise<void> | undefined): EncodedFile;
}
