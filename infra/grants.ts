/**
 * Least-privilege IAM grants shared by the constructs: object access under key prefixes of a bucket
 * (with its KMS key), and the ARN of an SES identity. A leaf module: it imports only the CDK, so
 * the function, catalog, workgroup and schedule constructs can all use it without importing each
 * other.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export type ObjectAccess = 'read' | 'write' | 'delete' | 'list';

/** Which objects of a bucket a principal may use, and how. */
export interface ObjectGrant {
  readonly bucket: s3.IBucket;
  /** Key prefixes (each ending in `/`); ['' ] for the whole bucket. */
  readonly prefixes: readonly string[];
  readonly access: readonly ObjectAccess[];
  /** KMS key of the bucket. @default bucket.encryptionKey */
  readonly key?: kms.IKey;
}

const OBJECT_ACTIONS: Record<Exclude<ObjectAccess, 'list'>, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
  delete: ['s3:DeleteObject'],
};

/**
 * Grants object access under `prefixes` of a bucket, for any principal:
 * - read: GetObject; with `list`, ListBucket limited to the prefixes (S3 then answers a missing
 *   key with 404 instead of 403, which the S3 store relies on to tell "absent" from "denied");
 * - write: PutObject and AbortMultipartUpload (multipart uploads of large files);
 * - delete: DeleteObject (replacing earlier outputs);
 * and kms:Decrypt on the bucket's key (with kms:GenerateDataKey for writes).
 */
export function grantObjects(grantee: iam.IGrantable, options: ObjectGrant): void {
  const { bucket, prefixes, access } = options;
  const actions = access.flatMap((a) => (a === 'list' ? [] : OBJECT_ACTIONS[a]));
  if (actions.length > 0) {
    iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
    });
  }
  if (access.includes('list')) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    );
  }
  const key = options.key ?? bucket.encryptionKey;
  if (key) {
    const writes = access.includes('write');
    key.grant(grantee, 'kms:Decrypt', ...(writes ? ['kms:GenerateDataKey'] : []));
  }
}

/** The region/account-qualified ARN of an SES identity. */
export function sesIdentityArn(scope: Construct, identity: string): string {
  return Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
}
