/**
 * The digest as the KPI state machine asks for it: the invocation event (`{ grain, date, asOf,
 * runIds }` after a scheduled run, or any subset by hand; `{}` is the daily digest of yesterday in
 * the reporting zone, as of now), checked and defaulted, and the small report of what was sent
 * (Step Functions keeps it in the execution history). The digest itself is core/digest/usecase.ts.
 */
import { z } from 'zod';
import { GRAINS, type Grain } from './catalog.ts';
import { type Config, LANGUAGES, type Lang } from './config.ts';
import type { DigestResult } from './digest/usecase.ts';
import { addDays, today } from './time.ts';

export interface DigestEvent {
  /** @default 'day' */
  grain?: Grain;
  /** Any day of the period (YYYY-MM-DD, reporting zone). @default yesterday */
  date?: string;
  /** Evaluation instant (ISO-8601). @default now */
  asOf?: string;
  /** One language for every recipient. @default each recipient's own */
  lang?: Lang;
  /** The runs that computed the period (logged only). */
  runIds?: string[];
}

/** What one digest run sent: returned by the digest Lambda. */
export interface DigestReport {
  grain: Grain;
  period: { start: string; end: string };
  summary: string;
  offTarget: number;
  missingSources: string[];
  flagsWritten: number;
  messages: {
    lang: Lang;
    recipients: number;
    subject: string;
    htmlBytes: number;
    filed: string;
    messageId?: string;
  }[];
}

const problem =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    `digest event: ${what}, got ${issue.input}`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The event's fields; absent ones get their defaults in {@link readEvent}. */
const DigestEventSchema = z.preprocess(
  (event) => event ?? {},
  z.object(
    {
      grain: z.enum(GRAINS, { error: problem(`grain must be one of ${GRAINS.join(', ')}`) }).optional(),
      date: z
        .string({ error: problem('date must be YYYY-MM-DD') })
        .regex(DATE, { error: problem('date must be YYYY-MM-DD') })
        .optional(),
      asOf: z
        .string({ error: (i) => `digest event: asOf is not an ISO-8601 instant: ${i.input}` })
        .refine((s) => !Number.isNaN(Date.parse(s)), {
          error: (i) => `digest event: asOf is not an ISO-8601 instant: ${i.input}`,
        })
        .optional(),
      lang: z.enum(LANGUAGES, { error: problem(`lang must be one of ${LANGUAGES.join(', ')}`) }).optional(),
    },
    { error: 'digest event: the event must be a JSON object' },
  ),
);

/** Validates an invocation event and fills in the defaults (grain day, date yesterday, asOf now). */
export function readEvent(
  event: DigestEvent | null | undefined,
  config: Config,
  now: number,
): { grain: Grain; date: string; asOf: string; lang?: Lang } {
  // The state machine's failure branch sends `{ kind, failure }`. The localized failure digest is
  // not built yet (issue 15): refuse rather than send the regular digest over stale results.
  if (event && typeof event === 'object' && 'failure' in event)
    throw new Error(
      'digest event: a failure digest was asked for, and this version cannot render one yet: no digest sent (the alarm topic has the failure)',
    );
  const parsed = DigestEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  const e = parsed.data;
  const grain = e.grain ?? 'day';
  const date = e.date ?? addDays(today(config.timezone, now), -1);
  const asOf = e.asOf ?? new Date(now).toISOString();
  return { grain, date, asOf, ...(e.lang ? { lang: e.lang } : {}) };
}

/** The report of a digest run, small enough for the execution history. */
export function digestReport(result: DigestResult): DigestReport {
  return {
    grain: result.grain,
    period: result.period,
    summary: result.summaryLine,
    offTarget: result.summary.offTarget,
    missingSources: result.gaps.map((g) => g.entity),
    flagsWritten: result.flagsWritten,
    messages: result.messages.map((m) => ({
      lang: m.lang,
      recipients: m.to.length,
      subject: m.subject,
      htmlBytes: m.htmlBytes,
      filed: m.filed,
      ...(m.delivered ? { messageId: m.delivered } : {}),
    })),
  };
}
