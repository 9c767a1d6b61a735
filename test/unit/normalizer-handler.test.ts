import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../functions/adapters/s3.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { decodeS3Key, parseMessage, routeLandingKey } from '../../functions/core/ingest/landing.ts';
import { jsonLogger } from '../../functions/handlers/log.ts';
import { makeHandler } from '../../functions/handlers/normalizer.ts';
import { startS3, type TestS3 } from '../support/s3-server.ts';

let s3: TestS3;
let caseNo = 0;

beforeAll(async () => {
  s3 = await startS3(Array.from({ length: 8 }, (_, i) => [`landing-${i}`, `lake-${i}`]).flat());
});
afterAll(async () => {
  await s3?.close();
});

/** A landing and a lake bucket of their own per test, and a handler writing to that lake. */
function setup() {
  const n = caseNo++;
  const landing = `landing-${n}`;
  const lakeBucket = `lake-${n}`;
  const lines: Record<string, unknown>[] = [];
  const log = jsonLogger({ write: (l) => lines.push(JSON.parse(l)) });
  const handler = makeHandler({
    client: s3.client,
    lakeBucket,
    config: defaultConfig(),
    log,
    now: () => 1_717_000_000_000,
  });
  const lake = new S3Store({ client: s3.client, bucket: lakeBucket });
  return { landing, lake, handler, lines };
}

/** S3 writes notification keys form-encoded: UTF-8 percent-encoding, spaces as `+`, `/` kept. */
function s3EncodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%20/g, '+'))
    .join('/');
}

/** An S3 ObjectCreated notification as S3 sends it to SQS. */
function s3Notification(bucket: string, key: string, size: number): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2024-05-29T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '203.0.113.7' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'landing-created',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: s3EncodeKey(key),
            size,
            eTag: 'd41d8cd98f00b204e9800998ecf8427e',
            sequencer: '0055AED6DCD90281E5',
          },
        },
      },
    ],
  });
}

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1717000000000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1717000000001',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:servicepulse-landing',
    awsRegion: 'us-east-1',
  };
}

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

async function land(bucket: string, key: string, body: Uint8Array | string): Promise<number> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  return bytes.length;
}

async function keys(store: S3Store, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out.sort();
}

async function readParquet(store: S3Store, key: string): Promise<Record<string, unknown>[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.read(key)) chunks.push(c);
  const buf = Buffer.concat(chunks);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

const CALLS_HEADER =
  'call_id,direction,queue,agent_id,customer_id,started_at,answered_at,ended_at,outcome,talk_seconds,hold_seconds,acw_seconds,transferred,initial_call_id,cost';
const GOOD_CALLS = [
  CALLS_HEADER,
  'c-1,inbound,پشتیبانی,a-7,مشتری-۱,2024-05-01T08:00:00Z,2024-05-01T08:00:15Z,2024-05-01T08:05:00Z,answered,270,15,30,false,,0.12',
  'c-2,inbound,پشتیبانی,,مشتری-۲,2024-05-01T09:00:00Z,,2024-05-01T09:01:00Z,abandoned,,,,no,,',
  'c-3,outbound,sales,a-8,c-99,2024-05-02T10:00:00Z,2024-05-02T10:00:05Z,2024-05-02T10:03:00Z,answered,,,,1,c-1,0.3',
  'c-4,sideways,sales,a-8,c-99,2024-05-02T10:00:00Z,,2024-05-02T10:03:00Z,abandoned,,,,,,',
].join('\r\n');

