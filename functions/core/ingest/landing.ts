/**
 * Landed objects: S3 "object created" notifications (as the normalizer Lambda receives them
 * through SQS) read and routed by the landing key layout, and each landed object normalized into
 * the lake by the `ingestFile` use case. Pure: the bytes come in and the outputs go out through
 * ports, so the module knows S3's event shapes but not the AWS SDK.
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
 * Re-delivery is safe: outputs are named after the source key, so ingesting the same object again
 * replaces its outputs instead of adding to them.
 */
import { z } from 'zod';
import type { Config } from '../config.ts';
import { ENTITIES, type Entity, isEntity } from '../contracts.ts';
import type { Log } from '../log.ts';
import type { ObjectStore } from '../ports.ts';
import { type FileReport, ingestFile } from './normalize.ts';
import { isSource, SOURCES, type SourceName } from './sources.ts';
import './vendors.ts'; // registers zendesk, freshdesk, amazon-connect, twilio

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

// The shapes a message body can take. Each schema reads only what routing needs; S3 sends more.
/** SNS around the S3 notification (a topic fanning out to the queue). */
const SnsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string() });
/** What S3 sends once when notifications are configured. */
const S3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });
/** S3's own notification: records of any event type; only ObjectCreated ones are read. */
const S3Notification = z.object({ Records: z.array(z.unknown()) });
const S3EventType = z.object({ eventSource: z.string(), eventName: z.string() });
/** The bucket and object of a created-object record (S3) or `detail` (EventBridge). */
const S3ObjectRef = z
  .object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional().catch(undefined) }),
  })
  .transform(
    (r): LandedObject => ({
      bucket: r.bucket.name,
      key: decodeS3Key(r.object.key),
      ...(r.object.size !== undefined ? { size: r.object.size } : {}),
    }),
  );
const S3CreatedRecord = z.object({ s3: S3ObjectRef }).transform((r) => r.s3);
/** S3 events routed through EventBridge to the queue. */
const EventBridgeS3Event = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  detail: z.unknown(),
});

function landedObject(schema: z.ZodType<LandedObject>, value: unknown): LandedObject {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error('notification without bucket or key');
  return parsed.data;
}

function isObjectCreated(record: unknown): boolean {
  const r = S3EventType.safeParse(record);
  return r.success && r.data.eventSource === 'aws:s3' && r.data.eventName.startsWith('ObjectCreated:');
}

/** Reads an SQS message body: an S3 notification, an SNS envelope around one, or an EventBridge event. */
export function parseMessage(body: string): MessageContent {
  let msg: unknown = JSON.parse(body);
  const sns = SnsEnvelope.safeParse(msg);
  if (sns.success) msg = JSON.parse(sns.data.Message);
  if (S3TestEvent.safeParse(msg).success) return { kind: 'skip', reason: 's3:TestEvent' };
  const notification = S3Notification.safeParse(msg);
  if (notification.success) {
    const records = notification.data.Records;
    const created = records.filter(isObjectCreated);
    if (created.length === 0) {
      const names = records.map((r) => (r as { eventName?: unknown } | null)?.eventName ?? '');
      return { kind: 'skip', reason: `no ObjectCreated record (${names.join(', ')})` };
    }
    return { kind: 'objects', objects: created.map((r) => landedObject(S3CreatedRecord, r)) };
  }
  const bridged = EventBridgeS3Event.safeParse(msg);
  if (bridged.success) {
    const type = bridged.data['detail-type'];
    if (type !== 'Object Created') return { kind: 'skip', reason: `EventBridge ${type}` };
    return { kind: 'objects', objects: [landedObject(S3ObjectRef, bridged.data.detail)] };
  }
  throw new Error('not an S3 notification, SNS envelope or EventBridge S3 event');
}

/** What normalizing a landed object needs: the landing side to read from, the lake to write to. */
export interface LandingPorts {
  /** The object's identity in reports and lineage (`s3://bucket/key`). */
  locate(object: LandedObject): string;
  /** Streams the object's bytes; throws NotFoundError when it is gone. */
  read(object: LandedObject): AsyncIterable<Uint8Array>;
  /** Where the lake, quarantine and manifests are written. */
  store: ObjectStore;
  config: Config;
  /** Clock for `_ingested_at`; default Date.now. */
  now?: () => number;
}

/**
 * Use case: normalize one landed object into the lake. Never throws; the report carries any error.
 *
 * Primary course:
 *  1. route the key by the landing layout (source, and the entity of a generic file);
 *  2. ingest the object: stream it from the landing side, outputs into the lake store;
 *  3. report the counts, with the entity the key named.
 */
export async function normalizeLandedObject(
  ports: LandingPorts,
  object: LandedObject,
): Promise<FileReport & { entity?: Entity }> {
  const file = ports.locate(object);
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
      { key: file, body: ports.read(object), reopen: () => ports.read(object) },
      {
        source: route.source,
        entity: route.entity,
        config: ports.config,
        store: ports.store,
        now: (ports.now ?? Date.now)(),
      },
    );
  } catch (e) {
    // ingestFile reports bad input itself; this is a defect, still confined to this object.
    report = failed(e, route.source);
  }
  return route.entity ? { ...report, entity: route.entity } : report;
}

/** The log line of one normalized file (CloudWatch Logs Insights reads its fields). */
function fileLine(object: LandedObject, r: FileReport & { entity?: Entity }, ms: number) {
  return {
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
    ms,
    error: r.error,
  };
}

/**
 * Use case: ingest what one queue message says landed. Returns false when the message must be
 * delivered again (it was unreadable, or a file failed entirely); one bad object never stops the
 * others.
 *
 * Primary course:
 *  1. parse the body: an S3 notification (also wrapped in SNS, or EventBridge-shaped); the
 *     `s3:TestEvent` S3 sends when notifications are set up, and non-create events, are skipped;
 *  2. URL-decode each key (S3 writes it form-encoded: spaces as `+`); folder markers are skipped;
 *  3. normalize each object (route by the layout, ingest into the lake);
 *  4. log one line per file with its counts (`file ingested`, or `file failed` with the error).
 */
export async function ingestLandedMessage(
  ports: LandingPorts,
  body: string,
  log: Pick<Log, 'info' | 'error'>,
): Promise<boolean> {
  let content: MessageContent;
  try {
    content = parseMessage(body);
  } catch (e) {
    log.error('unreadable message', { error: (e as Error).message, body: body.slice(0, 1000) });
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
    const report = await normalizeLandedObject(ports, object);
    const line = fileLine(object, report, Math.round(performance.now() - started));
    if (report.error) {
      ok = false;
      log.error('file failed', line);
    } else {
      log.info('file ingested', line);
    }
  }
  return ok;
}
