/**
 * The digest's strings in Arabic: Arabic-Indic digits (`ar-u-nu-arab`), Gregorian calendar,
 * right-to-left. The noun after a count takes its form from the number's CLDR plural category
 * (`Intl.PluralRules`).
 */
import type { Grain } from '../../catalog.ts';
import { pluralCategory, pluralForm } from './plural.ts';
import { LATIN_FONT, type Messages } from './types.ts';

const LOCALE = 'ar-u-nu-arab';

/** "days"/"months" after a count: the dual alone (no number), the plural, the singular accusative. */
const COUNTED: Record<Grain, { two: string; few: string; other: string }> = {
  day: { two: 'يومين', few: 'أيام', other: 'يومًا' },
  month: { two: 'شهرين', few: 'أشهر', other: 'شهرًا' },
};

/**
 * A count of days or months by its CLDR plural category: `two` (2) the dual alone ("يومين"),
 * `few` (3–10) the number and the plural, the rest (`many` 11–99, and `zero`, `one`, `other`)
 * the number and the singular accusative, as the digest has always written them.
 * CLDR's `few` also covers 103–110, 203–210 …, which the old rule wrote with the singular; they
 * keep that text until the wording is revised (trends are at most 90 days or 36 months).
 */
function counted(n: number, f: string, grain: Grain): string {
  const forms = COUNTED[grain];
  const category = pluralCategory(LOCALE, n);
  if (category === 'two') return forms.two;
  if (category === 'few' && n <= 10) return `${f} ${forms.few}`;
  return `${f} ${forms.other}`;
}

/**
 * The unit word after a number by its plural category: `few` (3–10) takes the plural (ثوانٍ,
 * دقائق, ساعات, نقاط مئوية), every other category the singular (ثانية, after 11–99 the singular
 * accusative, and after fractions).
 */
const UNITS: Record<'seconds' | 'minutes' | 'hours' | 'points', { few: string; other: string }> = {
  seconds: { few: 'ثوانٍ', other: 'ثانية' },
  minutes: { few: 'دقائق', other: 'دقيقة' },
  hours: { few: 'ساعات', other: 'ساعة' },
  points: { few: 'نقاط مئوية', other: 'نقطة مئوية' },
};

function unitWord(unit: keyof typeof UNITS, n: number): string {
  return pluralCategory(LOCALE, n) === 'few' ? UNITS[unit].few : UNITS[unit].other;
}

export const ar: Messages = {
  numberLocale: LOCALE,
  dateLocale: LOCALE,
  monthLocale: LOCALE,
  dir: 'rtl',
  fontFamily: `Tahoma,${LATIN_FONT}`,
  // Intl's long Arabic units drop the number for 1 and 2 ("دقيقتان"); the short ones are single letters.
  durations: { seconds: 'ثانية', minutes: 'دقيقة', hours: 'ساعة' },
  currencyDisplay: 'name',
  secondCalendarLocale: 'ar-SA-u-ca-islamic-umalqura-nu-arab',
  langTag: 'ar',
  title: { day: 'الملخص اليومي لمؤشرات الأداء', month: 'الملخص الشهري لمؤشرات الأداء' },
  summary: (off, total) => `مؤشرات خارج الهدف: ${off} من ${total}`,
  allOnTarget: (total) => `جميع المؤشرات ضمن الهدف (${total})`,
  counts: (b, w) => `حرجة: ${b}، تحذيرات: ${w}`,
  offTargetHeading: 'خارج الهدف',
  otherHeading: 'المؤشرات الأخرى',
  allHeading: 'جميع المؤشرات',
  dataMissingHeading: 'بيانات ناقصة',
  gapNone: (s, avg, grain) =>
    `${s}: لا توجد سجلات ${grain === 'day' ? 'لليوم' : 'للشهر'} المعني بالتقرير (المعتاد نحو ${avg})`,
  gapLow: (s, n, avg) => `${s}: عدد السجلات ${n} فقط (المعتاد نحو ${avg})`,
  gapNote: 'تظهر المؤشرات المعتمدة على هذه المصادر بعبارة «بيانات ناقصة» بدلًا من قيمتها.',
  dataMissing: 'بيانات ناقصة',
  noData: 'لا توجد بيانات',
  status: { ok: 'ضمن الهدف', warn: 'تحذير', breach: 'حرج', no_data: 'لا توجد بيانات' },
  target: 'الهدف',
  noTarget: 'بلا هدف',
  atLeast: (v) => `${v} على الأقل`,
  atMost: (v) => `${v} كحد أقصى`,
  between: (a, b) => `من ${a} إلى ${b}`,
  warnAbove: (v) => `تحذير فوق ${v}`,
  warnBelow: (v) => `تحذير دون ${v}`,
  versus: { day: 'مقارنة باليوم السابق', month: 'مقارنة بالشهر السابق' },
  previous: (v) => `القيمة السابقة ${v}`,
  inARow: (_n, grain, f) => `${grain === 'day' ? 'أيام' : 'أشهر'} متتالية خارج الهدف: ${f}`,
  alsoOff: 'خارج الهدف أيضًا:',
  trendCaption: (n, grain, f) => `آخر ${counted(n, f, grain)}`,
  dimensions: {
    all: 'الإجمالي',
    channel: 'قناة',
    team: 'فريق',
    queue: 'قائمة انتظار',
    agent: 'موظف',
    plan_kind: 'نوع الخطة',
  },
  values: {
    '(none)': 'غير محددة',
    phone: 'الهاتف',
    email: 'البريد الإلكتروني',
    chat: 'الدردشة',
    web: 'الويب',
    social: 'وسائل التواصل الاجتماعي',
    other: 'أخرى',
    work_plan: 'خطة العمل',
    customer_survey: 'استطلاع العملاء',
    process_improvement: 'تحسين العمليات',
    standards_execution: 'تطبيق المعايير',
    info_relay: 'نقل المعلومات',
  },
  footer: (asOf, tz) =>
    `قيّمه Servicepulse في ${asOf}. الأيام والأشهر بتوقيت ${tz}؛ الأهداف مأخوذة من إعدادات النظام.`,
  perHour: (v) => `${v} في الساعة`,
  points: (v) => `${v} نقطة مئوية`,
  chartAlt: (name, first, last) => `اتجاه ${name}: من ${first} إلى ${last}`,
  listSep: '، ',
  // The counted noun agrees with the number: 1 and 2 by the noun's own forms, 3–10 the plural,
  // 11–99 the singular accusative, 100 and over the singular genitive (CLDR: one, two, few, many, other).
  more: (n, f) =>
    pluralForm(LOCALE, n, {
      one: 'وبند آخر',
      two: 'وبندان آخران',
      few: `و${f} بنود أخرى`,
      many: `و${f} بندًا آخر`,
      other: `و${f} بند آخر`,
    }),
  unitWord: (unit, n) => unitWord(unit, n),
  zones: {
    'Asia/Tehran': 'طهران',
    'Asia/Riyadh': 'الرياض',
    'Asia/Dubai': 'دبي',
    'Asia/Shanghai': 'شانغهاي',
    'Asia/Kuala_Lumpur': 'كوالالمبور',
    'Europe/London': 'لندن',
    UTC: 'UTC',
  },
  colon: ': ',
};
