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
 */
export function parseIsoInstant(text: string, wallZone: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = m[4] ? +m[4] : 0;
  const mi = m[5] ? +m[5] : 0;
  const s = m[6] ? +m[6] : 0;
  const ms = m[7] ? Math.floor(+`0.${m[7]}` * 1000 + 1e-9) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h > 23 || mi > 59 || s > 59)
    return undefined;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const off = m[8];
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
