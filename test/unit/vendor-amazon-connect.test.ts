import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { amazonConnectMapping } from '../../functions/core/ingest/amazon-connect.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { decodeRecords } from '../../functions/core/ingest/records.ts';
import type { MappedRecord } from '../../functions/core/ingest/sources.ts';
import '../../functions/core/ingest/vendors.ts';

const sample = (name: string) =>
  readFileSync(new URL(`../fixtures/vendor/amazon-connect/${name}`, import.meta.url), 'utf8');

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function mapText(fileName: string, text: string): Promise<MappedRecord[]> {
  const out: MappedRecord[] = [];
  for await (const m of amazonConnectMapping.map(decodeRecords(bytes(text), fileName), {
    fileName,
    sourceTimezone: 'UTC',
  })) {
    out.push(m);
  }
  return out;
}

const summary = (ms: MappedRecord[]) =>
  ms.map((m) => ({ no: m.no, ...(m.row ? { row: m.row } : { error: m.error }) }));

const CONTACT = '6fe40d2a-1a89-4d73-bfcf-5d9c33894f47';
const ROW_CTR1 = {
  call_id: CONTACT,
  direction: 'inbound',
  queue: 'TCC Refrig AC LLA',
  agent_id: 'Steve.Lusk',
  customer_id: '+190011112222',
  started_at: '2022-01-05T17:14:46Z', // Queue.EnqueueTimestamp, not InitiationTimestamp (17:12:59)
  answered_at: '2022-01-05T17:20:32Z',
  ended_at: '2022-01-05T17:47:28Z',
  outcome: 'answered',
  talk_seconds: 239,
  hold_seconds: 221,
  acw_seconds: 5,
  transferred: true, // TransferredToEndpoint +18002430000
};
const duplicate = (winnerNo: number, lut: string) => ({
  field: 'ContactId',
  reason: `duplicate delivery of contact ${CONTACT}: superseded by record ${winnerNo} (LastUpdateTimestamp ${lut}) in this file`,
});

// Hand-made CTRs for what no published record shows, in the 2017-03-10 format.
function ctr(over: Record<string, unknown>): Record<string, unknown> {
  return {
    AWSAccountId: '123456789012',
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    Agent: null,
    AgentConnectionAttempts: 0,
    Attributes: {},
    Channel: 'VOICE',
    ContactId: 'c0000000-0000-4000-8000-000000000000',
    CustomerEndpoint: { Address: '+60123456789', Type: 'TELEPHONE_NUMBER' },
    DisconnectReason: 'CUSTOMER_DISCONNECT',
    DisconnectTimestamp: '2024-03-20T09:01:10Z',
    InitialContactId: null,
    InitiationMethod: 'INBOUND',
    InitiationTimestamp: '2024-03-20T09:00:00Z',
    LastUpdateTimestamp: '2024-03-20T09:02:00Z',
    NextContactId: null,
    PreviousContactId: null,
    Queue: null,
    SystemEndpoint: { Address: '+60322222222', Type: 'TELEPHONE_NUMBER' },
    TransferCompletedTimestamp: null,
    TransferredToEndpoint: null,
    ...over,
  };
}
const queue = (enqueued: string, dequeued: string) => ({
  ARN: 'arn:aws:connect:ap-southeast-1:123456789012:instance/x/queue/q1',
  DequeueTimestamp: dequeued,
  Duration: (Date.parse(dequeued) - Date.parse(enqueued)) / 1000,
  EnqueueTimestamp: enqueued,
  Name: 'Billing',
});
const ABANDONED = ctr({
  ContactId: 'a0000000-0000-4000-8000-000000000001',
  Queue: queue('2024-03-20T09:00:20Z', '2024-03-20T09:01:10Z'),
});
const NEVER_QUEUED = ctr({
  ContactId: 'b0000000-0000-4000-8000-000000000002',
  DisconnectTimestamp: '2024-03-20T09:00:45Z',
});
const CHAT = ctr({ ContactId: 'd0000000-0000-4000-8000-000000000004', Channel: 'CHAT' });
const MONITOR = ctr({ ContactId: 'e0000000-0000-4000-8000-000000000005', InitiationMethod: 'MONITOR' });
const CALLBACK_ORIGINAL = ctr({
  ContactId: 'f0000000-0000-4000-8000-000000000006',
  Queue: queue('2024-03-20T10:00:10Z', '2024-03-20T10:02:00Z'),
  DisconnectTimestamp: '2024-03-20T10:02:00Z',
});
const CALLBACK = ctr({
  ContactId: 'f0000000-0000-4000-8000-000000000007',
  InitiationMethod: 'CALLBACK',
  InitiationTimestamp: '2024-03-20T10:02:00Z',
  InitialContactId: 'f0000000-0000-4000-8000-000000000006',
  PreviousContactId: 'f0000000-0000-4000-8000-000000000006',
  Queue: queue('2024-03-20T10:03:39Z', '2024-03-20T10:04:00Z'),
  Agent: {
    Username: 'siti.aminah',
    ConnectedToAgentTimestamp: '2024-03-20T10:04:00Z',
    AgentInteractionDuration: 180,
    CustomerHoldDuration: 0,
    AfterContactWorkDuration: 30,
  },
  DisconnectTimestamp: '2024-03-20T10:07:25Z',
});

