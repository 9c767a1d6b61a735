/**
 * Value parsing for custom mappings (docs/mappings/custom.md): the text of one export cell → the
 * number, duration or instant the contract wants. Real exports write digits in Persian (۰–۹) or
 * Arabic-Indic (٠–٩), Arabic decimal and thousands separators (٫ ٬), 12-hour clocks marked in
 * Arabic (ص/م) or Chinese (上午/下午), Excel serial days, Unix epochs, and dates in the Solar
 * Hijri (Jalali) or Umm al-Qura calendar; everything here accepts all of them.
 *
 * Patterns are Unicode/CLDR tokens read by Luxon (one compiled parser per pattern); dates in other
 * calendars are converted by the platform's ICU calendars (Intl.DateTimeFormat), found by a short
 * search around an arithmetic estimate and cached per date.
 */
import { DateTime } from 'luxon';

// ── digits and numbers ────────────────────────────────────────────────────────

const NON_ASCII = /[\u0080-\uffff]/;
const EASTERN_DIGIT = /[\u06f0-\u06f9\u0660-\u0669\u066b\u066c]/g;

/** Persian and Arabic-Indic digits → ASCII; ٫ (Arabic decimal) → `.`; ٬ (Arabic thousands) → `,`. */
export function normalizeDigits(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.replace(EASTERN_DIGIT, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x066b) return '.';
    if (code === 0x066c) return ',';
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number written with any of the digit sets; `decimal` is the decimal mark of the export
 * (`.` by default, `,` for many European exports). Thousands separators are accepted only in
 * well-formed groups (`1,234,567.5`); anything else is undefined, never a guess.
 */
export function parseNumber(text: string, decimal: '.' | ',' = '.'): number | undefined {
  let t = normalizeDigits(text)
    .trim()
    .replace(/[\s\u00a0\u202f]/g, '');
  if (decimal === ',') t = t.replace(/\./g, (m, i: number) => (/^\d{3}(\D|$)/.test(t.slice(i + 1)) ? '' : m));
  if (decimal === ',') t = t.replace(',', '.');
  if (GROUPED.test(t)) t = t.replace(/,/g, '');
  if (!PLAIN.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

// ── durations ─────────────────────────────────────────────────────────────────

export const DURATION_UNITS = [
  'seconds',
  'minutes',
  'hours',
  'milliseconds',
  'h:mm:ss',
  'mm:ss',
  'excel',
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const FACTOR: Record<string, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  milliseconds: 0.001,
  excel: 86_400,
};
const CLOCK = /^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/;

/** A duration in seconds: a number in `unit`, or a clock text (`h:mm:ss`, `mm:ss`, `m:ss`). */
export function parseDuration(text: string, unit: DurationUnit): number | undefined {
  const t = normalizeDigits(text).trim();
  const factor = FACTOR[unit];
  if (factor !== undefined) {
    const n = parseNumber(t);
    return n === undefined ? undefined : Math.round(n * factor * 1000) / 1000;
  }
  const m = CLOCK.exec(t);
  if (!m) return undefined;
  const [a, b, c] = [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
  if (unit === 'mm:ss') return c === undefined && b < 60 ? a * 60 + b : undefined;
  // h:mm:ss; h:mm (no seconds) is read as hours and minutes.
  if (b >= 60 || (c !== undefined && c >= 60)) return undefined;
  return a * 3600 + b * 60 + (c ?? 0);
}

// ── calendars ─────────────────────────────────────────────────────────────────

export const CALENDARS = ['gregorian', 'persian', 'islamic-umalqura'] as const;
export type Calendar = (typeof CALENDARS)[number];

const DAY_MS = 86_400_000;
const formatters = new Map<Calendar, Intl.DateTimeFormat>();
function calendarParts(cal: Calendar, day: number): [number, number, number] {
  let f = formatters.get(cal);
  if (!f) {
    f = new Intl.DateTimeFormat(`en-u-ca-${cal}-nu-latn`, {
      timeZone: 'UTC',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(cal, f);
  }
  const parts = f.formatToParts(new Date(day * DAY_MS));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day')];
}

/** Days since 1970-01-01 of a date's rough position, for the search (mean year and month lengths). */
function estimate(cal: Calendar, y: number, m: number, d: number): number {
  if (cal === 'persian')
    return Math.round((y - 1349) * 365.2422 + (m <= 6 ? (m - 1) * 31 : 186 + (m - 7) * 30) + d + 78);
  return Math.round((y - 1390) * 354.367 + (m - 1) * 29.53 + d + 66);
}

const ord = (y: number, m: number, d: number) => y * 400 + m * 32 + d;

/** Jumps by the estimated distance while it is large, then walks day by day onto the date. */
function searchDay(cal: Calendar, y: number, m: number, d: number): number | null {
  const yearLength = cal === 'persian' ? 365 : 354;
  let guess = estimate(cal, y, m, d);
  for (let i = 0; i < 8; i++) {
    const [gy, gm, gd] = calendarParts(cal, guess);
    if (gy === y && gm === m && gd === d) return guess;
    const jump = (y - gy) * yearLength + (m - gm) * 30 + (d - gd);
    if (Math.abs(jump) > 3) {
      guess += jump;
      continue;
    }
    const dir = ord(y, m, d) > ord(gy, gm, gd) ? 1 : -1;
    for (let k = 0; k < 6; k++) {
      guess += dir;
      const [a, b, c] = calendarParts(cal, guess);
      if (a === y && b === m && c === d) return guess;
      if ((ord(y, m, d) > ord(a, b, c) ? 1 : -1) !== dir) return null; // stepped over: no such date
    }
    return null;
  }
  return null;
}

const calendarCache = new Map<string, number | null>();

/**
 * The Gregorian day (days since 1970-01-01) of a date in `cal`, or undefined when the date does
 * not exist (month 13, 30 Esfand of a common year, 30th of a 29-day Hijri month).
 */
export function calendarDay(cal: Calendar, y: number, m: number, d: number): number | undefined {
  if (cal === 'gregorian') {
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d
      ? t / DAY_MS
      : undefined;
  }
  const key = `${cal}:${y}:${m}:${d}`;
  const hit = calendarCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = m >= 1 && m <= 12 && d >= 1 && d <= 31 ? searchDay(cal, y, m, d) : null;
  calendarCache.set(key, found);
  return found ?? undefined;
}

// ── timestamps ────────────────────────────────────────────────────────────────

/** How a timestamp column is written when it is not a pattern: ISO-8601, Excel serial days, Unix epochs. */
export const TIMESTAMP_FORMS = ['iso', 'excel', 'unix-seconds', 'unix-ms'] as const;
export type TimestampForm = (typeof TIMESTAMP_FORMS)[number];

export interface TimestampSpec {
  /** Unicode/CLDR pattern, e.g. `d/M/yyyy h:mm a`, `yyMMdd`, `yyyy/MM/dd HH:mm`. */
  pattern?: string | undefined;
  form?: TimestampForm | undefined;
  calendar?: Calendar | undefined;
  /** IANA zone of wall times (ignored for Unix epochs and texts with an offset). */
  zone: string;
}

/** 12-hour markers in Arabic and Chinese → AM/PM, as Luxon's `a` token reads them. */
function normalizeMeridiem(t: string): string {
  if (!NON_ASCII.test(t)) return t;
  return t
    .replace(/上午|早上|凌晨/g, 'AM')
    .replace(/下午|晚上|中午/g, 'PM')
    .replace(/(^|[\s\d])(ص|صباحا|صباحًا)(?=\s|$)/g, '$1AM')
    .replace(/(^|[\s\d])(م|مساء|مساءً)(?=\s|$)/g, '$1PM');
}

interface Explained {
  result: Record<string, number> | null;
  invalidReason?: string;
}
interface FieldParser {
  explainFromTokens(text: string): Explained;
}
const parsers = new Map<string, FieldParser>();

/** The pattern's compiled Luxon parser (the object `DateTime.buildFormatParser` returns). */
function parserOf(pattern: string): FieldParser {
  let p = parsers.get(pattern);
  if (!p) {
    p = DateTime.buildFormatParser(pattern, { locale: 'en-US' }) as unknown as FieldParser;
    parsers.set(pattern, p);
  }
  return p;
}

/** Whether Luxon can build a parser for the pattern (for mapping validation). */
export function patternProblem(pattern: string): string | undefined {
  const e = parserOf(pattern).explainFromTokens('');
  return e.invalidReason ? `${e.invalidReason}` : undefined;
}

interface Clock {
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
}

function wallInstant(day: number, f: Clock, zone: string): number | undefined {
  const d = new Date(day * DAY_MS);
  const dt = DateTime.fromObject(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: f.hour ?? 0,
      minute: f.minute ?? 0,
      second: f.second ?? 0,
      millisecond: f.millisecond ?? 0,
    },
    { zone },
  );
  return dt.isValid ? dt.toMillis() : undefined;
}

function fromPattern(text: string, spec: TimestampSpec & { pattern: string }): number | undefined {
  const e = parserOf(spec.pattern).explainFromTokens(normalizeMeridiem(text));
  const r = e.result;
  if (!r || r.year === undefined) return undefined;
  const day = calendarDay(spec.calendar ?? 'gregorian', r.year, r.month ?? 1, r.day ?? 1);
  return day === undefined ? undefined : wallInstant(day, r, spec.zone);
}

const EXCEL_EPOCH_DAY = -25_569; // 1899-12-30, so that serial 60 (the 1900 leap-day bug) lines up after it

/** Excel serial days (with a day fraction for the time) as an instant of wall time in `zone`. */
export function excelInstant(serial: number, zone: string): number | undefined {
  if (!(serial >= 0)) return undefined;
  const whole = Math.floor(serial);
  const ms = Math.round((serial - whole) * DAY_MS);
  const clock = {
    hour: Math.floor(ms / 3_600_000),
    minute: Math.floor(ms / 60_000) % 60,
    second: Math.floor(ms / 1000) % 60,
    millisecond: ms % 1000,
  };
  return wallInstant(EXCEL_EPOCH_DAY + whole, clock, zone);
}

/** The instant (epoch ms) a cell's text names, or undefined when it does not fit the spec. */
export function parseTimestamp(text: string, spec: TimestampSpec): number | undefined {
  const t = normalizeDigits(text).trim();
  if (spec.pattern) return fromPattern(t, spec as TimestampSpec & { pattern: string });
  const form = spec.form ?? 'iso';
  if (form === 'iso') {
    const dt = DateTime.fromISO(t, { zone: spec.zone });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  const n = parseNumber(t);
  if (n === undefined) return undefined;
  if (form === 'excel') return excelInstant(n, spec.zone);
  return form === 'unix-seconds' ? Math.round(n * 1000) : Math.round(n);
}
