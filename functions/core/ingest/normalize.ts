/**
 * The normalizer use case: one raw file in, curated Parquet partitions and a quarantine file out.
 *
 * Primary course:
 *  1. decode the bytes into records (gzip, CSV or any JSON form), streaming (records.ts);
 *  2. map records to contract rows (generic = identity, or a vendor mapping; sources.ts);
 *  3. validate each row against its entity's zod contract; a failure is quarantined with its
 *     line, field and reason, never dropped (quarantine-writer.ts);
 *  4. route accepted rows to `lake/<entity>/dt=<local day>/` writers (the reporting zone's day of
 *     the entity's primary timestamp), finishing files early so memory stays bounded
 *     (partition-writers.ts);
 *  5. commit: make the outputs visible under a new generation's names, flip the owner's manifest
 *     (the single commit point readers go by), then retire the previous generation (commit.ts).
 *
 * Output names derive from the owner (source file and entity or vendor) and the generation
 * (output-keys.ts), so re-ingesting a file replaces its outputs at the manifest flip, and two
 * different files never collide. A file that cannot be read aborts all of its outputs (readers
 * never see part of it) and is reported; it never stops the other files.
 */
import type { Config } from '../config.ts';
import {
  type ContractSchemas,
  compileContract,
  compileCsvContract,
  contractSchemas,
  ENTITIES,
  type Entity,
  LINEAGE_COLUMNS,
} from '../contracts.ts';
import type { ParquetEncoder } from '../parquet-encode.ts';
import type { ObjectStore } from '../ports.ts';
import { abortIngest, beginIngest, type CommitHook, commitIngest, type IngestTransaction } from './commit.ts';
import type { Manifest } from './manifest.ts';
import { type Owner, quarantineKey, stagedKey } from './output-keys.ts';
import { partitionDays } from './partition-days.ts';
import { PartitionWriters } from './partition-writers.ts';
import { issueToQuarantine, QuarantineWriter } from './quarantine-writer.ts';
import { decodeRecordBatches, decodeRecords } from './records.ts';
import type { IsRunning } from './recovery.ts';
import { genericEntityOf, type MappedRecord, type SourceName, sourceMapping } from './sources.ts';
import { HashingSource, inBatches } from './streams.ts';

// Tests import partitionDays from here, where it lived before the split.
export { partitionDays };

export interface IngestInput {
  /** Stable identity of the source object: an absolute path locally, `s3://bucket/key` in AWS. */
  key: string;
  body: AsyncIterable<Uint8Array>;
  /**
   * Streams the bytes again. Given, a re-ingest first hashes the file: unchanged content keeps the
   * ingest time of its first ingest (its place in the latest-snapshot order).
   */
  reopen?: () => AsyncIterable<Uint8Array>;
}

export interface IngestOptions {
  source: SourceName;
  entity?: Entity | undefined;
  config: Config;
  /** Where the lake, quarantine and manifests are written. */
  store: ObjectStore;
  /** The ingest time stamped on every row (`_ingested_at`). */
  now?: number;
  /**
   * Rows held in memory across all open partitions (default 100 000: 27 MB of calls, measured) before the
   * files of the largest are finished to free it; see partition-writers.ts.
   */
  maxBufferedRows?: number;
  onProgress?: (rowsRead: number) => void;
  /** Where Parquet row groups are encoded (default: this thread). */
  encoder?: ParquetEncoder | undefined;
  /** Who writes (`host:pid`), kept in the pending marker; with `isRunning`, guards concurrent ingests. */
  writer?: string | undefined;
  isRunning?: IsRunning | undefined;
  /** Test hook: called between the steps of the commit (fault-injection tests stop there). */
  commitHook?: CommitHook | undefined;
}

export interface FileReport {
  file: string;
  source: SourceName;
  /** Records read per entity (a vendor file may feed several). */
  entities: Entity[];
  read: number;
  accepted: number;
  quarantined: number;
  /** Set when the file could not be read at all; then nothing of it was written. */
  error?: string;
  outputs: string[];
  quarantineKey?: string;
  contentSha256?: string;
  /** Leftovers of an earlier ingest of the same file that crashed, removed before this one. */
  repaired?: string[];
  /** The content was ingested before: rows keep that ingest's time (`_ingested_at`). */
  unchangedSince?: string;
}

