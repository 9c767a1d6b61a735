/**
 * The Glue Data Catalog: one database holding the curated lake tables (Parquet, `dt` partitions
 * found by partition projection — no crawler, no MSCK REPAIR) and the three results tables
 * (Apache Iceberg, which Athena's MERGE requires).
 *
 * The Iceberg tables are declared with CloudFormation (AWS::Glue::Table with
 * OpenTableFormatInput.IcebergInput.IcebergTableInput: schema, partition spec and properties)
 * rather than by Athena DDL in a custom resource: no Lambda to deploy, secure and keep patched,
 * no query to fail halfway through a deployment, and the table is visible in `cdk diff`. Glue
 * writes the initial Iceberg metadata under the table location at creation. Later schema changes
 * are Athena `ALTER TABLE` statements (Iceberg evolves in place); CloudFormation only creates.
 */
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ICEBERG_PROPERTIES,
  ICEBERG_TYPES,
  LAKE_PARTITION,
  type LakeTableSpec,
  lakeTableSpecs,
  locationTemplate,
  PROJECTION_START,
  RESULTS_TABLE_SPECS,
  type ResultsTableSpec,
} from '../catalog-spec.ts';
import { grantObjects } from '../grants.ts';
import { Problems } from '../validate.ts';

export interface LakeCatalogProps {
  readonly lakeBucket: s3.IBucket;
  readonly resultsBucket: s3.IBucket;
  /** Glue database for the lake and results tables (lowercase letters, digits, `_`). @default 'servicepulse' */
  readonly databaseName?: string;
  /** First `dt` partition projection enumerates (YYYY-MM-DD). @default '2015-01-01' */
  readonly projectionStart?: string;
}

export class LakeCatalog extends Construct {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly lakeTables: glue.CfnTable[] = [];
  readonly resultsTables: glue.CfnTable[] = [];
  private readonly lakeBucket: s3.IBucket;
  private readonly resultsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const databaseName = props.databaseName ?? 'servicepulse';
    const projectionStart = props.projectionStart ?? PROJECTION_START;
    checkCatalogProps(databaseName, projectionStart);
    this.databaseName = databaseName;
    this.lakeBucket = props.lakeBucket;
    this.resultsBucket = props.resultsBucket;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: databaseName,
        description: 'Servicepulse: curated customer-service lake and KPI results',
      },
    });
    this.addLakeTables(projectionStart);
    this.addResultsTables();
  }

  /** One Parquet table per lake entity, its `dt` partitions found by projection. */
  private addLakeTables(projectionStart: string): void {
    const lakeUri = `s3://${this.lakeBucket.bucketName}/`;
    for (const spec of lakeTableSpecs(projectionStart)) {
      const table = new glue.CfnTable(this, `Lake_${spec.name}`, {
        catalogId: Stack.of(this).account,
        databaseName: this.databaseName,
        tableInput: lakeTableInput(lakeUri, spec),
      });
      table.addResourceDependency(this.database);
      this.lakeTables.push(table);
    }
  }

  /** The Iceberg results tables, created by Glue from their schema and partition spec. */
  private addResultsTables(): void {
    const resultsUri = `s3://${this.resultsBucket.bucketName}/`;
    for (const spec of RESULTS_TABLE_SPECS) {
      const table = new glue.CfnTable(this, `Results_${spec.name}`, {
        catalogId: Stack.of(this).account,
        databaseName: this.databaseName,
        // With IcebergTableInput, the name goes here and tableInput must be absent (Glue rejects both).
        name: spec.name,
        openTableFormatInput: {
          icebergInput: {
            metadataOperation: 'CREATE',
            version: '2',
            icebergTableInput: icebergTableInput(resultsUri, spec),
          },
        },
      });
      table.addResourceDependency(this.database);
      this.resultsTables.push(table);
    }
  }

  private glueArns(): string[] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
    ];
  }

  /**
   * What a principal needs for Athena to read the lake and results tables on its behalf (Athena
   * uses the caller's credentials for Glue and S3): Glue metadata reads, S3 object reads, KMS decrypt.
   */
  grantRead(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
        ],
        resources: this.glueArns(),
      }),
    );
    grantObjects(grantee, { bucket: this.lakeBucket, prefixes: ['lake/'], access: ['read', 'list'] });
    grantObjects(grantee, { bucket: this.resultsBucket, prefixes: ['iceberg/'], access: ['read', 'list'] });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [this.lakeBucket.bucketArn, this.resultsBucket.bucketArn],
      }),
    );
  }

  /**
   * Additionally, writing the Iceberg results tables (MERGE, INSERT, OPTIMIZE, VACUUM): Glue
   * UpdateTable (each commit swaps the metadata pointer) and object writes and deletes.
   */
  grantWriteResults(grantee: iam.IGrantable): void {
    this.grantRead(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['glue:UpdateTable'], resources: this.glueArns() }),
    );
    grantObjects(grantee, {
      bucket: this.resultsBucket,
      prefixes: ['iceberg/'],
      access: ['write', 'delete'],
    });
  }
}

function checkCatalogProps(databaseName: string, projectionStart: string): void {
  new Problems('LakeCatalog')
    .check(
      /^[a-z][a-z0-9_]{0,254}$/.test(databaseName),
      `databaseName must be lowercase letters, digits and _ (Athena), got ${databaseName}`,
    )
    .check(
      /^\d{4}-\d{2}-\d{2}$/.test(projectionStart),
      `projectionStart must be YYYY-MM-DD, got ${projectionStart}`,
    )
    .throwIfAny();
}

/** The Glue table input of a lake entity: Parquet under `lake/<entity>/`, partitioned by `dt`. */
function lakeTableInput(lakeUri: string, spec: LakeTableSpec): glue.CfnTable.TableInputProperty {
  return {
    name: spec.name,
    description: spec.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: { ...spec.parameters, 'storage.location.template': locationTemplate(lakeUri, spec) },
    partitionKeys: [LAKE_PARTITION],
    storageDescriptor: {
      location: `${lakeUri}${spec.prefix}`,
      columns: spec.columns,
      inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serdeInfo: {
        serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
        parameters: { 'serialization.format': '1' },
      },
    },
  };
}

/** The Iceberg table input of a results table: schema with field ids from 1, partition fields from 1000. */
function icebergTableInput(
  resultsUri: string,
  spec: ResultsTableSpec,
): glue.CfnTable.IcebergTableInputProperty {
  const ids = new Map(spec.columns.map((c, i) => [c.name, i + 1]));
  return {
    location: `${resultsUri}${spec.prefix}`,
    schema: {
      schemaId: 0,
      type: 'struct',
      fields: spec.columns.map((c, i) => ({
        id: i + 1,
        name: c.name,
        type: ICEBERG_TYPES[c.type],
        required: false,
        ...(c.description ? { doc: c.description } : {}),
      })),
    },
    ...(spec.partitioning.length > 0
      ? {
          partitionSpec: {
            specId: 0,
            fields: spec.partitioning.map((p, i) => ({
              fieldId: 1000 + i,
              sourceId: ids.get(p.column)!,
              name: p.transform === 'identity' ? p.column : `${p.column}_${p.transform}`,
              transform: p.transform,
            })),
          },
        }
      : {}),
    properties: { ...ICEBERG_PROPERTIES },
  };
}
