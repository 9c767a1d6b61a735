/**
 * The normalizer Lambda: S3 "object created" notifications arrive through SQS; each landed file is
 * normalized into the lake bucket (curated Parquet, quarantine NDJSON, manifest) by the core
 * `ingestFile` use case.
 *
 * Landing key layout (docs/landing-layout.md):
 *
 *     landing/<source>/<entity>/<any sub-folders>/<file>     generic: the entity folder names the entity
 *     landing/<source>/<any sub-folders>/<file>              vendor sources (zendesk, freshdesk,
 *                                                            amazon-connect, twilio): the mapping decides
 *
 * `<source>` is one of generic, zendesk, freshdesk, amazon-connect, twilio; `<entity>` one of
 * tickets, calls, surveys, customers, costs, plans, followups. A generic file outside an entity
 * folder is accepted only when its file name names exactly one entity (`calls-2024-05.csv`).
 * CSV or NDJSON/JSON, optionally gzip-compressed (detected from the bytes).
 *
 * Primary course, per SQS message:
 *  1. parse the body: an S3 notification (also wrapped in SNS, or EventBridge-shaped); the
 *     `s3:TestEvent` S3 sends when notifications are set up, and non-create events, are skipped;
 *  2. URL-decode the key (S3 writes it form-encoded: spaces as `+`) and route it by the layout;
 *  3. ingest the object (stream from the landing bucket, outputs to the lake bucket);
 *  4. log one JSON line per file with its counts; a message whose file failed entirely goes into
 *     `batchItemFailures`, so SQS redelivers only that message (needs ReportBatchItemFailures on
 *     the event source mapping). One bad object never fails the batch.
 *
 * Re-delivery is safe: outputs are named after the source key, so ingesting the same object again
 * replaces its outputs instead of adding to them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readS3Object, S3Store, s3Uri } from '../adapters/s3.ts';
import type { Config } from '../core/config.ts';
import { ENTITIES, type Entity, isEntity } from '../core/contracts.ts';
import { type FileReport, ingestFile } from '../core/ingest/normalize.ts';
import '../core/ingest/vendors.ts'; // registers zendesk, freshdesk, amazon-connect, twilio
import { isSource, SOURCES, type SourceName } from '../core/ingest/sources.ts';
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

/** One object an event says was created. `key` is already URL-decoded. */
export interface LandedObject {
  bucket: string;
  key: string;
  size?: number;
}

export type MessageContent = { kind: 'objects'; objects: LandedObject[] } | { kind: 'skip'; reason: string };

export class UnroutableKeyError extends Error {
  override name = 'UnroutableKeyError';
}

/** S3 notification keys are form-encoded: `+` is a space, the rest percent-encoding (UTF-8). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The source (and, for generic files, the entity) a landing key belongs to. */
export function routeLandingKey(key: string): { source: SourceName; entity?: Entity } {
  const parts = key.split('/');
  if (parts[0] !== 'landing' || parts.length < 3 || parts.at(-1) === '') {
    throw new UnroutableKeyError(
      `key ${key} is not in the landing layout landing/<source>/[<entity>/]<file>`,
    );
  }
  const source = parts[1]!;
  if (!isSource(source)) {
    throw new UnroutableKeyError(
      `unknown source "${source}" in ${key} (expected one of ${SOURCES.join(', ')})`,
    );
  }
  const folder = parts.length > 3 ? parts[2]! : undefined;
  if (source === 'generic' && folder !== undefined && !isEntity(folder)) {
    throw new UnroutableKeyError(
      `unknown entity folder "${folder}" in ${key} (expected one of ${ENTITIES.join(', ')})`,
    );
  }
  return source === 'generic' && folder !== undefined ? { source, entity: folder as Entity } : { source };
}

interface S3NotificationRecord {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number } };
}

function landed(bucket: unknown, key: unknown, size: unknown): LandedObject {
  if (typeof bucket !== 'string' || typeof key !== 'string')
    throw new Error('notification without bucket or key');
  return { bucket, key: decodeS3Key(key), ...(typeof size === 'number' ? { size } : {}) };
}

