/**
 * The Parquet writers of one source file, one per day partition (`lake/<entity>/dt=<day>/`), and
 * the memory budget they share: rows held in memory across all open files are bounded by
 * `maxBufferedRows`, by finishing files early (those of partitions that got no row lately first,
 * then those holding the most rows). A partition that gets more rows after its file was finished
 * continues in a new part file. Finished files are committed by the commit step (commit.ts).
 */
import { curatedColumns, type Entity } from '../contracts.ts';
import { ParquetRowWriter } from '../parquet.ts';
import type { ParquetEncoder } from '../parquet-encode.ts';
import type { ObjectStore } from '../ports.ts';
import type { WrittenPart } from './commit.ts';
import { type Owner, partitionFileKey, stagedKey } from './output-keys.ts';

export interface PartitionWritersOptions {
  /** The source key: written into the files' metadata. */
  sourceKey: string;
  /** Who owns the files and which generation they belong to: their names (output-keys.ts). */
  owner: Owner;
  generation: string;
  /** Write under the hidden staged names (commit.ts publishes them after the manifest). */
  staged?: boolean;
  /** Rows held in memory across all open files before some are finished to free it. */
  maxBufferedRows: number;
  /** Where Parquet row groups are encoded (default: this thread). */
  encoder?: ParquetEncoder | undefined;
}

/** The file of one partition: open, or finished and waiting for its commit. */
class PartitionFile implements WrittenPart {
  /** The record count when the partition last got a row. */
  used = 0;
  constructor(
    readonly key: string,
    readonly writer: ParquetRowWriter,
  ) {}
  commit(): Promise<void> {
    return this.writer.commit();
  }
}

export class PartitionWriters {
  /** Open files by partition (`<entity>/<dt>`). */
  private readonly open = new Map<string, PartitionFile>();
  /** Files finished (early to free memory, or at the end), in that order. */
  private readonly finished: PartitionFile[] = [];
  /** Part files opened so far, by partition. */
  private readonly parts = new Map<string, number>();
  /** Rows appended since the budget was last checked, plus those pending then. */
  private buffered = 0;
  // The partition the last row went to: exports are mostly in time order, so the next row
  // usually goes there too.
  private lastEntity: Entity | undefined;
  private lastDt: string | undefined;
  private lastFile: PartitionFile | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: PartitionWritersOptions,
  ) {}

  /**
   * Appends an accepted row to its partition's file (`read`: the records read so far). Returns a
   * promise only when the caller must wait: a file to open, a row group to write, files to finish.
   */
  append(entity: Entity, dt: string, row: Record<string, unknown>, read: number): Promise<void> | undefined {
    if (entity === this.lastEntity && dt === this.lastDt) return this.appendTo(this.lastFile!, row, read);
    return this.appendOpening(entity, dt, row, read);
  }

  /** Finishes the files still open; returns every file, in the order they are to be committed. */
  async finishAll(): Promise<readonly WrittenPart[]> {
    for (const f of this.open.values()) {
      await f.writer.finish();
      this.finished.push(f);
    }
    this.open.clear();
    return this.finished;
  }

  /** Drops every file, open or finished (nothing of them becomes visible). Never throws. */
  async abort(): Promise<void> {
    for (const f of [...this.open.values(), ...this.finished]) await f.writer.abort().catch(() => {});
  }

  private appendTo(
    file: PartitionFile,
    row: Record<string, unknown>,
    read: number,
  ): Promise<void> | undefined {
    file.used = read;
    const flushed = file.writer.append(row);
    if (++this.buffered < this.options.maxBufferedRows) return flushed;
    return this.afterBudget(flushed, read);
  }

  private async appendOpening(entity: Entity, dt: string, row: Record<string, unknown>, read: number) {
    const id = `${entity}/${dt}`;
    const file = this.open.get(id) ?? (await this.openFile(entity, dt, id));
    this.lastEntity = entity;
    this.lastDt = dt;
    this.lastFile = file;
    await this.appendTo(file, row, read);
  }

  private async openFile(entity: Entity, dt: string, id: string): Promise<PartitionFile> {
    // A partition whose file was finished early to free memory continues in a new part.
    const part = (this.parts.get(id) ?? 0) + 1;
    this.parts.set(id, part);
    const { sourceKey, encoder, owner, generation, staged } = this.options;
    const key = partitionFileKey(owner, generation, entity, dt, part);
    const sink = await this.store.create(staged ? stagedKey(key) : key, 'application/vnd.apache.parquet');
    const columns = curatedColumns(entity);
    const file = new PartitionFile(
      key,
      new ParquetRowWriter(columns, sink, {
        uniqueColumns: columns.filter((c) => c.distinct).map((c) => c.name),
        ...(encoder ? { encoder } : {}),
        kvMetadata: [{ key: 'servicepulse.source_key', value: sourceKey }],
      }),
    );
    this.open.set(id, file);
    return file;
  }

  private async afterBudget(flushed: Promise<void> | undefined, read: number): Promise<void> {
    if (flushed) await flushed;
    await this.keepToBudget(read);
  }

  /**
   * Bounds memory: when the rows pending in open files reach the budget, finishes files until half
   * of it is free, those holding the most rows first, but first of all those of partitions that
   * got no row lately. In a file in time order those are past days, complete anyway (so: one file
   * per day); in a file in another order, a partition that gets more rows later continues in a
   * new part file. Finishing (not just encoding a row group) matters: the encoder keeps each open
   * file's unfinished row group in memory.
   */
  private async keepToBudget(read: number): Promise<void> {
    const max = this.options.maxBufferedRows;
    let buffered = 0;
    for (const f of this.open.values()) buffered += f.writer.pending;
    if (buffered >= max) {
      const recent = read - max / 4;
      const idle = [...this.open.entries()].sort(
        (a, b) =>
          Number(a[1].used > recent) - Number(b[1].used > recent) ||
          b[1].writer.pending - a[1].writer.pending,
      );
      for (const [id, f] of idle) {
        if (buffered <= max / 2) break;
        buffered -= f.writer.pending;
        await f.writer.finish();
        this.open.delete(id);
        this.finished.push(f);
      }
      this.lastEntity = undefined;
      this.lastDt = undefined;
      this.lastFile = undefined;
    }
    this.buffered = buffered;
  }
}
