import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { decodeRecords } from '../../functions/core/ingest/records.ts';
import { type MappedRecord, sourceMapping } from '../../functions/core/ingest/sources.ts';
import '../../functions/core/ingest/vendors.ts';
import { zendeskMapping } from '../../functions/core/ingest/zendesk.ts';

/** A real sample record file (test/fixtures/vendor/zendesk, see its SOURCES.md). */
const sample = (name: string) =>
  readFileSync(new URL(`../fixtures/vendor/zendesk/${name}`, import.meta.url), 'utf8');

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function mapText(fileName: string, text: string): Promise<MappedRecord[]> {
  const out: MappedRecord[] = [];
  for await (const m of zendeskMapping.map(decodeRecords(bytes(text), fileName), {
    fileName,
    sourceTimezone: 'UTC',
  })) {
    out.push(m);
  }
  return out;
}

const summary = (ms: MappedRecord[]) =>
  ms.map((m) => ({ no: m.no, ...(m.row ? { row: m.row } : { error: m.error }) }));

// Hand-made tickets for the real metric sets (the samples hold no ticket with its metric set).
const TICKET_160 = {
  id: 160,
  via: { channel: 'email', source: { from: {}, to: {}, rel: null } },
  created_at: '2024-04-12T13:39:06Z',
  updated_at: '2024-09-20T13:53:23Z',
  type: 'question',
  subject: 'شکایت از تأخیر ارسال',
  priority: 'high',
  status: 'open',
  requester_id: 9001,
  assignee_id: 9002,
  group_id: 9003,
  problem_id: null,
  due_at: null,
  tags: ['Complaint', 'shipping'],
};
const TICKET_4343 = {
  id: 4343,
  via: { channel: 'native_messaging' },
  created_at: '2009-07-20T22:55:29Z',
  updated_at: '2011-05-09T10:38:52Z',
  type: 'problem',
  subject: '网络中断',
  priority: 'urgent',
  status: 'solved',
  requester_id: 9011,
  assignee_id: 9012,
  group_id: 9013,
  due_at: '2009-07-21T22:55:29Z',
  tags: ['escalated'],
};
const TICKET_500_HOLD = {
  id: 500,
  via: { channel: 'twitter' },
  created_at: '2024-05-01T08:00:00Z',
  updated_at: '2024-05-01T09:00:00Z',
  type: 'incident',
  problem_id: 4343,
  priority: null,
  status: 'hold',
  requester_id: 9021,
  assignee_id: null,
  group_id: null,
  tags: [],
};
const TICKET_501_DELETED = { ...TICKET_500_HOLD, id: 501, status: 'deleted' };

/** An incremental export page with sideloaded metric sets (and users, which are ignored). */
function envelope(): string {
  return `{"tickets":[${[TICKET_160, TICKET_4343, TICKET_500_HOLD, TICKET_501_DELETED].map((t) => JSON.stringify(t)).join(',')}],
"users":[{"id":9001,"name":"Maryam"}],
"metric_sets":[${sample('ticket-metric-160-reopened-unsolved.json')},${sample('ticket-metric-docs-example-solved.json')},${sample('ticket-metric-161-new-untouched.json')}],
"next_page":null,"count":4,"end_of_stream":true}`;
}

const ROW_145 = {
  ticket_id: '145',
  created_at: '2022-09-19T14:53:49Z',
  updated_at: '2023-04-12T14:04:56Z',
  channel: 'phone',
  type: 'question',
  priority: 'low',
  status: 'new',
  customer_id: '5527111815439',
};
const ROW_1 = {
  ticket_id: '1',
  created_at: '2020-12-11T18:34:09Z',
  updated_at: '2023-05-26T23:02:01Z',
  channel: 'other',
  type: 'incident',
  priority: 'normal',
  status: 'closed',
  customer_id: '360839922496',
  agent_id: '360786799676',
  team: '360003074836',
  closed_at: '2023-05-26T23:02:01Z',
};
const ROW_146 = {
  ticket_id: '146',
  created_at: '2023-06-19T16:28:23Z',
  updated_at: '2023-06-26T10:10:06Z',
  channel: 'web',
  type: 'request',
  priority: 'low',
  status: 'open',
  customer_id: '361089721035',
};
const orphan = (id: number) => ({
  field: 'ticket_id',
  reason: `ticket_metrics for ticket ${id} without the ticket in this file: land metric sets sideloaded with their tickets (include=metric_sets)`,
});

