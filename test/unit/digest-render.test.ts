import { type ParsedMail, simpleParser } from 'mailparser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../functions/core/catalog.ts';
import { LANGUAGES, type Lang } from '../../functions/core/config.ts';
import { CHART_COLORS, chartDomain, renderTrendChart } from '../../functions/core/digest/chart.ts';
import { sparkline } from '../../functions/core/digest/describe.ts';
import { escapeHtml, renderHtml } from '../../functions/core/digest/html.ts';
import { composeDigest, formatRecipient, renderCharts } from '../../functions/core/digest/message.ts';
import { bareAddress, buildMime } from '../../functions/core/digest/mime.ts';
import { buildDigestModel, MAX_CARDS } from '../../functions/core/digest/model.ts';
import {
  FIXTURE_AS_OF,
  FIXTURE_DAY,
  fixtureConfig,
  fixtureModel,
  fixtureRows,
  SURVEYS_GAP,
} from '../support/digest-fixture.ts';

const config = fixtureConfig();
const digest = fixtureModel(config, [SURVEYS_GAP]);
const charts = renderCharts(digest);

async function build(lang: Lang, from = config.digest.from, to = ['"Dana Chief" <ceo@example.com>']) {
  const message = composeDigest(digest, { lang, from, to, charts });
  const raw = await buildMime(message, { date: FIXTURE_AS_OF, messageId: `digest-test-${lang}@example.com` });
  const parsed = await simpleParser(Buffer.from(raw), { skipImageLinks: true });
  return { message, raw, parsed, text: Buffer.from(raw).toString('latin1') };
}

