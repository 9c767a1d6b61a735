import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { decodeRecords } from '../../functions/core/ingest/records.ts';
import type { MappedRecord } from '../../functions/core/ingest/sources.ts';
import { twilioMapping } from '../../functions/core/ingest/twilio.ts';
import '../../functions/core/ingest/vendors.ts';

const samplePath = (name: string) => new URL(`../fixtures/vendor/twilio/${name}`, import.meta.url);
const sample = (name: string) => readFileSync(samplePath(name), 'utf8');

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function mapText(fileName: string, text: string): Promise<MappedRecord[]> {
  const out: MappedRecord[] = [];
  for await (const m of twilioMapping.map(decodeRecords(bytes(text), fileName), {
    fileName,
    sourceTimezone: 'UTC',
  })) {
    out.push(m);
  }
  return out;
}

const rowsOf = async (name: string) => (await mapText(name, sample(name))).map((m) => m.row ?? m.error);

// SDK fixture, outbound-api: answered_by machine_start (answering-machine detection) → voicemail.
const ROW_CALL_1 = {
  call_id: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  direction: 'outbound',
  customer_id: '+13051913581', // `to` of an outbound call
  started_at: '2019-10-18T17:02:00.000Z',
  ended_at: '2019-10-18T17:03:00.000Z',
  outcome: 'voicemail',
  initial_call_id: 'CAdeadbeefdeadbeefdeadbeefdeadbeef',
  cost: 0.2, // |"-0.200"|
};
const ROW_CALL_2 = {
  call_id: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  direction: 'inbound',
  customer_id: '+14158675308', // `from` of an inbound call
  started_at: '2010-08-31T20:36:29.000Z',
  answered_at: '2010-08-31T20:36:29.000Z', // end 20:36:44 − 15 s
  ended_at: '2010-08-31T20:36:44.000Z',
  outcome: 'answered',
  talk_seconds: 15,
  cost: 0.03,
};
const ROW_CALL_4 = {
  call_id: 'CA630cc72be341dc7bee221d88a9ca237c',
  direction: 'outbound',
  customer_id: '+14156236785',
  started_at: '2023-03-15T11:46:11.000Z',
  ended_at: '2023-03-15T11:46:33.000Z',
  outcome: 'no_answer', // busy
};
const ROW_CALL_5 = {
  call_id: 'CA7b08148666a4d91a2cbfa335b92ddf5c',
  direction: 'outbound',
  customer_id: '+14156236785',
  started_at: '2023-03-15T11:46:13.000Z', // queue_time 6000 ms is Twilio's dialing queue, not a wait
  ended_at: '2023-03-15T11:46:39.000Z',
  outcome: 'no_answer',
};
const ROW_CALL_6 = {
  call_id: 'CAd6d69b48d5dd857fc0c8640234e3f6fc',
  direction: 'inbound',
  customer_id: '+19125503157',
  started_at: '2023-04-03T20:03:51.000Z',
  answered_at: '2023-04-03T20:03:51.000Z',
  ended_at: '2023-04-03T20:04:23.000Z',
  outcome: 'answered',
  talk_seconds: 32,
  cost: 0.0085,
};

// A hand-made CSV with the resource's fields as title-case headers and RFC 2822 dates.
const CSV = [
  'Call Sid,Parent Call Sid,Date Created,Start Time,End Time,Direction,From,To,Status,Duration,Price,Price Unit,Answered By',
  'CA01,,"Wed, 20 Mar 2024 09:00:00 +0000","Wed, 20 Mar 2024 09:00:01 +0000","Wed, 20 Mar 2024 09:05:01 +0000",inbound,+60111111111,+60322222222,completed,290,-0.01500,USD,',
  'CA02,CA01,"Wed, 20 Mar 2024 09:00:05 +0000","Wed, 20 Mar 2024 09:00:05 +0000","Wed, 20 Mar 2024 17:00:35 +0800",outbound-dial,+60322222222,+60133333333,no-answer,0,,USD,',
  'CA03,,"Wed, 20 Mar 2024 10:00:00 +0000",,,outbound-api,+60322222222,+60144444444,failed,,,USD,',
  'CA04,,"Wed, 20 Mar 2024 11:00:00 +0000","Wed, 20 Mar 2024 11:00:00 +0000",,inbound,+60155555555,+60322222222,in-progress,,,USD,',
].join('\n');