describe('zendesk mapping: real records', () => {
  it('maps the Airbyte excerpt: three tickets, and quarantines the three metric sets whose tickets are not in the file', async () => {
    // Prepare
    const text = sample('airbyte-expected-records-excerpt.jsonl');

    // Act
    const out = await mapText('airbyte-expected-records-excerpt.jsonl', text);

    // Assess
    expect(summary(out)).toEqual([
      { no: 1, row: ROW_145 },
      { no: 2, row: ROW_1 },
      { no: 3, row: ROW_146 },
      { no: 4, error: orphan(161) },
      { no: 5, error: orphan(160) },
      { no: 6, error: orphan(159) },
    ]);
    expect(out.every((m) => m.entity === 'tickets')).toBe(true);
  });

  it('maps single ticket files: voice → phone, sample_ticket → other, null type → request, closed without metrics → closed_at = updated_at', async () => {
    // Prepare
    const files = [
      'ticket-145-new-voicemail-via-voice.json',
      'ticket-1-closed-sample-ticket.json',
      'ticket-146-open-web.json',
    ];

    // Act
    const rows = await Promise.all(files.map(async (f) => (await mapText(f, sample(f))).map((m) => m.row)));

    // Assess
    expect(rows).toEqual([[ROW_145], [ROW_1], [ROW_146]]);
  });

  it('quarantines a lone metric set file with a reason that says how to land it', async () => {
    // Prepare
    const text = sample('ticket-metric-docs-example-solved.json');

    // Act
    const out = await mapText('ticket-metric-docs-example-solved.json', text);

    // Assess
    expect(summary(out)).toEqual([{ no: 1, error: orphan(4343) }]);
  });
});

