/**
 * KPI and family names in the five digest languages (en, fa, ar, zh = zh-Hans, ms).
 *
 * English is the catalog's own wording. Where a seed document (docs/kpis.md lists them) names a KPI in its
 * language, that name keeps the seed's wording, shortened for a digest line; the comment cites
 * the seed and its item (`seed 000 #21` = document 000, item 21). Seed 001 is traditional
 * Chinese: its terms are kept here in simplified characters. Names without a comment are plain
 * professional translations. Persian names use the zero-width non-joiner (U+200C) where
 * standard orthography wants it (the seed texts lost it in extraction).
 *
 * Kept free of imports from catalog.ts, which imports this file: catalog.ts checks these tables
 * against its `KpiId` and `FAMILIES` (`satisfies`), so a typo or a missing key fails `tsc`.
 */
import type { Lang } from './config.ts';

export const KPI_NAMES = {
  // ── tickets ──
  tickets_created: {
    en: 'Tickets created',
    fa: 'تعداد درخواست‌های ایجادشده', // seed 004 #6, 000 #11
    ar: 'التذاكر الجديدة',
    zh: '新建工单数',
    ms: 'Jumlah tiket', // seed 003 "Jumlah tiket"
  },
  complaints_received: {
    en: 'Complaints received',
    fa: 'تعداد شکایات دریافت‌شده', // seed 000 #8
    ar: 'الشكاوى المستلمة',
    zh: '收到投诉数',
    ms: 'Aduan diterima',
  },
  complaints_via_phone_pct: {
    en: 'Complaints by phone',
    fa: 'شکایات از طریق کانال تلفن', // seed 000 #7
    ar: 'نسبة الشكاوى الهاتفية',
    zh: '电话投诉占比',
    ms: 'Aduan melalui telefon',
  },
  repeat_incident_pct: {
    en: 'Incidents reported more than once',
    fa: 'حوادث بیش از یک بار گزارش‌شده', // seed 000 #4
    ar: 'نسبة الحوادث المبلغ عنها أكثر من مرة',
    zh: '重复报告事件占比',
    ms: 'Insiden dilaporkan berulang kali',
  },
  overdue_backlog_pct: {
    en: 'Overdue open tickets',
    fa: 'درصد درخواست‌های باز سررسیدشده', // seed 000 #9 (% of open requests)
    ar: 'نسبة التذاكر المفتوحة المتأخرة',
    zh: '逾期未结工单占比',
    ms: 'Tiket terbuka lewat tempoh',
  },
  avg_first_response_minutes: {
    en: 'Average first response time',
    fa: 'میانگین زمان اولین پاسخ',
    ar: 'متوسط وقت الاستجابة الأول', // seed 002 #1
    zh: '平均首次响应时间',
    ms: 'Purata masa tindak balas pertama', // seed 003 FRT
  },
  first_response_sla_pct: {
    en: 'First responses on time',
    fa: 'اولین پاسخ‌های به‌موقع',
    ar: 'الاستجابات الأولى في الموعد',
    zh: '客户意见反馈及时率', // seed 001 客戶意見反饋及時率
    ms: 'Tindak balas pertama tepat masa',
  },
  email_answered_24h_pct: {
    en: 'E-mails answered within 24 h',
    fa: 'درصد پرسش‌های ایمیلی پاسخ‌داده‌شده در ۲۴ ساعت', // seed 000 #18
    ar: 'نسبة رسائل البريد المجابة خلال ٢٤ ساعة',
    zh: '邮件24小时回复率',
    ms: 'E-mel dijawab dalam 24 jam',
  },
  avg_service_time_hours: {
    en: 'Average service time',
    fa: 'متوسط زمان ارائه خدمت', // seed 000 #10 (004 #4 calls it "میانگین زمان اجرا")
    ar: 'متوسط وقت الخدمة',
    zh: '平均服务时长',
    ms: 'Purata masa perkhidmatan',
  },
  avg_resolution_time_hours: {
    en: 'Average resolution time',
    fa: 'میانگین زمان حل درخواست', // seed 000 #14
    ar: 'متوسط وقت الحل',
    zh: '平均解决时长',
    ms: 'Purata masa resolusi', // seed 003 ART, in the digest's «Purata …» order
  },
  complaint_resolution_time_hours: {
    en: 'Average complaint resolution time',
    fa: 'میانگین زمان حل شکایات', // seed 000 #14 ("… / شکایات")
    ar: 'متوسط وقت حل الشكاوى',
    zh: '客户投诉解决速度', // seed 001 客戶投訴解決速度 (defined as a mean time)
    ms: 'Purata masa penyelesaian aduan',
  },
  messages_per_ticket: {
    en: 'Messages per ticket',
    fa: 'متوسط پیام‌های تبادل‌شده در هر خدمت', // seed 000 #16
    ar: 'عدد الرسائل لكل تذكرة',
    zh: '每张工单平均消息数',
    ms: 'Mesej setiap tiket',
  },
  first_contact_resolution_pct: {
    en: 'First contact resolution',
    fa: 'نرخ حل در اولین تماس', // seed 000 #13 formula (حل); seed 004's «رفع اشکال» reads as bug fixing
    ar: 'معدل الحل من أول تواصل',
    zh: '首次联系解决率',
    ms: 'Kadar resolusi hubungan pertama (FCR)', // seed 003 FCR
  },
  contacts_per_resolution: {
    en: 'Contacts per resolution',
    fa: 'میانگین تعداد تماس برای حل مشکل', // seed 000 #24
    ar: 'متوسط مرات التواصل حتى الحل',
    zh: '平均需要联系的次数', // seed 001 平均需要聯系的次數
    ms: 'Purata hubungan setiap resolusi',
  },
  handoffs_per_ticket: {
    en: 'Handoffs per ticket',
    fa: 'ارجاع بین کارشناسان در هر درخواست', // seed 004 #5 (ارجاع … بین کارشناسان)
    ar: 'التحويلات بين الموظفين لكل تذكرة', // seed 002 #3 defines its «التفاعلات» as CSA transfers
    zh: '每张工单转交次数',
    ms: 'Pemindahan ejen setiap tiket',
  },
  escalation_rate_pct: {
    en: 'Escalation rate',
    fa: 'نرخ ارجاع به سطح بالاتر',
    ar: 'معدل التصعيد',
    zh: '升级率',
    ms: 'Kadar eskalasi', // seed 003 "Kadar peningkatan" reads as growth; eskalasi is the support term
  },
  tickets_resolved_per_agent: {
    en: 'Tickets resolved per agent',
    fa: 'تعداد درخواست‌های بسته‌شده هر کارشناس', // seed 000 #20 (فرد → کارشناس)
    ar: 'التذاكر المنجزة لكل موظف', // seed 002 #6 "إنتاجية الموظف" (tickets a CSA completes)
    zh: '人均解决工单数',
    ms: 'Tiket diselesaikan setiap ejen',
  },
  // ── calls ──
  calls_total: {
    en: 'Total calls',
    fa: 'تعداد کل تماس‌ها',
    ar: 'إجمالي المكالمات',
    zh: '呼叫数', // seed 001 呼叫數
    ms: 'Jumlah panggilan',
  },
  calls_answered_per_hour: {
    en: 'Calls answered per hour',
    fa: 'پاسخ‌های تلفنی در هر ساعت', // seed 000 #12
    ar: 'المكالمات المجابة في الساعة',
    zh: '每小时接听量',
    ms: 'Panggilan dijawab sejam',
  },
  service_level_pct: {
    en: 'Service level',
    fa: 'تماس‌های پاسخ‌داده‌شده در زمان تعیین‌شده', // seed 000 #21
    ar: 'مستوى الخدمة',
    zh: '服务水平',
    ms: 'Tahap perkhidmatan',
  },
  avg_speed_of_answer_seconds: {
    en: 'Average speed of answer',
    fa: 'سرعت پاسخ به تماس تلفنی', // seed 000 #22
    ar: 'متوسط سرعة الرد',
    zh: '平均等待时间', // seed 001 平均等待時間
    ms: 'Purata kelajuan menjawab',
  },
  max_queue_wait_seconds: {
    en: 'Longest queue wait',
    fa: 'حداکثر تأخیر در صف', // seed 000 #25
    ar: 'أطول وقت انتظار في قائمة الانتظار',
    zh: '最长排队等待时间',
    ms: 'Masa menunggu terlama dalam baris gilir',
  },
  abandonment_rate_pct: {
    en: 'Abandonment rate',
    fa: 'نرخ تماس‌های رهاشده',
    ar: 'معدل التخلي', // seed 002 #2
    zh: '呼叫放弃率', // seed 001 呼叫放棄率
    ms: 'Kadar panggilan ditinggalkan',
  },
  avg_abandon_time_seconds: {
    en: 'Average time to abandon',
    fa: 'میانگین زمان انتظار تا رهاکردن تماس', // «رهاکردن» one word, as in «رهاشده»
    ar: 'متوسط الوقت قبل التخلي', // seed 002 #2 term التخلي
    zh: '平均放弃时间', // seed 001 平均放棄時間
    ms: 'Purata masa sebelum panggilan ditinggalkan',
  },
  avg_talk_time_minutes: {
    en: 'Average talk time',
    fa: 'متوسط زمان مکالمه تلفنی', // seed 000 #15
    ar: 'متوسط مدة التحدث',
    zh: '平均通话时长',
    ms: 'Purata masa perbualan',
  },
  max_call_minutes: {
    en: 'Longest call',
    fa: 'حداکثر طول تماس', // seed 000 #17
    ar: 'أطول مدة مكالمة',
    zh: '最长通话时长',
    ms: 'Panggilan terpanjang',
  },
  avg_handle_time_seconds: {
    en: 'Average handle time',
    fa: 'میانگین زمان رسیدگی به تماس',
    ar: 'متوسط وقت المعالجة',
    zh: '平均处理时间', // seed 001 平均處理時間 (AHT)
    ms: 'Purata masa pengendalian',
  },
  transfer_rate_pct: {
    en: 'Transfer rate',
    fa: 'نرخ انتقال تماس',
    ar: 'معدل تحويل المكالمات',
    zh: '转接率', // seed 001 轉接率
    ms: 'Kadar pemindahan panggilan',
  },
  calls_per_agent: {
    en: 'Calls per agent per day',
    fa: 'میانگین تماس هر کارشناس در روز', // seed 000 #19 (کارمند → the glossary's کارشناس)
    ar: 'المكالمات لكل موظف يوميًا',
    zh: '人均日接听量',
    ms: 'Panggilan setiap ejen sehari',
  },
  call_fcr_pct: {
    en: 'First call resolution',
    fa: 'نرخ حل در اولین تماس تلفنی', // seed 000 #13 (formula wording; title "نرخ قطع تماس اول")
    ar: 'معدل الحل من أول مكالمة',
    zh: '电话首次解决率',
    ms: 'Kadar resolusi panggilan pertama',
  },
  cost_per_inbound_call: {
    en: 'Cost per inbound call',
    fa: 'هزینه متوسط تماس تلفنی ورودی', // seed 000 #2
    ar: 'تكلفة المكالمة الواردة',
    zh: '每通呼入电话成本',
    ms: 'Kos setiap panggilan masuk',
  },
  // ── surveys ──
  csat_pct: {
    en: 'Satisfied customers (CSAT)',
    fa: 'درصد مشتریان راضی', // seed 000 #5
    ar: 'نسبة العملاء الراضين (CSAT)',
    zh: '客户满意率 (CSAT)',
    ms: 'Peratusan pelanggan berpuas hati (CSAT)', // seed 003 CSAT (a percentage)
  },
  csat_avg_score: {
    en: 'Average CSAT score',
    fa: 'میانگین امتیاز رضایت مشتریان', // seed 000 #6 "رضایت مشتریان"
    ar: 'متوسط درجة رضا العملاء',
    zh: '客户满意度平均分', // seed 001 客戶滿意度 (mean of scores)
    ms: 'Purata skor CSAT (1–5)',
  },
  nps: {
    en: 'Net Promoter Score',
    fa: 'شاخص خالص مروجان (NPS)',
    ar: 'صافي نقاط الترويج (NPS)', // seed 002 #5 says "صافي نقاط المراسل" (mistranslated)
    zh: '净推荐值 (NPS)',
    ms: 'Skor promoter bersih (NPS)', // seed 003 NPS
  },
  enps: {
    en: 'Employee Net Promoter Score',
    fa: 'شاخص خالص مروجان کارکنان (eNPS)',
    ar: 'صافي نقاط ترويج الموظفين (eNPS)',
    zh: '员工净推荐值 (eNPS)',
    ms: 'Skor promoter bersih pekerja (eNPS)', // seed 003 eNPS "pekerja skor Net Promoter"
  },
  collaboration_satisfaction_pct: {
    en: 'Cross-team collaboration satisfaction',
    fa: 'رضایت از همکاری بین‌بخشی',
    ar: 'الرضا عن التعاون بين الأقسام',
    zh: '部门协作满意度', // seed 001 部門協作滿意度
    ms: 'Kepuasan kerjasama antara jabatan',
  },
  complaint_resolution_satisfaction_pct: {
    en: 'Satisfaction with complaint resolution',
    fa: 'رضایت از رسیدگی به شکایات',
    ar: 'الرضا عن حل الشكاوى',
    zh: '客户投诉解决满意度', // seed 001 客戶投訴解決滿意度
    ms: 'Kepuasan penyelesaian aduan',
  },
  // ── customers ──
  avg_revenue_per_customer: {
    en: 'Average revenue per customer',
    fa: 'میانگین درآمد هر مشتری', // seed 000 #3 (its formula: sales revenue ÷ customers)
    ar: 'متوسط الإيراد لكل عميل',
    zh: '客户平均收入',
    ms: 'Purata hasil setiap pelanggan',
  },
  dormant_customers_pct: {
    en: 'Dormant customers',
    fa: 'درصد مشتریان خاموش', // seed 000 #23
    ar: 'نسبة العملاء الخاملين',
    zh: '休眠客户占比',
    ms: 'Pelanggan tidak aktif',
  },
  churn_rate_pct: {
    en: 'Customer churn rate',
    fa: 'نرخ ریزش مشتری',
    ar: 'معدل فقدان العملاء',
    zh: '客户流失率',
    ms: 'Kadar churn pelanggan', // seed 003
  },
  retention_rate_pct: {
    en: 'Customer retention rate',
    fa: 'نرخ حفظ مشتری',
    ar: 'معدل الاحتفاظ بالعملاء', // seed 002 #4
    zh: '客户留存率',
    ms: 'Kadar pengekalan pelanggan',
  },
  key_account_churn_count: {
    en: 'Key accounts lost',
    fa: 'مشتریان کلیدی ازدست‌رفته',
    ar: 'كبار العملاء المفقودون',
    zh: '大客户流失数', // seed 001 大客戶流失數
    ms: 'Pelanggan utama yang hilang',
  },
  // ── follow-ups ──
  callback_completion_pct: {
    en: 'Follow-ups completed',
    fa: 'نرخ انجام پیگیری‌های برنامه‌ریزی‌شده',
    ar: 'نسبة إنجاز المتابعات المخططة',
    zh: '客户回访率', // seed 001 客戶回訪率
    ms: 'Kadar susulan diselesaikan',
  },
  key_account_callbacks: {
    en: 'Key-account follow-ups',
    fa: 'پیگیری‌های مشتریان کلیدی',
    ar: 'متابعات كبار العملاء',
    zh: '大客户回访次数', // seed 001 大客戶回訪次數
    ms: 'Susulan pelanggan utama',
  },
  // ── costs ──
  operating_cost: {
    en: 'Operating cost',
    fa: 'هزینه عملیات مرکز تماس', // seed 000 #1
    ar: 'تكلفة التشغيل',
    zh: '运营成本',
    ms: 'Kos operasi',
  },
  budget_utilization_pct: {
    en: 'Budget utilisation',
    fa: 'درصد مصرف بودجه',
    ar: 'نسبة استخدام الميزانية',
    zh: '服务费用预算控制率', // seed 001 服務費用預算控制率
    ms: 'Penggunaan bajet',
  },
  budget_savings_pct: {
    en: 'Budget savings',
    fa: 'درصد صرفه‌جویی در بودجه',
    ar: 'نسبة التوفير في الميزانية',
    zh: '费用预算节省率', // seed 001 客服費用預算節省率
    ms: 'Penjimatan bajet',
  },
  // ── plans ──
  plan_completion_pct: {
    en: 'Plan completion',
    fa: 'درصد تحقق برنامه‌ها',
    ar: 'نسبة إنجاز الخطط',
    zh: '计划完成率', // seed 001 客服工作計劃完成率 and the other plan-completion KPIs
    ms: 'Kadar pencapaian pelan',
  },
} satisfies Record<string, Record<Lang, string>>;

/** Family names (keys are catalog.ts's FAMILIES, checked there). */
export const FAMILY_NAMES = {
  tickets: { en: 'Tickets', fa: 'درخواست‌ها', ar: 'التذاكر', zh: '工单', ms: 'Tiket' },
  calls: { en: 'Calls', fa: 'تماس‌ها', ar: 'المكالمات', zh: '呼叫', ms: 'Panggilan' },
  surveys: { en: 'Surveys', fa: 'نظرسنجی‌ها', ar: 'الاستطلاعات', zh: '满意度调查', ms: 'Tinjauan' },
  customers: { en: 'Customers', fa: 'مشتریان', ar: 'العملاء', zh: '客户', ms: 'Pelanggan' },
  followups: { en: 'Follow-ups', fa: 'پیگیری‌ها', ar: 'المتابعات', zh: '客户回访', ms: 'Susulan' },
  costs: { en: 'Costs', fa: 'هزینه‌ها', ar: 'التكاليف', zh: '费用', ms: 'Kos' },
  plans: { en: 'Plans', fa: 'برنامه‌ها', ar: 'الخطط', zh: '计划', ms: 'Pelan' },
} satisfies Record<string, Record<Lang, string>>;
