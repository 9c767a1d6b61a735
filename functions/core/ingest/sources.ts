/**
 * Source mappings: each turns the decoded records of one raw file into contract rows of one or
 * more entities. The generic format is the identity mapping; vendor mappings (zendesk, freshdesk,
 * amazon-connect, twilio) live beside this file and register here.
 */
import { ENTITIES, type Entity, isEntity } from '../contracts.ts';
import type { RawRecord } from './raw-record.ts';

export const SOURCES = ['generic', 'zendesk', 'freshdesk', 'amazon-connect', 'twilio'] as const;
export type SourceName = (typeof SOURCES)[number];

export function isSource(s: string): s is SourceName {
  return (SOURCES as readonly string[]).includes(s);
}

/** One record after mapping: a row for an entity's contract, or a reason it cannot be one. */
export interface MappedRecord {
  entity: Entity;
  /** Line or record number in the source file. */
  no: number;
  /** What the source said, kept for quarantine. */
  raw: unknown;
  row?: Record<string, unknown>;
  /** The row already passed its contract (the CSV byte path): no second validation. */
  valid?: boolean;
  /** Set when the record is rejected before contract validation. */
  error?: { field: string; reason: string };
}

export interface MappingContext {
  /** The file's name or key; generic input infers the entity from it when none is given. */
  fileName: string;
  /** Entity asked for on the command line (generic only). */
  entity?: Entity | undefined;
  /** Zone for timestamps without an offset (vendors that write local times). */
  sourceTimezone: string;
}

export interface SourceMapping {
  readonly name: SourceName;
  /** Entities this source can produce. */
  readonly entities: readonly Entity[];
  map(records: AsyncIterable<RawRecord>, ctx: MappingContext): AsyncIterable<MappedRecord>;
  /** The same mapping over batches of records, for sources that map record by record. */
  mapBatches?(batches: AsyncIterable<RawRecord[]>, ctx: MappingContext): AsyncIterable<MappedRecord[]>;
}

export class MappingError extends Error {
  override name = 'MappingError';
}

/** Infers the entity from a file name such as `tickets-2024-05.csv` or `landing/generic/calls/x.ndjson`. */
export function entityFromName(fileName: string): Entity | undefined {
  const parts = fileName.toLowerCase().split(/[\\/]/);
  // A folder named exactly like an entity wins (the S3 key layout landing/<source>/<entity>/...).
  for (const p of parts.slice(0, -1).reverse()) if (isEntity(p)) return p;
  const base = parts.at(-1) ?? '';
  const hits = ENTITIES.filter((e) => base.includes(e));
  return hits.length === 1 ? hits[0] : undefined;
}

/** The entity a generic file holds: the one asked for, else the one its name names; undefined if neither. */
export function genericEntityOf(ctx: Pick<MappingContext, 'entity' | 'fileName'>): Entity | undefined {
  return ctx.entity ?? entityFromName(ctx.fileName);
}

function genericEntity(ctx: MappingContext): Entity {
  const entity = genericEntityOf(ctx);
  if (!entity) {
    throw new MappingError(
      `cannot tell which entity ${ctx.fileName} holds: pass --entity (${ENTITIES.join(', ')}) or put the entity in the file name`,
    );
  }
  return entity;
}

function genericRecord(entity: Entity, r: RawRecord): MappedRecord {
  if (r.error)
    return { entity, no: r.no, raw: r.rawText ?? null, error: { field: '(record)', reason: r.error } };
  if (r.row) return { entity, no: r.no, raw: null, row: r.row, valid: true };
  if (typeof r.value !== 'object' || r.value === null || Array.isArray(r.value)) {
    return {
      entity,
      no: r.no,
      raw: r.value,
      error: { field: '(record)', reason: 'expected an object with named fields' },
    };
  }
  return { entity, no: r.no, raw: r.value, row: r.value as Record<string, unknown> };
}

export const genericMapping: SourceMapping = {
  name: 'generic',
  entities: ENTITIES,
  async *map(records, ctx) {
    const entity = genericEntity(ctx);
    for await (const r of records) yield genericRecord(entity, r);
  },
  async *mapBatches(batches, ctx) {
    const entity = genericEntity(ctx);
    for await (const batch of batches) yield batch.map((r) => genericRecord(entity, r));
  },
};

const registry = new Map<SourceName, SourceMapping>([['generic', genericMapping]]);

export function registerSource(mapping: SourceMapping): void {
  registry.set(mapping.name, mapping);
}

export function sourceMapping(name: SourceName): SourceMapping {
  const m = registry.get(name);
  if (!m) throw new MappingError(`source ${name} is not available in this build`);
  return m;
}
