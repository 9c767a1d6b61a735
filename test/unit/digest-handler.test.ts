import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxDelivery } from '../../functions/adapters/outbox.ts';
import { SesDelivery } from '../../functions/adapters/ses.ts';
import { readEvent } from '../../functions/core/digest-event.ts';
import { makeDigestHandler } from '../../functions/handlers/digest.ts';
import { jsonLogger } from '../../functions/handlers/log.ts';
import { fakeEngine, fixtureConfig, fixtureRows, steadyCounts } from '../support/digest-fixture.ts';
import { MemoryStore } from '../support/memory-store.ts';

// 2024-03-21 06:00 in Tehran: "yesterday" there is 2024-03-20.
const NOW = Date.parse('2024-03-21T02:30:00Z');
const ses = mockClient(SESClient);

beforeEach(() => {
  ses.reset();
  ses
    .on(SendRawEmailCommand)
    .callsFake(() => ({ MessageId: `ses-${ses.commandCalls(SendRawEmailCommand).length}` }));
});
afterEach(() => ses.reset());

function setup(
  counts = steadyCounts(['tickets', 'calls', 'surveys', 'customers', 'costs', 'followups'], days(15)),
) {
  const engine = fakeEngine(fixtureRows('day', '2024-03-20'), counts, true);
  const store = new MemoryStore();
  const lines: Record<string, unknown>[] = [];
  const handler = makeDigestHandler({
    engine,
    lakeSchema: 'servicepulse',
    resultsSchema: 'servicepulse',
    config: fixtureConfig(),
    deliver: new SesDelivery({ client: new SESClient({ region: 'eu-west-1' }), identity: 'example.com' }),
    outbox: new OutboxDelivery(store),
    now: () => NOW,
    log: jsonLogger({ write: (l) => lines.push(JSON.parse(l)) }),
  });
  return { engine, store, handler, lines };
}

function days(n: number): string[] {
  return Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, 2, 20 - i)).toISOString().slice(0, 10));
}

describe('digest handler', () => {
  it('sends yesterday’s daily digest through SES, one message per language, and files each', async () => {
    // Prepare
    const { engine, store, handler, lines } = setup();
    // Act
    const result = await handler({});
    // Assess: the report
    expect(result).toMatchObject({
      grain: 'day',
      period: { start: '2024-03-20', end: '2024-03-20' },
      summary: '2 of 47 KPIs off target',
      offTarget: 2,
      missingSources: [],
      flagsWritten: 52,
    });
    expect(result.messages.map((m) => [m.lang, m.recipients, m.messageId])).toEqual([
      ['en', 1, 'ses-1'],
      ['fa', 1, 'ses-2'],
      ['zh', 1, 'ses-3'],
    ]);
    // Assess: SES got the raw MIME, one call per language
    const calls = ses.commandCalls(SendRawEmailCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.Source, c.Destinations])).toEqual([
      ['kpi@example.com', ['ceo@example.com']],
      ['kpi@example.com', ['ops@example.com']],
      ['kpi@example.com', ['cs@example.com']],
    ]);
    const fa = await simpleParser(Buffer.from(calls[1]!.RawMessage!.Data!));
    expect(fa.html).toContain('<html lang="fa" dir="rtl"');
    expect(fa.attachments).toHaveLength(3);
    // Assess: SQL against the Glue database, flags replaced
    expect(engine.statements[0]).toContain('FROM servicepulse.kpi_results');
    expect(engine.statements[1]).toContain('FROM servicepulse.tickets');
    expect(engine.statements).toContain(
      "DELETE FROM servicepulse.kpi_flags WHERE grain = 'day' AND period_start = DATE '2024-03-20'",
    );
    expect(engine.statements.some((s) => s.startsWith('INSERT INTO servicepulse.kpi_flags'))).toBe(true);
    // Assess: outbox and log
    expect([...store.objects.keys()].filter((k) => k.endsWith('.eml')).sort()).toEqual([
      'outbox/2024-03-20-day-en.eml',
      'outbox/2024-03-20-day-fa.eml',
      'outbox/2024-03-20-day-zh.eml',
    ]);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'digest sent', offTarget: 2 });
  });

  it('takes grain, date, asOf and language from the event', async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const result = await handler({
      grain: 'month',
      date: '2024-02-10',
      asOf: '2024-03-01T03:00:00Z',
      lang: 'ar',
      runIds: ['r1'],
    });
    // Assess
    expect(result.period).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.lang).toBe('ar');
    expect(result.messages[0]!.recipients).toBe(3);
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input;
    expect(input.Destinations).toEqual(['ceo@example.com', 'ops@example.com', 'cs@example.com']);
    const parsed = await simpleParser(Buffer.from(input.RawMessage!.Data!));
    expect(parsed.subject).toContain('الملخص الشهري');
    expect(parsed.date?.toISOString()).toBe('2024-03-01T03:00:00.000Z');
  });

  it('reports a missing source from the lake counts', async () => {
    // Prepare: no calls at all on 2024-03-20
    const counts = steadyCounts(['tickets', 'calls', 'surveys'], days(15)).filter(
      (c) => !(c.entity === 'calls' && c.dt === '2024-03-20'),
    );
    const { handler } = setup(counts);
    // Act
    const result = await handler({});
    // Assess
    expect(result.missingSources).toEqual(['calls']);
    expect(result.offTarget).toBe(0);
  });

  it('rejects a malformed event with a clear message', async () => {
    // Prepare
    const { handler } = setup();
    // Act / Assess
    await expect(handler({ grain: 'week' as never })).rejects.toThrow(/grain must be one of day, month/);
    await expect(handler({ date: '20/03/2024' })).rejects.toThrow(/date must be YYYY-MM-DD/);
    await expect(handler({ asOf: 'yesterday' })).rejects.toThrow(/asOf is not an ISO-8601 instant/);
    await expect(handler({ lang: 'de' as never })).rejects.toThrow(/lang must be one of/);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });

  it('defaults to yesterday in the reporting zone, not in UTC', () => {
    // Prepare: 2024-03-20T21:00Z is already 2024-03-21 00:30 in Tehran
    const config = fixtureConfig();
    // Act
    const e = readEvent(undefined, config, Date.parse('2024-03-20T21:00:00Z'));
    // Assess
    expect(e).toEqual({ grain: 'day', date: '2024-03-20', asOf: '2024-03-20T21:00:00.000Z' });
  });
});
