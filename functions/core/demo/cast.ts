/**
 * The demo's cast: teams, agents, queues and ticket subjects, named in Persian, Arabic, Chinese,
 * Malay and English so every digest language meets names in its own and in other scripts.
 */
export const TEAMS = [
  'پشتیبانی تهران',
  'فريق الرياض',
  '上海客服组',
  'Pasukan Kuala Lumpur',
  'London desk',
] as const;
export const AGENTS: readonly { id: string; team: (typeof TEAMS)[number] }[] = [
  { id: 'مریم رضایی', team: 'پشتیبانی تهران' },
  { id: 'علی محمدی', team: 'پشتیبانی تهران' },
  { id: 'زهرا کریمی', team: 'پشتیبانی تهران' },
  { id: 'رضا احمدی', team: 'پشتیبانی تهران' },
  { id: 'أحمد العتيبي', team: 'فريق الرياض' },
  { id: 'فاطمة الزهراني', team: 'فريق الرياض' },
  { id: 'خالد الحربي', team: 'فريق الرياض' },
  { id: '王芳', team: '上海客服组' },
  { id: '李伟', team: '上海客服组' },
  { id: '陈静', team: '上海客服组' },
  { id: 'Nurul Aisyah', team: 'Pasukan Kuala Lumpur' },
  { id: 'Muhammad Hafiz', team: 'Pasukan Kuala Lumpur' },
  { id: 'Siti Nurhaliza', team: 'Pasukan Kuala Lumpur' },
  { id: 'Emma Clarke', team: 'London desk' },
  { id: 'James Okafor', team: 'London desk' },
];
export const QUEUES = [
  ['general', 5],
  ['billing', 3],
  ['technical', 3],
  ['vip', 1],
] as const;
export const SUBJECTS = [
  'مشکل در پرداخت قبض',
  'درخواست بازگشت وجه',
  'تأخیر در ارسال سفارش',
  'استفسار عن الفاتورة',
  'شكوى بخصوص التأخير',
  '无法登录账户',
  '退款申请进度查询',
  'Permohonan tukar pelan',
  'Aduan: bil tidak tepat',
  'Cannot reset my password',
  'Order arrived damaged',
] as const;
