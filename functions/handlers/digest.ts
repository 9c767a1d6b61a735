/**
 * The digest Lambda, invoked by the KPI state machine after a scheduled run (or by hand): reads
 * the event (core/digest-event.ts), runs the core use case `runDigest` over Athena (targets,
 * kpi_flags, render; every message filed under `s3://$RESULTS_BUCKET/outbox/` and sent through
 * SES) and returns a small report. Environment (read at the first invocation): ATHENA_WORKGROUP,
 * GLUE_DATABASE, SES_IDENTITY, RESULTS_BUCKET, SERVICEPULSE_CONFIG (optional).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { AthenaEngine } from '../adapters/athena.ts';
import { OutboxDelivery } from '../adapters/outbox.ts';
import { S3Store } from '../adapters/s3.ts';
import { SesDelivery } from '../adapters/ses.ts';
import type { Config } from '../core/config.ts';
import { runDigest } from '../core/digest/usecase.ts';
import { type DigestEvent, type DigestReport, digestReport, readEvent } from '../core/digest-event.ts';
import type { MailDelivery, QueryEngine } from '../core/ports.ts';
import { configFromEnv, requireEnv } from './env.ts';
import { jsonLogger, type Logger } from './log.ts';

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

/** The handler over injected dependencies (tests pass a fake engine and a mocked SES client). */
export function makeDigestHandler(deps: DigestHandlerDeps): (event: DigestEvent) => Promise<DigestReport> {
  const log = deps.log ?? jsonLogger({ base: { fn: 'digest' } });
  return async (event) => {
    const input = readEvent(event, deps.config, (deps.now ?? Date.now)());
    const { engine, lakeSchema, resultsSchema, config, deliver, outbox } = deps;
    const result = await runDigest({ engine, lakeSchema, resultsSchema, config, ...input, deliver, outbox });
    const report = digestReport(result);
    log.info('digest sent', { ...report, runIds: event?.runIds });
    return report;
  };
}

let instance: ((event: DigestEvent) => Promise<DigestReport>) | undefined;

/** Lambda entry. */
export const handler = (event: DigestEvent): Promise<DigestReport> => {
  instance ??= fromEnv();
  return instance(event);
};

function fromEnv(): (event: DigestEvent) => Promise<DigestReport> {
  const database = requireEnv('GLUE_DATABASE');
  return makeDigestHandler({
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