describe('amazon-connect mapping: real contact records', () => {
  it('maps the answered, held and externally transferred inbound call exactly', async () => {
    // Prepare
    const text = sample('ctr-1-inbound-answered-transferred-external.json');

    // Act
    const out = await mapText('ctr-1.json', text);

    // Assess
    expect(summary(out)).toEqual([{ no: 1, row: ROW_CTR1 }]);
  });

  it('keeps the latest of six deliveries and accounts for the other five as duplicates', async () => {
    // Prepare: 3 pairs of exact copies with 3 LastUpdateTimestamps
    const text = sample('ctr-1c-redelivery-batch-6-copies.json');

    // Act
    const out = await mapText('ctr-1c.json', text);

    // Assess: records 5 and 6 share the latest time; the first of them wins
    const lut = '2022-01-11T04:09:47Z';
    expect(summary(out)).toEqual([
      { no: 1, error: duplicate(5, lut) },
      { no: 2, error: duplicate(5, lut) },
      { no: 3, error: duplicate(5, lut) },
      { no: 4, error: duplicate(5, lut) },
      { no: 5, row: ROW_CTR1 },
      { no: 6, error: duplicate(5, lut) },
    ]);
    expect(out[0]?.raw).toEqual({ ContactId: CONTACT, LastUpdateTimestamp: '2022-01-05T17:48:35Z' });
  });

  it('lets a later redelivery win even when it comes first in a Firehose batch (objects back to back)', async () => {
    // Prepare
    const text = `${sample('ctr-1b-same-contact-redelivered-attr-update.json').trim()}${sample('ctr-1-inbound-answered-transferred-external.json').trim()}`;

    // Act
    const out = await mapText('firehose-batch', text);

    // Assess
    expect(summary(out)).toEqual([
      { no: 1, row: ROW_CTR1 },
      { no: 2, error: duplicate(1, '2022-01-11T04:09:47Z') },
    ]);
  });
});

