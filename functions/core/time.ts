/**
 * Time-zone arithmetic for the pipeline: parsing contract timestamps, and the local day of an
 * instant in the reporting zone. Luxon's IANA zone data does the real work; offsets are cached per
 * 15-minute UTC bucket (every tzdb transition since 1970 falls on a quarter hour), which keeps a
 * million-row ingest from calling Intl a million times.
 */
import { DateTime, IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
const BUCKET_MS = 900_000;

class ZoneOffsets {
  private readonly zone: IANAZone;
  private readonly cache = new Map<number, number>();
  readonly isUtc: boolean;
  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new Error(`unknown time zone ${name}`);
    this.isUtc = /^(UTC|Etc\/UTC|GMT|Etc\/GMT)$/.test(name);
  }
  /** Offset of the zone at the instant, in milliseconds. */
  offsetMs(epochMs: number): number {
    if (this.isUtc) return 0;
    const bucket = Math.floor(epochMs / BUCKET_MS);
    let off = this.cache.get(bucket);
    if (off === undefined) {
      off = this.zone.offset(bucket * BUCKET_MS) * 60_000;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(bucket, off);
    }
    return off;
  }
  /** The instant at which the zone's wall clock shows `wallMs` (wall time encoded as if UTC). */
  instantOfWall(wallMs: number): number {
    if (this.isUtc) return wallMs;
    const o1 = this.offsetMs(wallMs);
    const t = wallMs - o1;
    const o2 = this.offsetMs(t);
    if (o1 === o2) return t;
    // Near a transition: a wall time inside a spring-forward gap resolves forward (as Luxon does);
    // an ambiguous one (fall back) resolves to the earlier instant.
    const t2 = wallMs - o2;
    return this.offsetMs(t2) === o2 ? Math.min(t, t2) : Math.max(t, t2);
  }
}

const zones = new Map<string, ZoneOffsets>();
export function zoneOffsets(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (!z) {
    z = new ZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}

// 2024-03-20, 2024-03-20T20:29, 2024-03-20 20:29:00.123456, with optional Z / ±hh:mm / ±hhmm / ±hh
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an ISO-8601 timestamp to epoch milliseconds. With an offset or `Z` it is absolute;
 * without one it is wall-clock time in `wallZone`. Returns undefined when the text is not a valid
 * ISO-8601 date-time (including impossible dates such as 2024-02-30).
 *
 * The shape every export writes (`YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|±hh[:mm]]`) is read character by
 * character; anything else goes through the full regular expression. Both end in the same
 * validation and arithmetic ({@link instantOf}); a property test checks they agree on every input.
 */
export function parseIsoInstant(text: string, wallZone: string): number | undefined {
  const fast = parseIsoInstantFast(text, wallZone);
  return fast === null ? parseIsoInstantRegex(text, wallZone) : fast;
}

/** Two ASCII digits at `i` as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common shapes without a regular expression; null when the text has another shape (then the
 * regular expression decides). Exported for the equivalence test.
 */
export function parseIsoInstantFast(text: string, wallZone: string): number | undefined | null {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const sep = text.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  const y1 = digits2(text, 0);
  const y2 = digits2(text, 2);
  const mo = digits2(text, 5);
  const d = digits2(text, 8);
  const h = digits2(text, 11);
  const mi = digits2(text, 14);
  const sec = digits2(text, 17);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  let i = 19;
  let ms = 0;
  const dot = text.charCodeAt(i);
  if (dot === 46 || dot === 44) {
    let j = i + 1;
    while (j < n && j - i <= 10) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) break;
      j++;
    }
    const count = j - i - 1;
    if (count < 1 || count > 9) return null;
    ms = fractionMs(text.slice(i + 1, j));
    i = j;
  }
  if (i === n) return instantOf(y1 * 100 + y2, mo, d, h, mi, sec, ms, undefined, wallZone);
  const c = text.charCodeAt(i);
  if ((c === 90 || c === 122) && i + 1 === n)
    return instantOf(y1 * 100 + y2, mo, d, h, mi, sec, ms, 'Z', wallZone);
  if (c === 43 || c === 45) {
    const rest = n - i - 1;
    const ok =
      (rest === 2 && digits2(text, i + 1) >= 0) ||
      (rest === 4 && digits2(text, i + 1) >= 0 && digits2(text, i + 3) >= 0) ||
      (rest === 5 && digits2(text, i + 1) >= 0 && text.charCodeAt(i + 3) === 58 && digits2(text, i + 4) >= 0);
    if (ok) return instantOf(y1 * 100 + y2, mo, d, h, mi, sec, ms, text.slice(i), wallZone);
  }
  return null;
}

