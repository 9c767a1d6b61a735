import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { curatedColumns, ENTITIES, type Entity } from '../../functions/core/contracts.ts';
import { ParquetRowWriter } from '../../functions/core/parquet.ts';
import {
  KPI_DEFINITIONS_COLUMNS,
  KPI_FLAGS_COLUMNS,
  KPI_RESULTS_COLUMNS,
  type ResultColumn,
} from '../../functions/core/results.ts';
import { DDL_DIR, renderDdlFiles } from '../../infra/ddl.ts';
import { type Cfn, flatten, type Resource, resources, type Synthesized, synth } from './support.ts';

let s: Synthesized;
let tables: Map<string, Resource>;
beforeAll(() => {
  s = synth();
  tables = new Map(
    resources(s.template, 'AWS::Glue::Table').map(([, t]) => [
      t.Properties.TableInput?.Name ?? t.Properties.Name,
      t,
    ]),
  );
});

type ParquetElement = ReturnType<typeof parquetMetadata>['schema'][number];

/** The schema of the Parquet file the normalizer's writer produces for an entity (no rows). */
async function writtenSchema(entity: Entity): Promise<ParquetElement[]> {
  const chunks: Uint8Array[] = [];
  const sink = {
    write: async (c: Uint8Array) => {
      chunks.push(c.slice());
    },
    commit: async () => {},
    abort: async () => {},
  };
  await new ParquetRowWriter(curatedColumns(entity), sink).close();
  const bytes = Buffer.concat(chunks);
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)).schema;
}

/**
 * The Athena/Glue type that reads a Parquet column, derived from the Parquet physical and logical
 * type alone (not from the contract kind), so the test compares two independent routes.
 */
function glueTypeReading(el: ParquetElement): string {
  const logical = el.logical_type as { type?: string; unit?: string; isAdjustedToUTC?: boolean } | undefined;
  if (el.type === 'BYTE_ARRAY' && logical?.type === 'STRING') return 'string';
  if (el.type === 'INT64' && logical?.type === 'TIMESTAMP') {
    if (logical.unit !== 'MILLIS' || logical.isAdjustedToUTC !== true)
      return `unexpected timestamp ${JSON.stringify(logical)}`;
    return 'timestamp';
  }
  if (el.type === 'INT32' && logical?.type === 'DATE') return 'date';
  if (el.type === 'INT64' && logical === undefined) return 'bigint';
  if (el.type === 'DOUBLE') return 'double';
  if (el.type === 'BOOLEAN') return 'boolean';
  return `unmapped ${el.type}`;
}

describe('curated lake tables', () => {
  it('has one Glue table per entity in the Servicepulse database and no crawler', () => {
    // Prepare / Act
    const [, db] = resources(s.template, 'AWS::Glue::Database')[0]!;

    // Assess
    expect(db.Properties.DatabaseInput.Name).toBe('servicepulse');
    for (const e of ENTITIES) expect(tables.get(e)?.Properties.DatabaseName).toBe('servicepulse');
    expect(resources(s.template, 'AWS::Glue::Crawler')).toEqual([]);
  });

  it.each(ENTITIES)(
    '%s: Glue columns and types equal the Parquet schema the normalizer writes',
    async (entity: Entity) => {
      // Prepare
      const schema = await writtenSchema(entity);
      const expected = schema.slice(1).map((el) => ({ Name: el.name, Type: glueTypeReading(el) }));

      // Act
      const columns = (tables.get(entity)!.Properties.TableInput.StorageDescriptor.Columns as Cfn[]).map(
        (c) => ({
          Name: c.Name,
          Type: c.Type,
        }),
      );

      // Assess
      expect(schema[0]!.num_children).toBe(columns.length);
      expect(columns).toEqual(expected);
    },
  );

  it.each(ENTITIES)(
    '%s: Parquet SerDe, dt partitions found by projection, no MSCK REPAIR',
    (entity: Entity) => {
      // Prepare
      const input = tables.get(entity)!.Properties.TableInput;

      // Act
      const params = input.Parameters as Record<string, unknown>;

      // Assess
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'date' })]);
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      expect(flatten(input.StorageDescriptor.Location)).toMatch(
        new RegExp(`^s3://<StorageLake\\w+>/lake/${entity}/$`),
      );
      expect(params).toMatchObject({
        classification: 'parquet',
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2015-01-01,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
      });
      expect(flatten(params['storage.location.template'])).toMatch(
        new RegExp(`^s3://<StorageLake\\w+>/lake/${entity}/dt=\\$\\{dt\\}/$`),
      );
    },
  );
});

