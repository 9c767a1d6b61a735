import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { validateConfig } from '../../functions/core/config.ts';
import { freshdeskMapping } from '../../functions/core/ingest/freshdesk.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { decodeRecords } from '../../functions/core/ingest/records.ts';
import type { MappedRecord } from '../../functions/core/ingest/sources.ts';
import '../../functions/core/ingest/vendors.ts';

const sample = (name: string) =>
  readFileSync(new URL(`../fixtures/vendor/freshdesk/${name}`, import.meta.url), 'utf8');

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function mapText(fileName: string, text: string, sourceTimezone = 'UTC'): Promise<MappedRecord[]> {
  const out: MappedRecord[] = [];
  for await (const m of freshdeskMapping.map(decodeRecords(bytes(text), fileName), {
    fileName,
    sourceTimezone,
  })) {
    out.push(m);
  }
  return out;
}

const summary = (ms: MappedRecord[]) =>
  ms.map((m) => ({ no: m.no, ...(m.row ? { row: m.row } : { error: m.error }) }));

const ROW_18 = {
  ticket_id: '18',
  created_at: '2020-10-22T02:37:13Z',
  updated_at: '2022-05-26T21:26:52Z',
  channel: 'email',
  type: 'question',
  priority: 'normal',
  status: 'open',
  customer_id: '67038833126',
  team: '67000259997',
  due_at: '2022-05-26T21:25:35Z',
  escalated: true,
  reopens: 0,
};
const ROW_21 = {
  ticket_id: '21',
  created_at: '2022-11-16T15:59:28Z',
  updated_at: '2022-11-16T15:59:28Z',
  channel: 'email',
  priority: 'low',
  status: 'closed',
  customer_id: '67042965499',
  agent_id: '67013469919',
  due_at: '2022-11-19T15:59:28Z',
  escalated: false,
  // outbound e-mail: the agent's message is the first response, at creation
  first_response_at: '2022-11-16T15:59:28Z',
  resolved_at: '2022-11-16T15:59:28Z',
  closed_at: '2022-11-16T15:59:28Z',
  reopens: 0,
};
const ROW_22 = {
  ticket_id: '22',
  created_at: '2022-11-16T16:03:17Z',
  updated_at: '2022-11-16T16:17:05Z',
  channel: 'phone',
  type: 'incident',
  priority: 'low',
  status: 'pending',
  customer_id: '67032849498',
  agent_id: '67013469919',
  due_at: '2022-11-19T16:03:17Z',
  escalated: false,
  first_response_at: '2022-11-16T16:16:58Z',
  reopens: 0,
};
const ROW_23 = {
  ticket_id: '23',
  created_at: '2022-11-22T15:00:34Z',
  updated_at: '2022-11-22T15:02:37Z',
  channel: 'email',
  priority: 'low',
  status: 'closed',
  customer_id: '67042965499',
  agent_id: '67013469919',
  due_at: '2022-11-25T15:00:34Z',
  escalated: false,
  first_response_at: '2022-11-22T15:00:34Z',
  resolved_at: '2022-11-22T15:00:34Z',
  closed_at: '2022-11-22T15:00:34Z',
  reopens: 0,
};

// A hand-made ticket CSV export (no published one was found): local times without offset.
const CSV_EXPORT = [
  'Ticket ID,Subject,Status,Priority,Source,Type,Agent,Group,Created time,Due by Time,Resolved time,Closed time,Last update time,Initial response time,Agent interactions,Customer interactions,Requester Email,Contact ID',
  '101,"Refund, please",Closed,Medium,Email,Refund,Ali Rezaei,Billing,2024-03-20 09:15:00,2024-03-21 09:15:00,2024-03-20 11:00:00,2024-03-22 11:05:00,2024-03-22 11:05:00,2024-03-20 09:45:10,2,1,ali@example.com,5001',
  '102,سفارش من نرسید,Waiting on Customer,Urgent,Chat,Complaint,,پشتیبانی,2024-03-20 10:00:00,,,,2024-03-20 10:30:00,,0,1,sara@example.com,',
  '103,Outbound follow-up,Closed,Low,Outbound Email,,Ali Rezaei,,2024-03-21 08:00:00,,,,2024-03-21 08:00:00,,1,0,,5003',
  '104,Broken,Resolved,High,Phone,Problem,,,2024-03-21 09:00:00,,,,2024-03-21 10:00:00,,,,,5004',
].join('\r\n');