/** Two ASCII digits at `i` of UTF-8 bytes as a number, or -1. */
function digits2b(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * The commonest shape, `YYYY-MM-DD[T ]hh:mm:ss` with `Z` or nothing after it, read straight from
 * the UTF-8 bytes `b[start, end)` of a CSV field (no string made); null for any other shape (then
 * the text is decoded and {@link parseIsoInstant} decides). Same validation and arithmetic
 * ({@link instantOf}); a property test checks it agrees with parseIsoInstant.
 */
export function parseIsoInstantBytes(
  b: Uint8Array,
  start: number,
  end: number,
  wallZone: string,
): number | undefined | null {
  const n = end - start;
  if (n !== 19 && n !== 20) return null;
  if (b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 13] !== 58 || b[start + 16] !== 58) return null;
  const sep = b[start + 10];
  if (sep !== 84 && sep !== 32) return null;
  let off: string | undefined;
  if (n === 20) {
    const z = b[start + 19];
    if (z !== 90 && z !== 122) return null;
    off = 'Z';
  }
  const y1 = digits2b(b, start);
  const y2 = digits2b(b, start + 2);
  const mo = digits2b(b, start + 5);
  const d = digits2b(b, start + 8);
  const h = digits2b(b, start + 11);
  const mi = digits2b(b, start + 14);
  const sec = digits2b(b, start + 17);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  return instantOf(y1 * 100 + y2, mo, d, h, mi, sec, 0, off, wallZone);
}

const fractionMs = (digits: string) => Math.floor(+`0.${digits}` * 1000 + 1e-9);

/** The regular-expression reading of every accepted shape. Exported for the equivalence test. */
export function parseIsoInstantRegex(text: string, wallZone: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  return instantOf(
    +m[1]!,
    +m[2]!,
    +m[3]!,
    m[4] ? +m[4] : 0,
    m[5] ? +m[5] : 0,
    m[6] ? +m[6] : 0,
    m[7] ? fractionMs(m[7]) : 0,
    m[8],
    wallZone,
  );
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`): plain
 * arithmetic, a fifth of the cost of `Date.UTC` per timestamp, and years 0–99 are those years
 * (`Date.UTC` reads them as 1900–1999).
 */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Validates the fields and returns the instant; `off` is `Z`, `±hh[[:]mm]`, or undefined (wall time). */
function instantOf(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  off: string | undefined,
  wallZone: string,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h > 23 || mi > 59 || s > 59)
    return undefined;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  const wall = daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
  if (off === undefined) return zoneOffsets(wallZone).instantOfWall(wall);
  if (off === 'Z' || off === 'z') return wall;
  const sign = off[0] === '-' ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  const oh = +digits.slice(0, 2);
  const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
  if (oh > 18 || om > 59) return undefined;
  return wall - sign * (oh * 60 + om) * 60_000;
}

/** Parses an RFC 2822 date ("Tue, 31 Aug 2010 20:36:28 +0000"), as Twilio writes them. */
export function parseRfc2822Instant(text: string): number | undefined {
  const dt = DateTime.fromRFC2822(text.trim(), { setZone: true });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** Days since 1970-01-01 of the local calendar day of `epochMs` in `zone`. */
export function localEpochDay(epochMs: number, zone: string): number {
  return Math.floor((epochMs + zoneOffsets(zone).offsetMs(epochMs)) / DAY_MS);
}

export function epochDayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoToEpochDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): ${iso}`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  if (epochDayToIso(ms / DAY_MS) !== iso) throw new Error(`not a calendar date: ${iso}`);
  return ms / DAY_MS;
}

/** YYYY-MM-DD of the local day of `epochMs` in `zone`. */
export function localDate(epochMs: number, zone: string): string {
  return epochDayToIso(localEpochDay(epochMs, zone));
}

/** The instant at which local day `isoDate` begins in `zone`. */
export function startOfLocalDay(isoDate: string, zone: string): number {
  return zoneOffsets(zone).instantOfWall(isoToEpochDay(isoDate) * DAY_MS);
}

export function addDays(isoDate: string, n: number): string {
  return epochDayToIso(isoToEpochDay(isoDate) + n);
}

/** Today's date in `zone` at instant `now`. */
export function today(zone: string, now: number = Date.now()): string {
  return localDate(now, zone);
}

export { DAY_MS };

// ── calendar helpers on ISO dates (YYYY-MM-DD): the one place for these facts ────
/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(isoDate: string): number {
  const d = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** First day of the (Gregorian) month that contains `isoDate`. */
export function monthStart(isoDate: string): string {
  return `${isoDate.slice(0, 7)}-01`;
}

/** Last day of the (Gregorian) month that contains `isoDate`. */
export function monthEnd(isoDate: string): string {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  return `${isoDate.slice(0, 7)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
