/**
 * Business hours configuration (issue 16 item 1). Calendar dates are checked against published
 * dates: Nowruz (1 Farvardin) 1402–1405 from the Iranian calendar (equinox before/after Tehran
 * noon), Eid al-Fitr (1 Shawwal) 1445–1447 from the Umm al-Qura calendar.
 */
import { describe, expect, it } from 'vitest';
import {
  businessSeconds,
  compileSchedule,
  epochDay,
  holidayDay,
  openIntervals,
  parseInterval,
  workWeekOf,
} from '../../functions/core/business-hours.js';
import { ConfigError, parseConfig } from '../../functions/core/config.js';

describe('calendar holidays', () => {
  it('Nowruz of several years', () => {
    expect(holidayDay('persian:1402-01-01')).toBe(epochDay('2023-03-21'));
    expect(holidayDay('persian:1403-01-01')).toBe(epochDay('2024-03-20'));
    expect(holidayDay('persian:1404-01-01')).toBe(epochDay('2025-03-21'));
    expect(holidayDay('persian:1405-01-01')).toBe(epochDay('2026-03-21'));
    expect(holidayDay('persian:1405-01-02')).toBe(epochDay('2026-03-22'));
  });
  it('Eid al-Fitr 1445–1447 (Umm al-Qura)', () => {
    expect(holidayDay('islamic-umalqura:1445-10-01')).toBe(epochDay('2024-04-10'));
    expect(holidayDay('islamic-umalqura:1446-10-01')).toBe(epochDay('2025-03-30'));
    expect(holidayDay('islamic-umalqura:1447-10-01')).toBe(epochDay('2026-03-20'));
  });
  it('names a date that is not in its calendar', () => {
    expect(holidayDay('persian:1403-12-30')).toBe(epochDay('2025-03-20')); // 1403 is leap
    expect(holidayDay('persian:1404-12-30')).toMatch(/not a date in the persian calendar/);
    expect(holidayDay('persian:1404-13-01')).toMatch(/not a date/);
    expect(holidayDay('2026-02-30')).toMatch(/not a date in the gregorian calendar/);
  });
});

describe('intervals', () => {
  it('reads minutes of the day and refuses 25:00', () => {
    expect(parseInterval('08:00-17:00')).toEqual([480, 1020]);
    expect(parseInterval('22:00-24:00')).toEqual([1320, 1440]);
    expect(parseInterval('08:00-25:00')).toMatch(/not a time of day/);
    expect(parseInterval('17:00-08:00')).toMatch(/ends before it starts/);
  });
});

const tehran = `
timezone: Asia/Tehran
businessHours:
  week:
    sat: ["08:00-12:00", "13:00-17:00"]
    sun: ["08:00-17:00"]
    mon: ["08:00-17:00"]
    tue: ["08:00-17:00"]
    wed: ["08:00-17:00"]
    thu: ["08:00-13:00"]
  holidays: [2026-03-20, "persian:1405-01-02"]
  overrides:
    - { from: 2026-02-18, to: 2026-03-19, week: { sat: ["09:00-14:00"], sun: ["09:00-14:00"] } }
`;

describe('businessHours in the config', () => {
  it('derives workWeek from the schedule (Friday closed)', () => {
    const cfg = parseConfig(tehran);
    expect(cfg.calendar).toBe('gregorian');
    expect(cfg.workWeek).toEqual([1, 2, 3, 4, 6, 7]);
    expect(workWeekOf(cfg.businessHours!)).toEqual([1, 2, 3, 4, 6, 7]);
  });
  it('gives the open intervals of a day: weekly, holiday, Ramadan override', () => {
    const s = compileSchedule(parseConfig(tehran).businessHours!);
    expect(openIntervals(s, epochDay('2026-04-04'))).toEqual([
      [480, 720],
      [780, 1020],
    ]); // Saturday
    expect(openIntervals(s, epochDay('2026-04-03'))).toEqual([]); // Friday
    expect(openIntervals(s, epochDay('2026-03-22'))).toEqual([]); // 2 Farvardin 1405, a Sunday
    expect(openIntervals(s, epochDay('2026-03-20'))).toEqual([]); // ISO holiday
    expect(openIntervals(s, epochDay('2026-02-21'))).toEqual([[540, 840]]); // Saturday in Ramadan
    expect(openIntervals(s, epochDay('2026-02-23'))).toEqual([]); // Monday: not in the override
  });
  it('names the key of a bad schedule', () => {
    const bad = (yaml: string) => () => parseConfig(yaml);
    expect(bad('businessHours: { week: { mon: ["08:00-25:00"] } }')).toThrow(
      /businessHours\.week\.mon\.0: "08:00-25:00" is not a time of day/,
    );
    expect(bad('businessHours: { week: { mon: ["08:00-12:00", "11:00-13:00"] } }')).toThrow(
      /businessHours\.week\.mon: intervals overlap/,
    );
    expect(bad('businessHours: { week: { mon: [] }, holidays: ["persian:1404-12-30"] }')).toThrow(
      /businessHours\.holidays\.0: "persian:1404-12-30" is not a date in the persian calendar/,
    );
    expect(bad('businessHours: { week: { fri2: [] } }')).toThrow(ConfigError);
    expect(bad('calendar: julian')).toThrow(/calendar/);
    // Not computed yet: refused, never silently Gregorian.
    expect(bad('calendar: persian')).toThrow(/calendar.*not supported yet/);
  });
});

