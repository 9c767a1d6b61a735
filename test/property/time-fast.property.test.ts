/**
 * parseIsoInstant reads the common timestamp shapes character by character and leaves the rest to
 * the regular expression. The fast reading must never disagree with the regular one: for any text
 * it either declines (null) or returns exactly what the regular expression path returns. The same
 * holds for the reading of a CSV field's UTF-8 bytes (parseIsoInstantBytes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseIsoInstant,
  parseIsoInstantBytes,
  parseIsoInstantFast,
  parseIsoInstantRegex,
} from '../../functions/core/time.ts';

const ZONES = ['UTC', 'Asia/Tehran', 'America/New_York'];
const two = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')) },
  { weight: 1, arbitrary: fc.constantFrom('0', '123', 'a1', '1 ', '٠١') },
);
const year = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')) },
  { weight: 1, arbitrary: fc.constantFrom('24', '20245', '２０２４') },
);
const timestampLike = fc
  .record({
    y: year,
    mo: two,
    d: two,
    sep: fc.constantFrom('T', 'T', ' ', 't', '_', ''),
    h: two,
    mi: two,
    s: fc.oneof({ weight: 8, arbitrary: two }, { weight: 1, arbitrary: fc.constant('') }),
    colon: fc.constantFrom(':', ':', ':', ':', '-'),
    frac: fc.oneof(
      fc.constant(''),
      fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^\d{0,11}$/)).map(([p, d]) => p + d),
    ),
    zone: fc.oneof(
      fc.constantFrom(
        '',
        'Z',
        'z',
        ' Z',
        '+03:30',
        '-0100',
        '+05',
        '+1900',
        '+03:3',
        '+03:30x',
        '-12:60',
        'UTC',
      ),
      fc.stringMatching(/^[+-]\d{1,5}$/),
    ),
  })
  .map(
    (p) =>
      `${p.y}-${p.mo}-${p.d}${p.sep}${p.h}${p.colon}${p.mi}${p.s === '' ? '' : `${p.colon}${p.s}`}${p.frac}${p.zone}`,
  );

/** The shape the byte reader takes itself (and near misses). */
const commonShape = fc
  .record({ y: year, mo: two, d: two, sep: fc.constantFrom('T', ' ', 't'), h: two, mi: two, s: two })
  .chain((p) =>
    fc
      .constantFrom('', 'Z', 'z', 'Z ', '+00')
      .map((zone) => `${p.y}-${p.mo}-${p.d}${p.sep}${p.h}:${p.mi}:${p.s}${zone}`),
  );

describe('parseIsoInstant fast path', () => {
  it('agrees with the regular expression on timestamp-like and arbitrary text', () => {
    let fastHits = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: timestampLike }, { weight: 1, arbitrary: fc.string() }),
        fc.constantFrom(...ZONES),
        (text, zone) => {
          const regex = parseIsoInstantRegex(text, zone);
          const fast = parseIsoInstantFast(text, zone);
          if (fast !== null) {
            fastHits++;
            expect(fast).toBe(regex);
          }
          expect(parseIsoInstant(text, zone)).toBe(regex);
        },
      ),
      { numRuns: 20_000 },
    );
    expect(fastHits).toBeGreaterThan(2_000);
  });

  it('reads UTF-8 bytes as it reads text, wherever the field sits in the buffer', () => {
    let byteHits = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 2, arbitrary: commonShape },
          { weight: 2, arbitrary: timestampLike },
          { weight: 1, arbitrary: fc.string() },
        ),
        fc.constantFrom(...ZONES),
        fc.string({ maxLength: 3 }),
        fc.string({ maxLength: 3 }),
        (text, zone, before, after) => {
          const buf = Buffer.from(before + text + after);
          const start = Buffer.byteLength(before);
          const got = parseIsoInstantBytes(buf, start, start + Buffer.byteLength(text), zone);
          if (got !== null) {
            byteHits++;
            expect(got).toBe(parseIsoInstant(text, zone));
          }
        },
      ),
      { numRuns: 20_000 },
    );
    expect(byteHits).toBeGreaterThan(2_000);
  });

  it('puts every valid date-time where the ECMAScript date parser puts it (years 0000–9999)', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const text = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`;
          expect(parseIsoInstant(text, 'UTC')).toBe(Date.parse(text));
        },
      ),
      { numRuns: 20_000 },
    );
    expect(parseIsoInstant('0099-12-31T23:59:59Z', 'UTC')).toBe(Date.parse('0099-12-31T23:59:59Z'));
  });

  it('reads the commonest byte shapes itself and declines the rest', () => {
    const at = (t: string, zone = 'UTC') =>
      parseIsoInstantBytes(Buffer.from(t), 0, Buffer.byteLength(t), zone);
    expect(at('2024-05-01T08:00:00Z')).toBe(Date.UTC(2024, 4, 1, 8));
    expect(at('2024-05-01 08:00:00z')).toBe(Date.UTC(2024, 4, 1, 8));
    expect(at('2024-05-01 08:00:00', 'Asia/Tehran')).toBe(Date.UTC(2024, 4, 1, 4, 30));
    expect(at('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(at('2024-05-01T08:00:00.5Z')).toBeNull();
    expect(at('2024-05-01T08:00:00+03:30')).toBeNull();
    expect(at('2024-05-01T08:00:00 ')).toBeNull();
  });

  it.each([
    ['2024-05-01T08:00:00Z', Date.UTC(2024, 4, 1, 8)],
    ['2024-05-01 08:00:00.5+03:30', Date.UTC(2024, 4, 1, 4, 30, 0, 500)],
    ['2024-05-01T08:00:00.123456789-0100', Date.UTC(2024, 4, 1, 9, 0, 0, 123)],
    ['2024-02-29T23:59:59+05', Date.UTC(2024, 1, 29, 18, 59, 59)],
  ])('reads %s without the regular expression', (text, expected) => {
    expect(parseIsoInstantFast(text, 'UTC')).toBe(expected);
  });

  it('declines what it does not read, and rejects impossible dates the same way', () => {
    expect(parseIsoInstantFast('2024-05-01T08:00Z', 'UTC')).toBeNull();
    expect(parseIsoInstantFast('2024-05-01T08:00:00 Z', 'UTC')).toBeNull();
    expect(parseIsoInstantFast('2023-02-29T00:00:00Z', 'UTC')).toBeUndefined();
    expect(parseIsoInstantFast('2024-05-01T08:00:00+19:00', 'UTC')).toBeUndefined();
  });
});
