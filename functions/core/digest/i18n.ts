/**
 * Every string the digest shows, in its five languages (en, fa, ar, zh = zh-Hans, ms), and the
 * locale-aware formatting of numbers, units, changes and dates (Intl; no hand-made digits).
 *
 * - fa: Persian digits, dates in the Persian (Solar Hijri) calendar (`fa-IR-u-ca-persian`); a
 *   month period is a Gregorian calendar month, so its label names the Gregorian month and adds
 *   the Persian-calendar date range it spans.
 * - ar: Arabic-Indic digits (`ar-u-nu-arab`), Gregorian calendar.
 * - zh: `zh-CN`; ms: `ms-MY`; en: `en-GB` (day-month-year, unambiguous for an international team).
 * - fa and ar are right-to-left: {@link Messages.dir}.
 * KPI and family names come from catalog-names.ts.
 */
import type { Dimension, Grain, Unit } from '../catalog.ts';
import { FAMILY_NAMES } from '../catalog-names.ts';
import type { Lang } from '../config.ts';
import type { FlagStatus } from '../targets.ts';

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
  previous(v: string): string;
  inARow(n: string, grain: Grain): string;
  alsoOff: string;
  trendCaption(n: number, grain: Grain, formatted: string): string;
  dimensions: Record<Dimension, string>;
  /** Names of the fixed dimension values (channels, plan kinds); other values show as they are. */
  values: Record<string, string>;
  footer(asOf: string, timezone: string): string;
  perHour(v: string): string;
  points: string;
  chartAlt(name: string, first: string, last: string): string;
  /** Separator between short items ("·" or the script's comma). */
  listSep: string;
  /** A label's colon with its spacing (full-width in Chinese). */
  colon: string;
}

const LATIN_FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

