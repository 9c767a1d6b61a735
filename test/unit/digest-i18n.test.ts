/**
 * The digest's wording stays native: no Latin digits in the Persian and Arabic strings, every key
 * in every language, and the glossary's terms (docs/glossary.md) used instead of the words they
 * replaced, in the KPI and family names and in the digest strings.
 */
import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, KPI_NAMES } from '../../functions/core/catalog-names.ts';
import { LANGUAGES, type Lang } from '../../functions/core/config.ts';
import type { Messages } from '../../functions/core/digest/i18n.ts';
import {
  formatInstant,
  formatPeriod,
  formatValue,
  MESSAGES,
  zoneName,
} from '../../functions/core/digest/i18n.ts';

const V = '‹v›';

/** Every string a catalog can produce, its functions called with placeholder values. */
function catalogStrings(m: Messages, n = Number.NaN): string[] {
  const out: string[] = [];
  const visit = (x: unknown): void => {
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'function') {
      // Two argument shapes: (text, text, grain) and (count, grain, text); a function given the
      // shape it does not take may throw, and the other call covers it.
      for (const grain of ['day', 'month'] as const) {
        for (const args of [
          [V, V, grain],
          [n, grain, V],
        ]) {
          try {
            out.push(String(x(...args)));
          } catch {}
        }
      }
    } else if (x && typeof x === 'object') for (const v of Object.values(x)) visit(v);
  };
  const { numberLocale, dateLocale, monthLocale, fontFamily, langTag, zones, ...words } = m;
  visit(words);
  visit(zones);
  return out;
}

function names(lang: Lang): string[] {
  return [...Object.values(KPI_NAMES), ...Object.values(FAMILY_NAMES)].map((n) => n[lang]);
}

describe('Persian and Arabic strings', () => {
  for (const lang of ['fa', 'ar'] as const) {
    it(`${lang}: no ASCII digits in the catalog strings, KPI names or formatted values`, () => {
      const strings = [
        ...catalogStrings(MESSAGES[lang]),
        ...names(lang),
        formatValue(lang, 'pct', 48.9),
        formatValue(lang, 'seconds', 3, { signed: true }),
        formatValue(lang, 'currency', 314670, { currency: 'IRR' }),
        formatInstant(lang, '2026-11-30T20:30:00Z', 'Asia/Tehran'),
      ];
      const withDigits = strings.filter((s) => /[0-9]/.test(s.replace(/\(e?NPS\)|\(CSAT\)/g, '')));
      expect(withDigits).toEqual([]);
    });
  }

  it('ar: 3 to 10 take the plural noun, 11 and fractions the singular', () => {
    expect(formatValue('ar', 'seconds', 3)).toBe('٣ ثوانٍ');
    expect(formatValue('ar', 'minutes', 10)).toBe('١٠ دقائق');
    expect(formatValue('ar', 'hours', 11)).toBe('١١ ساعة');
    expect(formatValue('ar', 'pct', 4, { signed: true })).toBe('؜+٤ نقاط مئوية');
    expect(formatValue('ar', 'pct', 4.2, { signed: true })).toBe('؜+٤٫٢ نقطة مئوية');
  });

  it('ar: the overflow counts its noun as Arabic does (1, 2, 3–10, 11–99, 100+)', () => {
    const more = (n: number) => MESSAGES.ar.more(n, formatValue('ar', 'count', n));
    expect([1, 2, 3, 10, 11, 99, 100].map(more)).toEqual([
      'وبند آخر',
      'وبندان آخران',
      'و٣ بنود أخرى',
      'و١٠ بنود أخرى',
      'و١١ بندًا آخر',
      'و٩٩ بندًا آخر',
      'و١٠٠ بند آخر',
    ]);
  });

  it('ar: a day header gives the Umm al-Qura date beside the Gregorian one (Eid al-Fitr 1445–1447)', () => {
    // 1 Shawwal per the Umm al-Qura calendar: 10 April 2024, 30 March 2025, 20 March 2026.
    expect(formatPeriod('ar', 'day', '2024-04-10', '2024-04-10')).toContain('(١ شوال ١٤٤٥ هـ)');
    expect(formatPeriod('ar', 'day', '2025-03-30', '2025-03-30')).toContain('(١ شوال ١٤٤٦ هـ)');
    expect(formatPeriod('ar', 'day', '2026-03-20', '2026-03-20')).toMatch(
      /^الجمعة، ٢٠ مارس ٢٠٢٦ \(١ شوال ١٤٤٧ هـ\)$/,
    );
  });

  it('zh: asides in full-width brackets', () => {
    expect(MESSAGES.zh.parenthetical?.('上期48.9%')).toBe('（上期48.9%）');
  });

  it('fa and ar: the currency named after the amount (fa: «ریال» alone)', () => {
    expect(formatValue('fa', 'currency', 314670, { currency: 'IRR' })).toBe('۳۱۴٬۶۷۰ ریال');
    expect(formatValue('ar', 'currency', 314670, { currency: 'IRR' })).toBe('٣١٤٬٦٧٠ ريال إيراني');
  });
});

describe('every language', () => {
  it('has every key of the English catalog (runtime check beside tsc)', () => {
    const optional = new Set([
      'change',
      'unitWord',
      'parenthetical',
      'currencyNames',
      'secondCalendarLocale',
    ]);
    const keys = (m: Messages) =>
      Object.keys(m)
        .filter((k) => !optional.has(k))
        .sort();
    for (const lang of LANGUAGES) {
      expect(keys(MESSAGES[lang])).toEqual(keys(MESSAGES.en));
      expect(Object.keys(MESSAGES[lang].values).sort()).toEqual(Object.keys(MESSAGES.en.values).sort());
      expect(Object.keys(MESSAGES[lang].zones).sort()).toEqual(Object.keys(MESSAGES.en.zones).sort());
    }
  });

  it('writes times on a 24-hour clock and names the zone by its city', () => {
    expect(formatInstant('ms', '2026-11-30T20:30:00Z', 'Asia/Tehran')).toBe('1 Dis 2026, 00:00');
    expect(formatInstant('en', '2026-11-30T08:30:00Z', 'UTC')).toBe('30 Nov 2026, 08:30');
    expect(zoneName('fa', 'Asia/Tehran')).toBe('تهران');
    expect(zoneName('ar', 'Asia/Tehran')).toBe('طهران');
    expect(zoneName('zh', 'Asia/Tehran')).toBe('德黑兰');
    expect(zoneName('ms', 'Asia/Kuala_Lumpur')).toBe('Kuala Lumpur');
  });
});

/** Words the glossary (docs/glossary.md) replaced, per language: none may come back. */
const REPLACED: Record<Lang, RegExp[]> = {
  en: [/\bthis (day|month)\b/i],
  fa: [/رفع اشکال/, /رها کردن/, /کارمند/, /هر فرد/, /هزینه صرف/],
  ar: [/الطابور/, /مرارًا/, /التفاعلات/, /لهذا (اليوم|الشهر)/],
  zh: [/坐席/, /^客户调研$/, /本日|本月/, /摘要/],
  ms: [/Giliran/i, /\bpindahan\b/i, /bercakap/, /Kadar peningkatan/, /(hari|bulan) ini/],
};

describe('glossary consistency', () => {
  for (const lang of LANGUAGES) {
    it(`${lang}: KPI names, family names and digest strings use the glossary's terms`, () => {
      const strings = [...names(lang), ...catalogStrings(MESSAGES[lang])];
      const offending = strings.filter((s) => REPLACED[lang].some((re) => re.test(s)));
      expect(offending).toEqual([]);
    });
  }
});
