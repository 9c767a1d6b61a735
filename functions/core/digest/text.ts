/**
 * The plain-text alternative of the digest: the same content as the HTML, in reading order, with
 * a Unicode sparkline in place of each chart. Clients that show no HTML, screen readers and
 * spam filters read this part.
 */
import type { Lang } from '../config.ts';
import {
  alsoOffLabel,
  breakdownText,
  changeText,
  countsText,
  dimensionLabel,
  gapText,
  kpiName,
  previousText,
  runText,
  sparkline,
  summaryText,
  targetText,
  valueText,
} from './describe.ts';
import { familyName, formatInstant, formatNumber, formatPeriod, messages, zoneName } from './i18n.ts';
import type { DigestModel } from './model.ts';

function rule(title: string): string[] {
  return ['', title, '─'.repeat(Math.min(40, Math.max(8, [...title].length)))];
}

export function renderText(model: DigestModel, lang: Lang): string {
  const m = messages(lang);
  const { grain, currency } = model;
  const out: string[] = [
    `Servicepulse · ${m.title[grain]}`,
    formatPeriod(lang, grain, model.period.start, model.period.end),
    '',
    summaryText(model, lang),
  ];
  const counts = countsText(model, lang);
  if (counts) out.push(counts);

  if (model.gaps.length > 0) {
    out.push(...rule(m.dataMissingHeading));
    for (const g of model.gaps) out.push(`• ${gapText(g, lang, grain)}`);
    out.push(m.gapNote);
  }

  if (model.offTarget.length > 0) {
    out.push(...rule(m.offTargetHeading));
    for (const line of model.offTarget) {
      const dim = dimensionLabel(line, lang);
      out.push(
        '',
        `[${m.status[line.status]}] ${kpiName(line, lang)}${dim ? ` · ${dim}` : ''}${m.colon}${valueText(line, lang, currency)}`,
      );
      const target = targetText(line, lang, currency);
      if (target) out.push(`  ${m.target}${m.colon}${target}`);
      const change = [changeText(line, lang, grain, currency), previousText(line, lang, currency)]
        .filter(Boolean)
        .join(' · ');
      if (change) out.push(`  ${change}`);
      const run = runText(line, lang, grain);
      if (run) out.push(`  ${run}`);
      // Time runs left to right as in the chart, in right-to-left text too (LRI … PDI).
      const bars = sparkline(line.trend);
      const spark = m.dir === 'rtl' ? `\u2066${bars}\u2069` : bars;
      if (bars.trim()) {
        out.push(
          `  ${m.trendCaption(line.trend.length, grain, formatNumber(lang, line.trend.length))}${m.colon}${spark}`,
        );
      }
      const breakdown = breakdownText(line, lang, currency);
      if (breakdown) out.push(`  ${alsoOffLabel(lang)}${breakdown}`);
    }
  }

  if (model.families.length > 0) {
    out.push(...rule(model.offTarget.length > 0 ? m.otherHeading : m.allHeading));
    for (const f of model.families) {
      out.push('', familyName(f.family, lang));
      for (const line of f.lines) {
        out.push(`  ${kpiName(line, lang)}${m.colon}${valueText(line, lang, currency)}`);
        const breakdown = breakdownText(line, lang, currency);
        if (breakdown) out.push(`    ${alsoOffLabel(lang)}${breakdown}`);
      }
    }
  }

  out.push(
    '',
    '—',
    m.footer(formatInstant(lang, model.asOf, model.timezone), zoneName(lang, model.timezone)),
    '',
  );
  return out.join('\n');
}
