/**
 * The ports the core talks through. Adapters (functions/adapters/) implement them for one runtime:
 * the local filesystem or S3 for objects, DuckDB or Athena for SQL, an outbox folder, SMTP or SES
 * for mail. Nothing in functions/core imports an adapter.
 */

/** A write in progress; the object becomes visible to readers only on `commit` (never half-written). */
export interface ObjectSink {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Keys are `/`-separated and relative to the store's root (a folder, or a bucket and prefix). */
export interface ObjectStore {
  /** Streams an object's bytes; throws {@link NotFoundError} when it does not exist. */
  read(key: string): AsyncIterable<Uint8Array>;
  /** Reads a small object whole; undefined when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Starts an atomic write (temp + rename locally, a single PUT or completed multipart upload in S3). */
  create(key: string, contentType?: string): Promise<ObjectSink>;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Keys under a prefix, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Temporary objects under a prefix that no running writer owns any more (a crashed process's
   * temp files); `delete` removes them. Stores whose incomplete writes are invisible and expire on
   * their own (S3 multipart uploads, with a lifecycle rule) leave it out.
   */
  listTemporary?(prefix: string): AsyncIterable<string>;
  /**
   * Copies an object (server-side). Stores whose readers list folders rather than manifests (S3
   * under Athena) implement it: an ingest then commits its objects under hidden names (`_staged-…`,
   * which Athena skips) and publishes them by copy only after its manifest is committed.
   */
  copy?(from: string, to: string): Promise<void>;
  /** Where an object lives, for messages and for SQL engines that read it directly. */
  locate(key: string): string;
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export type SqlValue = string | number | boolean | null | bigint | Date;
export type SqlRow = Record<string, SqlValue>;

/** Runs Athena SQL (Trino dialect). The DuckDB adapter translates through its compatibility layer. */
export interface QueryEngine {
  readonly name: 'athena' | 'duckdb';
  /** Runs one statement and returns its rows (empty for DDL and DML). */
  query(sql: string): Promise<SqlRow[]>;
  close(): Promise<void>;
  /**
   * Engines that read the lake through a snapshot of its manifests (DuckDB locally): whether an
   * ingest committed since the snapshot was taken, and taking a new one. A run retries a statement
   * once on the new snapshot when the lake changed under it (run.ts).
   */
  lakeSnapshot?: { changed(): Promise<boolean>; refresh(): Promise<void> };
}

/** One e-mail, fully rendered. */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** Inline images referenced from the HTML as `cid:<cid>`. */
  inline: { cid: string; filename: string; contentType: string; content: Uint8Array }[];
  headers?: Record<string, string>;
}

export interface MailDelivery {
  /** Delivers (or files) a message; returns where it went (a path, a message id). */
  deliver(message: MailMessage, raw: Uint8Array): Promise<string>;
}

/** Progress reporting for long steps; the CLI draws bars, Lambda logs, tests ignore. */
export interface Progress {
  start(label: string, total?: number): ProgressTask;
}
export interface ProgressTask {
  tick(n?: number): void;
  done(summary?: string): void;
}
export const silentProgress: Progress = {
  start: () => ({ tick() {}, done() {} }),
};
