/**
 * The digest's languages, one entry point: every string the digest shows in its five languages
 * (en, fa, ar, zh = zh-Hans, ms; one catalog per language under i18n/, all typed against
 * i18n/types.ts `Messages`) and the locale-aware formatting of numbers, units, changes and dates
 * (i18n/format.ts, Intl only). fa and ar are right-to-left: {@link Messages.dir}.
 * KPI and family names come from catalog-names.ts.
 */
export { familyName, isRtl, MESSAGES, messages } from './i18n/catalogs.ts';
export {
  type FormatOptions,
  formatInstant,
  formatNumber,
  formatPeriod,
  formatPeriodShort,
  formatValue,
  zoneName,
} from './i18n/format.ts';
export type { Messages } from './i18n/types.ts';
