/**
 * Renders the KPI catalog (catalog.ts + catalog-names.ts) as Markdown: the committed docs/kpis.md.
 * test/unit/catalog-doc.test.ts asserts the committed file equals this output, so the document
 * cannot drift from the code. Output is deterministic (no dates, catalog order).
 */
import type { Direction, Grain, KpiDefinition, Unit } from './catalog.ts';
import { CATALOG, defaultTarget, FAMILIES, kpisOfFamily } from './catalog.ts';
import { FAMILY_NAMES } from './catalog-names.ts';
import type { Lang, TargetRange } from './config.ts';
import { LANGUAGES } from './config.ts';

export const REGENERATE_COMMAND = 'npm run docs:kpis';

const LANGUAGE_LABELS: Record<Lang, string> = {
  en: 'English',
  fa: 'Persian',
  ar: 'Arabic',
  zh: 'Chinese (simplified)',
  ms: 'Malay',
};

const DIRECTION_TEXT: Record<Direction, string> = {
  min: 'min (lower is better)',
  max: 'max (higher is better)',
  range: 'range (inside is better)',
  info: 'info (never flagged)',
};

const UNIT_TEXT: Record<Unit, string> = {
  count: 'count',
  pct: 'percent (0–100)',
  minutes: 'minutes',
  hours: 'hours',
  seconds: 'seconds',
  ratio: 'ratio',
  score: 'score',
  currency: 'currency',
  per_hour: 'per hour',
};

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function formatTarget(t: TargetRange | undefined): string {
  if (!t) return '—';
  let s: string;
  if (t.min !== undefined && t.max !== undefined) s = t.min === t.max ? `= ${t.min}` : `${t.min} – ${t.max}`;
  else if (t.min !== undefined) s = `≥ ${t.min}`;
  else if (t.max !== undefined) s = `≤ ${t.max}`;
  else s = '—';
  if (t.warn !== undefined) s += `, warn at ${t.warn}`;
  if (t.consecutive !== undefined) s += `, after ${t.consecutive} periods in a row`;
  return s;
}

function targetFor(k: KpiDefinition, grain: Grain): string {
  if (!k.grains.includes(grain)) return `n/a (no ${grain} grain)`;
  return formatTarget(defaultTarget(k, grain));
}

function kpiSection(k: KpiDefinition): string[] {
  const rows: [string, string][] = [
    ['family', k.family],
    ...LANGUAGES.map((lang): [string, string] => [`name (${lang})`, k.names[lang]]),
    ['unit', UNIT_TEXT[k.unit]],
    ['direction', DIRECTION_TEXT[k.direction]],
    ['default target (day)', targetFor(k, 'day')],
    ['default target (month)', targetFor(k, 'month')],
    ['grains', k.grains.join(', ')],
    ['dimensions', k.dimensions.map((d) => `\`${d}\``).join(', ')],
    ['definition', k.definition],
    ['counted on', k.countedOn],
    ['seed', k.seed],
    ['additive', k.additive ? 'yes' : 'no'],
  ];
  return [
    `### \`${k.id}\` — ${k.names.en}`,
    '',
    '| field | value |',
    '|---|---|',
    ...rows.map(([field, value]) => `| ${field} | ${cell(value)} |`),
    '',
  ];
}

/** The whole KPI catalog as a Markdown document (docs/kpis.md). */
export function renderCatalogMarkdown(): string {
  const lines: string[] = [
    '<!-- GENERATED FILE: do not edit by hand. -->',
    '',
    '# KPI catalog',
    '',
    '> Generated from `functions/core/catalog.ts` and `functions/core/catalog-names.ts` by',
    '> `renderCatalogMarkdown()` in `functions/core/catalog-doc.ts`. Do not edit by hand: change the',
    `> catalog, then regenerate with \`${REGENERATE_COMMAND}\`. \`test/unit/catalog-doc.test.ts\` fails`,
    '> while this file is out of date.',
    '',
    `${CATALOG.length} KPIs in ${FAMILIES.length} families. "seed" names the public articles on`,
    'customer-service KPIs the catalog was drawn from (000 Persian "25 KPIs", 001 Chinese call-centre',
    'KPIs, 002 Arabic "top 6", 003 Malay support KPIs, 004 Persian "reports managers like"); their',
    'wording is the reference for the names. Names are given in the digest languages:',
    `${LANGUAGES.map((l) => `${l} = ${LANGUAGE_LABELS[l]}`).join(', ')}.`,
    'Default targets ship in the default configuration; every deployment can override them.',
    '',
    '## Index',
    '',
    '| kpi_id | name | family | unit | direction | target (day) | target (month) |',
    '|---|---|---|---|---|---|---|',
    ...CATALOG.map(
      (k) =>
        `| [\`${k.id}\`](#${k.id}) | ${cell(k.names.en)} | ${k.family} | ${k.unit} | ${k.direction} | ` +
        `${cell(targetFor(k, 'day'))} | ${cell(targetFor(k, 'month'))} |`,
    ),
    '',
    '## Families',
    '',
    `| family | ${LANGUAGES.join(' | ')} | KPIs |`,
    `|---|${LANGUAGES.map(() => '---|').join('')}---|`,
    ...FAMILIES.map((f) => {
      const names = FAMILY_NAMES[f];
      const cols = LANGUAGES.map((l) => cell(names?.[l] ?? '—'));
      return `| ${f} | ${cols.join(' | ')} | ${kpisOfFamily(f).length} |`;
    }),
    '',
  ];
  for (const f of FAMILIES) {
    lines.push(`## ${FAMILY_NAMES[f]?.en ?? f}`, '');
    for (const k of kpisOfFamily(f)) {
      lines.push(`<a id="${k.id}"></a>`, '', ...kpiSection(k));
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
