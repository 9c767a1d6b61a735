/**
 * The digest Lambda: invoked by the KPI state machine after a scheduled run with
 * `{ grain, date, asOf, runIds }` (infra/constructs/kpi-schedule.ts), or by hand with any subset
 * (`{}` = the daily digest of yesterday in the reporting zone, as of now).
 *
 * Primary course:
 *  1. read the event (defaults: grain day, date yesterday, asOf now) and validate it;
 *  2. run the digest use case over Athena: evaluate targets, write kpi_flags, render;
 *  3. file every message under `s3://$RESULTS_BUCKET/outbox/` and send it through SES;
 *  4. return a small report (Step Functions keeps it in the execution history).
 *
 * Environment (read once, at the first invocation): ATHENA_WORKGROUP, GLUE_DATABASE (lake and
 * results tables), SES_IDENTITY, RESULTS_BUCKET, SERVICEPULSE_CONFIG (optional), LOG_LEVEL.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { AthenaEngine } from '../adapters/athena.ts';
import { OutboxDelivery } from '../adapters/outbox.ts';
import { S3Store } from '../adapters/s3.ts';
import { SesDelivery } from '../adapters/ses.ts';
import { GRAINS, type Grain } from '../core/catalog.ts';
import { type Config, LANGUAGES, type Lang } from '../core/config.ts';
import { runDigest } from '../core/digest/usecase.ts';
import type { MailDelivery, QueryEngine } from '../core/ports.ts';
import { addDays, today } from '../core/time.ts';
import { configFromEnv, requireEnv } from './env.ts';
import { jsonLogger, type Logger } from './log.ts';

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

export interface DigestHandlerResult {
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

export interface DigestHandlerDeps {
  engine: QueryEngine;
  /** Glue databases of the lake tables and of the results tables. */
  lakeSchema: string;
  resultsSchema: string;
  config: Config;
  /** SES in AWS. */
  deliver: MailDelivery;
  outbox: MailDelivery;
  /** Clock for the defaults of `date` and `asOf`. @default Date.now */
  now?: () => number;
  log?: Logger;
}

/** Validates an invocation event and fills in the defaults. */
export function readEvent(
  event: DigestEvent | null | undefined,
  config: Config,
  now: number,
): { grain: Grain; date: string; asOf: string; lang?: Lang } {
  const e = event ?? {};
  const grain = e.grain ?? 'day';
  if (!GRAINS.includes(grain))
    throw new Error(`digest event: grain must be one of ${GRAINS.join(', ')}, got ${grain}`);
  const date = e.date ?? addDays(today(config.timezone, now), -1);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new Error(`digest event: date must be YYYY-MM-DD, got ${date}`);
  const asOf = e.asOf ?? new Date(now).toISOString();
  if (Number.isNaN(Date.parse(asOf)))
    throw new Error(`digest event: asOf is not an ISO-8601 instant: ${asOf}`);
  if (e.lang !== undefined && !LANGUAGES.includes(e.lang)) {
    throw new Error(`digest event: lang must be one of ${LANGUAGES.join(', ')}, got ${e.lang}`);
  }
  return { grain, date, asOf, ...(e.lang ? { lang: e.lang } : {}) };
}

/** The handler over injected dependencies (tests pass a fake engine and a mocked SES client). */
export function makeDigestHandler(
  deps: DigestHandlerDeps,
): (event: DigestEvent) => Promise<DigestHandlerResult> {
  const log = deps.log ?? jsonLogger({ base: { fn: 'digest' } });
  return async (event) => {
    const input = readEvent(event, deps.config, (deps.now ?? Date.now)());
    const result = await runDigest({
      engine: deps.engine,
      lakeSchema: deps.lakeSchema,
      resultsSchema: deps.resultsSchema,
      config: deps.config,
      ...input,
      deliver: deps.deliver,
      outbox: deps.outbox,
    });
    const out: DigestHandlerResult = {
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
    log.info('digest sent', { ...out, runIds: event?.runIds });
    return out;
  };
}

let instance: ((event: DigestEvent) => Promise<DigestHandlerResult>) | undefined;

/** Lambda entry. */
export const handler = (event: DigestEvent): Promise<DigestHandlerResult> => {
  if (!instance) {
    const database = requireEnv('GLUE_DATABASE');
    instance = makeDigestHandler({
      engine: new AthenaEngine({ workGroup: requireEnv('ATHENA_WORKGROUP') }),
      lakeSchema: database,
      resultsSchema: database,
      config: configFromEnv(),
      deliver: new SesDelivery({ client: new SESClient({}), identity: requireEnv('SES_IDENTITY') }),
      outbox: new OutboxDelivery(
        new S3Store({ client: new S3Client({}), bucket: requireEnv('RESULTS_BUCKET') }),
      ),
    });
  }
  return instance(event);
};
