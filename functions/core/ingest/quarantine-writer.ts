/**
 * The quarantine of one source file: every record that could not become a row, with its line,
 * field and reason, as NDJSON (`quarantine/<stem>-<key hash>.ndjson`). Nothing is dropped
 * silently: a rejected record is counted here and written here. The file is created on the first
 * rejected record only, and appears when the ingest commits it (commit.ts).
 */
import type { Entity } from '../contracts.ts';
import type { ObjectSink, ObjectStore } from '../ports.ts';
import type { WrittenPart } from './commit.ts';
import type { MappedRecord } from './sources.ts';

/** One line of a quarantine file. */
export interface QuarantineEntry {
  file: string;
  record: number;
  entity: Entity;
  field: string;
  reason: string;
  raw: unknown;
}

/** Lines are gathered and written this many characters at a time. */
const FLUSH_CHARS = 64 * 1024;

export class QuarantineWriter implements WrittenPart {
  /** Records quarantined so far. */
  count = 0;
  private sink: ObjectSink | undefined;
  private lines: string[] = [];
  private chars = 0;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly store: ObjectStore,
    /** Where the quarantine file goes. */
    readonly key: string,
    /** The source key, named in every entry. */
    private readonly file: string,
    /** The object written (the hidden staged name on stores that publish after the commit). */
    private readonly writeKey: string = key,
  ) {}

  /** Quarantines one record: the field it was rejected for and why. */
  async add(m: MappedRecord, field: string, reason: string): Promise<void> {
    this.count++;
    if (!this.sink) this.sink = await this.store.create(this.writeKey, 'application/x-ndjson');
    const entry: QuarantineEntry = {
      file: this.file,
      record: m.no,
      entity: m.entity,
      field,
      reason,
      raw: m.raw,
    };
    // Lines are gathered and written 64 KiB at a time: one awaited write per rejected row left
    // this thread idle for most of a second on a file with 2 000 of them.
    const line = `${JSON.stringify(entry)}\n`;
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= FLUSH_CHARS) await this.flush();
  }

  /** Writes out what is gathered: the file to commit, or undefined when nothing was quarantined. */
  async finish(): Promise<WrittenPart | undefined> {
    if (!this.sink) return undefined;
    await this.flush();
    return this;
  }

  async commit(): Promise<void> {
    await this.sink?.commit();
  }

  /** Drops the file (nothing of it becomes visible). Never throws. */
  async abort(): Promise<void> {
    await this.sink?.abort().catch(() => {});
  }

  private async flush(): Promise<void> {
    if (!this.sink || this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.chars = 0;
    await this.sink.write(this.encoder.encode(text));
  }
}

/** The field (the first issue's path) and the reason (every issue) of a contract's rejection. */
export function issueToQuarantine(error: { issues: readonly { path: PropertyKey[]; message: string }[] }): {
  field: string;
  reason: string;
} {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : '(row)';
  const reason = error.issues
    .map((i) =>
      i.path.length > 0 && i.path.map(String).join('.') !== field
        ? `${i.path.map(String).join('.')}: ${i.message}`
        : i.message,
    )
    .join('; ');
  return { field, reason };
}
