import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataStorage } from '../../infra/constructs/storage.ts';
import {
  type Cfn,
  flatten,
  resourceNamed,
  resources,
  roleStatements,
  type Synthesized,
  synth,
  testApp,
} from './support.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth();
});

const DATA_BUCKETS = ['StorageLanding', 'StorageLake', 'StorageResults', 'StorageAthenaResults'];

describe('buckets', () => {
  it('creates the landing, lake, results, Athena results and access-logs buckets', () => {
    // Prepare / Act
    const ids = resources(s.template, 'AWS::S3::Bucket').map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));

    // Assess
    expect(ids.sort()).toEqual([...DATA_BUCKETS, 'StorageAccessLogs'].sort());
  });

  it('blocks public access, disables ACLs and retains every bucket', () => {
    // Prepare / Act
    const buckets = resources(s.template, 'AWS::S3::Bucket');

    // Assess
    for (const [, b] of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('encrypts data buckets with the rotating KMS key and the access logs with SSE-S3', () => {
    // Prepare
    const [keyId, key] = resources(s.template, 'AWS::KMS::Key')[0]!;

    // Act
    const encryption = (prefix: string) =>
      resourceNamed(s.template, 'AWS::S3::Bucket', prefix)[1].Properties.BucketEncryption
        .ServerSideEncryptionConfiguration[0];

    // Assess
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    for (const prefix of DATA_BUCKETS) {
      expect(encryption(prefix)).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
        },
      });
    }
    expect(encryption('StorageAccessLogs').ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it('denies requests without TLS 1.2 on every bucket', () => {
    // Prepare
    const policies = resources(s.template, 'AWS::S3::BucketPolicy');

    // Act
    const denied = policies.map(([, p]) => ({
      bucket: flatten(p.Properties.Bucket),
      statements: (p.Properties.PolicyDocument.Statement as Cfn[]).filter((st) => st.Effect === 'Deny'),
    }));

    // Assess
    expect(denied).toHaveLength(5);
    for (const { bucket, statements } of denied) {
      const id = bucket.slice(1, -1);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: [
            { 'Fn::GetAtt': [id, 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
          ],
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      );
    }
  });

  it('logs access to every data bucket into the access-logs bucket', () => {
    // Prepare
    const [logsId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'StorageAccessLogs');

    // Act
    const logging = DATA_BUCKETS.map(
      (p) => resourceNamed(s.template, 'AWS::S3::Bucket', p)[1].Properties.LoggingConfiguration,
    );

    // Assess
    for (const l of logging) expect(l.DestinationBucketName).toEqual({ Ref: logsId });
    expect(new Set(logging.map((l) => l.LogFilePrefix)).size).toBe(4);
  });
});

describe('lifecycle', () => {
  it('versions the landing bucket and moves raw objects to cheaper storage', () => {
    // Prepare / Act
    const [, landing] = resourceNamed(s.template, 'AWS::S3::Bucket', 'StorageLanding');

    // Assess
    expect(landing.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(landing.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'raw-to-cheaper-storage',
      Prefix: 'landing/',
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 180 },
      ],
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
    });
  });

  it('expires Athena query results and staged statements', () => {
    // Prepare / Act
    const [, bucket] = resourceNamed(s.template, 'AWS::S3::Bucket', 'StorageAthenaResults');

    // Assess
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'expire-query-results',
      Status: 'Enabled',
      ExpirationInDays: 7,
    });
  });

  it('aborts multipart uploads a crash left behind in the lake and results buckets', () => {
    // Prepare / Act
    const rules = ['StorageLake', 'StorageResults'].map(
      (p) => resourceNamed(s.template, 'AWS::S3::Bucket', p)[1].Properties.LifecycleConfiguration.Rules,
    );

    // Assess
    for (const r of rules) {
      expect(r).toContainEqual({
        Id: 'abort-incomplete-uploads',
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      });
    }
  });
});

describe('an existing landing bucket', () => {
  it('is used instead of a new one, with its key, and passes the security review', () => {
    // Prepare
    const keyArn = 'arn:aws:kms:eu-central-1:123456789012:key/0b7e-example';
    const other = synth({ landingBucketName: 'acme-exports', landingKeyArn: keyArn });

    // Act
    const buckets = resources(other.template, 'AWS::S3::Bucket').map(([id]) => id);
    const [, notifications] = resources(other.template, 'Custom::S3BucketNotifications')[0]!;
    const reads = roleStatements(other.template, 'NormalizerFunctionRole').filter((st) =>
      st.Action.includes('s3:GetObject'),
    );
    const violations = new AwsSolutionsChecks(other.app)
      .validateScope(other.app)
      .violations.map((v) => v.ruleName);

    // Assess
    expect(buckets.some((id) => id.startsWith('StorageLanding'))).toBe(false);
    expect(notifications.Properties.BucketName).toBe('acme-exports');
    expect(reads.flatMap((st) => st.Resource)).toContain('arn:<AWS::Partition>:s3:::acme-exports/landing/*');
    expect(
      roleStatements(other.template, 'NormalizerFunctionRole').some((st) => st.Resource.includes(keyArn)),
    ).toBe(true);
    expect(violations).toEqual([]);
  });
});

describe('DataStorage props', () => {
  it('reports every invalid prop at once', () => {
    // Prepare
    const stack = new Stack(testApp(), 'T');

    // Act
    const act = () =>
      new DataStorage(stack, 'S', {
        landingInfrequentAccessAfterDays: 10,
        landingGlacierAfterDays: 20,
        athenaResultsExpirationDays: 0,
      });

    // Assess
    expect(act).toThrow(
      /landingInfrequentAccessAfterDays must be an integer ≥ 30[\s\S]*landingGlacierAfterDays must be at least 30 days after[\s\S]*athenaResultsExpirationDays must be a positive integer/,
    );
  });

  it('destroys buckets and key when asked to', () => {
    // Prepare
    const stack = new Stack(testApp(), 'T');

    // Act
    new DataStorage(stack, 'S', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, Cfn> };

    // Assess
    const policies = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::S3::Bucket' || r.Type === 'AWS::KMS::Key')
      .map((r) => r.DeletionPolicy);
    expect(new Set(policies)).toEqual(new Set(['Delete']));
  });
});