describe('freshdesk mapping: API v2 tickets (real records)', () => {
  it('maps the four Airbyte ticket lines exactly', async () => {
    // Prepare
    const text = sample('airbyte-expected-records-tickets-excerpt.jsonl');

    // Act
    const out = await mapText('tickets.jsonl', text);

    // Assess
    expect(summary(out)).toEqual([
      { no: 1, row: ROW_18 },
      { no: 2, row: ROW_21 },
      { no: 3, row: ROW_22 },
      { no: 4, row: ROW_23 },
    ]);
  });

  it('maps the single-ticket files like their Airbyte lines', async () => {
    // Prepare
    const files = [
      'ticket-18-open-no-response-escalated.json',
      'ticket-21-closed-outbound-email.json',
      'ticket-22-pending-phone-first-responded.json',
      'ticket-23-closed-outbound-email-requester-replied.json',
    ];

    // Act
    const rows = await Promise.all(files.map(async (f) => (await mapText(f, sample(f))).map((m) => m.row)));

    // Assess
    expect(rows).toEqual([[ROW_18], [ROW_21], [ROW_22], [ROW_23]]);
  });

  it('rejects records of other Airbyte streams', async () => {
    // Prepare
    const text = sample('airbyte-expected-records-ticket-fields-source-status-priority.jsonl');

    // Act
    const out = await mapText('ticket_fields.jsonl', text);

    // Assess
    expect(out.map((m) => m.error)).toEqual(
      [1, 2, 3].map(() => ({ field: '(record)', reason: 'not a Freshdesk ticket (stream ticket_fields)' })),
    );
  });

  it('maps codes, custom statuses, reopenings and missing resolution times', async () => {
    // Prepare: variants of ticket 22
    const base = JSON.parse(sample('ticket-22-pending-phone-first-responded.json'));
    const variants = [
      { ...base, id: 31, status: 6, priority: 4, source: 9, type: 'Feature Request' },
      {
        ...base,
        id: 32,
        status: 4,
        source: 7,
        type: 'Complaint',
        stats: {
          ...base.stats,
          resolved_at: null,
          reopened_at: '2022-11-17T08:00:00Z',
          status_updated_at: '2022-11-18T09:00:00Z',
        },
      },
      { ...base, id: 33, status: 5, stats: undefined },
      { ...base, id: 34, spam: true },
      { ...base, id: 35, source: 5, type: 'Billing' },
    ];

    // Act
    const out = await mapText('variants.json', JSON.stringify(variants));

    // Assess
    expect(out[0]?.row).toMatchObject({
      ticket_id: '31',
      status: 'on_hold',
      priority: 'urgent',
      channel: 'web',
      type: 'request',
    });
    expect(out[1]?.row).toMatchObject({
      ticket_id: '32',
      status: 'solved',
      channel: 'chat',
      type: 'complaint',
      resolved_at: '2022-11-18T09:00:00Z', // the last status change
      reopens: 1,
    });
    expect(out[2]?.error).toEqual({
      field: 'status',
      reason:
        'closed ticket 33 carries no resolved or closed time: fetch tickets with their stats (include=stats)',
    });
    expect(out[3]?.error).toEqual({ field: 'spam', reason: 'ticket 34 is spam; not counted' });
    expect(out[4]?.row).toMatchObject({ ticket_id: '35', channel: 'social', type: 'other' });
    expect(out).toHaveLength(5);
  });
});

