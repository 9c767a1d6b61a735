/**
 * The normalizer use case: one raw file in, curated Parquet partitions and a quarantine file out.
 *
 * Primary course:
 *  1. decode the bytes into records (gzip, CSV or any JSON form), streaming;
 *  2. map records to contract rows (generic = identity, or a vendor mapping);
 *  3. validate each row against its entity's zod contract; a failure is quarantined with its
 *     line, field and reason, never dropped;
 *  4. route accepted rows to `lake/<entity>/dt=<local day>/` writers (the reporting zone's day of
 *     the entity's primary timestamp), flushing row groups so memory stays bounded;
 *  5. commit every output (atomic per object), delete outputs a previous ingest of the same
 *     source key wrote but this one did not, and record the outputs in a manifest.
 *
 * Output names derive from the source key, so re-ingesting a file replaces its output and two
 * different files never collide. A file that cannot be read aborts all of its outputs (readers
 * never see part of it) and is reported; it never stops the other files.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import {
  type ContractSchemas,
  compileContract,
  compileCsvContract,
  contractSchemas,
  curatedColumns,
  ENTITY_KEYS,
  type Entity,
  LINEAGE_COLUMNS,
} from '../contracts.ts';
import { ParquetRowWriter } from '../parquet.ts';
import type { ParquetEncoder } from '../parquet-encode.ts';
import type { ObjectSink, ObjectStore } from '../ports.ts';
import { epochDayToIso, localEpochDay, startOfLocalDay, zoneOffsets } from '../time.ts';
import { decodeRecordBatches, decodeRecords, inBatches } from './records.ts';
import { genericEntityOf, type MappedRecord, type SourceName, sourceMapping } from './sources.ts';

export interface IngestInput {
  /** Stable identity of the source object: an absolute path locally, `s3://bucket/key` in AWS. */
  key: string;
  body: AsyncIterable<Uint8Array>;
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
   * files of the largest are finished to free it; see the loop in ingestFile.
   */
  maxBufferedRows?: number;
  onProgress?: (rowsRead: number) => void;
  /** Where Parquet row groups are encoded (default: this thread). */
  encoder?: ParquetEncoder | undefined;
}

export interface QuarantineEntry {
  file: string;
  record: number;
  entity: Entity;
  field: string;
  reason: string;
  raw: unknown;
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
}