describe('twilio mapping: real call resources', () => {
  it('maps the SDK fixtures (RFC 2822 dates, numbers as strings)', async () => {
    // Prepare
    const files = [
      'call-1-sdkfixture-fetch-completed-outbound-api.json',
      'call-2-sdkfixture-create-inbound-2010.json',
      'call-3-sdkfixture-cancel-canceled.json',
    ];

    // Act
    const rows = await Promise.all(files.map(rowsOf));

    // Assess
    expect(rows).toEqual([
      [ROW_CALL_1],
      [ROW_CALL_2],
      [
        {
          call_id: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          direction: 'inbound',
          customer_id: '+14158675308',
          started_at: '2010-08-31T20:36:29.000Z',
          ended_at: '2010-08-31T20:36:44.000Z',
          outcome: 'abandoned', // an inbound call canceled before it was answered
          cost: 0.03,
        },
      ],
    ]);
  });

  it('maps the list page envelope', async () => {
    // Prepare
    const name = 'call-list-sdkfixture-page1-outbound-and-inbound.json';

    // Act
    const out = await mapText(name, sample(name));

    // Assess
    expect(out.map((m) => ({ no: m.no, row: m.row }))).toEqual([
      { no: 1, row: ROW_CALL_1 },
      {
        no: 2,
        row: {
          call_id: 'CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0',
          direction: 'inbound',
          customer_id: '+13051416798',
          started_at: '2019-10-18T16:02:00.000Z',
          answered_at: '2019-10-18T16:02:57.000Z', // end 16:03:00 − 3 s
          ended_at: '2019-10-18T16:03:00.000Z',
          outcome: 'answered',
          talk_seconds: 3,
          initial_call_id: 'CAdeadbeefdeadbeefdeadbeefdeadbeee',
          cost: 0.1,
        },
      },
    ]);
  });

  it('maps Airbyte records (ISO dates, JSON numbers) like the single-record files', async () => {
    // Prepare
    const names = [
      'airbyte-expected-records-calls-excerpt.jsonl',
      'call-4-airbyte-busy-outbound-api.json',
      'call-5-airbyte-busy-outbound-api-queue_time-6000.json',
      'call-6-airbyte-completed-inbound-32s.json',
    ];

    // Act
    const rows = await Promise.all(names.map(rowsOf));

    // Assess
    expect(rows).toEqual([[ROW_CALL_4, ROW_CALL_5, ROW_CALL_6], [ROW_CALL_4], [ROW_CALL_5], [ROW_CALL_6]]);
  });
});

describe('twilio mapping: CSV and statuses', () => {
  it('maps a CSV with title-case headers; a call still in progress is rejected', async () => {
    // Prepare
    const text = CSV;

    // Act
    const out = await mapText('calls.csv', text);

    // Assess
    expect(out.map((m) => ({ no: m.no, ...(m.row ? { row: m.row } : { error: m.error }) }))).toEqual([
      {
        no: 2,
        row: {
          call_id: 'CA01',
          direction: 'inbound',
          customer_id: '+60111111111',
          started_at: '2024-03-20T09:00:01.000Z',
          answered_at: '2024-03-20T09:00:11.000Z', // 09:05:01 − 290 s
          ended_at: '2024-03-20T09:05:01.000Z',
          outcome: 'answered',
          talk_seconds: 290,
          cost: 0.015,
        },
      },
      {
        no: 3,
        row: {
          call_id: 'CA02',
          direction: 'outbound',
          customer_id: '+60133333333',
          started_at: '2024-03-20T09:00:05.000Z',
          ended_at: '2024-03-20T09:00:35.000Z', // 17:00:35 +0800
          outcome: 'no_answer',
          initial_call_id: 'CA01',
        },
      },
      {
        no: 4,
        row: {
          call_id: 'CA03',
          direction: 'outbound',
          customer_id: '+60144444444',
          started_at: '2024-03-20T10:00:00.000Z', // never dialed: date_created
          ended_at: '2024-03-20T10:00:00.000Z',
          outcome: 'blocked', // failed
        },
      },
      {
        no: 5,
        error: { field: 'status', reason: 'call CA04 is still in-progress: only finished calls are counted' },
      },
    ]);
  });

  it('rejects unreadable dates, unknown directions and records of other streams', async () => {
    // Prepare
    const call = JSON.parse(sample('call-2-sdkfixture-create-inbound-2010.json'));
    const lines = [
      { ...call, end_time: '31/08/2010 20:36' },
      { ...call, direction: 'sideways' },
      { stream: 'recordings', data: { sid: 'RE1' }, emitted_at: 1 },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');

    // Act
    const out = await mapText('calls.jsonl', lines);

    // Assess
    expect(out.map((m) => m.error)).toEqual([
      { field: 'end_time', reason: 'not an RFC 2822 or ISO-8601 timestamp: "31/08/2010 20:36"' },
      {
        field: 'direction',
        reason: 'unknown call direction "sideways" of call CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      },
      { field: '(record)', reason: 'not a Twilio call (stream recordings)' },
    ]);
  });
});

describe('twilio ingest end to end', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('ingests the real list page and the CSV: read = accepted + quarantined', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'sp-twilio-'));
    dirs.push(dir);
    await mkdir(join(dir, 'landing'));
    const csv = join(dir, 'landing', 'calls.csv');
    await writeFile(csv, CSV);
    const page = samplePath('call-list-sdkfixture-page1-outbound-and-inbound.json').pathname;
    const store = new FileSystemStore(join(dir, 'home'));
    const options = { source: 'twilio' as const, config: defaultConfig(), store };

    // Act
    const pageReport = await ingestFile({ key: page, body: createReadStream(page) }, options);
    const csvReport = await ingestFile({ key: csv, body: createReadStream(csv) }, options);

    // Assess
    expect([pageReport, csvReport].map((r) => [r.error, r.read, r.accepted, r.quarantined])).toEqual([
      [undefined, 2, 2, 0],
      [undefined, 4, 3, 1],
    ]);
    for (const r of [pageReport, csvReport]) expect(r.read).toBe(r.accepted + r.quarantined);
    expect(pageReport.outputs).toEqual([expect.stringMatching(/^lake\/calls\/dt=2019-10-18\//)]);
  });
});