describe('amazon-connect mapping: outcomes', () => {
  it('maps abandoned, never-queued, callback and non-call contacts', async () => {
    // Prepare
    const text = [ABANDONED, NEVER_QUEUED, CHAT, MONITOR, CALLBACK_ORIGINAL, CALLBACK]
      .map((c) => JSON.stringify(c))
      .join('');

    // Act
    const out = await mapText('firehose-batch', text);

    // Assess
    expect(summary(out)).toEqual([
      {
        no: 1,
        row: {
          call_id: 'a0000000-0000-4000-8000-000000000001',
          direction: 'inbound',
          queue: 'Billing',
          customer_id: '+60123456789',
          started_at: '2024-03-20T09:00:20Z',
          ended_at: '2024-03-20T09:01:10Z',
          outcome: 'abandoned',
          transferred: false,
        },
      },
      {
        no: 2,
        row: {
          call_id: 'b0000000-0000-4000-8000-000000000002',
          direction: 'inbound',
          customer_id: '+60123456789',
          started_at: '2024-03-20T09:00:00Z',
          ended_at: '2024-03-20T09:00:45Z',
          outcome: 'blocked', // never reached a queue: not offered
          transferred: false,
        },
      },
      {
        no: 3,
        error: {
          field: 'Channel',
          reason: 'not a call: contact d0000000-0000-4000-8000-000000000004 is a CHAT contact',
        },
      },
      {
        no: 4,
        error: {
          field: 'InitiationMethod',
          reason: 'not a customer call: MONITOR is a supervisor monitoring a call',
        },
      },
      {
        no: 5,
        row: {
          call_id: 'f0000000-0000-4000-8000-000000000006',
          direction: 'inbound',
          queue: 'Billing',
          customer_id: '+60123456789',
          started_at: '2024-03-20T10:00:10Z',
          ended_at: '2024-03-20T10:02:00Z',
          outcome: 'callback', // the callback contact below names it as its previous contact
          transferred: false,
        },
      },
      {
        no: 6,
        row: {
          call_id: 'f0000000-0000-4000-8000-000000000007',
          direction: 'outbound',
          queue: 'Billing',
          agent_id: 'siti.aminah',
          customer_id: '+60123456789',
          started_at: '2024-03-20T10:03:39Z',
          answered_at: '2024-03-20T10:04:00Z',
          ended_at: '2024-03-20T10:07:25Z',
          outcome: 'answered',
          talk_seconds: 180,
          hold_seconds: 0,
          acw_seconds: 30,
          transferred: false,
          initial_call_id: 'f0000000-0000-4000-8000-000000000006',
        },
      },
    ]);
  });

  it('leaves an enqueued contact abandoned when its callback is not in the same file, and an unconnected outbound no_answer', async () => {
    // Prepare
    const outbound = ctr({
      ContactId: 'o1',
      InitiationMethod: 'OUTBOUND',
      CustomerEndpoint: { Address: '+60199999999' },
    });
    const text = [CALLBACK_ORIGINAL, outbound].map((c) => JSON.stringify(c)).join('\n');

    // Act
    const out = await mapText('batch.json', text);

    // Assess
    expect(out.map((m) => [m.row?.call_id, m.row?.direction, m.row?.outcome])).toEqual([
      ['f0000000-0000-4000-8000-000000000006', 'inbound', 'abandoned'],
      ['o1', 'outbound', 'no_answer'],
    ]);
  });
});

describe('amazon-connect ingest end to end', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('ingests a Firehose batch with a redelivery: read = accepted + quarantined', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'sp-connect-'));
    dirs.push(dir);
    await mkdir(join(dir, 'landing'));
    const file = join(dir, 'landing', 'connect-ctr-2024-03-20-09-00');
    const body = [
      sample('ctr-1-inbound-answered-transferred-external.json').trim(),
      sample('ctr-1b-same-contact-redelivered-attr-update.json').trim(),
      JSON.stringify(ABANDONED),
      JSON.stringify(NEVER_QUEUED),
      JSON.stringify(CHAT),
    ].join('');
    await writeFile(file, body);
    const store = new FileSystemStore(join(dir, 'home'));

    // Act
    const report = await ingestFile(
      { key: file, body: createReadStream(file) },
      { source: 'amazon-connect', config: defaultConfig(), store },
    );

    // Assess
    expect(report.error).toBeUndefined();
    expect({ read: report.read, accepted: report.accepted, quarantined: report.quarantined }).toEqual({
      read: 5,
      accepted: 3,
      quarantined: 2,
    });
    expect(report.read).toBe(report.accepted + report.quarantined);
    expect(report.outputs.map((k) => k.split('/').slice(0, 3).join('/')).sort()).toEqual([
      'lake/calls/dt=2022-01-05',
      'lake/calls/dt=2024-03-20',
    ]);
    const quarantine = (await store.readText(report.quarantineKey!))!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: number; field: string; reason: string });
    expect(quarantine.map((q) => [q.record, q.field, q.reason.split(':')[0]])).toEqual([
      [1, 'ContactId', `duplicate delivery of contact ${CONTACT}`],
      [5, 'Channel', 'not a call'],
    ]);
  });
});