interface Manifest {
  key: string;
  source: SourceName;
  contentSha256: string;
  ingestedAt: string;
  read: number;
  accepted: number;
  quarantined: number;
  outputs: string[];
  quarantineKey?: string;
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A filesystem- and S3-safe stem from the source key's base name. */
export function outputStem(key: string): string {
  const base = key.split(/[\\/]/).pop() ?? 'input';
  const stem = base.replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');
  const safe = stem
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return safe || 'input';
}

export const manifestKey = (key: string) => `lake/_manifests/${keyHash(key)}.json`;

const LINEAGE_KEYS = LINEAGE_COLUMNS.map((c) => c.name);
const DAY_MS = 86_400_000;

/**
 * The `dt` partition of a row: the reporting zone's day of its partition timestamp. The instants
 * of the last day seen are kept, so a row of the same day (most rows: exports come in time order)
 * costs two comparisons. Kept only for a day without a clock change (the same offset at both ends,
 * 24 hours long), where the instants [from, to) all fall on that day.
 */
export function partitionDays(entity: Entity, zone: string): (row: Record<string, unknown>) => string {
  const field = ENTITY_KEYS[entity].partitionBy;
  if (entity === 'costs') return (row) => row[field] as string;
  if (entity === 'plans') return (row) => `${row[field] as string}-01`;
  let from = 0;
  let to = 0;
  let iso = '';
  return (row) => {
    const ms = row[field] as number;
    if (ms >= from && ms < to) return iso;
    const day = localEpochDay(ms, zone);
    iso = epochDayToIso(day);
    const start = startOfLocalDay(iso, zone);
    const offset = zoneOffsets(zone);
    const steady =
      offset.offsetMs(start) === offset.offsetMs(start + DAY_MS - 1) &&
      localEpochDay(start, zone) === day &&
      localEpochDay(start + DAY_MS - 1, zone) === day;
    from = steady ? start : 0;
    to = steady ? start + DAY_MS : 0;
    return iso;
  };
}

function issueToQuarantine(error: { issues: readonly { path: PropertyKey[]; message: string }[] }) {
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

class HashingSource implements AsyncIterable<Uint8Array> {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly body: AsyncIterable<Uint8Array>) {}
  async *[Symbol.asyncIterator]() {
    for await (const chunk of this.body) {
      this.hash.update(chunk);
      this.bytes += chunk.length;
      yield chunk;
    }
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Normalizes one file. Never throws for bad input: the report carries the error. */
export async function ingestFile(input: IngestInput, options: IngestOptions): Promise<FileReport> {
  const { store, config } = options;
  const now = options.now ?? Date.now();
  const report: FileReport = {
    file: input.key,
    source: options.source,
    entities: [],
    read: 0,
    accepted: 0,
    quarantined: 0,
    outputs: [],
  };
  const kh = keyHash(input.key);
  const stem = outputStem(input.key);
  /** Open files by partition; `used` is the record count when the partition last got a row. */
  const writers = new Map<string, { entity: Entity; key: string; writer: ParquetRowWriter; used: number }>();
  let quarantineSink: ObjectSink | undefined;
  let quarantined: string[] = [];
  let quarantinedChars = 0;
  const flushQuarantine = async () => {
    if (!quarantineSink || quarantined.length === 0) return;
    const text = quarantined.join('');
    quarantined = [];
    quarantinedChars = 0;
    await quarantineSink.write(encoder.encode(text));
  };
  const quarantineKey = `quarantine/${stem}-${kh}.ndjson`;
  const encoder = new TextEncoder();
  const maxBuffered = options.maxBufferedRows ?? 100_000;
  let buffered = 0;
  const schemas: ContractSchemas = contractSchemas({
    sourceTimezone: config.sourceTimezone,
    currency: config.currency,
  });
  // Accepted rows take the compiled validator; a row it rejects goes to zod for the reasons.
  const fast = new Map<Entity, ReturnType<typeof compileContract>>();
  const validatorOf = (e: Entity) => {
    let v = fast.get(e);
    if (!v) {
      v = compileContract(schemas[e], LINEAGE_KEYS);
      fast.set(e, v);
    }
    return v;
  };
  const entitiesSeen = new Set<Entity>();
  let seenLast: Entity | undefined;
  const days = new Map<Entity, (row: Record<string, unknown>) => string>();
  let dayEntity: Entity | undefined;
  let dayOfRow = (_: Record<string, unknown>) => '';

  const quarantine = async (m: MappedRecord, field: string, reason: string) => {
    report.quarantined++;
    if (!quarantineSink) quarantineSink = await store.create(quarantineKey, 'application/x-ndjson');
    const entry: QuarantineEntry = {
      file: input.key,
      record: m.no,
      entity: m.entity,
      field,
      reason,
      raw: m.raw,
    };
    // Lines are gathered and written 64 KiB at a time: one awaited write per rejected row left
    // this thread idle for most of a second on a file with 2 000 of them.
    const line = `${JSON.stringify(entry)}\n`;
    quarantined.push(line);
    quarantinedChars += line.length;
    if (quarantinedChars >= 64 * 1024) await flushQuarantine();
  };

  /** Files finished early to free memory (committed with the others at the end). */
  const finished: { key: string; writer: ParquetRowWriter }[] = [];
  const parts = new Map<string, number>();
  const openWriter = async (entity: Entity, dt: string, id: string) => {
    let w = writers.get(id);
    if (!w) {
      // A partition whose file was finished early to free memory continues in a new part.
      const part = (parts.get(id) ?? 0) + 1;
      parts.set(id, part);
      const key = `lake/${entity}/dt=${dt}/${stem}-${kh}${part === 1 ? '' : `-${part}`}.parquet`;
      const sink = await store.create(key, 'application/vnd.apache.parquet');
      w = {
        entity,
        key,
        used: 0,
        writer: new ParquetRowWriter(curatedColumns(entity), sink, {
          uniqueColumns: curatedColumns(entity)
            .filter((c) => c.distinct)
            .map((c) => c.name),
          ...(options.encoder ? { encoder: options.encoder } : {}),
          kvMetadata: [{ key: 'servicepulse.source_key', value: input.key }],
        }),
      };
      writers.set(id, w);
    }
    return w;
  };

  type Open = NonNullable<ReturnType<typeof writers.get>>;
  let last: { entity?: Entity; dt?: string; open?: Open } = {};
  const hashing = new HashingSource(input.body);
  try {
    const mapping = sourceMapping(options.source);
    const ctx = { fileName: input.key, entity: options.entity, sourceTimezone: config.sourceTimezone };
    // Records travel in batches: the loop below awaits only to write, never per record.
    // Generic CSV rows are validated straight from their bytes (csv-bytes.ts), against the
    // contract of the entity the generic mapping will name.
    const csvEntity = options.source === 'generic' ? genericEntityOf(ctx) : undefined;
    const decode = {
      compileCsv:
        csvEntity &&
        ((header: readonly string[]) => compileCsvContract(schemas[csvEntity], header, LINEAGE_KEYS)),
    };
    const batches = mapping.mapBatches
      ? mapping.mapBatches(decodeRecordBatches(hashing, input.key, decode), ctx)
      : inBatches(mapping.map(decodeRecords(hashing, input.key), ctx), 256);
    for await (const batch of batches)
      for (const m of batch) {
        report.read++;
        if (m.entity !== seenLast) {
          entitiesSeen.add(m.entity);
          seenLast = m.entity;
        }
        if (options.onProgress && report.read % 10_000 === 0) options.onProgress(report.read);
        if (m.error || !m.row) {
          await quarantine(m, m.error?.field ?? '(record)', m.error?.reason ?? 'no row');
          continue;
        }
        let row = m.valid ? m.row : validatorOf(m.entity)(m.row);
        if (!row) {
          const parsed = schemas[m.entity].safeParse(m.row);
          if (!parsed.success) {
            const q = issueToQuarantine(parsed.error);
            await quarantine(m, q.field, q.reason);
            continue;
          }
          row = parsed.data as Record<string, unknown>;
        }
        row._source = options.source;
        row._source_file = input.key;
        row._record = m.no;
        row._ingested_at = now;
        if (m.entity !== dayEntity) {
          dayEntity = m.entity;
          dayOfRow = days.get(m.entity) ?? partitionDays(m.entity, config.timezone);
          days.set(m.entity, dayOfRow);
        }
        const dt = dayOfRow(row);
        // Exports are mostly in time order: the row usually goes where the previous one went.
        let open = m.entity === last.entity && dt === last.dt ? last.open : undefined;
        if (!open) {
          const id = `${m.entity}/${dt}`;
          open = writers.get(id) ?? (await openWriter(m.entity, dt, id));
          last = { entity: m.entity, dt, open };
        }
        open.used = report.read;
        const flushed = open.writer.append(row);
        if (flushed) await flushed;
        report.accepted++;
        buffered++;
        if (buffered >= maxBuffered) {
          buffered = 0;
          for (const w of writers.values()) buffered += w.writer.pending;
          if (buffered >= maxBuffered) {
            // Bound memory: finish files until half the budget is free, those holding the most
            // rows first, but first of all those of partitions that got no row lately. In a file
            // in time order those are past days, complete anyway (so: one file per day); in a
            // file in another order, a partition that gets more rows later continues in a new
            // part file. Finishing (not just encoding a row group) matters: the encoder keeps
            // each open file's unfinished row group in memory.
            const recent = report.read - maxBuffered / 4;
            const idle = [...writers.entries()].sort(
              (a, b) =>
                Number(a[1].used > recent) - Number(b[1].used > recent) ||
                b[1].writer.pending - a[1].writer.pending,
            );
            for (const [id, w] of idle) {
              if (buffered <= maxBuffered / 2) break;
              buffered -= w.writer.pending;
              await w.writer.finish();
              writers.delete(id);
              finished.push(w);
            }
            last = {};
          }
        }
      }
    // Commit outputs; only then retire what an earlier ingest of this key wrote.
    for (const w of writers.values()) {
      await w.writer.finish();
      finished.push(w);
    }
    for (const w of finished) {
      await w.writer.commit();
      report.outputs.push(w.key);
    }
    if (quarantineSink) {
      await flushQuarantine();
      await quarantineSink.commit();
      report.quarantineKey = quarantineKey;
    }
    report.contentSha256 = hashing.digest();
    report.entities = [...entitiesSeen];
    const previous = await readManifest(store, input.key);
    const keep = new Set([...report.outputs, ...(report.quarantineKey ? [report.quarantineKey] : [])]);
    const stale = [
      ...(previous?.outputs ?? []),
      ...(previous?.quarantineKey ? [previous.quarantineKey] : []),
    ].filter((k) => !keep.has(k));
    if (stale.length > 0) await store.delete(stale);
    const manifest: Manifest = {
      key: input.key,
      source: options.source,
      contentSha256: report.contentSha256,
      ingestedAt: new Date(now).toISOString(),
      read: report.read,
      accepted: report.accepted,
      quarantined: report.quarantined,
      outputs: report.outputs,
      ...(report.quarantineKey ? { quarantineKey: report.quarantineKey } : {}),
    };
    await store.put(manifestKey(input.key), JSON.stringify(manifest, null, 2), 'application/json');
    return report;
  } catch (e) {
    for (const w of [...writers.values(), ...finished]) await w.writer.abort().catch(() => {});
    await quarantineSink?.abort().catch(() => {});
    return {
      ...report,
      entities: [...entitiesSeen],
      read: 0,
      accepted: 0,
      quarantined: 0,
      outputs: [],
      error: (e as Error).message,
    };
  }
}

async function readManifest(store: ObjectStore, key: string): Promise<Manifest | undefined> {
  const text = await store.readText(manifestKey(key));
  return text ? (JSON.parse(text) as Manifest) : undefined;
}
