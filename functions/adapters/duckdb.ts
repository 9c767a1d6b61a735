/**
 * QueryEngine over DuckDB (@duckdb/node-api): the local stand-in for Athena.
 *
 * The compatibility layer is deliberately small; queries/ is Trino SQL and runs unchanged:
 * - the session time zone is UTC, as Athena's always is, so plain TIMESTAMP literals mean UTC;
 * - curated timestamps are Parquet TIMESTAMP(isAdjustedToUTC) and DuckDB reads them as
 *   TIMESTAMP WITH TIME ZONE, so `ts AT TIME ZONE 'Asia/Tehran'` yields local wall-clock time as
 *   in Athena (where the UTC `timestamp` column is read in the session zone);
 * - {@link COMPAT_MACROS} define the few Trino functions DuckDB lacks, names differently or computes
 *   differently (count_if over NULLs only; UNNEST of an array of rows in FROM).
 * Integer division (Trino truncates, DuckDB does not) is not emulated: the Trino guard
 * (test/support/trino-guard.ts) rejects it in queries/ instead.
 *
 * The lake is exposed as views `lake.<entity>` over `<home>/lake/<entity>/dt=*\/*.parquet` with
 * Hive partitioning (`dt` as DATE); results live in tables `results.kpi_results` etc. in
 * `<home>/servicepulse.duckdb`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ColumnKind, curatedColumns, ENTITIES, type Entity } from '../core/contracts.ts';
import type { LakeSnapshot } from '../core/ingest/lake-files.ts';
import type { QueryEngine, SqlRow, SqlValue } from '../core/ports.ts';
import {
  KPI_DEFINITIONS_COLUMNS,
  KPI_FLAGS_COLUMNS,
  KPI_RESULTS_COLUMNS,
  type ResultColumn,
  type ResultColumnType,
} from '../core/results.ts';
import { describeWriteError } from './filesystem.ts';

/**
 * Trino functions DuckDB lacks or computes differently, as DuckDB macros (a `table` macro stands in
 * for a FROM-clause form). Each has a test in test/sql/compat.test.ts.
 */
export const COMPAT_MACROS: readonly { name: string; sql: string; why: string; kind?: 'table' }[] = [
  {
    name: 'from_iso8601_timestamp',
    sql: 'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
    why: 'Trino parses ISO-8601 text to timestamp with time zone',
  },
  {
    name: 'from_iso8601_date',
    sql: 'CREATE OR REPLACE MACRO from_iso8601_date(s) AS CAST(s AS DATE)',
    why: 'Trino parses ISO-8601 text to date',
  },
  {
    name: 'to_unixtime',
    sql: 'CREATE OR REPLACE MACRO to_unixtime(x) AS epoch(x)',
    why: 'Trino gives seconds since 1970 as a double; DuckDB calls it epoch (much faster than date_diff on TIMESTAMPTZ)',
  },
  {
    name: 'to_iso8601',
    sql: "CREATE OR REPLACE MACRO to_iso8601(x) AS strftime(x, '%Y-%m-%dT%H:%M:%S.%g')",
    why: 'Trino formats a timestamp as ISO-8601 text',
  },
  {
    name: 'count_if',
    sql: 'CREATE OR REPLACE MACRO count_if(x) AS CAST(coalesce(system.main.count_if(x), 0) AS BIGINT)',
    why: "Trino's count_if is a BIGINT count of the TRUE rows, 0 when there are none; DuckDB's is NULL over NULLs only",
  },
  {
    name: 'unnest',
    kind: 'table',
    sql: 'CREATE OR REPLACE MACRO unnest(a) AS TABLE SELECT UNNEST(a, max_depth := 2)',
    why: 'Trino expands an array of rows into one column per field (UNNEST(ARRAY[ROW(...), ...]) AS k (x, y)); DuckDB gives one struct column',
  },
];

const KIND_TYPES: Record<ColumnKind, string> = {
  string: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
};

const RESULT_TYPES: Record<ResultColumnType, string> = {
  string: 'VARCHAR',
  date: 'DATE',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

function tableDdl(name: string, columns: readonly ResultColumn[]): string {
  return `CREATE TABLE IF NOT EXISTS results.${name} (${columns.map((c) => `${c.name} ${RESULT_TYPES[c.type]}`).join(', ')})`;
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const part of readdirSync(dir)) {
    if (!part.startsWith('dt=')) continue;
    if (readdirSync(join(dir, part)).some((f) => f.endsWith('.parquet'))) return true;
  }
  return false;
}

function sqlPath(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function toSqlValue(v: unknown, typeId: string): SqlValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    if (typeId === 'DATE') return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    return v.toISOString();
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x));
}

/** DuckDB reports write failures as text ("No space left on device"); say them as the store does. */
function exportError(e: unknown, path: string): Error {
  const m = (e as Error).message ?? String(e);
  const code = /No space left|ENOSPC/i.test(m)
    ? 'ENOSPC'
    : /Input\/output error|EIO/.test(m)
      ? 'EIO'
      : /Permission denied|EACCES/.test(m)
        ? 'EACCES'
        : (e as NodeJS.ErrnoException).code;
  return describeWriteError(Object.assign(new Error(m.split('\n')[0]), { code }), path);
}

