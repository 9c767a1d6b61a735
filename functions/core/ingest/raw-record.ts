/**
 * What the decoders (csv-papa.ts, csv-bytes.ts, json-stream.ts) yield, and the error of a file
 * that cannot be read at all. A leaf module: the decoders, the format dispatch (records.ts) and
 * the source mappings all import it, and it imports none of them.
 */

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
  /** A row the entity's contract already accepted (the CSV byte path, csv-bytes.ts); `value` is then null. */
  row?: Record<string, unknown>;
}

/** A file that is not CSV or JSON text at all (binary, broken gzip, an empty header row…). */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}
