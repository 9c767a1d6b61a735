/**
 * Names from data in the digest (issue 12 items 4 and 7): hostile characters are shown, not
 * obeyed; a name is one line and at most MAX_NAME_CHARS characters; a huge name does not make a
 * huge e-mail; no part of the message (text, HTML, MIME headers) gains a line from a value.
 */
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../functions/core/config.ts';
import { composeDigest } from '../../functions/core/digest/message.ts';
import { buildMime } from '../../functions/core/digest/mime.ts';
import type { DigestModel } from '../../functions/core/digest/model.ts';
import { isolatedName, MAX_NAME_CHARS, safeName } from '../../functions/core/digest/safe-name.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { FIXTURE_AS_OF, fixtureConfig, fixtureModel } from '../support/digest-fixture.ts';
import { MemoryStore } from '../support/memory-store.ts';

function withQueue(name: string): DigestModel {
  const model = fixtureModel(fixtureConfig());
  const first = model.offTarget[0]!;
  const row = { ...first, dimension: 'queue', dimensionValue: name, breakdown: [], breakdownMore: 0 };
  return {
    ...model,
    offTarget: [{ ...first, breakdown: [row], breakdownMore: 0 }, ...model.offTarget.slice(1)],
  };
}

async function render(model: DigestModel) {
  const message = composeDigest(model, {
    lang: 'en',
    from: 'kpi@example.com',
    to: ['ceo@example.com'],
    charts: new Map(),
  });
  const raw = await buildMime(message, { date: FIXTURE_AS_OF, messageId: 'safe-name@example.com' });
  return { message, raw: raw.toString() };
}

describe('safeName', () => {
  it('shows bidi controls and line breaks visibly instead of obeying them', () => {
    expect(safeName('evil\u202Eexe.txt')).toBe('evil[U+202E]exe.txt');
    expect(safeName('a\r\nb\tc\u2028d\u2066e\u200Ff\u061Cg\u0085h')).toBe(
      'a[U+000D][U+000A]b[U+0009]c[U+2028]d[U+2066]e[U+200F]f[U+061C]g[U+0085]h',
    );
  });

  it('keeps ZWNJ and ZWJ, which are part of Persian words and emoji', () => {
    expect(safeName('می\u200Cخواهم 👩\u200D💻')).toBe('می\u200Cخواهم 👩\u200D💻');
  });

  it('caps at MAX_NAME_CHARS characters (code points, escapes counted as shown) with an ellipsis', () => {
    expect(MAX_NAME_CHARS).toBe(80);
    expect(safeName('x'.repeat(80))).toBe('x'.repeat(80));
    expect(safeName('x'.repeat(81))).toBe(`${'x'.repeat(80)}…`);
    expect(safeName('😀'.repeat(100))).toBe(`${'😀'.repeat(80)}…`);
    expect(safeName(`${'x'.repeat(75)}\u202Ey`)).toBe(`${'x'.repeat(75)}…`);
  });

  it('isolates with FSI … PDI', () => {
    expect(isolatedName('تهران')).toBe('\u2068تهران\u2069');
  });
});

describe('names from data in a composed digest', () => {
  it('a U+202E name: isolated and escaped in the text part, in <bdi> and escaped in the HTML', async () => {
    // Act
    const { message } = await render(withQueue('abc\u202Edef'));
    // Assess
    expect(message.text).toContain('Queue \u2068abc[U+202E]def\u2069');
    expect(message.html).toContain('Queue <bdi>abc[U+202E]def</bdi>');
    expect(message.text).not.toContain('\u202E');
    expect(message.html).not.toContain('\u202E');
  });

  it('CR/LF in a queue name adds no line to any part of the message', async () => {
    // Arrange: the same digest with a harmless name, then with an injecting one of the same length
    const clean = await render(withQueue('vipXXBcc: x@evil.example'));
    const hostile = await render(withQueue('vip\r\nBcc: x@evil.example'));
    // Assess
    expect(hostile.message.text.split('\n')).toHaveLength(clean.message.text.split('\n').length);
    expect(hostile.message.text).not.toMatch(/^Bcc:/m);
    expect(hostile.message.html).not.toMatch(/[\r\n]Bcc:/);
    expect(hostile.raw).not.toMatch(/^Bcc:/im);
    expect(hostile.message.subject).not.toMatch(/[\r\n]/);
  });

  it('a 50 MB queue name makes an e-mail of ordinary size', async () => {
    // Arrange
    const small = await render(withQueue('vip'));
    // Act
    const huge = await render(withQueue('q'.repeat(50 * 1024 * 1024)));
    // Assess: the name is cut to 80 characters and an ellipsis, so the message grows by < 1 KB
    expect(huge.message.text).toContain(`Queue \u2068${'q'.repeat(80)}…\u2069`);
    expect(huge.raw.length - small.raw.length).toBeLessThan(1024);
  });
});

describe('the lake keeps the bytes', () => {
  it('a queue name with U+202E and U+2066 is stored exactly as it came', async () => {
    // Arrange
    const name = 'vip\u202Eevil\u2066x';
    const csv = `call_id,direction,started_at,ended_at,outcome,queue\nc1,inbound,2024-05-01T10:00:00Z,2024-05-01T10:01:00Z,abandoned,${name}\n`;
    const store = new MemoryStore();
    // Act
    const report = await ingestFile(
      {
        key: 'landing/generic/calls/x.csv',
        body: (async function* () {
          yield new TextEncoder().encode(csv);
        })(),
      },
      { source: 'generic', entity: 'calls', config: { ...defaultConfig(), timezone: 'UTC' }, store },
    );
    // Assess
    expect(report.accepted).toBe(1);
    const key = store.keys().find((k) => k.startsWith('lake/calls/'))!;
    const bytes = store.objects.get(key)!;
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    expect(rows.map((r) => r.queue)).toEqual([name]);
  });
});
