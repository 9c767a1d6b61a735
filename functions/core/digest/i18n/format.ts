/**
 * Locale-aware formatting for the digest, all through Intl (no hand-made digits): numbers in the
 * language's digits (Persian, Arabic-Indic, Latin), KPI values in their unit (percentages,
 * percentage points, durations, rates, currency), and periods and instants in the language's
 * calendar. The locales and unit words come from each language's catalog (types.ts `Messages`):
 * - fa: Persian digits, dates in the Persian (Solar Hijri) calendar (`fa-IR-u-ca-persian`); a
 *   month period is a Gregorian calendar month, so its label names the Gregorian month and adds
 *   the Persian-calendar date range it spans.
 * - ar: Arabic-Indic digits (`ar-u-nu-arab`), Gregorian calendar.
 * - zh: `zh-CN`; ms: `ms-MY`; en: `en-GB` (day-month-year, unambiguous for an international team).
 */
import type { Grain, Unit } from '../../catalog.ts';
import type { Lang } from '../../config.ts';
import { MESSAGES } from './catalogs.ts';

// ── numbers ──────────────────────────────────────────────────────────────────
const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

export interface FormatOptions {
  /** ISO-4217 code for `currency` KPIs (config.currency); without it a plain number. */
  currency?: string;
  /** Render a change: always signed, percentages in percentage points. */
  signed?: boolean;
}

const DURATION_UNITS: Partial<Record<Unit, string>> = { seconds: 'second', minutes: 'minute', hours: 'hour' };

/** A plain number in the language's digits. */
export function formatNumber(lang: Lang, n: number, maxFractionDigits = 0): string {
  return nf(MESSAGES[lang].numberLocale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

/** A KPI value (or, with `signed`, a change of one) in its unit, formatted for the language. */
export function formatValue(lang: Lang, unit: Unit, v: number, options: FormatOptions = {}): string {
  const m = MESSAGES[lang];
  const sign: Intl.NumberFormatOptions = options.signed ? { signDisplay: 'exceptZero' } : {};
  const duration = DURATION_UNITS[unit];
  if (duration) {
    if (typeof m.durations === 'object') {
      const key = unit as keyof typeof m.durations;
      const words = m.unitWord?.(key, roundedAbs(v)) ?? m.durations[key];
      return `${nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v)} ${words}`;
    }
    return nf(m.numberLocale, {
      style: 'unit',
      unit: duration,
      unitDisplay: m.durations,
      maximumFractionDigits: 1,
      ...sign,
    }).format(v);
  }
  switch (unit) {
    case 'pct':
      if (options.signed) {
        const amount = nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v);
        const word = m.unitWord?.('points', roundedAbs(v));
        return word ? `${amount} ${word}` : m.points(amount);
      }
      return nf(m.numberLocale, { style: 'percent', maximumFractionDigits: 1 }).format(v / 100);
    case 'count':
      return nf(m.numberLocale, { maximumFractionDigits: 0, ...sign }).format(v);
    case 'ratio':
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
    case 'score':
      return nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v);
    case 'per_hour':
      return m.perHour(nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v));
    case 'currency':
      if (options.currency) {
        const parts = nf(m.numberLocale, {
          style: 'currency',
          currency: options.currency,
          currencyDisplay: m.currencyDisplay,
          ...sign,
        }).formatToParts(v);
        const name = m.currencyNames?.[options.currency];
        return parts.map((p) => (p.type === 'currency' && name ? name : p.value)).join('');
      }
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
    default:
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
  }
}

/** The number a plural rule sees: the absolute value as shown (one decimal). */
function roundedAbs(v: number): number {
  return Math.round(Math.abs(v) * 10) / 10;
}

// ── dates ────────────────────────────────────────────────────────────────────
function utcDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/**
 * The period as a reader names it: a day in the language's calendar ("1 Farvardin 1403" in fa);
 * a month by its Gregorian name ("March 2024"), and in fa also the Persian-calendar days it spans.
 */
export function formatPeriod(lang: Lang, grain: Grain, start: string, end: string): string {
  const m = MESSAGES[lang];
  if (grain === 'day') {
    const d = utcDate(start);
    if (lang === 'fa') {
      // ICU's full Persian pattern puts the weekday last ("۱۴۰۳ فروردین ۱, چهارشنبه"); Persian writes it first.
      const weekday = new Intl.DateTimeFormat(m.dateLocale, { weekday: 'long', timeZone: 'UTC' }).format(d);
      return `${weekday} ${new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'long', timeZone: 'UTC' }).format(d)}`;
    }
    const date = new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'full', timeZone: 'UTC' }).format(d);
    if (!m.secondCalendarLocale) return date;
    // ar: the Umm al-Qura date beside the Gregorian one, as Saudi letters and reports give both.
    const second = new Intl.DateTimeFormat(m.secondCalendarLocale, { dateStyle: 'long', timeZone: 'UTC' });
    return `${date} (${second.format(d)})`;
  }
  const month = new Intl.DateTimeFormat(m.monthLocale, {
    year: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(utcDate(start));
  if (m.dateLocale === m.monthLocale) return month;
  const range = new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(
    utcDate(start),
    utcDate(end),
  );
  return `${month} (${range})`;
}

/** A short period label for subjects and chart captions. */
export function formatPeriodShort(lang: Lang, grain: Grain, start: string): string {
  const m = MESSAGES[lang];
  if (grain === 'day') {
    return new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'long', timeZone: 'UTC' }).format(
      utcDate(start),
    );
  }
  return new Intl.DateTimeFormat(m.monthLocale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    utcDate(start),
  );
}

/** An instant in the reporting zone, in the language's calendar. */
export function formatInstant(lang: Lang, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(MESSAGES[lang].dateLocale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(iso));
}

/**
 * The reporting zone as its reader names it: the city of the language's table (the zones the
 * product names), else Intl's exemplar city when this runtime gives one, else the zone id.
 */
export function zoneName(lang: Lang, timeZone: string): string {
  const m = MESSAGES[lang];
  const known = m.zones[timeZone];
  if (known) return known;
  try {
    const part = new Intl.DateTimeFormat(m.dateLocale, { timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date(0))
      .find((p) => p.type === 'timeZoneName')?.value;
    return part && !/^(GMT|UTC)/.test(part) ? part : timeZone;
  } catch {
    return timeZone;
  }
}
