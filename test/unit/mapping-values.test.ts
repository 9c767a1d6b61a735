/**
 * Value parsing for custom mappings (functions/core/mapping/values.ts), on values real exports
 * write. Expected values are worked out by hand: published calendar dates (Nowruz; Eid al-Fitr
 * per Umm al-Qura), Excel's serial day numbering (1900 system: serial 45000 is 2023-03-15), and
 * clock arithmetic.
 */
import { describe, expect, it } from 'vitest';
import {
  calendarDay,
  excelInstant,
  normalizeDigits,
  parseDuration,
  parseNumber,
  parseTimestamp,
} from '../../functions/core/mapping/values.ts';
import { isoToEpochDay } from '../../functions/core/time.ts';

describe('digits and numbers', () => {
  it('reads Persian and Arabic-Indic digits and the Arabic separators', () => {
    expect(normalizeDigits('۱۴۰۵/۰۹/۱۲ ۱۴:۳۰')).toBe('1405/09/12 14:30');
    expect(normalizeDigits('٢٠٢٤-٠٣-٢٠')).toBe('2024-03-20');
    expect(parseNumber('۱٬۲۳۴٫۵')).toBe(1234.5); // 1,234.5
    expect(parseNumber('٣٫٢٥')).toBe(3.25);
    expect(parseNumber('1,234,567.5')).toBe(1234567.5);
    expect(parseNumber('1.234,5', ',')).toBe(1234.5);
  });

  it('never guesses', () => {
    expect(parseNumber('12,34')).toBeUndefined(); // not a well-formed thousands group
    expect(parseNumber('abc')).toBeUndefined();
    expect(parseNumber('')).toBeUndefined();
  });
});

describe('durations', () => {
  it('reads clocks and units into seconds', () => {
    expect(parseDuration('1:02:03', 'h:mm:ss')).toBe(3723); // 3600 + 120 + 3
    expect(parseDuration('۰:۰۴:۳۰', 'h:mm:ss')).toBe(270);
    expect(parseDuration('4:30', 'mm:ss')).toBe(270);
    expect(parseDuration('2.5', 'minutes')).toBe(150);
    expect(parseDuration('0.5', 'excel')).toBe(43_200); // half a day
    expect(parseDuration('1:75:00', 'h:mm:ss')).toBeUndefined(); // 75 minutes is not a clock
  });
});

describe('calendars', () => {
  it('converts Solar Hijri dates (Nowruz, 1 Farvardin)', () => {
    expect(calendarDay('persian', 1403, 1, 1)).toBe(isoToEpochDay('2024-03-20'));
    expect(calendarDay('persian', 1404, 1, 1)).toBe(isoToEpochDay('2025-03-21'));
    expect(calendarDay('persian', 1405, 1, 1)).toBe(isoToEpochDay('2026-03-21'));
    expect(calendarDay('persian', 1405, 9, 12)).toBe(isoToEpochDay('2026-12-03'));
  });

  it('converts Umm al-Qura dates (Eid al-Fitr, 1 Shawwal)', () => {
    expect(calendarDay('islamic-umalqura', 1445, 10, 1)).toBe(isoToEpochDay('2024-04-10'));
    expect(calendarDay('islamic-umalqura', 1446, 10, 1)).toBe(isoToEpochDay('2025-03-30'));
  });

  it('rejects a day that is not in the month', () => {
    expect(calendarDay('persian', 1404, 7, 31)).toBeUndefined(); // Mehr has 30 days
  });
});

describe('timestamps', () => {
  it('reads Excel serial days with the day fraction as wall time', () => {
    // 45000 = 2023-03-15; + 0.75 day = 18:00 in Tehran (+03:30, no DST in 2023) = 14:30Z
    expect(excelInstant(45000.75, 'Asia/Tehran')).toBe(Date.parse('2023-03-15T14:30:00Z'));
  });

  it('reads CLDR patterns with Arabic and Chinese 12-hour markers', () => {
    const riyadh = { zone: 'Asia/Riyadh' }; // +03:00
    expect(parseTimestamp('5/3/2024 2:15 م', { ...riyadh, pattern: 'd/M/yyyy h:mm a' })).toBe(
      Date.parse('2024-03-05T11:15:00Z'),
    );
    expect(parseTimestamp('5/3/2024 9:05 ص', { ...riyadh, pattern: 'd/M/yyyy h:mm a' })).toBe(
      Date.parse('2024-03-05T06:05:00Z'),
    );
    expect(
      parseTimestamp('2024/03/05 下午 2:15', { zone: 'Asia/Shanghai', pattern: 'yyyy/MM/dd a h:mm' }),
    ).toBe(Date.parse('2024-03-05T06:15:00Z'));
    expect(parseTimestamp('240305', { zone: 'UTC', pattern: 'yyMMdd' })).toBe(
      Date.parse('2024-03-05T00:00:00Z'),
    );
  });

  it('reads Jalali wall times with Persian digits', () => {
    // 12 Azar 1405 = 2026-12-03; 14:30 in Tehran (+03:30) = 11:00Z
    expect(
      parseTimestamp('۱۴۰۵/۰۹/۱۲ ۱۴:۳۰', {
        zone: 'Asia/Tehran',
        pattern: 'yyyy/MM/dd HH:mm',
        calendar: 'persian',
      }),
    ).toBe(Date.parse('2026-12-03T11:00:00Z'));
  });

  it('reads Unix epochs', () => {
    expect(parseTimestamp('1700000000', { zone: 'UTC', form: 'unix-seconds' })).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000123', { zone: 'UTC', form: 'unix-ms' })).toBe(1_700_000_000_123);
  });
});