const LINEAGE_KEYS = LINEAGE_COLUMNS.map((c) => c.name);

/** Who owns a file's outputs: the file read as one entity (generic) or by one vendor. */
export function ownerOf(key: string, source: SourceName, entity: Entity | undefined): Owner | undefined {
  if (source !== 'generic') return { key, scope: source };
  const e = genericEntityOf({ fileName: key, entity });
  return e ? { key, scope: `generic:${e}` } : undefined;
}

/** Normalizes one file. Never throws for bad input: the report carries the error. */
export async function ingestFile(input: IngestInput, options: IngestOptions): Promise<FileReport> {
  const report: FileReport = {
    file: input.key,
    source: options.source,
    entities: [],
    read: 0,
    accepted: 0,
    quarantined: 0,
    outputs: [],
  };
  const owner = ownerOf(input.key, options.source, options.entity);
  if (!owner) {
    const reason = `cannot tell which entity ${input.key} holds: pass --entity (${ENTITIES.join(', ')}) or put the entity in the file name`;
    return { ...report, error: reason };
  }
  let now = options.now ?? Date.now();
  let tx: IngestTransaction;
  try {
    tx = await beginIngest(options.store, owner, now, {
      startedAt: new Date(now).toISOString(),
      writer: options.writer,
      isRunning: options.isRunning,
      hook: options.commitHook,
    });
    if (tx.repaired.length > 0) report.repaired = tx.repaired;
    const since = await unchangedSince(input, tx.previous);
    if (since !== undefined) {
      now = Date.parse(since);
      report.unchangedSince = since;
    }
  } catch (e) {
    return { ...report, error: (e as Error).message };
  }
  return writeAndCommit(input, options, { report, tx, now });
}

/** Item 5: the previous ingest time when the file's content is what that ingest read. */
async function unchangedSince(
  input: IngestInput,
  previous: Manifest | undefined,
): Promise<string | undefined> {
  if (!previous || !input.reopen) return undefined;
  const hashing = new HashingSource(input.body);
  for await (const _ of hashing);
  const same = hashing.digest() === previous.contentSha256;
  input.body = input.reopen();
  return same ? previous.ingestedAt : undefined;
}

/** Steps 1–5 inside the transaction; a failure aborts every output (readers keep the old set). */
async function writeAndCommit(
  input: IngestInput,
  options: IngestOptions,
  state: { report: FileReport; tx: IngestTransaction; now: number },
): Promise<FileReport> {
  const { store, config } = options;
  const { report, tx, now } = state;
  const qKey = quarantineKey(tx.owner, tx.generation);
  const quarantine = new QuarantineWriter(store, qKey, input.key, tx.staged ? stagedKey(qKey) : qKey);
  const writers = new PartitionWriters(store, {
    sourceKey: input.key,
    owner: tx.owner,
    generation: tx.generation,
    staged: tx.staged,
    maxBufferedRows: options.maxBufferedRows ?? 100_000,
    encoder: options.encoder,
  });
  const schemas = contractSchemas({ sourceTimezone: config.sourceTimezone, currency: config.currency });
  const entitiesSeen = new Set<Entity>();
  const hashing = new HashingSource(input.body);
  try {
    // Steps 1–4: decode, map, validate, route (records travel in batches).
    const batches = mappedBatches(hashing, input.key, options, schemas);
    await routeRecords(batches, { report, quarantine, writers, schemas, entitiesSeen, now, options });
    // Step 5: every output written in full, then committed with the manifest.
    const written = { parts: await writers.finishAll(), quarantine: await quarantine.finish() };
    report.quarantined = quarantine.count;
    report.entities = [...entitiesSeen];
    const contentSha256 = hashing.digest();
    const manifest = await commitIngest(store, tx, written, {
      key: input.key,
      source: options.source,
      contentSha256,
      ingestedAt: new Date(now).toISOString(),
      read: report.read,
      accepted: report.accepted,
      quarantined: report.quarantined,
    });
    report.outputs = manifest.outputs;
    if (manifest.quarantineKey) report.quarantineKey = manifest.quarantineKey;
    report.contentSha256 = contentSha256;
    return report;
  } catch (e) {
    await writers.abort();
    await quarantine.abort();
    await abortIngest(store, tx);
    const { repaired } = report;
    return {
      file: report.file,
      source: report.source,
      entities: [...entitiesSeen],
      read: 0,
      accepted: 0,
      quarantined: 0,
      outputs: [],
      error: (e as Error).message,
      ...(repaired ? { repaired } : {}),
    };
  }
}