describe('business seconds (hand-worked)', () => {
  const sched = (yaml: string) => compileSchedule(parseConfig(yaml).businessHours!);
  const at = (iso: string) => Date.parse(iso);
  const s = sched(tehran);
  const min = (a: string, b: string, zone = 'Asia/Tehran', sc = s) =>
    businessSeconds(sc, zone, at(a), at(b)) / 60;
  it('across the Friday weekend: Thu 16 Apr 12:30 → Sat 18 Apr 08:30 Tehran = 30 + 0 + 30 = 60', () => {
    // Tehran is +03:30 all year (no DST since 2022). Thursday 08:00-13:00: 12:30-13:00 = 30;
    // Friday closed; Saturday 08:00-08:30 = 30.
    expect(min('2026-04-16T12:30:00+03:30', '2026-04-18T08:30:00+03:30')).toBe(60);
  });
  it("the issue's Wed 16:30 → Sat 08:30 with Thursday open 08:00-13:00 = 30 + 300 + 0 + 30 = 360", () => {
    expect(min('2026-04-15T16:30:00+03:30', '2026-04-18T08:30:00+03:30')).toBe(360);
  });
  it('across a holiday in the Jalali calendar: Sat 21 Mar 16:00 → Mon 23 Mar 09:00 = 60 + 0 + 60', () => {
    // 2026-03-21 is a Saturday (Nowruz, not listed as a holiday here): 16:00-17:00 = 60;
    // Sunday 22nd = persian:1405-01-02, closed; Monday 08:00-09:00 = 60.
    expect(min('2026-03-21T16:00:00+03:30', '2026-03-23T09:00:00+03:30')).toBe(120);
  });
  it('inside the Ramadan override: Sat 21 Feb 08:00 → 15:00 = 09:00-14:00 = 300', () => {
    expect(min('2026-02-21T08:00:00+03:30', '2026-02-21T15:00:00+03:30')).toBe(300);
  });
  it('created and answered while closed = 0 (Friday)', () => {
    expect(min('2026-04-17T09:00:00+03:30', '2026-04-17T18:00:00+03:30')).toBe(0);
  });
  it('across a DST change, Europe/Berlin: Sunday 01:00-04:00 on 29 Mar 2026 is 2 real hours', () => {
    const b = sched('businessHours: { week: { sun: ["01:00-04:00"] } }');
    expect(min('2026-03-28T23:00:00+01:00', '2026-03-29T05:00:00+02:00', 'Europe/Berlin', b)).toBe(120);
    // 25 October 2026: 01:00-04:00 holds 02:00-03:00 twice = 4 real hours
    expect(min('2026-10-24T23:00:00+02:00', '2026-10-25T05:00:00+01:00', 'Europe/Berlin', b)).toBe(240);
  });
  it('open across a month end: Tue 31 Mar 16:00 → Wed 1 Apr 09:00 Tehran = 60 + 60', () => {
    expect(min('2026-03-31T16:00:00+03:30', '2026-04-01T09:00:00+03:30')).toBe(120);
  });
  it('no schedule = calendar time (a 24 x 7 week)', () => {
    const all = sched(
      `businessHours: { week: { ${['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `${d}: ["00:00-24:00"]`).join(', ')} } }`,
    );
    expect(min('2026-03-28T10:00:00+01:00', '2026-03-30T10:00:00+02:00', 'Europe/Berlin', all)).toBe(47 * 60);
  });
});
