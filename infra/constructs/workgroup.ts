/**
 * The Athena workgroup every Servicepulse query runs in: engine version 3, its settings enforced
 * over the client's, results encrypted with the data key into the Athena results bucket, a cap on
 * the bytes one query may scan (Athena cancels the query past it), and CloudWatch metrics on (the
 * bytes-scanned alarm reads them).
 */
import { Size, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantObjects } from '../grants.ts';
import { Problems } from '../validate.ts';

/** Athena's minimum for BytesScannedCutoffPerQuery. */
export const MIN_BYTES_SCANNED_CUTOFF = Size.mebibytes(10);

export interface AthenaWorkgroupProps {
  readonly resultsBucket: s3.IBucket;
  readonly key: kms.IKey;
  /** @default 'servicepulse' */
  readonly name?: string;
  /** Most data one query may scan; Athena cancels it beyond. @default Size.gibibytes(10) */
  readonly bytesScannedCutoffPerQuery?: Size;
}

export class AthenaWorkgroup extends Construct {
  readonly name: string;
  readonly workgroup: athena.CfnWorkGroup;
  readonly outputPrefix = 'athena/';
  private readonly resultsBucket: s3.IBucket;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    const name = props.name ?? 'servicepulse';
    const cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10);
    new Problems('AthenaWorkgroup')
      .check(/^[A-Za-z0-9._-]{1,128}$/.test(name), `name must be 1–128 of A-Z a-z 0-9 . _ -, got ${name}`)
      .check(
        cutoff.toBytes() >= MIN_BYTES_SCANNED_CUTOFF.toBytes(),
        `bytesScannedCutoffPerQuery must be at least 10 MiB (Athena's minimum), got ${cutoff.toBytes()} bytes`,
      )
      .throwIfAny();
    this.name = name;
    this.resultsBucket = props.resultsBucket;
    this.key = props.key;

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name,
      description: 'Servicepulse KPI runs, digest and BI tools',
      state: 'ENABLED',
      // Deleting the stack deletes the workgroup with its query history (results stay in S3).
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff.toBytes(),
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${this.outputPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });
  }

  get arn(): string {
    return Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.name });
  }

  /**
   * Running queries in this workgroup and reading their results: the Athena calls, and the results
   * location (Athena writes it with the caller's credentials, encrypted with the data key).
   */
  grantQuery(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [this.arn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [
          Stack.of(this).formatArn({
            service: 'athena',
            resource: 'datacatalog',
            resourceName: 'AwsDataCatalog',
          }),
        ],
      }),
    );
    grantObjects(grantee, {
      bucket: this.resultsBucket,
      prefixes: [this.outputPrefix],
      access: ['read', 'write', 'list'],
      key: this.key,
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [this.resultsBucket.bucketArn],
      }),
    );
  }
}
