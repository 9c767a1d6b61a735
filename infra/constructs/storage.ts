/**
 * The buckets and the key that encrypts them.
 *
 * | bucket          | holds                                              | encryption | lifecycle                          |
 * |-----------------|----------------------------------------------------|------------|------------------------------------|
 * | landing         | raw exports, `landing/<source>/<entity>/…`         | KMS        | versioned; IA, then Glacier IR     |
 * | lake            | curated Parquet `lake/`, `quarantine/`, manifests  | KMS        | abort stale multipart uploads      |
 * | results         | Iceberg tables `iceberg/kpi_*`                     | KMS        | abort stale multipart uploads      |
 * | athena results  | query output `athena/`, staged SQL `statements/`   | KMS        | expire after N days                |
 * | access logs     | S3 server access logs of the four above            | SSE-S3     | expire after N days                |
 *
 * The access-logs bucket uses SSE-S3 because S3 server access log delivery does not support
 * SSE-KMS on the target bucket; the logs hold request metadata (keys, callers), not data.
 * Every bucket blocks public access, enforces TLS, and disables ACLs. Data-bearing buckets and the
 * key are retained when the stack is deleted (RemovalPolicy.RETAIN by default): the key must
 * outlive the buckets it encrypts.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { isInteger, Problems } from '../validate.ts';

export interface DataStorageProps {
  /** What happens to buckets and key when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days before raw landing objects move to S3 Standard-IA (S3 requires ≥ 30). @default 30 */
  readonly landingInfrequentAccessAfterDays?: number;
  /** Days before raw landing objects move to Glacier Instant Retrieval. @default 180 */
  readonly landingGlacierAfterDays?: number;
  /** Days an overwritten or deleted landing object's old version is kept. @default 90 */
  readonly landingNoncurrentVersionDays?: number;
  /** Days Athena query results and staged statements are kept. @default 7 */
  readonly athenaResultsExpirationDays?: number;
  /** Days S3 access logs are kept. @default 365 */
  readonly accessLogsExpirationDays?: number;
  /**
   * Use an existing bucket as the landing bucket instead of creating one (its own encryption,
   * versioning and lifecycle stay as they are; objects must still arrive under `landing/`).
   * @default - a new bucket
   */
  readonly existingLandingBucket?: s3.IBucket;
}

/** Lifetimes in days, defaults applied and checked. */
interface StorageDays {
  readonly ia: number;
  readonly glacier: number;
  readonly noncurrent: number;
  readonly athena: number;
  readonly logs: number;
}

/** Multipart uploads that never completed stop costing money after a day. */
const ABORT_UPLOADS: s3.LifecycleRule = {
  id: 'abort-incomplete-uploads',
  abortIncompleteMultipartUploadAfter: Duration.days(1),
};

export class DataStorage extends Construct {
  readonly key: kms.Key;
  readonly landingBucket: s3.IBucket;
  readonly lakeBucket: s3.Bucket;
  readonly resultsBucket: s3.Bucket;
  readonly athenaResultsBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: DataStorageProps = {}) {
    super(scope, id);
    // Log delivery through a bucket policy (not ACLs, which BucketOwnerEnforced disables), whatever
    // the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const days = storageDays(props);
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'Key', {
      description: 'Servicepulse data: landing, lake, results, Athena results, alarms topic',
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: this.removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(days.logs) }],
    });
    this.landingBucket =
      props.existingLandingBucket ??
      this.dataBucket('Landing', { versioned: true, lifecycleRules: landingLifecycle(days) });
    this.lakeBucket = this.dataBucket('Lake', { lifecycleRules: [ABORT_UPLOADS] });
    this.resultsBucket = this.dataBucket('Results', { lifecycleRules: [ABORT_UPLOADS] });
    this.athenaResultsBucket = this.dataBucket('AthenaResults', {
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(days.athena) }, ABORT_UPLOADS],
    });
  }

  /** A data-bearing bucket: SSE-KMS with the data key (bucket key on), access-logged, TLS only. */
  private dataBucket(bucketId: string, extra: Partial<s3.BucketProps>): s3.Bucket {
    return new s3.Bucket(this, bucketId, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${bucketId.toLowerCase()}/`,
      removalPolicy: this.removalPolicy,
      ...extra,
    });
  }
}

/** Raw exports move to Standard-IA, then Glacier Instant Retrieval; old versions expire. */
function landingLifecycle(days: StorageDays): s3.LifecycleRule[] {
  return [
    {
      id: 'raw-to-cheaper-storage',
      prefix: 'landing/',
      transitions: [
        { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(days.ia) },
        {
          storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
          transitionAfter: Duration.days(days.glacier),
        },
      ],
      noncurrentVersionExpiration: Duration.days(days.noncurrent),
    },
    { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
  ];
}

/** The lifetimes of {@link DataStorageProps} with their defaults; throws PropsError listing every bad one. */
function storageDays(props: DataStorageProps): StorageDays {
  const ia = props.landingInfrequentAccessAfterDays ?? 30;
  const glacier = props.landingGlacierAfterDays ?? 180;
  const noncurrent = props.landingNoncurrentVersionDays ?? 90;
  const athena = props.athenaResultsExpirationDays ?? 7;
  const logs = props.accessLogsExpirationDays ?? 365;
  new Problems('DataStorage')
    .check(
      isInteger(ia, 30),
      `landingInfrequentAccessAfterDays must be an integer ≥ 30 (S3 minimum), got ${ia}`,
    )
    .check(
      isInteger(glacier, 1) && glacier >= ia + 30,
      `landingGlacierAfterDays must be at least 30 days after landingInfrequentAccessAfterDays (${ia}), got ${glacier}`,
    )
    .check(
      isInteger(noncurrent, 1),
      `landingNoncurrentVersionDays must be a positive integer, got ${noncurrent}`,
    )
    .check(isInteger(athena, 1), `athenaResultsExpirationDays must be a positive integer, got ${athena}`)
    .check(isInteger(logs, 1), `accessLogsExpirationDays must be a positive integer, got ${logs}`)
    .throwIfAny();
  return { ia, glacier, noncurrent, athena, logs };
}
