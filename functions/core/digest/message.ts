/**
 * One digest e-mail in one language: subject, HTML (charts by Content-ID), plain text, inline
 * PNGs and headers, ready for mime.ts. Charts do not depend on the language: {@link renderCharts}
 * draws them once per digest and every language's message attaches the same images.
 */
import type { Lang, Recipient } from '../config.ts';
import type { MailMessage } from '../ports.ts';
import { renderTrendChart } from './chart.ts';
import { subjectText } from './describe.ts';
import { renderHtml } from './html.ts';
import { messages } from './i18n.ts';
import { type DigestModel, type KpiLine, MAX_CARDS } from './model.ts';
import { renderText } from './text.ts';

export interface Chart {
  cid: string;
  filename: string;
  png: Uint8Array;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** One PNG trend chart per off-target card (the first MAX_CARDS lines) with a value in its trend. */
export function renderCharts(model: DigestModel): Map<KpiLine, Chart> {
  const charts = new Map<KpiLine, Chart>();
  model.offTarget.slice(0, MAX_CARDS).forEach((line, i) => {
    if (!line.trend.some((v) => v !== null)) return;
    const dim = line.dimension === 'all' ? '' : `-${slug(`${line.dimension}-${line.dimensionValue}`)}`;
    const name = `trend-${i + 1}-${line.kpi.id}${dim}`;
    charts.set(line, {
      cid: `${name}@servicepulse`,
      filename: `${name}.png`,
      png: renderTrendChart({ values: line.trend, target: line.target, status: line.status }),
    });
  });
  return charts;
}

/** `2024-03-20-day-en`, `2024-03-month-fa`: names the outbox files and the X-Servicepulse-Digest header. */
export function digestName(model: DigestModel, lang: Lang): string {
  const period = model.grain === 'month' ? model.period.start.slice(0, 7) : model.period.start;
  return `${period}-${model.grain}-${lang}`;
}

/** An address header entry: `"Name" <email>` (nodemailer encodes non-ASCII names per RFC 2047). */
export function formatRecipient(r: Pick<Recipient, 'email' | 'name'>): string {
  const name = r.name?.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${r.email}>` : r.email;
}

export interface ComposeOptions {
  lang: Lang;
  from: string;
  to: readonly string[];
  charts: Map<KpiLine, Chart>;
}

export function composeDigest(model: DigestModel, options: ComposeOptions): MailMessage {
  const { lang, charts } = options;
  const subject = subjectText(model, lang);
  const html = renderHtml(model, { lang, subject, chartCid: (line) => charts.get(line)?.cid });
  return {
    from: options.from,
    to: [...options.to],
    subject,
    html,
    text: renderText(model, lang),
    inline: [...charts.values()].map((c) => ({
      cid: c.cid,
      filename: c.filename,
      contentType: 'image/png',
      content: c.png,
    })),
    headers: {
      'Content-Language': messages(lang).langTag,
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Servicepulse-Digest': digestName(model, lang),
    },
  };
}