describe('freshdesk mapping: ticket CSV export', () => {
  it('maps labels and keeps local times without offset for the contract to read in sourceTimezone', async () => {
    // Prepare
    const text = CSV_EXPORT;

    // Act
    const out = await mapText('freshdesk-export.csv', text, 'Asia/Tehran');

    // Assess
    expect(summary(out)).toEqual([
      {
        no: 2,
        row: {
          ticket_id: '101',
          created_at: '2024-03-20 09:15:00',
          updated_at: '2024-03-22 11:05:00',
          channel: 'email',
          type: 'request',
          priority: 'normal',
          status: 'closed',
          customer_id: '5001',
          agent_id: 'Ali Rezaei',
          team: 'Billing',
          due_at: '2024-03-21 09:15:00',
          resolved_at: '2024-03-20 11:00:00',
          closed_at: '2024-03-22 11:05:00',
          agent_messages: '2',
          customer_messages: '1',
          first_response_at: '2024-03-20 09:45:10',
        },
      },
      {
        no: 3,
        row: {
          ticket_id: '102',
          created_at: '2024-03-20 10:00:00',
          updated_at: '2024-03-20 10:30:00',
          channel: 'chat',
          type: 'complaint',
          priority: 'urgent',
          status: 'on_hold',
          customer_id: 'sara@example.com',
          team: 'پشتیبانی',
          agent_messages: '0',
          customer_messages: '1',
        },
      },
      {
        no: 4,
        row: {
          ticket_id: '103',
          created_at: '2024-03-21 08:00:00',
          updated_at: '2024-03-21 08:00:00',
          channel: 'email',
          priority: 'low',
          status: 'closed',
          customer_id: '5003',
          agent_id: 'Ali Rezaei',
          agent_messages: '1',
          customer_messages: '0',
          first_response_at: '2024-03-21 08:00:00',
          resolved_at: '2024-03-21 08:00:00',
        },
      },
      {
        no: 5,
        error: {
          field: 'status',
          reason:
            'resolved ticket 104 carries no resolved or closed time: the export row has neither "Resolved time" nor "Closed time"',
        },
      },
    ]);
  });

  it('derives the first response from "First response time (in hrs)" when there is no initial response time', async () => {
    // Prepare
    const text = [
      'Ticket ID,Status,Source,Created time,First response time (in hrs),Requester Email',
      '7,Open,Portal,2024-03-20 09:00:00,1.5,x@example.com',
    ].join('\n');

    // Act
    const out = await mapText('export.csv', text, 'Asia/Tehran');

    // Assess: 09:00 Tehran (+03:30) = 05:30Z, plus 1.5 h
    expect(out[0]?.row).toMatchObject({
      channel: 'web',
      status: 'open',
      first_response_at: '2024-03-20T07:00:00.000Z',
    });
  });
});

describe('freshdesk ingest end to end', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('ingests the CSV export in the source time zone: read = accepted + quarantined', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'sp-freshdesk-'));
    dirs.push(dir);
    await mkdir(join(dir, 'landing'));
    const file = join(dir, 'landing', 'freshdesk-export.csv');
    await writeFile(file, `\uFEFF${CSV_EXPORT}\r\n`);
    const store = new FileSystemStore(join(dir, 'home'));
    const config = validateConfig({ timezone: 'Asia/Tehran' });

    // Act
    const report = await ingestFile(
      { key: file, body: createReadStream(file) },
      { source: 'freshdesk', config, store },
    );

    // Assess
    expect(report.error).toBeUndefined();
    expect({ read: report.read, accepted: report.accepted, quarantined: report.quarantined }).toEqual({
      read: 4,
      accepted: 3,
      quarantined: 1,
    });
    expect(report.read).toBe(report.accepted + report.quarantined);
    const day = report.outputs.find((k) => k.includes('dt=2024-03-20'))!;
    const buf = await readFile(store.locate(day));
    const rows = (await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    })) as Record<string, unknown>[];
    const byId = new Map(rows.map((r) => [r.ticket_id, r]));
    // 09:15 in Tehran (+03:30) is 05:45 UTC
    expect(new Date(byId.get('101')!.created_at as Date | number).toISOString()).toBe(
      '2024-03-20T05:45:00.000Z',
    );
    expect(byId.get('101')).toMatchObject({ agent_messages: 2n, _source: 'freshdesk' });
    expect(byId.get('102')).toMatchObject({ team: 'پشتیبانی', status: 'on_hold' });
  });

  it('ingests the real Airbyte ticket lines without quarantine', async () => {
    // Prepare
    const file = new URL(
      '../fixtures/vendor/freshdesk/airbyte-expected-records-tickets-excerpt.jsonl',
      import.meta.url,
    ).pathname;
    const dir = await mkdtemp(join(tmpdir(), 'sp-freshdesk-'));
    dirs.push(dir);
    const store = new FileSystemStore(dir);

    // Act
    const report = await ingestFile(
      { key: file, body: createReadStream(file) },
      { source: 'freshdesk', config: validateConfig({}), store },
    );

    // Assess
    expect({ read: report.read, accepted: report.accepted, quarantined: report.quarantined }).toEqual({
      read: 4,
      accepted: 4,
      quarantined: 0,
    });
  });
});