const ICEBERG: Record<string, string> = {
  string: 'string',
  date: 'date',
  double: 'double',
  bigint: 'long',
  integer: 'int',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

describe('results tables (Iceberg)', () => {
  const cases: [string, readonly ResultColumn[], string[]][] = [
    ['kpi_results', KPI_RESULTS_COLUMNS, ['grain:identity', 'period_start:month']],
    ['kpi_flags', KPI_FLAGS_COLUMNS, ['grain:identity', 'period_start:month']],
    ['kpi_definitions', KPI_DEFINITIONS_COLUMNS, []],
  ];

  it.each(cases)(
    '%s: schema from results.ts, partition spec, Iceberg v2 created by Glue',
    (name, columns, partitions) => {
      // Prepare
      const table = tables.get(name)!;

      // Act
      const iceberg = table.Properties.OpenTableFormatInput.IcebergInput;
      const input = iceberg.IcebergTableInput;
      const fields = input.Schema.Fields as { Id: number; Name: string; Type: string }[];
      const byId = new Map(fields.map((f) => [f.Id, f.Name]));
      const spec = ((input.PartitionSpec?.Fields ?? []) as { SourceId: number; Transform: string }[]).map(
        (f) => `${byId.get(f.SourceId)}:${f.Transform}`,
      );

      // Assess
      expect(table.Properties.TableInput).toBeUndefined();
      expect(table.Properties.Name).toBe(name);
      expect(iceberg).toMatchObject({ MetadataOperation: 'CREATE', Version: '2' });
      expect(fields.map((f) => ({ name: f.Name, type: f.Type }))).toEqual(
        columns.map((c) => ({ name: c.name, type: ICEBERG[c.type] })),
      );
      expect(new Set(fields.map((f) => f.Id)).size).toBe(fields.length);
      expect(spec).toEqual(partitions);
      expect(flatten(input.Location)).toMatch(new RegExp(`^s3://<StorageResults\\w+>/iceberg/${name}/$`));
      expect(input.Properties).toMatchObject({
        'write.format.default': 'parquet',
        'write.parquet.compression-codec': 'zstd',
      });
    },
  );

  it('partitions by month, so one statement per 100 months at most stays under the partition limit', () => {
    // Prepare / Act
    const spec =
      tables.get('kpi_results')!.Properties.OpenTableFormatInput.IcebergInput.IcebergTableInput.PartitionSpec;

    // Assess
    expect(spec.Fields.map((f: { Name: string }) => f.Name)).toEqual(['grain', 'period_start_month']);
  });
});

describe('queries/ddl', () => {
  it('holds exactly the DDL rendered from the same specs (regenerate: npx tsx infra/ddl.ts)', () => {
    // Prepare
    const rendered = renderDdlFiles();

    // Act
    const onDisk = new Map(readdirSync(DDL_DIR).map((f) => [f, readFileSync(join(DDL_DIR, f), 'utf8')]));

    // Assess
    expect([...onDisk.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [name, sql] of rendered) expect(onDisk.get(name), name).toBe(sql);
  });

  it('declares in DDL the columns of the Glue tables', () => {
    // Prepare
    const files = renderDdlFiles();

    // Act
    const columnsOf = (sql: string) =>
      [...sql.matchAll(/^ {2}(\w+) (\w+)(?: COMMENT '.*')?,?$/gm)].map((m) => `${m[1]} ${m[2]}`);

    // Assess
    for (const e of ENTITIES) {
      const glue = (tables.get(e)!.Properties.TableInput.StorageDescriptor.Columns as Cfn[]).map(
        (c) => `${c.Name} ${c.Type}`,
      );
      expect(columnsOf(files.get(`${e}.sql`)!)).toEqual([...glue, 'dt date']);
    }
    expect(files.get('kpi_results.sql')).toContain('PARTITIONED BY (grain, month(period_start))');
    expect(files.get('kpi_results.sql')).toContain("'table_type' = 'ICEBERG'");
  });
});