/**
 * Steps 1 and 2: the file's records, decoded and mapped to contract rows, in batches. Generic CSV
 * rows are validated straight from their bytes (csv-bytes.ts), against the contract of the entity
 * the generic mapping will name.
 */
function mappedBatches(
  body: AsyncIterable<Uint8Array>,
  key: string,
  options: IngestOptions,
  schemas: ContractSchemas,
): AsyncIterable<MappedRecord[]> {
  const mapping = sourceMapping(options.source);
  const ctx = { fileName: key, entity: options.entity, sourceTimezone: options.config.sourceTimezone };
  const csvEntity = options.source === 'generic' ? genericEntityOf(ctx) : undefined;
  const decode = {
    compileCsv:
      csvEntity &&
      ((header: readonly string[]) => compileCsvContract(schemas[csvEntity], header, LINEAGE_KEYS)),
  };
  return mapping.mapBatches
    ? mapping.mapBatches(decodeRecordBatches(body, key, decode), ctx)
    : inBatches(mapping.map(decodeRecords(body, key), ctx), 256);
}

/** What the record loop works with. */
interface RecordRoute {
  report: FileReport;
  quarantine: QuarantineWriter;
  writers: PartitionWriters;
  schemas: ContractSchemas;
  entitiesSeen: Set<Entity>;
  now: number;
  options: IngestOptions;
}

/**
 * Steps 3 and 4 for every record: validate it against its contract, then quarantine it or stamp
 * its lineage and hand it to its day partition's writer. The per-row loop: it awaits only to
 * write, never per record, and allocates nothing per accepted row.
 */
async function routeRecords(batches: AsyncIterable<MappedRecord[]>, route: RecordRoute): Promise<void> {
  const { report, quarantine, writers, schemas, entitiesSeen, now } = route;
  const { source, onProgress } = route.options;
  const file = report.file;
  const zone = route.options.config.timezone;
  const validatorOf = compiledValidators(schemas);
  const days = new Map<Entity, (row: Record<string, unknown>) => string>();
  let dayEntity: Entity | undefined;
  let dayOfRow = (_: Record<string, unknown>) => '';
  let seenLast: Entity | undefined;
  for await (const batch of batches)
    for (const m of batch) {
      report.read++;
      if (m.entity !== seenLast) {
        entitiesSeen.add(m.entity);
        seenLast = m.entity;
      }
      if (onProgress && report.read % 10_000 === 0) onProgress(report.read);
      if (m.error || !m.row) {
        await quarantine.add(m, m.error?.field ?? '(record)', m.error?.reason ?? 'no row');
        continue;
      }
      // Accepted rows take the compiled validator; a row it rejects goes to zod for the reasons.
      let row = m.valid ? m.row : validatorOf(m.entity)(m.row);
      if (!row) {
        const parsed = schemas[m.entity].safeParse(m.row);
        if (!parsed.success) {
          const q = issueToQuarantine(parsed.error);
          await quarantine.add(m, q.field, q.reason);
          continue;
        }
        row = parsed.data as Record<string, unknown>;
      }
      row._source = source;
      row._source_file = file;
      row._record = m.no;
      row._ingested_at = now;
      if (m.entity !== dayEntity) {
        dayEntity = m.entity;
        dayOfRow = days.get(m.entity) ?? partitionDays(m.entity, zone);
        days.set(m.entity, dayOfRow);
      }
      const flushed = writers.append(m.entity, dayOfRow(row), row, report.read);
      if (flushed) await flushed;
      report.accepted++;
    }
}

/** The compiled validator of each entity's contract, compiled on first use. */
function compiledValidators(schemas: ContractSchemas): (e: Entity) => ReturnType<typeof compileContract> {
  const fast = new Map<Entity, ReturnType<typeof compileContract>>();
  return (e) => {
    let v = fast.get(e);
    if (!v) {
      v = compileContract(schemas[e], LINEAGE_KEYS);
      fast.set(e, v);
    }
    return v;
  };
}
