/**
 * Business hours (interfaces.md `businessHours`, kpis.md "Business time"): a weekly schedule in the
 * reporting zone, holidays as ISO dates or dates in the Solar Hijri / Umm al-Qura calendars, and
 * date-range overrides (Ramadan hours). Calendar dates are converted by the platform's ICU
 * calendars through mapping/values.ts `calendarDay` (one converter in the repository).
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { type Calendar, calendarDay } from './mapping/values.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_MS = 86_400_000;

/** "08:00-17:00" → [480, 1020] minutes of the local day; "24:00" allowed as an end only. */
export function parseInterval(text: string): [number, number] | string {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) return `"${text}" is not an interval such as "08:00-17:00"`;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || m1 > 59 || m2 > 59 || h2 > 24 || (h2 === 24 && m2 !== 0))
    return `"${text}" is not a time of day (00:00 to 24:00)`;
  const from = h1 * 60 + m1;
  const to = h2 * 60 + m2;
  if (to <= from) return `"${text}" ends before it starts`;
  return [from, to];
}

/** Intervals of one day: each valid, none overlapping another. */
const dayIntervals = z.array(z.string()).superRefine((list, ctx) => {
  const parsed: [number, number][] = [];
  list.forEach((text, i) => {
    const r = parseInterval(text);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r, path: [i] });
    else parsed.push(r);
  });
  parsed.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < parsed.length; i++) {
    const [prev, cur] = [parsed[i - 1] as [number, number], parsed[i] as [number, number]];
    if (cur[0] < prev[1]) ctx.addIssue({ code: 'custom', message: `intervals overlap (${list.join(', ')})` });
  }
});

const weekSchema = z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, dayIntervals.optional()])));

/** `2026-03-20`, `persian:1405-01-02` or `islamic-umalqura:1447-10-01` → days since 1970-01-01. */
export function holidayDay(text: string): number | string {
  const m = /^(?:(gregorian|persian|islamic-umalqura):)?(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return `"${text}" is not a date such as 2026-03-20 or "persian:1405-01-02"`;
  const cal = (m[1] ?? 'gregorian') as Calendar;
  const day = calendarDay(cal, Number(m[2]), Number(m[3]), Number(m[4]));
  return day === undefined ? `"${text}" is not a date in the ${cal} calendar` : day;
}

/** YAML reads an unquoted 2026-03-20 as a string here (yaml 1.2 core schema); a Date is accepted too. */
const dateText = z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))]);

const holidaySchema = dateText.superRefine((text, ctx) => {
  const r = holidayDay(text);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});

const overrideSchema = z
  .strictObject({ from: dateText, to: dateText, week: weekSchema })
  .superRefine((o, ctx) => {
    const a = holidayDay(o.from);
    const b = holidayDay(o.to);
    if (typeof a === 'string') ctx.addIssue({ code: 'custom', message: a, path: ['from'] });
    if (typeof b === 'string') ctx.addIssue({ code: 'custom', message: b, path: ['to'] });
    if (typeof a === 'number' && typeof b === 'number' && b < a)
      ctx.addIssue({ code: 'custom', message: `ends (${o.to}) before it starts (${o.from})`, path: ['to'] });
  });

export const businessHoursSchema = z.strictObject({
  week: weekSchema,
  holidays: z.array(holidaySchema).default([]),
  overrides: z.array(overrideSchema).default([]),
});
export type BusinessHoursConfig = z.output<typeof businessHoursSchema>;

/** Open intervals of a schedule, ready to ask about a local day. */
export interface Schedule {
  week: Record<Weekday, [number, number][]>;
  holidays: Set<number>;
  overrides: { from: number; to: number; week: Record<Weekday, [number, number][]> }[];
}

function compileWeek(
  week: Partial<Record<string, string[] | undefined>>,
): Record<Weekday, [number, number][]> {
  const out = {} as Record<Weekday, [number, number][]>;
  for (const d of WEEKDAYS) {
    out[d] = (week[d] ?? []).map((t) => parseInterval(t) as [number, number]).sort((a, b) => a[0] - b[0]);
  }
  return out;
}

/** A validated config's business hours as a Schedule. */
export function compileSchedule(cfg: BusinessHoursConfig): Schedule {
  return {
    week: compileWeek(cfg.week),
    holidays: new Set(cfg.holidays.map((h) => holidayDay(h) as number)),
    overrides: cfg.overrides.map((o) => ({
      from: holidayDay(o.from) as number,
      to: holidayDay(o.to) as number,
      week: compileWeek(o.week),
    })),
  };
}

/** ISO weekday (1 = Monday) of days since 1970-01-01 (a Thursday). */
const weekdayOf = (day: number): Weekday => WEEKDAYS[(((day + 3) % 7) + 7) % 7] as Weekday;

/**
 * Open intervals (minutes of the local day) of a local calendar day: none on a holiday; the last
 * override covering the day wins over the weekly schedule (a weekday it does not list is closed).
 */
export function openIntervals(s: Schedule, day: number): [number, number][] {
  if (s.holidays.has(day)) return [];
  const override = s.overrides.findLast((o) => o.from <= day && day <= o.to);
  return (override ?? s).week[weekdayOf(day)];
}

/** ISO weekdays with open hours in the weekly schedule (config `workWeek` when a schedule is given). */
export function workWeekOf(cfg: BusinessHoursConfig): number[] {
  const week = compileWeek(cfg.week);
  return WEEKDAYS.flatMap((d, i) => (week[d].length > 0 ? [i + 1] : []));
}

/** Days since 1970-01-01 of an ISO date. */
export const epochDay = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/**
 * Business seconds between two instants: the open intervals of every local day the span touches
 * (in `zone`, so a DST day's wall-clock intervals are turned into real instants) intersected with
 * the span. The reference the SQL's cumulative-open-seconds columns are tested against.
 */
export function businessSeconds(s: Schedule, zone: string, startMs: number, endMs: number): number {
  if (endMs <= startMs) return 0;
  const first = localDay(startMs, zone);
  const last = localDay(endMs, zone);
  let total = 0;
  for (let day = first; day <= last; day++) {
    const date = DateTime.fromMillis(day * DAY_MS, { zone: 'UTC' });
    for (const [from, to] of openIntervals(s, day)) {
      const a = wallInstant(date, from, zone);
      const b = wallInstant(date, to, zone);
      total += Math.max(0, Math.min(b, endMs) - Math.max(a, startMs));
    }
  }
  return total / 1000;
}

const localDay = (ms: number, zone: string): number => {
  const d = DateTime.fromMillis(ms, { zone });
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
};

/** The instant of a local wall time (minutes of the day; a time skipped by DST moves forward). */
function wallInstant(date: DateTime, minutes: number, zone: string): number {
  const base = { year: date.year, month: date.month, day: date.day };
  if (minutes >= 1440) return DateTime.fromObject(base, { zone }).plus({ days: 1 }).startOf('day').toMillis();
  return DateTime.fromObject(
    { ...base, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toMillis();
}
