import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { OutboxDelivery } from '../../functions/adapters/outbox.ts';
import { SesDelivery } from '../../functions/adapters/ses.ts';
import { SmtpDelivery } from '../../functions/adapters/smtp.ts';
import { composeDigest, formatRecipient, renderCharts } from '../../functions/core/digest/message.ts';
import { buildMime } from '../../functions/core/digest/mime.ts';
import type { MailMessage } from '../../functions/core/ports.ts';
import { FIXTURE_AS_OF, fixtureConfig, fixtureModel } from '../support/digest-fixture.ts';
import { MemoryStore } from '../support/memory-store.ts';

const config = fixtureConfig();
const model = fixtureModel(config);
const charts = renderCharts(model);

async function digestMail(lang: 'en' | 'fa' = 'fa'): Promise<{ message: MailMessage; raw: Uint8Array }> {
  const to = [
    formatRecipient({ email: 'ops@example.com', name: 'مریم رضایی' }),
    formatRecipient({ email: 'cs@example.com', name: '王小明' }),
  ];
  const message = composeDigest(model, { lang, from: 'سرویس‌پالس <kpi@example.com>', to, charts });
  const raw = await buildMime(message, {
    date: FIXTURE_AS_OF,
    messageId: `digest-delivery-${lang}@example.com`,
  });
  return { message, raw };
}

describe('SMTP delivery', () => {
  const received: { from: string; to: string[]; data: Buffer }[] = [];
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the raw message unchanged, with the envelope from its From and To', async () => {
    // Prepare
    const { message, raw } = await digestMail('fa');
    const smtp = new SmtpDelivery({ url: `smtp://127.0.0.1:${port}` });
    // Act
    const reply = await smtp.deliver(message, raw);
    smtp.close();
    // Assess
    expect(reply).toMatch(/^250/);
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.from).toBe('kpi@example.com');
    expect(got.to).toEqual(['ops@example.com', 'cs@example.com']);
    expect(got.data.toString('latin1').replace(/\r\n$/, '')).toBe(
      Buffer.from(raw).toString('latin1').replace(/\r\n$/, ''),
    );
    const parsed = await simpleParser(got.data);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.attachments.map((a) => a.cid).sort()).toEqual(message.inline.map((i) => i.cid).sort());
    expect(parsed.html).toContain('<html lang="fa" dir="rtl"');
  });

  it('refuses a message without recipients', async () => {
    // Prepare
    const { message, raw } = await digestMail();
    const smtp = new SmtpDelivery({ url: `smtp://127.0.0.1:${port}` });
    // Act / Assess
    await expect(smtp.deliver({ ...message, to: [] }, raw)).rejects.toThrow(/no recipients/);
    smtp.close();
  });
});

describe('SES delivery', () => {
  it('sends the same raw bytes with SendRawEmail, Source = the configured identity', async () => {
    // Prepare
    const ses = mockClient(SESClient);
    ses.on(SendRawEmailCommand).resolves({ MessageId: '0100-abc' });
    const { message, raw } = await digestMail('fa');
    const delivery = new SesDelivery({
      client: new SESClient({ region: 'eu-west-1' }),
      identity: 'kpi@example.com',
    });
    // Act
    const id = await delivery.deliver(message, raw);
    // Assess
    expect(id).toBe('0100-abc');
    const calls = ses.commandCalls(SendRawEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.Source).toBe('kpi@example.com');
    expect(input.Destinations).toEqual(['ops@example.com', 'cs@example.com']);
    expect(Buffer.from(input.RawMessage!.Data!).equals(Buffer.from(raw))).toBe(true);
    const header = Buffer.from(input.RawMessage!.Data!).toString('latin1').split('\r\n\r\n')[0]!;
    expect(header).toMatch(/^From: =\?UTF-8\?B\?.+\?= <kpi@example\.com>$/m);
    ses.restore();
  });

  it('uses the From address for a domain identity, and rejects one outside it', async () => {
    // Prepare
    const ses = mockClient(SESClient);
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-2' });
    const { message, raw } = await digestMail('en');
    const client = new SESClient({ region: 'eu-west-1' });
    // Act
    await new SesDelivery({ client, identity: 'example.com', configurationSet: 'digest' }).deliver(
      message,
      raw,
    );
    const wrong = new SesDelivery({ client, identity: 'other.org' }).deliver(message, raw);
    // Assess
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input;
    expect(input.Source).toBe('kpi@example.com');
    expect(input.ConfigurationSetName).toBe('digest');
    await expect(wrong).rejects.toThrow(/not in the verified domain other\.org/);
    ses.restore();
  });
});

describe('outbox', () => {
  it('files .eml, .txt and a browsable .html with its charts beside it', async () => {
    // Prepare
    const store = new MemoryStore();
    const { message, raw } = await digestMail('fa');
    // Act
    const where = await new OutboxDelivery(store).deliver(message, raw);
    // Assess
    expect(where).toBe('memory://outbox/2024-03-20-day-fa.eml');
    const keys = [...store.objects.keys()].sort();
    expect(keys).toEqual(
      [
        'outbox/2024-03-20-day-fa.eml',
        'outbox/2024-03-20-day-fa.html',
        'outbox/2024-03-20-day-fa.txt',
        ...message.inline.map((i) => `outbox/2024-03-20-day-fa-${i.cid.replace('@', '-')}.png`),
      ].sort(),
    );
    expect(Buffer.from(store.objects.get('outbox/2024-03-20-day-fa.eml')!).equals(Buffer.from(raw))).toBe(
      true,
    );
    const html = (await store.readText('outbox/2024-03-20-day-fa.html'))!;
    expect(html).not.toContain('cid:');
    for (const i of message.inline)
      expect(html).toContain(`src="2024-03-20-day-fa-${i.cid.replace('@', '-')}.png"`);
    expect(message.html).toContain('cid:');
    expect(await store.readText('outbox/2024-03-20-day-fa.txt')).toBe(message.text);
    expect(store.openSinks).toBe(0);
  });

  it('writes <home>/outbox/ through the local store', async () => {
    // Prepare
    const home = await mkdtemp(join(tmpdir(), 'sp-outbox-'));
    const { message, raw } = await digestMail('en');
    try {
      // Act
      const where = await new OutboxDelivery(new FileSystemStore(home)).deliver(message, raw);
      // Assess
      expect(where).toBe(join(home, 'outbox', '2024-03-20-day-en.eml'));
      const files = await readdir(join(home, 'outbox'));
      expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(message.inline.length);
      expect((await readFile(where)).equals(Buffer.from(raw))).toBe(true);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('names a message without the digest header after its subject', () => {
    expect(
      OutboxDelivery.nameOf({
        from: '',
        to: [],
        subject: 'Hello, world / 2024',
        html: '',
        text: '',
        inline: [],
      }),
    ).toBe('Hello-world-2024');
  });
});
