/**
 * The digest as HTML e-mail, built for what mail clients actually do:
 * - table layout and inline CSS only (Outlook's Word engine ignores most else; Gmail strips
 *   <style> in some views); no SVG, no data: URIs (Gmail drops both): charts are PNGs by `cid:`;
 * - 600 px wide at most, fluid down to 360 px (one column, nothing wider than its cell);
 * - explicit colours on every block and `color-scheme: light`, so clients that force dark mode
 *   invert a complete palette instead of mixing dark text into dark backgrounds; charts are opaque
 *   white PNGs;
 * - `lang` and `dir` on <html>, <body> and every table; for fa and ar the layout is mirrored
 *   (alignment, accent borders; the charts keep time running left to right);
 * - small: Gmail clips messages over ~100 KB (a digest is ~25–40 KB).
 */
import type { Lang } from '../config.ts';
import type { FlagStatus } from '../targets.ts';
import { CHART_CSS_HEIGHT, CHART_CSS_WIDTH } from './chart.ts';
import {
  arrow,
  breakdownText,
  changeText,
  countsText,
  dimensionLabel,
  gapText,
  kpiName,
  previousText,
  runText,
  summaryText,
  targetText,
  valueText,
} from './describe.ts';
import {
  familyName,
  formatInstant,
  formatNumber,
  formatPeriod,
  formatValue,
  messages,
  zoneName,
} from './i18n.ts';
import { type DigestModel, type KpiLine, MAX_CARDS } from './model.ts';

/** The palette (explicit everywhere: see the module comment on dark mode). */
export const COLORS = {
  page: '#eef1f5',
  card: '#ffffff',
  text: '#1b2330',
  muted: '#5b6675',
  rule: '#e3e7ec',
  header: '#1f3a5f',
  headerText: '#ffffff',
  headerMuted: '#c9d6e8',
  breach: '#b42318',
  breachBg: '#fdecea',
  warn: '#8a5a00',
  warnBg: '#fff4d6',
  warnAccent: '#e0a100',
  ok: '#1e7b34',
  okBg: '#e7f5ea',
  noData: '#5b6675',
  noDataBg: '#eef1f5',
} as const;

const STATUS_COLORS: Record<FlagStatus, { fg: string; bg: string }> = {
  breach: { fg: COLORS.breach, bg: COLORS.breachBg },
  warn: { fg: COLORS.warn, bg: COLORS.warnBg },
  ok: { fg: COLORS.ok, bg: COLORS.okBg },
  no_data: { fg: COLORS.noData, bg: COLORS.noDataBg },
};

const JUDGEMENT_COLORS = { better: COLORS.ok, worse: COLORS.breach, neutral: COLORS.muted } as const;