describe('zendesk mapping: tickets joined with sideloaded metric sets', () => {
  it('joins each ticket with its metric set and maps every rule', async () => {
    // Prepare
    const text = envelope();

    // Act
    const out = await mapText('incremental-page.json', text);

    // Assess
    expect(summary(out)).toEqual([
      {
        no: 1,
        row: {
          ticket_id: '160',
          created_at: '2024-04-12T13:39:06Z',
          updated_at: '2024-09-20T13:53:23Z',
          channel: 'email',
          type: 'complaint', // tag "Complaint" overrides the type
          priority: 'high',
          status: 'open',
          customer_id: '9001',
          agent_id: '9002',
          team: '9003',
          // initially_assigned_at 13:39:05 is 1 s before creation: created assigned
          assigned_at: '2024-04-12T13:39:06Z',
          // created + 97 667 calendar minutes (67 d 19 h 47 min)
          first_response_at: '2024-06-19T09:26:06.000Z',
          agent_messages: 2,
          reopens: 1,
          handoffs: 0, // one assignee, one group
        },
      },
      {
        no: 2,
        row: {
          ticket_id: '4343',
          created_at: '2009-07-20T22:55:29Z',
          updated_at: '2011-05-09T10:38:52Z',
          channel: 'chat',
          type: 'incident',
          priority: 'urgent',
          status: 'solved',
          customer_id: '9011',
          agent_id: '9012',
          team: '9013',
          due_at: '2009-07-21T22:55:29Z',
          escalated: true,
          incident_key: '4343', // a problem ticket keys its own incident
          assigned_at: '2011-05-03T10:38:52Z',
          // reply_time_in_seconds.calendar 143 460 s = 1 d 15 h 51 min
          first_response_at: '2009-07-22T14:46:29.000Z',
          resolved_at: '2011-05-09T10:38:52Z',
          agent_messages: 322,
          reopens: 55,
          handoffs: 6, // max(1 assignee, 7 groups) − 1
        },
      },
      {
        no: 3,
        row: {
          ticket_id: '500',
          created_at: '2024-05-01T08:00:00Z',
          updated_at: '2024-05-01T09:00:00Z',
          channel: 'social',
          type: 'incident',
          status: 'on_hold',
          customer_id: '9021',
          incident_key: '4343', // an incident keys its problem
        },
      },
      {
        no: 4,
        error: {
          field: 'status',
          reason: 'ticket 501 was deleted in Zendesk (status deleted); deleted tickets are not counted',
        },
      },
      // no 5 is the sideloaded user: reference data, not a record
      { no: 8, error: orphan(161) },
    ]);
    expect(out[0]?.raw).toEqual({
      ticket: TICKET_160,
      metric_set: JSON.parse(sample('ticket-metric-160-reopened-unsolved.json')),
    });
  });

  it('joins metric sets that come before their tickets, and takes the latest of two metric sets', async () => {
    // Prepare: Airbyte lines, metrics first; an older metric set for the same ticket follows
    const metric = JSON.parse(sample('ticket-metric-160-reopened-unsolved.json'));
    const older = { ...metric, updated_at: '2024-04-13T00:00:00Z', replies: 1, reopens: 0 };
    const lines = [
      { stream: 'ticket_metrics', data: metric, emitted_at: 1 },
      { stream: 'tickets', data: TICKET_160, emitted_at: 2 },
      { stream: 'ticket_metrics', data: older, emitted_at: 3 },
      { stream: 'users', data: { id: 9001 }, emitted_at: 4 },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');

    // Act
    const out = await mapText('airbyte.jsonl', lines);

    // Assess
    expect(summary(out)).toEqual([
      {
        no: 2,
        row: expect.objectContaining({ ticket_id: '160', agent_messages: 2, reopens: 1 }),
      },
      {
        no: 4,
        error: { field: '(record)', reason: 'not a Zendesk ticket or ticket metric set (stream users)' },
      },
    ]);
  });

  it('unwraps a single {"ticket": …} with its metric set embedded', async () => {
    // Prepare
    const metric = JSON.parse(sample('ticket-metric-docs-example-solved.json'));
    const text = JSON.stringify({ ticket: { ...TICKET_4343, status: 'closed', metric_set: metric } });

    // Act
    const out = await mapText('ticket-4343.json', text);

    // Assess: closed_at is the last status change of the metric set
    expect(out.map((m) => m.row)).toEqual([
      expect.objectContaining({
        ticket_id: '4343',
        status: 'closed',
        resolved_at: '2011-05-09T10:38:52Z',
        closed_at: '2011-05-04T10:38:52Z',
      }),
    ]);
  });

  it('quarantines a solved ticket without its metric set: its solve time is unknown', async () => {
    // Prepare
    const text = JSON.stringify({ ...TICKET_4343, id: 77 });

    // Act
    const out = await mapText('ticket-77.json', text);

    // Assess
    expect(summary(out)).toEqual([
      {
        no: 1,
        error: {
          field: 'status',
          reason:
            'solved ticket 77 has no metric set in this file, so its solve time is unknown: land tickets with their metric sets sideloaded (include=metric_sets)',
        },
      },
    ]);
  });

  it('recognises tickets by their shape in search results', async () => {
    // Prepare
    const text = JSON.stringify({
      results: [
        { ...TICKET_500_HOLD, result_type: 'ticket' },
        { id: 9001, name: 'Maryam', result_type: 'user' },
      ],
      count: 2,
    });

    // Act
    const out = await mapText('search.json', text);

    // Assess
    expect(summary(out)).toEqual([
      { no: 1, row: expect.objectContaining({ ticket_id: '500', status: 'on_hold' }) },
      {
        no: 2,
        error: { field: '(record)', reason: 'not a Zendesk ticket or ticket metric set (array "results")' },
      },
    ]);
  });

  it('maps every via.channel and status it knows', async () => {
    // Prepare
    const channels = [
      'web',
      'mobile_sdk',
      'email',
      'voice',
      'chat',
      'native_messaging',
      'facebook',
      'any_channel',
      'api',
      'rule',
      'closed_ticket',
    ];
    const statuses = ['new', 'open', 'pending', 'hold', 'closed'];
    const tickets = channels.map((c, i) => ({
      ...TICKET_500_HOLD,
      id: 1000 + i,
      via: { channel: c },
      status: statuses[i % statuses.length],
    }));
    const text = JSON.stringify({ tickets });

    // Act
    const out = await mapText('page.json', text);

    // Assess
    expect(out.map((m) => [m.row?.channel, m.row?.status])).toEqual([
      ['web', 'new'],
      ['web', 'open'],
      ['email', 'pending'],
      ['phone', 'on_hold'],
      ['chat', 'closed'],
      ['chat', 'new'],
      ['social', 'open'],
      ['social', 'pending'],
      ['other', 'on_hold'],
      ['other', 'closed'],
      ['other', 'new'],
    ]);
  });
});

describe('zendesk ingest end to end', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes the joined tickets to the lake and the rest to quarantine: read = accepted + quarantined', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'sp-zendesk-'));
    dirs.push(dir);
    await mkdir(join(dir, 'landing'));
    const file = join(dir, 'landing', 'incremental-page.json');
    await writeFile(file, envelope());
    const store = new FileSystemStore(join(dir, 'home'));

    // Act
    const report = await ingestFile(
      { key: file, body: createReadStream(file) },
      { source: 'zendesk', config: defaultConfig(), store, now: Date.UTC(2024, 9, 1) },
    );

    // Assess
    expect(sourceMapping('zendesk')).toBe(zendeskMapping);
    expect(report.error).toBeUndefined();
    expect({ read: report.read, accepted: report.accepted, quarantined: report.quarantined }).toEqual({
      read: 5,
      accepted: 3,
      quarantined: 2,
    });
    expect(report.read).toBe(report.accepted + report.quarantined);
    expect(report.entities).toEqual(['tickets']);
    expect(report.outputs.sort()).toEqual([
      expect.stringMatching(
        /^lake\/tickets\/dt=2009-07-20\/incremental-page-[0-9a-f]{16}-[0-9a-z_]+\.parquet$/,
      ),
      expect.stringMatching(/^lake\/tickets\/dt=2024-04-12\//),
      expect.stringMatching(/^lake\/tickets\/dt=2024-05-01\//),
    ]);
    const quarantine = (await store.readText(report.quarantineKey!))!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: number; field: string; reason: string });
    expect(quarantine.map((q) => [q.record, q.field])).toEqual([
      [4, 'status'],
      [8, 'ticket_id'],
    ]);
  });
});
