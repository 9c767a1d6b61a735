/**
 * Column metadata of the curated tables, read off the contracts: each entity's columns in contract
 * order with the kind, requiredness and hints its field builder attached (fields.ts), then the
 * lineage columns every curated row carries. The Parquet writer, the Glue tables and the DuckDB
 * views all take their column list and types from here.
 */
import { contractSchemas, type Entity } from './entities.ts';
import type { ColumnKind, ColumnMeta } from './fields.ts';
import { objectShape } from './rules.ts';

export interface ColumnDef extends ColumnMeta {
  name: string;
}

/** Lineage columns every curated row carries (after the contract columns). */
export const LINEAGE_COLUMNS: readonly { name: string; kind: ColumnKind; description: string }[] = [
  {
    name: '_source',
    kind: 'string',
    description: 'source format: generic, zendesk, freshdesk, amazon-connect, twilio',
  },
  { name: '_source_file', kind: 'string', description: 'the landed object or file the row came from' },
  { name: '_record', kind: 'integer', description: 'line (CSV, NDJSON) or record number in that file' },
  {
    name: '_ingested_at',
    kind: 'timestamp',
    description: 'when the normalizer wrote the row; breaks updated_at ties',
  },
];

const columnCache = new Map<Entity, ColumnDef[]>();

/** The curated columns of an entity, in contract order, read off the zod schema's field metadata. */
export function entityColumns(entity: Entity): ColumnDef[] {
  const cached = columnCache.get(entity);
  if (cached) return cached;
  const shape = objectShape(contractSchemas({ sourceTimezone: 'UTC' })[entity]);
  const cols = Object.entries(shape).map(([name, field]) => {
    const meta = field.meta() as unknown as ColumnMeta | undefined;
    if (!meta?.kind) throw new Error(`contract field ${entity}.${name} carries no column metadata`);
    return { name, ...meta };
  });
  columnCache.set(entity, cols);
  return cols;
}

/** Contract columns plus lineage columns: the full curated table (without the `dt` partition). */
export function curatedColumns(entity: Entity): ColumnDef[] {
  return [...entityColumns(entity), ...LINEAGE_COLUMNS.map((c) => ({ ...c, required: true }))];
}
