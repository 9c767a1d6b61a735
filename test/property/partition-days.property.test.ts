/**
 * The normalizer keeps the instants of the last partition day it computed and answers rows that
 * fall inside them without the zone arithmetic. It must name exactly the day localDate names, for
 * rows in time order (the cache hits) and in any order (it misses and moves), in zones with clock
 * changes at odd hours, of half an hour, across midnight, and a skipped day (Samoa, 2011-12-30).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionDays } from '../../functions/core/ingest/normalize.ts';
import { localDate } from '../../functions/core/time.ts';

const HOUR = 3_600_000;
/** Zones and one of their clock changes (UTC). */
const CHANGES: [string, string][] = [
  ['UTC', '2024-03-10T07:00:00Z'],
  ['America/New_York', '2024-03-10T07:00:00Z'],
  ['America/New_York', '2024-11-03T06:00:00Z'],
  ['Asia/Tehran', '2022-03-21T20:30:00Z'],
  ['Asia/Tehran', '2022-09-21T19:30:00Z'],
  ['Europe/London', '2024-10-27T01:00:00Z'],
  ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
  ['Pacific/Apia', '2011-12-30T10:00:00Z'],
  ['America/Santiago', '2024-09-08T04:00:00Z'],
  ['America/Havana', '2024-11-03T05:00:00Z'],
];
// Many instants within a day and a half of the change, and a few anywhere in 1970–2040.
const instants = (iso: string) =>
  fc.array(
    fc.oneof(
      {
        weight: 20,
        arbitrary: fc.integer({ min: -36 * HOUR, max: 36 * HOUR }).map((d) => Date.parse(iso) + d),
      },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: Date.parse('2040-01-01T00:00:00Z') }) },
    ),
    { maxLength: 300 },
  );

describe('partition day of a row', () => {
  it('is the local date of its timestamp, in time order and in any order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHANGES).chain(([zone, iso]) => fc.tuple(fc.constant(zone), instants(iso))),
        fc.boolean(),
        ([zone, ms], sort) => {
          const list = sort ? [...ms].sort((a, b) => a - b) : ms;
          const dayOf = partitionDays('calls', zone);
          for (const t of list) expect(dayOf({ started_at: t })).toBe(localDate(t, zone));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes dates and months as they are', () => {
    expect(partitionDays('costs', 'Asia/Tehran')({ date: '2024-05-01' })).toBe('2024-05-01');
    expect(partitionDays('plans', 'Asia/Tehran')({ month: '2024-05' })).toBe('2024-05-01');
  });
});
