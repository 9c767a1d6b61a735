/**
 * The digest's strings in English (`en-GB`: day-month-year dates, unambiguous for an
 * international team).
 */
import type { Grain } from '../../catalog.ts';
import { type PluralForms, pluralForm } from './plural.ts';
import { LATIN_FONT, type Messages } from './types.ts';

const LOCALE = 'en-GB';

/**
 * "days"/"months" after a count, by plural category. CLDR's `one` would be "day"; the digest has
 * always written "days" and 1 never occurs (trends are 2 periods or more, runs are shown from 2),
 * so `one` keeps the old text until the wording is revised.
 */
const PERIODS: Record<Grain, PluralForms> = {
  day: { one: 'days', other: 'days' },
  month: { one: 'months', other: 'months' },
};

function periods(n: number, grain: Grain): string {
  return pluralForm(LOCALE, n, PERIODS[grain]);
}

export const en: Messages = {
  numberLocale: LOCALE,
  dateLocale: LOCALE,
  monthLocale: LOCALE,
  dir: 'ltr',
  fontFamily: LATIN_FONT,
  durations: 'short',
  currencyDisplay: 'symbol',
  langTag: 'en',
  title: { day: 'Daily KPI digest', month: 'Monthly KPI digest' },
  summary: (off, total) => `${off} of ${total} KPIs off target`,
  allOnTarget: (total) => `All ${total} KPIs on target`,
  counts: (b, w) => `breach: ${b} · warning: ${w}`,
  offTargetHeading: 'Off target',
  otherHeading: 'Other KPIs',
  allHeading: 'All KPIs',
  dataMissingHeading: 'Data missing',
  gapNone: (s, avg, grain) => `${s}: no records for the reported ${grain} (usually about ${avg})`,
  gapLow: (s, n, avg) => `${s}: only ${n} records (usually about ${avg})`,
  gapNote: 'KPIs that depend on these sources show “data missing” instead of a value.',
  dataMissing: 'data missing',
  noData: 'no data',
  status: { ok: 'OK', warn: 'Warning', breach: 'Breach', no_data: 'No data' },
  target: 'Target',
  noTarget: 'no target',
  atLeast: (v) => `at least ${v}`,
  atMost: (v) => `at most ${v}`,
  between: (a, b) => `${a} to ${b}`,
  warnAbove: (v) => `warning above ${v}`,
  warnBelow: (v) => `warning below ${v}`,
  versus: { day: 'vs previous day', month: 'vs previous month' },
  previous: (v) => `previous ${v}`,
  inARow: (n, grain, f) => `${f} ${periods(n, grain)} in a row outside target`,
  alsoOff: 'Also off target:',
  trendCaption: (n, grain, f) => `Last ${f} ${periods(n, grain)}`,
  dimensions: {
    all: 'Overall',
    channel: 'Channel',
    team: 'Team',
    queue: 'Queue',
    agent: 'Agent',
    plan_kind: 'Plan kind',
  },
  values: {
    '(none)': 'unassigned',
    phone: 'Phone',
    email: 'E-mail',
    chat: 'Chat',
    web: 'Web',
    social: 'Social media',
    other: 'Other',
    work_plan: 'Work plan',
    customer_survey: 'Customer survey',
    process_improvement: 'Process improvement',
    standards_execution: 'Standards execution',
    info_relay: 'Information relay',
  },
  footer: (asOf, tz) =>
    `Evaluated ${asOf} by Servicepulse. Days and months are in the ${tz} time zone; targets come from the deployment configuration.`,
  perHour: (v) => `${v}/h`,
  points: (v) => `${v} pts`,
  chartAlt: (name, first, last) => `Trend of ${name}: from ${first} to ${last}`,
  listSep: ' · ',
  more: (_n, f) => `and ${f} more`,
  zones: {
    'Asia/Tehran': 'Tehran',
    'Asia/Riyadh': 'Riyadh',
    'Asia/Dubai': 'Dubai',
    'Asia/Shanghai': 'Shanghai',
    'Asia/Kuala_Lumpur': 'Kuala Lumpur',
    'Europe/London': 'London',
    UTC: 'UTC',
  },
  colon: ': ',
};