function pngAt(png: PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

describe.each(LANGUAGES)('the %s digest e-mail', (lang) => {
  it('is multipart/alternative of text and a multipart/related html with its PNGs', async () => {
    // Act
    const { text, parsed } = await build(lang);
    // Assess
    const root = /^Content-Type: ([^;\r\n]+)/im.exec(text.split('\r\n\r\n')[0]!)?.[1];
    expect(root).toBe('multipart/alternative');
    expect(text).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    expect(text).toMatch(/Content-Type: multipart\/related; type="text\/html"/);
    expect(text.indexOf('multipart/related')).toBeLessThan(text.indexOf('Content-Type: text/html'));
    expect(parsed.attachments).toHaveLength(charts.size);
    for (const a of parsed.attachments) {
      expect(a.contentType).toBe('image/png');
      expect(a.contentDisposition).toBe('inline');
      expect(a.related).toBe(true);
    }
  });

  it('references only Content-IDs it carries, and carries one chart per off-target line', async () => {
    // Act
    const { parsed } = await build(lang);
    const html = parsed.html as string;
    // Assess
    const referenced = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    const attached = parsed.attachments.map((a) => a.cid);
    expect(referenced).toHaveLength(digest.offTarget.length);
    expect(referenced.sort()).toEqual(attached.sort());
  });

  it('declares its language and direction, and has no SVG and no data: URI', async () => {
    // Act
    const { message } = await build(lang);
    const html = message.html;
    // Assess
    const dir = lang === 'fa' || lang === 'ar' ? 'rtl' : 'ltr';
    expect(html).toContain(`<html lang="${lang === 'zh' ? 'zh-Hans' : lang}" dir="${dir}"`);
    expect(html).toContain(`<body dir="${dir}"`);
    expect(html).toContain('<meta name="color-scheme" content="light">');
    expect(html.toLowerCase()).not.toContain('<svg');
    expect(html.toLowerCase()).not.toContain('data:');
    expect(html).not.toMatch(/<style|<link|<script/i);
    expect(new TextEncoder().encode(html).byteLength).toBeLessThan(100 * 1024);
  });

  it('shows the flagged KPIs first, breach before warning, then the families', async () => {
    // Act
    const { message } = await build(lang);
    const html = message.html;
    const names = (id: string) => digest.offTarget.find((l) => l.kpi.id === id)!.kpi.names[lang];
    const firstFamilyKpi = digest.families[0]!.lines[0]!.kpi.names[lang];
    // Assess
    const breach = html.indexOf(escapeHtml(names('service_level_pct')));
    const warn = html.indexOf(escapeHtml(names('abandonment_rate_pct')));
    const rest = html.indexOf(escapeHtml(firstFamilyKpi));
    expect(breach).toBeGreaterThan(0);
    expect(breach).toBeLessThan(warn);
    expect(warn).toBeLessThan(rest);
  });

  it('has a plain-text part with the same summary and order', async () => {
    // Act
    const { parsed, message } = await build(lang);
    const text = parsed.text!;
    // Assess
    expect(text.trim()).toBe(message.text.trim());
    const sl = text.indexOf(digest.offTarget[0]!.kpi.names[lang]);
    const ab = text.indexOf(digest.offTarget[2]!.kpi.names[lang]);
    expect(sl).toBeGreaterThan(0);
    expect(sl).toBeLessThan(ab);
    expect(text).toContain('▁');
  });

  it('puts the period and the count off target in the subject', async () => {
    // Act
    const { parsed, message } = await build(lang);
    // Assess
    expect(parsed.subject).toBe(message.subject);
    const digits = lang === 'fa' ? '۲' : lang === 'ar' ? '٢' : '2';
    expect(message.subject).toContain(digits);
    expect(message.headers?.['Content-Language']).toBe(lang === 'zh' ? 'zh-Hans' : lang);
  });
});

describe('MIME headers', () => {
  it('encodes Persian and Chinese display names as RFC 2047 words, keeping the message 7-bit', async () => {
    // Prepare
    const from = 'سرویس‌پالس <kpi@example.com>';
    const to = [
      formatRecipient({ email: 'ops@example.com', name: 'مریم رضایی' }),
      formatRecipient({ email: 'cs@example.com', name: '王小明' }),
    ];
    // Act
    const { raw, text, parsed } = await build('fa', from, to);
    // Assess
    expect([...raw].every((b) => b < 128)).toBe(true);
    const header = text.split('\r\n\r\n')[0]!;
    expect(header).toMatch(/^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <kpi@example\.com>$/m);
    expect(header).toMatch(
      /^To: =\?UTF-8\?B\?.+\?= <ops@example\.com>,\s+=\?UTF-8\?B\?.+\?= <cs@example\.com>$/m,
    );
    expect(header).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    const fromValue = (parsed.from as ParsedMail['from'])!.value[0]!;
    expect(fromValue).toEqual({ address: 'kpi@example.com', name: 'سرویس‌پالس' });
    const toValue = Array.isArray(parsed.to) ? parsed.to.flatMap((t) => t.value) : parsed.to!.value;
    expect(toValue.map((v) => v.name)).toEqual(['مریم رضایی', '王小明']);
  });

  it('builds the same bytes twice: Date, Message-ID and boundaries come from the inputs', async () => {
    // Act
    const a = await build('zh');
    const b = await build('zh');
    // Assess
    expect(Buffer.from(a.raw).equals(Buffer.from(b.raw))).toBe(true);
    expect(a.parsed.messageId).toBe('<digest-test-zh@example.com>');
    expect(a.parsed.date?.toISOString()).toBe('2024-03-21T02:30:00.000Z');
    expect(a.text).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(a.text).toMatch(/^X-Servicepulse-Digest: 2024-03-20-day-zh$/m);
  });

  it('reads bare addresses for envelopes', () => {
    expect(bareAddress('"王小明" <cs@example.com>')).toBe('cs@example.com');
    expect(bareAddress('Servicepulse <kpi@example.com>')).toBe('kpi@example.com');
    expect(bareAddress('ops@example.com')).toBe('ops@example.com');
    expect(formatRecipient({ email: 'x@example.com', name: 'A "quoted" name' })).toBe(
      '"A quoted name" <x@example.com>',
    );
  });
});

describe('HTML details', () => {
  it('escapes text that comes from the data', () => {
    // Prepare
    const rows = fixtureRows('day', FIXTURE_DAY).map((r) =>
      r.dimension_value === 'billing' ? { ...r, dimension_value: '<script>alert(1)</script>' } : r,
    );
    const m = buildDigestModel({ grain: 'day', date: FIXTURE_DAY, asOf: FIXTURE_AS_OF, config, rows });
    // Act
    const html = renderHtml(m, { lang: 'en', subject: 's' });
    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('mirrors the layout for right-to-left languages', () => {
    // Act
    const fa = renderHtml(digest, { lang: 'fa', subject: 's' });
    const en = renderHtml(digest, { lang: 'en', subject: 's' });
    // Assess
    expect(fa).toContain('text-align:right');
    expect(fa).toContain('border-right:4px solid');
    expect(fa).not.toContain('border-left:4px solid');
    expect(en).toContain('border-left:4px solid');
    expect(en).not.toContain('text-align:right;font-size:12px;line-height:16px;font-weight:bold');
  });

  it('names the missing sources at the top and says "data missing" for their KPIs', () => {
    // Act
    const html = renderHtml(digest, { lang: 'en', subject: 's' });
    // Assess
    const gap = html.indexOf('Surveys: no records for the reported day (usually about 143)');
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(html.indexOf('Off target'));
    expect(html).toContain('Satisfied customers (CSAT)');
    expect((html.match(/data missing/g) ?? []).length).toBeGreaterThanOrEqual(6);
  });

  it('says so when everything is on target', () => {
    // Prepare
    const calm = buildDigestModel({
      grain: 'day',
      date: FIXTURE_DAY,
      asOf: FIXTURE_AS_OF,
      config: fixtureConfig({ targets: {} }),
      rows: fixtureRows('day', FIXTURE_DAY).filter((r) => r.kpi_id !== 'service_level_pct'),
    });
    // Act
    const html = renderHtml(calm, { lang: 'en', subject: 's' });
    // Assess
    expect(calm.offTarget).toEqual([]);
    expect(html).toContain('All 47 KPIs on target');
    expect(html).toContain('All KPIs');
    expect(html).not.toContain('cid:');
  });
});

describe('a bad day', () => {
  it('stays under 100 KB with everything off target: ten cards with charts, the rest compact', async () => {
    // Prepare: a target no value meets, for every KPI
    const targets = Object.fromEntries(CATALOG.map((k) => [k.id, { min: -2e9, max: -1e9 }]));
    const bad = buildDigestModel({
      grain: 'day',
      date: FIXTURE_DAY,
      asOf: FIXTURE_AS_OF,
      config: fixtureConfig({ targets }),
      rows: fixtureRows('day', FIXTURE_DAY),
    });
    const badCharts = renderCharts(bad);
    for (const lang of LANGUAGES) {
      // Act
      const message = composeDigest(bad, {
        lang,
        from: config.digest.from,
        to: ['ceo@example.com'],
        charts: badCharts,
      });
      // Assess
      expect(bad.offTarget.length).toBeGreaterThan(MAX_CARDS);
      expect(message.inline).toHaveLength(MAX_CARDS);
      expect([...message.html.matchAll(/src="cid:/g)]).toHaveLength(MAX_CARDS);
      expect(new TextEncoder().encode(message.html).byteLength).toBeLessThan(100 * 1024);
      const last = bad.offTarget.at(-1)!;
      expect(message.html).toContain(escapeHtml(last.kpi.names[lang]));
    }
  });
});

describe('trend chart', () => {
  it('is an opaque RGB PNG of 480×120 pixels on white', () => {
    // Act
    const png = renderTrendChart({ values: [80, 82, 79, 75, 70], target: { min: 80 }, status: 'breach' });
    const decoded = PNG.sync.read(Buffer.from(png));
    // Assess
    expect(png[25]).toBe(2); // IHDR colour type 2: truecolour, no alpha
    expect(decoded.width).toBe(480);
    expect(decoded.height).toBe(120);
    expect(pngAt(decoded, 0, 119)).toEqual([255, 255, 255]); // below the min bound: outside the band
    expect(pngAt(decoded, 0, 0)).toEqual([...CHART_COLORS.band]); // above the floor: the good band
    expect(png.byteLength).toBeLessThan(12_000);
  });

  it('marks the last point with the status colour', () => {
    // Prepare
    const values = [10, 10, 10, 10, 20];
    // Act
    const decoded = PNG.sync.read(Buffer.from(renderTrendChart({ values, status: 'breach' })));
    // Assess: the last point sits at the right end, at the top of the domain
    const [lo, hi] = chartDomain(values);
    const y = Math.round(14 + (1 - (20 - lo) / (hi - lo)) * (120 - 28));
    expect(pngAt(decoded, 480 - 14, y)).toEqual([...CHART_COLORS.breach]);
  });

  it('draws gaps, a lone value and an empty series without failing', () => {
    expect(() => renderTrendChart({ values: [null, 5, null, null, 6, 7], status: 'warn' })).not.toThrow();
    expect(() => renderTrendChart({ values: [5], status: 'ok', target: { min: 5, max: 5 } })).not.toThrow();
    expect(() => renderTrendChart({ values: [null, null], status: 'no_data' })).not.toThrow();
    expect(chartDomain([null])).toEqual([0, 1]);
  });

  it('has a text twin: a sparkline', () => {
    expect(sparkline([1, 2, 3, null, 8])).toBe('▁▂▃ █');
    expect(sparkline([5, 5])).toBe('▄▄');
    expect(sparkline([null])).toBe('');
  });
});