/** Escaped, with the FSI … PDI that isolate data names (describe.ts) as <bdi> elements. */
function escapeIsolated(s: string): string {
  return escapeHtml(s)
    .replace(/\u2068/g, '<bdi>')
    .replace(/\u2069/g, '</bdi>');
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface HtmlOptions {
  lang: Lang;
  subject: string;
  /** Content-ID of a line's trend chart (without `cid:`), when it has one. */
  chartCid?: (line: KpiLine) => string | undefined;
}

interface Ctx {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  start: 'left' | 'right';
  end: 'left' | 'right';
  font: string;
  model: DigestModel;
  chartCid: (line: KpiLine) => string | undefined;
}

const TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"';

function table(c: Ctx, inner: string, style = '', attrs = ''): string {
  return `<table ${TABLE} width="100%" dir="${c.dir}" ${attrs} style="width:100%;border-collapse:collapse;${style}">${inner}</table>`;
}

/** A block of text; font and alignment come from its cell (see {@link cell}). */
function text(_c: Ctx, s: string, style: string): string {
  return `<div style="${style}">${s}</div>`;
}

/** Font and alignment, set on every cell that holds text (Outlook does not inherit them into tables). */
function cell(c: Ctx): string {
  return `font-family:${c.font};text-align:${c.start};`;
}

function badge(c: Ctx, status: FlagStatus): string {
  const { fg, bg } = STATUS_COLORS[status];
  return `<span style="display:inline-block;padding:1px 8px;border-radius:9px;background-color:${bg};color:${fg};font-size:12px;line-height:18px;font-weight:bold;white-space:nowrap;">${escapeHtml(messages(c.lang).status[status])}</span>`;
}

function header(c: Ctx): string {
  const m = messages(c.lang);
  const period = formatPeriod(c.lang, c.model.grain, c.model.period.start, c.model.period.end);
  return `<tr><td bgcolor="${COLORS.header}" align="${c.start}" style="${cell(c)}background-color:${COLORS.header};padding:20px 24px;">${text(
    c,
    `Servicepulse · ${escapeHtml(m.title[c.model.grain])}`,
    `font-size:13px;line-height:18px;color:${COLORS.headerMuted};`,
  )}${text(c, escapeHtml(period), `font-size:20px;line-height:26px;font-weight:bold;color:${COLORS.headerText};padding-top:4px;`)}</td></tr>`;
}

function summary(c: Ctx): string {
  const s = c.model.summary;
  const tone = s.breaches > 0 ? STATUS_COLORS.breach : s.warnings > 0 ? STATUS_COLORS.warn : STATUS_COLORS.ok;
  const counts = countsText(c.model, c.lang);
  return `<tr><td bgcolor="${tone.bg}" align="${c.start}" style="${cell(c)}background-color:${tone.bg};padding:14px 24px;">${text(
    c,
    escapeHtml(summaryText(c.model, c.lang)),
    `font-size:18px;line-height:24px;font-weight:bold;color:${tone.fg};`,
  )}${counts ? text(c, escapeHtml(counts), `font-size:13px;line-height:18px;color:${COLORS.text};padding-top:2px;`) : ''}</td></tr>`;
}

function gaps(c: Ctx): string {
  if (c.model.gaps.length === 0) return '';
  const m = messages(c.lang);
  const items = c.model.gaps
    .map((g) =>
      text(
        c,
        `• ${escapeHtml(gapText(g, c.lang, c.model.grain))}`,
        `font-size:14px;line-height:20px;color:${COLORS.text};padding-top:4px;`,
      ),
    )
    .join('');
  const inner = `<tr><td bgcolor="${COLORS.warnBg}" style="${cell(c)}background-color:${COLORS.warnBg};border-${c.start}:4px solid ${COLORS.warnAccent};padding:12px 14px;">${text(
    c,
    escapeHtml(m.dataMissingHeading),
    `font-size:15px;line-height:20px;font-weight:bold;color:${COLORS.warn};`,
  )}${items}${text(c, escapeHtml(m.gapNote), `font-size:12px;line-height:17px;color:${COLORS.muted};padding-top:6px;`)}</td></tr>`;
  return `<tr><td style="padding:16px 24px 0;background-color:${COLORS.card};" bgcolor="${COLORS.card}">${table(c, inner)}</td></tr>`;
}

function heading(c: Ctx, s: string): string {
  return `<tr><td bgcolor="${COLORS.card}" style="${cell(c)}background-color:${COLORS.card};padding:20px 24px 8px;">${text(
    c,
    escapeHtml(s),
    `font-size:16px;line-height:22px;font-weight:bold;color:${COLORS.text};border-bottom:2px solid ${COLORS.rule};padding-bottom:6px;`,
  )}</td></tr>`;
}

function offTargetCard(c: Ctx, line: KpiLine): string {
  const m = messages(c.lang);
  const { grain, currency } = c.model;
  const tone = STATUS_COLORS[line.status];
  const dim = dimensionLabel(line, c.lang);
  const name = `${escapeHtml(kpiName(line, c.lang))}${dim ? ` <span style="font-weight:normal;color:${COLORS.muted};">· ${escapeIsolated(dim)}</span>` : ''}`;
  const target = targetText(line, c.lang, currency);
  const change = changeText(line, c.lang, grain, currency);
  const previous = previousText(line, c.lang, currency);
  const run = runText(line, c.lang, grain);
  const breakdown = breakdownText(line, c.lang, currency);
  const cid = c.chartCid(line);
  const parts = [
    text(
      c,
      `${badge(c, line.status)} <span style="font-size:15px;line-height:22px;font-weight:bold;color:${COLORS.text};">${name}</span>`,
      'line-height:22px;',
    ),
    text(
      c,
      `<span style="font-size:24px;line-height:32px;font-weight:bold;color:${tone.fg};">${escapeHtml(valueText(line, c.lang, currency))}</span>${
        target
          ? ` <span style="font-size:13px;color:${COLORS.muted};">${escapeHtml(m.target)}${escapeHtml(m.colon)}${escapeHtml(target)}</span>`
          : ''
      }`,
      'padding-top:4px;',
    ),
  ];
  const changeLine = [
    change ? `<span style="color:${JUDGEMENT_COLORS[line.judgement]};">${escapeHtml(change)}</span>` : '',
    previous ? escapeHtml(messages(c.lang).parenthetical?.(previous) ?? `(${previous})`) : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (changeLine)
    parts.push(text(c, changeLine, `font-size:13px;line-height:19px;color:${COLORS.muted};padding-top:2px;`));
  if (run)
    parts.push(
      text(
        c,
        escapeHtml(run),
        `font-size:13px;line-height:19px;font-weight:bold;color:${tone.fg};padding-top:2px;`,
      ),
    );
  if (cid) {
    const first = line.trend.find((v) => v !== null);
    const alt =
      line.value !== null && first !== undefined && first !== null
        ? m.chartAlt(
            kpiName(line, c.lang),
            formatValue(c.lang, line.kpi.unit, first, { currency }),
            formatValue(c.lang, line.kpi.unit, line.value, { currency }),
          )
        : kpiName(line, c.lang);
    parts.push(
      `<div style="padding-top:10px;"><img src="cid:${escapeHtml(cid)}" width="${CHART_CSS_WIDTH}" height="${CHART_CSS_HEIGHT}" alt="${escapeHtml(alt)}" style="display:block;width:${CHART_CSS_WIDTH}px;max-width:100%;height:auto;border:1px solid ${COLORS.rule};background-color:#ffffff;${c.dir === 'rtl' ? 'margin-left:auto;' : ''}"></div>`,
    );
    parts.push(
      text(
        c,
        escapeHtml(m.trendCaption(line.trend.length, grain, formatNumber(c.lang, line.trend.length))),
        `font-size:11px;line-height:16px;color:${COLORS.muted};padding-top:2px;`,
      ),
    );
  }
  if (breakdown) {
    parts.push(
      text(
        c,
        `<span style="font-weight:bold;">${escapeHtml(m.alsoOff)}</span>${m.alsoOff.endsWith('：') ? '' : ' '}${escapeIsolated(breakdown)}`,
        `font-size:13px;line-height:19px;color:${COLORS.text};padding-top:8px;`,
      ),
    );
  }
  const card = `<tr><td bgcolor="${COLORS.card}" style="${cell(c)}background-color:${COLORS.card};border:1px solid ${COLORS.rule};border-${c.start}:4px solid ${tone.fg};padding:12px 14px;">${parts.join('')}</td></tr>`;
  return `<tr><td bgcolor="${COLORS.card}" style="background-color:${COLORS.card};padding:0 24px 12px;">${table(c, card)}</td></tr>`;
}

function compactRow(c: Ctx, line: KpiLine): string {
  const { grain, currency } = c.model;
  const m = messages(c.lang);
  const muted = line.value === null || line.dataMissing;
  const breakdown = breakdownText(line, c.lang, currency);
  const note = breakdown
    ? text(
        c,
        `${escapeHtml(m.alsoOff)} ${escapeIsolated(breakdown)}`,
        `font-size:12px;line-height:16px;color:${COLORS.warn};`,
      )
    : '';
  const change =
    line.change !== null && !line.dataMissing
      ? ` <span style="font-size:12px;color:${JUDGEMENT_COLORS[line.judgement]};" title="${escapeHtml(changeText(line, c.lang, grain, currency))}">${arrow(line.change)}</span>`
      : '';
  return `<tr><td align="${c.start}" style="padding:6px 0;border-bottom:1px solid ${COLORS.rule};font-family:${c.font};font-size:14px;line-height:20px;color:${COLORS.text};text-align:${c.start};">${escapeHtml(kpiName(line, c.lang))}${note}</td><td align="${c.end}" valign="top" style="padding:6px 0;padding-${c.start}:12px;border-bottom:1px solid ${COLORS.rule};font-family:${c.font};font-size:14px;line-height:20px;text-align:${c.end};white-space:nowrap;color:${muted ? COLORS.muted : COLORS.text};${muted ? '' : 'font-weight:bold;'}">${escapeHtml(valueText(line, c.lang, currency))}${change}</td></tr>`;
}

/** An off-target line beyond the cards: badge, name, value and target on one row, no chart. */
function compactOffRow(c: Ctx, line: KpiLine): string {
  const m = messages(c.lang);
  const { currency } = c.model;
  const dim = dimensionLabel(line, c.lang);
  const target = targetText(line, c.lang, currency);
  const name = `${badge(c, line.status)} ${escapeHtml(kpiName(line, c.lang))}${dim ? ` <span style="color:${COLORS.muted};">· ${escapeIsolated(dim)}</span>` : ''}`;
  const sub = target
    ? text(
        c,
        `${escapeHtml(m.target)}${escapeHtml(m.colon)}${escapeHtml(target)}`,
        `font-size:12px;line-height:16px;color:${COLORS.muted};`,
      )
    : '';
  return `<tr><td style="${cell(c)}padding:6px 0;border-bottom:1px solid ${COLORS.rule};font-size:14px;line-height:22px;color:${COLORS.text};">${name}${sub}</td><td align="${c.end}" valign="top" style="font-family:${c.font};padding:6px 0;padding-${c.start}:12px;border-bottom:1px solid ${COLORS.rule};font-size:14px;line-height:22px;text-align:${c.end};white-space:nowrap;font-weight:bold;color:${STATUS_COLORS[line.status].fg};">${escapeHtml(valueText(line, c.lang, currency))}</td></tr>`;
}

function moreOffTarget(c: Ctx, lines: readonly KpiLine[]): string {
  if (lines.length === 0) return '';
  return `<tr><td bgcolor="${COLORS.card}" style="background-color:${COLORS.card};padding:0 24px 12px;">${table(c, lines.map((l) => compactOffRow(c, l)).join(''))}</td></tr>`;
}

function families(c: Ctx): string {
  const out: string[] = [];
  for (const f of c.model.families) {
    const rows = f.lines.map((l) => compactRow(c, l)).join('');
    out.push(
      `<tr><td bgcolor="${COLORS.card}" style="${cell(c)}background-color:${COLORS.card};padding:10px 24px 0;">${text(
        c,
        escapeHtml(familyName(f.family, c.lang)),
        `font-size:12px;line-height:16px;font-weight:bold;letter-spacing:0.4px;text-transform:uppercase;color:${COLORS.muted};`,
      )}${table(c, rows)}</td></tr>`,
    );
  }
  return out.join('');
}

function footer(c: Ctx): string {
  const m = messages(c.lang);
  return `<tr><td bgcolor="${COLORS.card}" style="${cell(c)}background-color:${COLORS.card};padding:20px 24px 24px;">${text(
    c,
    escapeHtml(
      m.footer(formatInstant(c.lang, c.model.asOf, c.model.timezone), zoneName(c.lang, c.model.timezone)),
    ),
    `font-size:12px;line-height:17px;color:${COLORS.muted};border-top:1px solid ${COLORS.rule};padding-top:12px;`,
  )}</td></tr>`;
}

/** The complete HTML document of one digest in one language. */
export function renderHtml(model: DigestModel, options: HtmlOptions): string {
  const m = messages(options.lang);
  const c: Ctx = {
    lang: options.lang,
    dir: m.dir,
    start: m.dir === 'rtl' ? 'right' : 'left',
    end: m.dir === 'rtl' ? 'left' : 'right',
    font: m.fontFamily.replace(/"/g, "'"),
    model,
    chartCid: options.chartCid ?? (() => undefined),
  };
  const body = [
    header(c),
    summary(c),
    gaps(c),
    model.offTarget.length > 0 ? heading(c, m.offTargetHeading) : '',
    ...model.offTarget.slice(0, MAX_CARDS).map((l) => offTargetCard(c, l)),
    moreOffTarget(c, model.offTarget.slice(MAX_CARDS)),
    model.families.length > 0 ? heading(c, model.offTarget.length > 0 ? m.otherHeading : m.allHeading) : '',
    families(c),
    footer(c),
  ].join('\n');
  const preheader = [summaryText(model, options.lang), countsText(model, options.lang)]
    .filter(Boolean)
    .join(' — ');
  return `<!DOCTYPE html>
<html lang="${m.langTag}" dir="${c.dir}" style="color-scheme:light;">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<meta name="x-apple-disable-message-reformatting">
<title>${escapeHtml(options.subject)}</title>
</head>
<body dir="${c.dir}" bgcolor="${COLORS.page}" style="margin:0;padding:0;background-color:${COLORS.page};color:${COLORS.text};color-scheme:light;-webkit-text-size-adjust:100%;">
<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px;color:${COLORS.page};">${escapeHtml(preheader)}</div>
<table ${TABLE} width="100%" dir="${c.dir}" bgcolor="${COLORS.page}" style="width:100%;background-color:${COLORS.page};border-collapse:collapse;">
<tr><td align="center" style="padding:16px 8px;">
<!--[if mso]><table ${TABLE} width="600" align="center"><tr><td><![endif]-->
<table ${TABLE} width="100%" dir="${c.dir}" bgcolor="${COLORS.card}" style="width:100%;max-width:600px;background-color:${COLORS.card};border-collapse:collapse;margin:0 auto;">
${body}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}
