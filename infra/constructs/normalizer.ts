/**
 * Landing → lake: S3 "object created" notifications on the landing prefixes go to an SQS queue;
 * the normalizer Lambda consumes it in small batches and reports failed messages individually
 * (ReportBatchItemFailures), so SQS redelivers only those. A message that keeps failing moves to
 * the dead-letter queue after `maxReceiveCount` attempts (the alarms watch it).
 *
 * The queue's visibility timeout is six times the function timeout (AWS's guidance for SQS event
 * sources), so a message is never redelivered while an invocation may still be working on it.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isInteger, Problems } from '../validate.ts';
import { ServicepulseFunction } from './function.ts';

export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface NormalizerProps {
  readonly landingBucket: s3.IBucket;
  readonly lakeBucket: s3.IBucket;
  /** Key of the landing bucket, when it is KMS-encrypted. @default landingBucket.encryptionKey */
  readonly landingKey?: kms.IKey;
  /** Deployment configuration as JSON (SERVICEPULSE_CONFIG). */
  readonly configJson: string;
  /** Key prefixes whose new objects are normalized. @default ['landing/'] */
  readonly landingPrefixes?: readonly string[];
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** Messages (files) per invocation. @default 1 */
  readonly batchSize?: number;
  /** Concurrent invocations the queue drives (2…1000). @default 10 */
  readonly maxConcurrency?: number;
  /** Deliveries before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default true */
  readonly bundle?: boolean;
}

export class Normalizer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: ServicepulseFunction;

  constructor(scope: Construct, id: string, props: NormalizerProps) {
    super(scope, id);
    const prefixes = props.landingPrefixes ?? ['landing/'];
    const timeout = props.timeout ?? Duration.minutes(5);
    const batchSize = props.batchSize ?? 1;
    const maxConcurrency = props.maxConcurrency ?? 10;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    new Problems('Normalizer')
      .check(prefixes.length > 0, 'landingPrefixes must not be empty')
      .check(
        prefixes.every((p) => /^landing\/([^/]+\/)*$/.test(p)),
        `landingPrefixes must each start with landing/ and end with / (the normalizer routes landing/<source>/…), got ${prefixes.join(', ')}`,
      )
      .check(
        timeout.toSeconds() >= 10 && timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR <= 43_200,
        'timeout must be 10 s … 2 h (the queue visibility timeout, 6 × timeout, is at most 12 h)',
      )
      .check(isInteger(batchSize, 1, 10), `batchSize must be 1…10, got ${batchSize}`)
      .check(isInteger(maxConcurrency, 2, 1000), `maxConcurrency must be 2…1000, got ${maxConcurrency}`)
      .check(isInteger(maxReceiveCount, 1, 1000), `maxReceiveCount must be 1…1000, got ${maxReceiveCount}`)
      .throwIfAny();

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: Duration.days(4),
      // SSE-SQS: S3 notifications can publish to it without a key policy; messages hold only keys.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    for (const prefix of prefixes) {
      props.landingBucket.addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.SqsDestination(this.queue),
        {
          prefix,
        },
      );
    }

    this.function = new ServicepulseFunction(this, 'Function', {
      entry: 'functions/handlers/normalizer.ts',
      description: 'Servicepulse normalizer: landed raw exports → curated Parquet lake',
      timeout,
      memorySize: props.memorySize ?? 1024,
      // The Parquet encoder loads its WebAssembly module from its own folder.
      nodeModules: ['parquet-wasm'],
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      ...(props.bundle !== undefined ? { bundle: props.bundle } : {}),
    })
      .bindConfig(props.configJson)
      .bindBucket({
        bucket: props.landingBucket,
        prefixes,
        access: ['read'],
        ...(props.landingKey ? { key: props.landingKey } : {}),
      })
      .bindBucket({
        bucket: props.lakeBucket,
        prefixes: ['lake/', 'quarantine/'],
        access: ['read', 'write', 'delete', 'list'],
        envVarName: 'LAKE_BUCKET',
      });

    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true, maxConcurrency }),
    );
  }
}