describe('normalizer handler', () => {
  it('fails only the message whose file is unreadable; the good file lands as Parquet and quarantine', async () => {
    // Prepare
    const { landing, lake, handler, lines } = setup();
    const goodKey = 'landing/generic/calls/تماس‌های اردیبهشت ۱۴۰۳ (نسخه 2).csv';
    const badKey = 'landing/generic/tickets/bad export+1.csv.gz';
    const goodSize = await land(landing, goodKey, GOOD_CALLS);
    const badBytes = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
      Buffer.from('definitely not deflate data'),
    ]);
    const badSize = await land(landing, badKey, badBytes);
    const event = sqsEvent(
      sqsRecord('msg-bad', s3Notification(landing, badKey, badSize)),
      sqsRecord('msg-good', s3Notification(landing, goodKey, goodSize)),
    );

    // Act
    const result = await handler(event);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-bad' }]);
    const written = await keys(lake);
    const parquet = written.filter((k) => k.endsWith('.parquet'));
    expect(parquet.map((k) => k.split('/').slice(0, 3).join('/'))).toEqual([
      'lake/calls/dt=2024-05-01',
      'lake/calls/dt=2024-05-02',
    ]);
    const day1 = await readParquet(lake, parquet[0]!);
    expect(day1.map((r) => r.call_id)).toEqual(['c-1', 'c-2']);
    expect(day1[0]).toMatchObject({
      queue: 'پشتیبانی',
      customer_id: 'مشتری-۱',
      outcome: 'answered',
      talk_seconds: 270,
    });
    expect(day1[0]!._source_file).toBe(`s3://${landing}/${goodKey}`);
    expect(day1[0]!.started_at).toEqual(new Date('2024-05-01T08:00:00Z'));
    const quarantine = written.filter((k) => k.startsWith('quarantine/'));
    expect(quarantine).toHaveLength(1);
    const entries = (await lake.readText(quarantine[0]!))!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ record: 5, entity: 'calls', field: 'direction' });
    expect(written.filter((k) => k.startsWith('lake/_manifests/'))).toHaveLength(1);
    expect(written.some((k) => k.includes('tickets'))).toBe(false);
    const good = lines.find((l) => l.msg === 'file ingested');
    const bad = lines.find((l) => l.msg === 'file failed');
    expect(good).toMatchObject({
      messageId: 'msg-good',
      key: goodKey,
      read: 4,
      accepted: 3,
      quarantined: 1,
      outputs: 2,
    });
    expect(bad).toMatchObject({
      messageId: 'msg-bad',
      key: badKey,
      read: 0,
      accepted: 0,
      quarantined: 0,
      outputs: 0,
    });
    expect(String(bad?.error)).toMatch(/gzip/);
  });

  it('is idempotent: redelivering the same message replaces the objects (new generation), no duplicates', async () => {
    // Prepare
    const { landing, lake, handler } = setup();
    const key = 'landing/generic/calls/2024/05/calls export.csv';
    const size = await land(landing, key, GOOD_CALLS);
    const event = sqsEvent(sqsRecord('m-1', s3Notification(landing, key, size)));
    await handler(event);
    const first = await keys(lake);
    const firstRows = (
      await Promise.all(first.filter((k) => k.endsWith('.parquet')).map((k) => readParquet(lake, k)))
    ).flat();

    // Act
    const again = await handler(event);

    // Assess
    const second = await keys(lake);
    const secondRows = (
      await Promise.all(second.filter((k) => k.endsWith('.parquet')).map((k) => readParquet(lake, k)))
    ).flat();
    expect(again.batchItemFailures).toEqual([]);
    // The same objects under the next generation's names; the first generation is gone.
    const generation = /-[0-9a-z_]+(\.parquet|\.ndjson)$/;
    expect(second.map((k) => k.replace(generation, '$1'))).toEqual(
      first.map((k) => k.replace(generation, '$1')),
    );
    expect(second.filter((k) => first.includes(k))).toEqual(['lake/_manifests/117d7245e8d9625f.json']);
    expect(secondRows.map((r) => r.call_id)).toEqual(firstRows.map((r) => r.call_id));
    expect(secondRows).toHaveLength(3);
  });

  it('accepts NDJSON (gzipped), EventBridge-shaped and SNS-wrapped notifications', async () => {
    // Prepare
    const { landing, lake, handler } = setup();
    const ndjson = [
      {
        ticket_id: 't-1',
        created_at: '2024-05-03T07:00:00Z',
        channel: 'email',
        status: 'open',
        customer_id: 'k-1',
      },
      {
        ticket_id: 't-2',
        created_at: '2024-05-03T08:00:00Z',
        channel: 'chat',
        status: 'new',
        customer_id: '客户-2',
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const ticketsKey = 'landing/generic/tickets/درخواست‌ها.ndjson.gz';
    const surveysKey = 'landing/generic/surveys/csat 2024.ndjson';
    await land(landing, ticketsKey, gzipSync(ndjson));
    await land(
      landing,
      surveysKey,
      '{"response_id":"r-1","survey":"csat","score":5,"responded_at":"2024-05-04T12:00:00Z"}\n',
    );
    const eventBridge = JSON.stringify({
      version: '0',
      id: '17793124-05d4-b198-2fde-7ededc63b103',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '123456789012',
      time: '2024-05-29T10:00:00Z',
      region: 'us-east-1',
      resources: [`arn:aws:s3:::${landing}`],
      detail: {
        version: '0',
        bucket: { name: landing },
        object: { key: s3EncodeKey(ticketsKey), size: 100, etag: 'x', sequencer: '617f08299329d189' },
        'request-id': 'N4N7GDK58NMKJ12R',
        requester: '123456789012',
        'source-ip-address': '1.2.3.4',
        reason: 'PutObject',
      },
    });
    const sns = JSON.stringify({
      Type: 'Notification',
      MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:landing',
      Subject: 'Amazon S3 Notification',
      Message: s3Notification(landing, surveysKey, 90),
      Timestamp: '2024-05-29T10:00:00.000Z',
    });

    // Act
    const result = await handler(sqsEvent(sqsRecord('eb', eventBridge), sqsRecord('sns', sns)));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const written = (await keys(lake, 'lake/')).filter((k) => k.endsWith('.parquet'));
    expect(written.map((k) => k.split('/').slice(1, 3).join('/'))).toEqual([
      'surveys/dt=2024-05-04',
      'tickets/dt=2024-05-03',
    ]);
    const tickets = await readParquet(lake, written[1]!);
    expect(tickets.map((r) => r.customer_id)).toEqual(['k-1', '客户-2']);
    expect(tickets[0]!.type).toBe('request');
  });

  it('routes vendor sources without an entity folder (twilio call list)', async () => {
    // Prepare
    const { landing, lake, handler, lines } = setup();
    const key = 'landing/twilio/2024/05/call list page 1.json';
    const page = {
      calls: [
        {
          sid: 'CA0001',
          direction: 'inbound',
          status: 'completed',
          start_time: 'Wed, 01 May 2024 08:00:00 +0000',
          end_time: 'Wed, 01 May 2024 08:02:00 +0000',
          duration: '100',
          parent_call_sid: null,
          price: '-0.0200',
        },
      ],
      next_page_uri: null,
    };
    const size = await land(landing, key, JSON.stringify(page));

    // Act
    const result = await handler(sqsEvent(sqsRecord('tw', s3Notification(landing, key, size))));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(lines[0]).toMatchObject({
      msg: 'file ingested',
      source: 'twilio',
      read: 1,
      accepted: 1,
      entities: ['calls'],
    });
    const parquet = (await keys(lake, 'lake/calls/')).filter((k) => k.endsWith('.parquet'));
    const rows = await readParquet(lake, parquet[0]!);
    expect(rows[0]).toMatchObject({ call_id: 'CA0001', _source: 'twilio', outcome: 'answered' });
  });

  it('skips the s3:TestEvent and non-create events without failing them', async () => {
    // Prepare
    const { lake, handler, lines } = setup();
    const testEvent = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2024-05-29T10:00:00.000Z',
      Bucket: 'landing',
      RequestId: '5582815E1AEA5ADF',
      HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
    });
    const removed = s3Notification('landing', 'landing/generic/calls/x.csv', 0).replace(
      'ObjectCreated:Put',
      'ObjectRemoved:Delete',
    );

    // Act
    const result = await handler(sqsEvent(sqsRecord('test', testEvent), sqsRecord('removed', removed)));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await keys(lake)).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual(['message skipped', 'message skipped']);
  });

  it('fails a message for an unknown source, a missing object or an unreadable body, with a clear log line', async () => {
    // Prepare
    const { landing, lake, handler, lines } = setup();
    const unknownKey = 'landing/salesforce/cases/x.csv';
    await land(landing, unknownKey, 'a,b\n1,2\n');

    // Act
    const result = await handler(
      sqsEvent(
        sqsRecord('unknown', s3Notification(landing, unknownKey, 8)),
        sqsRecord('missing', s3Notification(landing, 'landing/generic/calls/gone.csv', 8)),
        sqsRecord('garbage', 'this is not json'),
      ),
    );

    // Assess
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['unknown', 'missing', 'garbage']);
    expect(await keys(lake)).toEqual([]);
    expect(lines.find((l) => l.messageId === 'unknown')).toMatchObject({
      level: 'error',
      msg: 'file failed',
      error: expect.stringMatching(/unknown source "salesforce"/),
    });
    expect(lines.find((l) => l.messageId === 'missing')?.error).toMatch(/no such object/);
    expect(lines.find((l) => l.messageId === 'garbage')).toMatchObject({
      level: 'error',
      msg: 'unreadable message',
    });
  });
});

