/**
 * The normalizer Lambda: S3 "object created" notifications arrive through SQS; the core use case
 * `ingestLandedMessage` (functions/core/ingest/landing.ts: the landing key layout, the message
 * shapes, the primary course) normalizes each landed file into the lake bucket.
 *
 * Each SQS message is one record of Powertools' BatchProcessor: a message that is unreadable or
 * whose file failed entirely goes into `batchItemFailures`, so SQS redelivers only that message
 * (needs ReportBatchItemFailures on the event source mapping). One bad message never fails the
 * batch, not even when every message fails (`throwOnFullBatchFailure: false`). Messages run one
 * after another (`processInParallel: false`): one file at a time holds the function's memory.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readS3Object, S3Store, s3Uri } from '../adapters/s3.ts';
import type { Config } from '../core/config.ts';
import { ingestLandedMessage, type LandingPorts } from '../core/ingest/landing.ts';
import { configFromEnv, requireEnv } from './env.ts';
import { jsonLogger, type Logger } from './log.ts';

export interface NormalizerDeps {
  client: S3Client;
  /** Bucket the lake, quarantine and manifests are written to. */
  lakeBucket: string;
  config: Config;
  log?: Logger;
  /** Clock for `_ingested_at`; default Date.now. */
  now?: () => number;
}

/** The SQS handler over injected dependencies (tests build it against a local S3 server). */
export function makeHandler(deps: NormalizerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger({ base: { fn: 'normalizer' } });
  const ports: LandingPorts = {
    locate: (object) => s3Uri(object.bucket, object.key),
    read: (object) => readS3Object(deps.client, object.bucket, object.key),
    store: new S3Store({ client: deps.client, bucket: deps.lakeBucket }),
    config: deps.config,
    ...(deps.now ? { now: deps.now } : {}),
  };
  const onMessage = async (record: SQSRecord): Promise<void> => {
    const done = await ingestLandedMessage(ports, record.body, log.child({ messageId: record.messageId }));
    if (!done) throw new Error(`message ${record.messageId} is to be delivered again`);
  };
  return (event) =>
    processPartialResponse(event, onMessage, new BatchProcessor(EventType.SQS), {
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
}

let instance: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

/**
 * Lambda entry. Environment, read once per container on its first invocation (a missing or
 * invalid variable fails that invocation loudly, so SQS retries the whole batch):
 * LAKE_BUCKET (required), SERVICEPULSE_CONFIG (optional JSON), LOG_LEVEL (optional).
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  instance ??= makeHandler({
    client: new S3Client({}),
    lakeBucket: requireEnv('LAKE_BUCKET'),
    config: configFromEnv(),
  });
  return instance(event);
};
