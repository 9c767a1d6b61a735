/**
 * The shape of a digest language catalog ({@link Messages}): every string the digest shows, as
 * text or as a function of its values. Each language file (en.ts, fa.ts, ar.ts, zh.ts, ms.ts) is
 * typed against it, so a key missing in any language fails `tsc`.
 */
import type { Dimension, Grain } from '../../catalog.ts';
import type { FlagStatus } from '../../targets.ts';

export interface Messages {
  /** BCP 47 tag for numbers. */
  numberLocale: string;
  /** BCP 47 tag for dates (calendar included). */
  dateLocale: string;
  /** Gregorian month names in the language (for month periods). */
  monthLocale: string;
  dir: 'ltr' | 'rtl';
  /** CSS font stack that has the script. */
  fontFamily: string;
  /** Durations: Intl's unit style ('short' "4 min", 'long' "4 minit"), or words after the number. */
  durations: 'short' | 'long' | Record<'seconds' | 'minutes' | 'hours', string>;
  /** How a currency amount names its currency: Intl's symbol, or its name after the amount (fa, ar). */
  currencyDisplay: 'symbol' | 'name';
  /** BCP 47 tag declared in `lang` and Content-Language (zh: zh-Hans). */
  langTag: string;
  title: Record<Grain, string>;
  summary(off: string, total: string): string;
  allOnTarget(total: string): string;
  counts(breaches: string, warnings: string): string;
  offTargetHeading: string;
  otherHeading: string;
  /** Heading of the family list when nothing is off target. */
  allHeading: string;
  dataMissingHeading: string;
  gapNone(source: string, average: string, grain: Grain): string;
  gapLow(source: string, count: string, average: string): string;
  gapNote: string;
  dataMissing: string;
  noData: string;
  status: Record<FlagStatus, string>;
  target: string;
  noTarget: string;
  atLeast(v: string): string;
  atMost(v: string): string;
  between(a: string, b: string): string;
  warnAbove(v: string): string;
  warnBelow(v: string): string;
  versus: Record<Grain, string>;
  /** The change line's word order (default: arrow, amount, comparison). */
  change?(arrow: string, amount: string, versus: string): string;
  previous(v: string): string;
  /** "3 days in a row outside target": `n` the count (for plurals), `formatted` it in the language's digits. */
  inARow(n: number, grain: Grain, formatted: string): string;
  alsoOff: string;
  /** "Last 14 days": `n` the number of periods (for plurals), `formatted` it in the language's digits. */
  trendCaption(n: number, grain: Grain, formatted: string): string;
  dimensions: Record<Dimension, string>;
  /** Names of the fixed dimension values (channels, plan kinds); other values show as they are. */
  values: Record<string, string>;
  footer(asOf: string, timezone: string): string;
  perHour(v: string): string;
  /** A change in percentage points (`v` already formatted and signed). */
  points(v: string): string;
  chartAlt(name: string, first: string, last: string): string;
  /** Separator between short items ("·" or the script's comma). */
  listSep: string;
  /** The overflow after a breakdown list ("and 8 more"): `n` for plurals, `formatted` in the language's digits. */
  more(n: number, formatted: string): string;
  /** A duration or percentage-point count's unit word for `n` (plural forms where the language has them). */
  unitWord?(unit: 'seconds' | 'minutes' | 'hours' | 'points', n: number): string;
  /** Names of the reporting zones' cities (IANA zone id → city); others fall back to the zone id. */
  zones: Record<string, string>;
  /** A label's colon with its spacing (full-width in Chinese). */
  colon: string;
  /** An aside in brackets: "(previous 48.9%)"; full-width brackets in Chinese. Default ASCII. */
  parenthetical?(s: string): string;
  /** Currency names that replace Intl's long name (fa: "ریال", not "ریال ایران"), by ISO 4217 code. */
  currencyNames?: Record<string, string>;
  /** A second calendar shown beside a day's date (ar: the Umm al-Qura date), as a BCP 47 tag. */
  secondCalendarLocale?: string;
}

/** The Latin font stack every catalog's {@link Messages.fontFamily} ends with. */
export const LATIN_FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
