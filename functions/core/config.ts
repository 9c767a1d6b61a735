/**
 * The deployment configuration (reference: docs/configuration.md).
 *
 * Every key is optional and has a default; unknown keys are errors, so a typo never silently
 * falls back to a default. Errors name the key path (`targets.service_level_pct.day.min`).
 * This module parses an already-read YAML/JSON text; reading the file is an adapter's job.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { businessHoursSchema, workWeekOf } from './business-hours.js';
import { CALENDARS } from './mapping/values.js';

export const LANGUAGES = ['en', 'fa', 'ar', 'zh', 'ms'] as const;
export type Lang = (typeof LANGUAGES)[number];

export const CHANNELS = ['phone', 'email', 'chat', 'web', 'social', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isValidTimeZone, {
  message: 'not an IANA time zone (for example Asia/Tehran, Europe/Berlin, UTC)',
});

const finite = z.number().finite();

const rangeShape = {
  min: finite.optional(),
  max: finite.optional(),
  /** Warning threshold: for a `min` target a value below `warn` (but ≥ min) warns; for `max`, above. */
  warn: finite.optional(),
  /** Flag a breach only after this many periods in a row are outside the range. */
  consecutive: z.number().int().min(1).optional(),
};

function minNotAboveMax(t: { min?: number | undefined; max?: number | undefined }, ctx: z.RefinementCtx) {
  if (t.min !== undefined && t.max !== undefined && t.min > t.max) {
    ctx.addIssue({ code: 'custom', message: `min (${t.min}) is greater than max (${t.max})`, path: ['min'] });
  }
}

/** A target range with an optional warning band (see evaluateTarget in targets.ts). */
export const targetRangeSchema = z.strictObject(rangeShape).superRefine(minNotAboveMax);
export type TargetRange = z.infer<typeof targetRangeSchema>;

/**
 * A KPI's target: a range for every grain, optionally overridden per grain (`day`, `month`) and
 * per dimension value (`dimensions: { "queue=vip": { min: 90 } }`). One object rather than a union,
 * so an error names the exact key.
 */
export const targetSchema = z
  .strictObject({
    ...rangeShape,
    day: targetRangeSchema.optional(),
    month: targetRangeSchema.optional(),
    dimensions: z
      .record(z.string().regex(/^[a-z_]+=.+$/, 'keys look like "queue=vip"'), targetRangeSchema)
      .optional(),
  })
  .superRefine(minNotAboveMax);
export type TargetConfig = z.infer<typeof targetSchema>;

const defaultFirstResponseMinutes: Record<Channel, number> = {
  phone: 60,
  chat: 1,
  email: 1440,
  web: 1440,
  social: 60,
  other: 1440,
};

const recipientSchema = z.strictObject({
  email: z.email(),
  name: z.string().optional(),
  lang: z.enum(LANGUAGES).default('en'),
});
export type Recipient = z.infer<typeof recipientSchema>;

export const configSchema = z.strictObject({
  timezone: timeZone.default('UTC'),
  /** Zone of timestamps that carry no offset; defaults to `timezone`. */
  sourceTimezone: timeZone.optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO-4217 code such as USD, IRR or MYR')
    .optional(),
  workWeek: z
    .array(z.number().int().min(1).max(7))
    .min(1)
    .optional()
    .describe('ISO weekdays (1 = Monday … 7 = Sunday) the centre works; used by the demo generator'),
  thresholds: z
    .strictObject({
      serviceLevelSeconds: finite.positive().default(20),
      shortAbandonSeconds: finite.min(0).default(5),
      repeatContactDays: z.number().int().positive().default(7),
      dormantDays: z.number().int().positive().default(90),
      firstResponseMinutes: z
        .strictObject(Object.fromEntries(CHANNELS.map((c) => [c, finite.positive().optional()])))
        .default({})
        .transform(
          (v) => ({ ...defaultFirstResponseMinutes, ...stripUndefined(v) }) as Record<Channel, number>,
        ),
    })
    .default({
      serviceLevelSeconds: 20,
      shortAbandonSeconds: 5,
      repeatContactDays: 7,
      dormantDays: 90,
      firstResponseMinutes: { ...defaultFirstResponseMinutes },
    }),
  /** What a month is for the month grain (kpis.md "Reporting calendar"). */
  // Only Gregorian months are computed so far: another calendar is refused rather than ignored,
  // so no one reads Gregorian months believing they are Jalali ones (docs/calendars.md).
  calendar: z
    .enum(CALENDARS)
    .default('gregorian')
    .refine((c) => c === 'gregorian', {
      message:
        'reporting months in the persian or islamic-umalqura calendar are not supported yet; remove the key (months are Gregorian)',
    }),
  /** Open hours for the business-time KPIs; absent = 24 x 7. */
  businessHours: businessHoursSchema.optional(),
  recompute: z
    .strictObject({ trailingDays: z.number().int().min(0).max(366).default(3) })
    .default({ trailingDays: 3 }),
  targets: z.record(z.string(), targetSchema).default({}),
  digest: z
    .strictObject({
      from: z.string().default('Servicepulse <kpi@example.com>'),
      recipients: z.array(recipientSchema).default([]),
      smtp: z.string().url().optional(),
      /** Trend chart length. */
      trendDays: z.number().int().min(2).max(90).default(14),
      trendMonths: z.number().int().min(2).max(36).default(12),
    })
    .default({ from: 'Servicepulse <kpi@example.com>', recipients: [], trendDays: 14, trendMonths: 12 }),
});

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type RawConfig = z.output<typeof configSchema>;
export type Config = Omit<RawConfig, 'sourceTimezone'> & { sourceTimezone: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function formatIssues(error: z.ZodError, origin: string): string {
  return error.issues
    .map((i) => {
      const path = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.map((k) => (path ? `${path}.${k}` : k));
        return `unknown key ${keys.join(', ')}`;
      }
      return `${path || '(root)'}: ${i.message}`;
    })
    .map((m) => `${origin}: ${m}`)
    .join('; ');
}

/**
 * Validates a parsed configuration object and fills in defaults.
 * @param knownKpiIds when given, a target for an id outside the catalog is an error.
 */
export function validateConfig(input: unknown, origin = 'config', knownKpiIds?: readonly string[]): Config {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(formatIssues(result.error, origin));
  const cfg = result.data;
  if (knownKpiIds) {
    const unknown = Object.keys(cfg.targets).filter((id) => !knownKpiIds.includes(id));
    if (unknown.length > 0) {
      throw new ConfigError(
        `${origin}: unknown key ${unknown.map((id) => `targets.${id}`).join(', ')} (not a KPI id; see \`servicepulse kpis\`)`,
      );
    }
  }
  const workWeek = cfg.workWeek ?? (cfg.businessHours ? workWeekOf(cfg.businessHours) : undefined);
  return { ...cfg, workWeek, sourceTimezone: cfg.sourceTimezone ?? cfg.timezone };
}

/** Parses YAML (or JSON, which is YAML) text into a validated config. */
export function parseConfig(text: string, origin = 'config', knownKpiIds?: readonly string[]): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ConfigError(`${origin}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw, origin, knownKpiIds);
}

export function defaultConfig(): Config {
  return validateConfig({});
}