/** Reads an SQS message body: an S3 notification, an SNS envelope around one, or an EventBridge event. */
export function parseMessage(body: string): MessageContent {
  let msg = JSON.parse(body) as Record<string, unknown>;
  if (msg.Type === 'Notification' && typeof msg.Message === 'string') msg = JSON.parse(msg.Message);
  if (msg.Event === 's3:TestEvent') return { kind: 'skip', reason: 's3:TestEvent' };
  if (Array.isArray(msg.Records)) {
    const records = msg.Records as S3NotificationRecord[];
    const created = records.filter(
      (r) => r.eventSource === 'aws:s3' && r.eventName?.startsWith('ObjectCreated:'),
    );
    if (created.length === 0) {
      return {
        kind: 'skip',
        reason: `no ObjectCreated record (${records.map((r) => r.eventName).join(', ')})`,
      };
    }
    return {
      kind: 'objects',
      objects: created.map((r) => landed(r.s3?.bucket?.name, r.s3?.object?.key, r.s3?.object?.size)),
    };
  }
  if (msg.source === 'aws.s3' && typeof msg['detail-type'] === 'string') {
    if (msg['detail-type'] !== 'Object Created')
      return { kind: 'skip', reason: `EventBridge ${msg['detail-type']}` };
    const d = msg.detail as S3NotificationRecord['s3'];
    return { kind: 'objects', objects: [landed(d?.bucket?.name, d?.object?.key, d?.object?.size)] };
  }
  throw new Error('not an S3 notification, SNS envelope or EventBridge S3 event');
}

/** Use case: normalize one landed object into the lake. Never throws; the report carries any error. */
export async function normalizeLandedObject(
  deps: NormalizerDeps,
  object: LandedObject,
): Promise<FileReport & { entity?: Entity }> {
  const file = s3Uri(object.bucket, object.key);
  const failed = (e: unknown, source: SourceName = 'generic'): FileReport => ({
    file,
    source,
    entities: [],
    read: 0,
    accepted: 0,
    quarantined: 0,
    outputs: [],
    error: (e as Error).message,
  });
  let route: { source: SourceName; entity?: Entity };
  try {
    route = routeLandingKey(object.key);
  } catch (e) {
    return failed(e);
  }
  let report: FileReport;
  try {
    report = await ingestFile(
      { key: file, body: readS3Object(deps.client, object.bucket, object.key) },
      {
        source: route.source,
        entity: route.entity,
        config: deps.config,
        store: new S3Store({ client: deps.client, bucket: deps.lakeBucket }),
        now: (deps.now ?? Date.now)(),
      },
    );
  } catch (e) {
    // ingestFile reports bad input itself; this is a defect, still confined to this object.
    report = failed(e, route.source);
  }
  return route.entity ? { ...report, entity: route.entity } : report;
}

/** The SQS handler over injected dependencies (tests build it against a local S3 server). */
export function makeHandler(deps: NormalizerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger({ base: { fn: 'normalizer' } });
  return async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      if (!(await handleMessage(deps, log.child({ messageId: record.messageId }), record))) {
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

/** Handles one SQS message; false when it must be retried (a file failed entirely). */
async function handleMessage(deps: NormalizerDeps, log: Logger, record: SQSRecord): Promise<boolean> {
  let content: MessageContent;
  try {
    content = parseMessage(record.body);
  } catch (e) {
    log.error('unreadable message', { error: (e as Error).message, body: record.body.slice(0, 1000) });
    return false;
  }
  if (content.kind === 'skip') {
    log.info('message skipped', { reason: content.reason });
    return true;
  }
  let ok = true;
  for (const object of content.objects) {
    if (object.key.endsWith('/')) {
      log.info('folder marker skipped', { bucket: object.bucket, key: object.key });
      continue;
    }
    const started = performance.now();
    const r = await normalizeLandedObject(deps, object);
    const line = {
      bucket: object.bucket,
      key: object.key,
      source: r.source,
      ...(r.entity ? { entity: r.entity } : {}),
      entities: r.entities,
      bytes: object.size,
      read: r.read,
      accepted: r.accepted,
      quarantined: r.quarantined,
      outputs: r.outputs.length,
      outputKeys: r.outputs,
      quarantineKey: r.quarantineKey,
      contentSha256: r.contentSha256,
      ms: Math.round(performance.now() - started),
      error: r.error,
    };
    if (r.error) {
      ok = false;
      log.error('file failed', line);
    } else {
      log.info('file ingested', line);
    }
  }
  return ok;
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