export interface DuckDbEngineOptions {
  /** Database file; ':memory:' for tests. */
  database: string;
  /** Folder holding `lake/<entity>/dt=…/` (the local object store's root). */
  lakeRoot: string;
  threads?: number;
  /**
   * The committed lake files (store keys below `lakeRoot`), read from the manifests: the views
   * read exactly these, so an ingest in progress or one that crashed is never half seen. Without
   * it the views read every `*.parquet` file of the lake folders (tests that write files directly).
   */
  lakeFiles?: () => Promise<LakeSnapshot>;
}

/** The message of a run that met a lake file retired by an ingest that finished meanwhile. */
export const LAKE_CHANGED = 'the lake changed during the run (an ingest finished): run again';

export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  /** The manifests' version the views were made from (with `lakeFiles`). */
  private lakeVersion: string | undefined;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly lakeRoot: string,
    private readonly lakeFiles: DuckDbEngineOptions['lakeFiles'],
  ) {}

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(options.database, {
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const conn = await instance.connect();
    const engine = new DuckDbEngine(instance, conn, options.lakeRoot, options.lakeFiles);
    await engine.setup();
    return engine;
  }

  private async setup(): Promise<void> {
    await this.conn.run("SET TimeZone = 'UTC'");
    for (const m of COMPAT_MACROS) await this.conn.run(m.sql);
    await this.conn.run('CREATE SCHEMA IF NOT EXISTS lake');
    await this.conn.run('CREATE SCHEMA IF NOT EXISTS results');
    await this.conn.run(tableDdl('kpi_results', KPI_RESULTS_COLUMNS));
    await this.conn.run(tableDdl('kpi_flags', KPI_FLAGS_COLUMNS));
    await this.conn.run(tableDdl('kpi_definitions', KPI_DEFINITIONS_COLUMNS));
    await this.refreshLake();
  }

  /** (Re)creates the lake views over the files committed now; call after an ingest. */
  async refreshLake(): Promise<void> {
    const snapshot = this.lakeFiles ? await this.lakeFiles() : undefined;
    for (const entity of ENTITIES) {
      const files = snapshot?.files[entity].map((k) => join(this.lakeRoot, k));
      await this.conn.run(this.lakeViewDdl(entity, files));
    }
    this.lakeVersion = snapshot?.version;
  }

  /** With `lakeFiles`: whether an ingest committed since the views were made, and remaking them. */
  readonly lakeSnapshot = {
    changed: async (): Promise<boolean> =>
      this.lakeFiles !== undefined && (await this.lakeFiles()).version !== this.lakeVersion,
    refresh: () => this.refreshLake(),
  };

  private lakeViewDdl(entity: Entity, files?: string[]): string {
    const dir = join(this.lakeRoot, 'lake', entity);
    const cols = curatedColumns(entity);
    if (files ? files.length === 0 : !hasParquet(dir)) {
      // No data yet: an empty view with the contract's columns, so queries still plan and return nothing.
      const select = [
        ...cols.map((c) => `CAST(NULL AS ${KIND_TYPES[c.kind]}) AS ${c.name}`),
        'CAST(NULL AS DATE) AS dt',
      ];
      return `CREATE OR REPLACE VIEW lake.${entity} AS SELECT ${select.join(', ')} WHERE false`;
    }
    const from = files ? `[${files.map(sqlPath).join(', ')}]` : sqlPath(join(dir, 'dt=*', '*.parquet'));
    // Explicit casts pin the view's types to the contract whatever an individual file inferred.
    const select = [...cols.map((c) => `CAST(${c.name} AS ${KIND_TYPES[c.kind]}) AS ${c.name}`), 'dt'];
    return `CREATE OR REPLACE VIEW lake.${entity} AS SELECT ${select.join(', ')} FROM read_parquet(${from}, hive_partitioning = true, hive_types = {'dt': DATE}, union_by_name = true)`;
  }

  async query(sql: string): Promise<SqlRow[]> {
    const reader = await this.conn.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowsJS();
    return rows.map((r) => {
      const o: SqlRow = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = toSqlValue(r[i], types[i]!);
      return o;
    });
  }

  /** Runs a statement for its effect (DDL, MERGE, COPY). */
  async run(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  /**
   * Writes a results table as Parquet (the local counterpart of the S3 results exports): to a
   * temporary file renamed into place, so a full disk leaves the previous export whole; the error
   * says what happened ("disk full writing …").
   */
  async exportTable(table: 'kpi_results' | 'kpi_flags' | 'kpi_definitions', path: string): Promise<void> {
    const temp = `${path}.tmp-${process.pid}-export`;
    try {
      await this.conn.run(
        `COPY (SELECT * FROM results.${table} ORDER BY ALL) TO ${sqlPath(temp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => {});
      throw exportError(e, path);
    }
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