const en: Messages = {
  numberLocale: 'en-GB',
  dateLocale: 'en-GB',
  monthLocale: 'en-GB',
  dir: 'ltr',
  fontFamily: LATIN_FONT,
  durations: 'short',
  title: { day: 'Daily KPI digest', month: 'Monthly KPI digest' },
  summary: (off, total) => `${off} of ${total} KPIs off target`,
  allOnTarget: (total) => `All ${total} KPIs on target`,
  counts: (b, w) => `breach: ${b} · warning: ${w}`,
  offTargetHeading: 'Off target',
  otherHeading: 'Other KPIs',
  allHeading: 'All KPIs',
  dataMissingHeading: 'Data missing',
  gapNone: (s, avg, grain) => `${s}: no records for this ${grain} (usually about ${avg})`,
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
  inARow: (n, grain) => `${n} ${grain === 'day' ? 'days' : 'months'} in a row outside target`,
  alsoOff: 'Also off target:',
  trendCaption: (_n, grain, f) => `Last ${f} ${grain === 'day' ? 'days' : 'months'}`,
  dimensions: {
    all: 'Overall',
    channel: 'Channel',
    team: 'Team',
    queue: 'Queue',
    agent: 'Agent',
    plan_kind: 'Plan kind',
  },
  values: {
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
  points: 'pts',
  chartAlt: (name, first, last) => `Trend of ${name}: from ${first} to ${last}`,
  listSep: ' · ',
  colon: ': ',
};

const fa: Messages = {
  numberLocale: 'fa-IR',
  dateLocale: 'fa-IR-u-ca-persian',
  monthLocale: 'fa-IR-u-ca-gregory',
  dir: 'rtl',
  fontFamily: `Tahoma,${LATIN_FONT}`,
  durations: 'short',
  title: { day: 'گزارش روزانه شاخص‌ها', month: 'گزارش ماهانه شاخص‌ها' },
  summary: (off, total) => `${off} از ${total} شاخص خارج از هدف`,
  allOnTarget: (total) => `هر ${total} شاخص در محدوده هدف`,
  counts: (b, w) => `${b} بحرانی، ${w} هشدار`,
  offTargetHeading: 'خارج از هدف',
  otherHeading: 'سایر شاخص‌ها',
  allHeading: 'همه شاخص‌ها',
  dataMissingHeading: 'داده‌های ناقص',
  gapNone: (s, avg, grain) =>
    `${s}: هیچ رکوردی برای این ${grain === 'day' ? 'روز' : 'ماه'} ثبت نشده است (معمولاً حدود ${avg})`,
  gapLow: (s, n, avg) => `${s}: فقط ${n} رکورد (معمولاً حدود ${avg})`,
  gapNote: 'شاخص‌های وابسته به این منابع به‌جای مقدار، «داده ناقص» نشان داده می‌شوند.',
  dataMissing: 'داده ناقص',
  noData: 'بدون داده',
  status: { ok: 'مطلوب', warn: 'هشدار', breach: 'بحرانی', no_data: 'بدون داده' },
  target: 'هدف',
  noTarget: 'بدون هدف',
  atLeast: (v) => `حداقل ${v}`,
  atMost: (v) => `حداکثر ${v}`,
  between: (a, b) => `${a} تا ${b}`,
  warnAbove: (v) => `هشدار بالای ${v}`,
  warnBelow: (v) => `هشدار زیر ${v}`,
  versus: { day: 'نسبت به روز قبل', month: 'نسبت به ماه قبل' },
  previous: (v) => `قبلی ${v}`,
  inARow: (n, grain) => `${n} ${grain === 'day' ? 'روز' : 'ماه'} پیاپی خارج از هدف`,
  alsoOff: 'خارج از هدف در:',
  trendCaption: (_n, grain, f) => `${f} ${grain === 'day' ? 'روز' : 'ماه'} اخیر`,
  dimensions: {
    all: 'کل',
    channel: 'کانال',
    team: 'تیم',
    queue: 'صف',
    agent: 'کارشناس',
    plan_kind: 'نوع برنامه',
  },
  values: {
    phone: 'تلفن',
    email: 'ایمیل',
    chat: 'چت',
    web: 'وب',
    social: 'شبکه‌های اجتماعی',
    other: 'سایر',
    work_plan: 'برنامه کاری',
    customer_survey: 'نظرسنجی مشتریان',
    process_improvement: 'بهبود فرایند',
    standards_execution: 'اجرای استانداردها',
    info_relay: 'انتقال اطلاعات',
  },
  footer: (asOf, tz) =>
    `ارزیابی در ${asOf} توسط Servicepulse. روزها و ماه‌ها به وقت ${tz} هستند؛ اهداف از پیکربندی سامانه گرفته شده‌اند.`,
  perHour: (v) => `${v} در ساعت`,
  points: 'واحد درصد',
  chartAlt: (name, first, last) => `روند ${name}: از ${first} تا ${last}`,
  listSep: '، ',
  colon: ': ',
};

/** Arabic plural of "days"/"months" after a number (2 = dual, 3–10 plural, 11+ singular accusative). */
function arabicCount(n: number, f: string, grain: Grain): string {
  if (n === 2) return grain === 'day' ? 'يومين' : 'شهرين';
  if (n >= 3 && n <= 10) return `${f} ${grain === 'day' ? 'أيام' : 'أشهر'}`;
  return `${f} ${grain === 'day' ? 'يومًا' : 'شهرًا'}`;
}

const ar: Messages = {
  numberLocale: 'ar-u-nu-arab',
  dateLocale: 'ar-u-nu-arab',
  monthLocale: 'ar-u-nu-arab',
  dir: 'rtl',
  fontFamily: `Tahoma,${LATIN_FONT}`,
  // Intl's long Arabic units drop the number for 1 and 2 ("دقيقتان"); the short ones are single letters.
  durations: { seconds: 'ثانية', minutes: 'دقيقة', hours: 'ساعة' },
  title: { day: 'الملخص اليومي لمؤشرات الأداء', month: 'الملخص الشهري لمؤشرات الأداء' },
  summary: (off, total) => `مؤشرات خارج الهدف: ${off} من ${total}`,
  allOnTarget: (total) => `جميع المؤشرات ضمن الهدف (${total})`,
  counts: (b, w) => `حرجة: ${b}، تحذيرات: ${w}`,
  offTargetHeading: 'خارج الهدف',
  otherHeading: 'المؤشرات الأخرى',
  allHeading: 'جميع المؤشرات',
  dataMissingHeading: 'بيانات ناقصة',
  gapNone: (s, avg, grain) =>
    `${s}: لا توجد سجلات لهذا ${grain === 'day' ? 'اليوم' : 'الشهر'} (المعتاد نحو ${avg})`,
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
  previous: (v) => `السابق ${v}`,
  inARow: (n, grain) => `${grain === 'day' ? 'أيام' : 'أشهر'} متتالية خارج الهدف: ${n}`,
  alsoOff: 'خارج الهدف أيضًا:',
  trendCaption: (n, grain, f) => `آخر ${arabicCount(n, f, grain)}`,
  dimensions: {
    all: 'الإجمالي',
    channel: 'القناة',
    team: 'الفريق',
    queue: 'قائمة الانتظار',
    agent: 'الموظف',
    plan_kind: 'نوع الخطة',
  },
  values: {
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
  points: 'نقطة مئوية',
  chartAlt: (name, first, last) => `اتجاه ${name}: من ${first} إلى ${last}`,
  listSep: '، ',
  colon: ': ',
};

const zh: Messages = {
  numberLocale: 'zh-CN',
  dateLocale: 'zh-CN',
  monthLocale: 'zh-CN',
  dir: 'ltr',
  fontFamily: `'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',${LATIN_FONT}`,
  durations: 'short',
  title: { day: '每日KPI摘要', month: '每月KPI摘要' },
  summary: (off, total) => `${total}项KPI中有${off}项未达标`,
  allOnTarget: (total) => `全部${total}项KPI均达标`,
  counts: (b, w) => `严重${b}项，预警${w}项`,
  offTargetHeading: '未达标',
  otherHeading: '其他指标',
  allHeading: '全部指标',
  dataMissingHeading: '数据缺失',
  gapNone: (s, avg, grain) => `${s}：本${grain === 'day' ? '日' : '月'}没有记录（通常约${avg}条）`,
  gapLow: (s, n, avg) => `${s}：仅${n}条记录（通常约${avg}条）`,
  gapNote: '依赖这些数据源的指标显示为“数据缺失”，不显示数值。',
  dataMissing: '数据缺失',
  noData: '无数据',
  status: { ok: '正常', warn: '预警', breach: '严重', no_data: '无数据' },
  target: '目标',
  noTarget: '无目标',
  atLeast: (v) => `不低于${v}`,
  atMost: (v) => `不高于${v}`,
  between: (a, b) => `${a}至${b}`,
  warnAbove: (v) => `高于${v}预警`,
  warnBelow: (v) => `低于${v}预警`,
  versus: { day: '较前一日', month: '较上月' },
  previous: (v) => `上期${v}`,
  inARow: (n, grain) => `连续${n}${grain === 'day' ? '天' : '个月'}未达标`,
  alsoOff: '以下维度也未达标：',
  trendCaption: (_n, grain, f) => `近${f}${grain === 'day' ? '天' : '个月'}`,
  dimensions: {
    all: '总体',
    channel: '渠道',
    team: '团队',
    queue: '队列',
    agent: '坐席',
    plan_kind: '计划类型',
  },
  values: {
    phone: '电话',
    email: '邮件',
    chat: '在线聊天',
    web: '网页',
    social: '社交媒体',
    other: '其他',
    work_plan: '工作计划',
    customer_survey: '客户调研',
    process_improvement: '流程改进',
    standards_execution: '标准执行',
    info_relay: '信息传递',
  },
  footer: (asOf, tz) => `由 Servicepulse 于 ${asOf} 评估。日和月按 ${tz} 时区计算；目标取自部署配置。`,
  perHour: (v) => `${v}/小时`,
  points: '个百分点',
  chartAlt: (name, first, last) => `${name}趋势：${first} → ${last}`,
  listSep: '，',
  colon: '：',
};

const ms: Messages = {
  numberLocale: 'ms-MY',
  dateLocale: 'ms-MY',
  monthLocale: 'ms-MY',
  dir: 'ltr',
  fontFamily: LATIN_FONT,
  durations: 'long',
  title: { day: 'Ringkasan KPI harian', month: 'Ringkasan KPI bulanan' },
  summary: (off, total) => `${off} daripada ${total} KPI di luar sasaran`,
  allOnTarget: (total) => `Kesemua ${total} KPI mencapai sasaran`,
  counts: (b, w) => `${b} kritikal, ${w} amaran`,
  offTargetHeading: 'Di luar sasaran',
  otherHeading: 'KPI lain',
  allHeading: 'Semua KPI',
  dataMissingHeading: 'Data tidak lengkap',
  gapNone: (s, avg, grain) =>
    `${s}: tiada rekod bagi ${grain === 'day' ? 'hari' : 'bulan'} ini (biasanya kira-kira ${avg})`,
  gapLow: (s, n, avg) => `${s}: hanya ${n} rekod (biasanya kira-kira ${avg})`,
  gapNote: 'KPI yang bergantung pada sumber ini ditunjukkan sebagai “data tidak lengkap”, bukan nilai.',
  dataMissing: 'data tidak lengkap',
  noData: 'tiada data',
  status: { ok: 'OK', warn: 'Amaran', breach: 'Kritikal', no_data: 'Tiada data' },
  target: 'Sasaran',
  noTarget: 'tiada sasaran',
  atLeast: (v) => `sekurang-kurangnya ${v}`,
  atMost: (v) => `tidak melebihi ${v}`,
  between: (a, b) => `${a} hingga ${b}`,
  warnAbove: (v) => `amaran melebihi ${v}`,
  warnBelow: (v) => `amaran di bawah ${v}`,
  versus: { day: 'berbanding hari sebelumnya', month: 'berbanding bulan sebelumnya' },
  previous: (v) => `sebelumnya ${v}`,
  inARow: (n, grain) => `${n} ${grain === 'day' ? 'hari' : 'bulan'} berturut-turut di luar sasaran`,
  alsoOff: 'Turut di luar sasaran:',
  trendCaption: (_n, grain, f) => `${f} ${grain === 'day' ? 'hari' : 'bulan'} terakhir`,
  dimensions: {
    all: 'Keseluruhan',
    channel: 'Saluran',
    team: 'Pasukan',
    queue: 'Giliran',
    agent: 'Ejen',
    plan_kind: 'Jenis pelan',
  },
  values: {
    phone: 'Telefon',
    email: 'E-mel',
    chat: 'Sembang',
    web: 'Web',
    social: 'Media sosial',
    other: 'Lain-lain',
    work_plan: 'Pelan kerja',
    customer_survey: 'Tinjauan pelanggan',
    process_improvement: 'Penambahbaikan proses',
    standards_execution: 'Pelaksanaan piawaian',
    info_relay: 'Penyampaian maklumat',
  },
  footer: (asOf, tz) =>
    `Dinilai pada ${asOf} oleh Servicepulse. Hari dan bulan mengikut zon waktu ${tz}; sasaran diambil daripada konfigurasi.`,
  perHour: (v) => `${v}/jam`,
  points: 'mata peratusan',
  chartAlt: (name, first, last) => `Trend ${name}: dari ${first} hingga ${last}`,
  listSep: ' · ',
  colon: ': ',
};

export const MESSAGES: Record<Lang, Messages> = { en, fa, ar, zh, ms };

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}

export function isRtl(lang: Lang): boolean {
  return MESSAGES[lang].dir === 'rtl';
}

/** A source (entity) or family name in the language; the id itself when none is known. */
export function familyName(family: string, lang: Lang): string {
  return FAMILY_NAMES[family]?.[lang] ?? family;
}

// ── numbers ──────────────────────────────────────────────────────────────────
const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

export interface FormatOptions {
  /** ISO-4217 code for `currency` KPIs (config.currency); without it a plain number. */
  currency?: string;
  /** Render a change: always signed, percentages in percentage points. */
  signed?: boolean;
}

const DURATION_UNITS: Partial<Record<Unit, string>> = { seconds: 'second', minutes: 'minute', hours: 'hour' };

/** A plain number in the language's digits. */
export function formatNumber(lang: Lang, n: number, maxFractionDigits = 0): string {
  return nf(MESSAGES[lang].numberLocale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

/** A KPI value (or, with `signed`, a change of one) in its unit, formatted for the language. */
export function formatValue(lang: Lang, unit: Unit, v: number, options: FormatOptions = {}): string {
  const m = MESSAGES[lang];
  const sign: Intl.NumberFormatOptions = options.signed ? { signDisplay: 'exceptZero' } : {};
  const duration = DURATION_UNITS[unit];
  if (duration) {
    if (typeof m.durations === 'object') {
      const words = m.durations[unit as keyof typeof m.durations];
      return `${nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v)} ${words}`;
    }
    return nf(m.numberLocale, {
      style: 'unit',
      unit: duration,
      unitDisplay: m.durations,
      maximumFractionDigits: 1,
      ...sign,
    }).format(v);
  }
  switch (unit) {
    case 'pct':
      if (options.signed)
        return `${nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v)} ${m.points}`;
      return nf(m.numberLocale, { style: 'percent', maximumFractionDigits: 1 }).format(v / 100);
    case 'count':
      return nf(m.numberLocale, { maximumFractionDigits: 0, ...sign }).format(v);
    case 'ratio':
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
    case 'score':
      return nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v);
    case 'per_hour':
      return m.perHour(nf(m.numberLocale, { maximumFractionDigits: 1, ...sign }).format(v));
    case 'currency':
      if (options.currency) {
        return nf(m.numberLocale, { style: 'currency', currency: options.currency, ...sign }).format(v);
      }
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
    default:
      return nf(m.numberLocale, { maximumFractionDigits: 2, ...sign }).format(v);
  }
}

// ── dates ────────────────────────────────────────────────────────────────────
function utcDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/**
 * The period as a reader names it: a day in the language's calendar ("1 Farvardin 1403" in fa);
 * a month by its Gregorian name ("March 2024"), and in fa also the Persian-calendar days it spans.
 */
export function formatPeriod(lang: Lang, grain: Grain, start: string, end: string): string {
  const m = MESSAGES[lang];
  if (grain === 'day') {
    const d = utcDate(start);
    if (lang === 'fa') {
      // ICU's full Persian pattern puts the weekday last ("۱۴۰۳ فروردین ۱, چهارشنبه"); Persian writes it first.
      const weekday = new Intl.DateTimeFormat(m.dateLocale, { weekday: 'long', timeZone: 'UTC' }).format(d);
      return `${weekday} ${new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'long', timeZone: 'UTC' }).format(d)}`;
    }
    return new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'full', timeZone: 'UTC' }).format(d);
  }
  const month = new Intl.DateTimeFormat(m.monthLocale, {
    year: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(utcDate(start));
  if (m.dateLocale === m.monthLocale) return month;
  const range = new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(
    utcDate(start),
    utcDate(end),
  );
  return `${month} (${range})`;
}

/** A short period label for subjects and chart captions. */
export function formatPeriodShort(lang: Lang, grain: Grain, start: string): string {
  const m = MESSAGES[lang];
  if (grain === 'day') {
    return new Intl.DateTimeFormat(m.dateLocale, { dateStyle: 'long', timeZone: 'UTC' }).format(
      utcDate(start),
    );
  }
  return new Intl.DateTimeFormat(m.monthLocale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    utcDate(start),
  );
}

/** An instant in the reporting zone, in the language's calendar. */
export function formatInstant(lang: Lang, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(MESSAGES[lang].dateLocale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}
