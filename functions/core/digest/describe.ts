/**
 * The words of one digest line, shared by the HTML and the plain-text renderings: value, target,
 * change, breach run, breakdown and summary, in one language.
 */
import type { Grain } from '../catalog.ts';
import type { Lang } from '../config.ts';
import { warnSide } from '../targets.ts';
import type { SourceGap } from './freshness.ts';
import { familyName, formatNumber, formatPeriodShort, formatValue, messages } from './i18n.ts';
import type { DigestModel, KpiLine } from './model.ts';
import { isolatedName, safeName } from './safe-name.ts';

export function kpiName(line: KpiLine, lang: Lang): string {
  return line.kpi.names[lang];
}

/** Dimensions whose named values carry the label themselves ("Work plan" is a plan kind). */
const SELF_LABELLED = new Set(['plan_kind']);

/**
 * "Queue vip", "Channel E-mail"; the value alone when it already carries the label (a plan kind,
 * a team named "Pasukan Kuala Lumpur" in Malay); empty for the overall row.
 */
export function dimensionLabel(line: Pick<KpiLine, 'dimension' | 'dimensionValue'>, lang: Lang): string {
  if (line.dimension === 'all') return '';
  const m = messages(lang);
  const dim = m.dimensions[line.dimension as keyof typeof m.dimensions] ?? safeName(line.dimension);
  const named = m.values[line.dimensionValue];
  // A value from data is isolated (FSI … PDI), escaped and capped; the catalog's own words are not.
  const value = named ?? isolatedName(line.dimensionValue);
  if (SELF_LABELLED.has(line.dimension) && named !== undefined) return value;
  const plain = named ?? safeName(line.dimensionValue);
  if (plain.toLocaleLowerCase(m.numberLocale).startsWith(dim.toLocaleLowerCase(m.numberLocale))) return value;
  const sep = m.colon === '：' ? m.colon : ' ';
  return `${dim}${sep}${value}`;
}

export function valueText(line: KpiLine, lang: Lang, currency?: string): string {
  const m = messages(lang);
  if (line.dataMissing) return m.dataMissing;
  if (line.value === null) return m.noData;
  return formatValue(lang, line.kpi.unit, line.value, { currency });
}

/** "at least 80 % · warning below 85 %"; empty when the line has no target. */
export function targetText(line: KpiLine, lang: Lang, currency?: string): string {
  const t = line.target;
  if (!t) return '';
  const m = messages(lang);
  const f = (v: number) => formatValue(lang, line.kpi.unit, v, { currency });
  const parts: string[] = [];
  if (t.min !== undefined && t.max !== undefined) parts.push(m.between(f(t.min), f(t.max)));
  else if (t.min !== undefined) parts.push(m.atLeast(f(t.min)));
  else if (t.max !== undefined) parts.push(m.atMost(f(t.max)));
  const side = warnSide(line.kpi.direction, t);
  if (side === 'high') parts.push(m.warnAbove(f(t.warn!)));
  if (side === 'low') parts.push(m.warnBelow(f(t.warn!)));
  return parts.join(m.listSep);
}

export function arrow(change: number | null): string {
  if (change === null || change === 0) return '▬';
  return change > 0 ? '▲' : '▼';
}

/** "▼ −3.4 pts vs previous day"; empty without a previous value. */
export function changeText(line: KpiLine, lang: Lang, grain: Grain, currency?: string): string {
  if (line.change === null || line.dataMissing) return '';
  const m = messages(lang);
  const amount = formatValue(lang, line.kpi.unit, line.change, { currency, signed: true });
  if (m.change) return m.change(arrow(line.change), amount, m.versus[grain]);
  return `${arrow(line.change)} ${amount} ${m.versus[grain]}`;
}

export function previousText(line: KpiLine, lang: Lang, currency?: string): string {
  if (line.previous === null || line.dataMissing) return '';
  return messages(lang).previous(formatValue(lang, line.kpi.unit, line.previous, { currency }));
}

/** "3 days in a row outside target" from the second period on. */
export function runText(line: KpiLine, lang: Lang, grain: Grain): string {
  if (line.consecutive < 2) return '';
  return messages(lang).inARow(line.consecutive, grain, formatNumber(lang, line.consecutive));
}

/** "Queue vip 62 % · Queue billing 71 % · and 2 more". */
export function breakdownText(line: KpiLine, lang: Lang, currency?: string): string {
  if (line.breakdown.length === 0) return '';
  const m = messages(lang);
  const items = line.breakdown.map((b) => `${dimensionLabel(b, lang)} ${valueText(b, lang, currency)}`);
  if (line.breakdownMore > 0) items.push(m.more(line.breakdownMore, formatNumber(lang, line.breakdownMore)));
  return items.join(m.listSep);
}

export function summaryText(model: DigestModel, lang: Lang): string {
  const m = messages(lang);
  const s = model.summary;
  if (s.offTarget === 0) return m.allOnTarget(formatNumber(lang, s.total));
  return m.summary(formatNumber(lang, s.offTarget), formatNumber(lang, s.total));
}

export function countsText(model: DigestModel, lang: Lang): string {
  const s = model.summary;
  if (s.offTarget === 0) return '';
  return messages(lang).counts(formatNumber(lang, s.breaches), formatNumber(lang, s.warnings));
}

export function gapText(gap: SourceGap, lang: Lang, grain: Grain): string {
  const m = messages(lang);
  const avg = formatNumber(lang, gap.average);
  const source = familyName(gap.entity, lang);
  return gap.kind === 'none'
    ? m.gapNone(source, avg, grain)
    : m.gapLow(source, formatNumber(lang, gap.count), avg);
}

/** "Daily KPI digest · 20 Mar 2024 · 3 of 47 KPIs off target". */
export function subjectText(model: DigestModel, lang: Lang): string {
  const m = messages(lang);
  const parts = [
    m.title[model.grain],
    formatPeriodShort(lang, model.grain, model.period.start),
    summaryText(model, lang),
  ];
  if (model.gaps.length > 0) {
    parts.push(
      `${m.dataMissingHeading}${m.colon}${model.gaps.map((g) => familyName(g.entity, lang)).join(m.listSep)}`,
    );
  }
  return parts.join(' · ');
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** The label before a breakdown list, with the space the script wants after it (none after "："). */
export function alsoOffLabel(lang: Lang): string {
  const m = messages(lang);
  return m.alsoOff.endsWith('：') ? m.alsoOff : `${m.alsoOff} `;
}

/** A Unicode sparkline of a series (a space where a period has no value). */
export function sparkline(values: readonly (number | null)[]): string {
  const ys = values.filter((v): v is number => v !== null);
  if (ys.length === 0) return '';
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return values
    .map((v) => {
      if (v === null) return ' ';
      const i = hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1));
      return BLOCKS[i];
    })
    .join('');
}