describe('landing keys', () => {
  it('decodes S3 notification keys (form encoding, UTF-8)', () => {
    // Prepare
    const key = 'landing/generic/calls/تماس ها+1 (a).csv';

    // Act
    const decoded = decodeS3Key(s3EncodeKey(key));

    // Assess
    expect(decoded).toBe(key);
    expect(decodeS3Key('landing/generic/calls/a+b%2Bc.csv')).toBe('landing/generic/calls/a b+c.csv');
  });

  it('routes keys by the landing layout', () => {
    // Prepare / Act / Assess
    expect(routeLandingKey('landing/generic/calls/x.csv')).toEqual({ source: 'generic', entity: 'calls' });
    expect(routeLandingKey('landing/generic/calls/2024/05/x.csv')).toEqual({
      source: 'generic',
      entity: 'calls',
    });
    expect(routeLandingKey('landing/generic/surveys-2024.csv')).toEqual({ source: 'generic' });
    expect(routeLandingKey('landing/zendesk/2024-05/tickets.json')).toEqual({ source: 'zendesk' });
    expect(routeLandingKey('landing/amazon-connect/ctr.json')).toEqual({ source: 'amazon-connect' });
    expect(() => routeLandingKey('landing/generic/widgets/x.csv')).toThrow(/unknown entity folder "widgets"/);
    expect(() => routeLandingKey('landing/salesforce/x.csv')).toThrow(/unknown source "salesforce"/);
    expect(() => routeLandingKey('uploads/generic/calls/x.csv')).toThrow(/landing layout/);
  });

  it('parses message bodies of each shape', () => {
    // Prepare
    const body = s3Notification('b', 'landing/generic/calls/a b.csv', 12);

    // Act
    const parsed = parseMessage(body);

    // Assess
    expect(parsed).toEqual({
      kind: 'objects',
      objects: [{ bucket: 'b', key: 'landing/generic/calls/a b.csv', size: 12 }],
    });
    expect(() => parseMessage('{"hello":1}')).toThrow(/not an S3 notification/);
  });
});
