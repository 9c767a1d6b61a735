/**
 * The Glue/Athena tables, derived from the code that writes them — never typed twice:
 * - one curated table per entity from `curatedColumns` (the zod contracts the normalizer validates
 *   against and whose Parquet schema it writes), partitioned by `dt` with partition projection;
 * - the results tables (Iceberg) from the column lists in functions/core/results.ts.
 *
 * Both the CDK constructs (infra/constructs/catalog.ts) and the Athena DDL text in queries/ddl/
 * (infra/ddl.ts) are rendered from these specs.
 */
import {
  type ColumnKind,
  curatedColumns,
  ENTITIES,
  ENTITY_KEYS,
  type Entity,
} from '../functions/core/contracts.ts';
import {
  KPI_DEFINITIONS_COLUMNS,
  KPI_FLAGS_COLUMNS,
  KPI_RESULTS_COLUMNS,
  type ResultColumn,
  type ResultColumnType,
} from '../functions/core/results.ts';

/** Hive/Glue type of each curated column kind (Parquet: see functions/core/parquet.ts). */
export const GLUE_TYPES: Record<ColumnKind, string> = {
  string: 'string',
  timestamp: 'timestamp',
  date: 'date',
  integer: 'bigint',
  number: 'double',
  boolean: 'boolean',
};

/** Iceberg type of each results column type. */
export const ICEBERG_TYPES: Record<ResultColumnType, string> = {
  string: 'string',
  date: 'date',
  double: 'double',
  bigint: 'long',
  integer: 'int',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

/** Athena DDL type of each results column type (Athena's names for the Iceberg types above). */
export const ATHENA_RESULT_TYPES: Record<ResultColumnType, string> = {
  string: 'string',
  date: 'date',
  double: 'double',
  bigint: 'bigint',
  integer: 'int',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

export interface TableColumn {
  name: string;
  type: string;
  comment?: string;
}

/** Glue limits a column comment to 255 characters. */
function comment(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text.length <= 255 ? text : `${text.slice(0, 254)}…`;
}

// ── curated lake ─────────────────────────────────────────────────────────────
export interface LakeTableSpec {
  name: Entity;
  description: string;
  columns: TableColumn[];
  /** Key prefix of the table in the lake bucket, ending in `/`. */
  prefix: string;
  /** Table parameters besides the location template (which needs the bucket). */
  parameters: Record<string, string>;
}

/** First day partition projection enumerates; queries filtered on `dt` enumerate only their range. */
export const PROJECTION_START = '2015-01-01';

export function lakeTableSpecs(projectionStart = PROJECTION_START): LakeTableSpec[] {
  return ENTITIES.map((entity) => ({
    name: entity,
    description: `Curated ${entity} (one row per ${ENTITY_KEYS[entity].id}; dt = local day of ${ENTITY_KEYS[entity].partitionBy})`,
    columns: curatedColumns(entity).map((c) => ({
      name: c.name,
      type: GLUE_TYPES[c.kind],
      ...(comment(c.description) ? { comment: comment(c.description) } : {}),
    })),
    prefix: `lake/${entity}/`,
    parameters: {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      'parquet.compression': 'SNAPPY',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${projectionStart},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    },
  }));
}

export const LAKE_PARTITION: TableColumn = {
  name: 'dt',
  type: 'date',
  comment: 'local day (reporting time zone) of the partitioning timestamp',
};

/** `storage.location.template` for a lake table under `s3://<bucket>/`. */
export function locationTemplate(bucketUri: string, spec: LakeTableSpec): string {
  return `${bucketUri}${spec.prefix}dt=\${dt}/`;
}

// ── results (Iceberg) ────────────────────────────────────────────────────────
export interface IcebergPartitionField {
  column: string;
  /** Iceberg transform: identity, month, … */
  transform: 'identity' | 'month' | 'year' | 'day';
}

export interface ResultsTableSpec {
  name: 'kpi_results' | 'kpi_flags' | 'kpi_definitions';
  description: string;
  columns: readonly ResultColumn[];
  partitioning: IcebergPartitionField[];
  /** Key prefix in the results bucket, ending in `/`. */
  prefix: string;
}

/**
 * Partitioned by grain and month of period_start: a daily run writes one or two partitions, and a
 * backfill chunk of N months at one grain writes N (core/schedule.ts keeps N ≤ 100).
 */
const BY_GRAIN_AND_MONTH: IcebergPartitionField[] = [
  { column: 'grain', transform: 'identity' },
  { column: 'period_start', transform: 'month' },
];

export const RESULTS_TABLE_SPECS: readonly ResultsTableSpec[] = [
  {
    name: 'kpi_results',
    description: 'One row per (kpi_id, grain, period_start, dimension, dimension_value); written with MERGE',
    columns: KPI_RESULTS_COLUMNS,
    partitioning: BY_GRAIN_AND_MONTH,
    prefix: 'iceberg/kpi_results/',
  },
  {
    name: 'kpi_flags',
    description: 'Target evaluation per KPI and period: ok, warn, breach, no_data; written by the digest',
    columns: KPI_FLAGS_COLUMNS,
    partitioning: BY_GRAIN_AND_MONTH,
    prefix: 'iceberg/kpi_flags/',
  },
  {
    name: 'kpi_definitions',
    description: 'The KPI catalog: names per language, unit, direction, default targets',
    columns: KPI_DEFINITIONS_COLUMNS,
    partitioning: [],
    prefix: 'iceberg/kpi_definitions/',
  },
];

const DAY_MS = 86_400_000;

/** Iceberg table properties of the results tables (Iceberg names; Athena maps its own onto them). */
export const ICEBERG_PROPERTIES: Readonly<Record<string, string>> = {
  'write.format.default': 'parquet',
  'write.parquet.compression-codec': 'zstd',
  // VACUUM (monthly run) expires snapshots older than a week, keeping at least 10.
  'history.expire.max-snapshot-age-ms': String(7 * DAY_MS),
  'history.expire.min-snapshots-to-keep': '10',
};

/** The same properties under the names Athena's CREATE TABLE … TBLPROPERTIES uses. */
export const ATHENA_ICEBERG_PROPERTIES: Readonly<Record<string, string>> = {
  table_type: 'ICEBERG',
  format: 'parquet',
  write_compression: 'zstd',
  vacuum_max_snapshot_age_seconds: String((7 * DAY_MS) / 1000),
  vacuum_min_snapshots_to_keep: '10',
};
