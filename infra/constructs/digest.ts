/**
 * The digest Lambda (functions/handlers/digest.ts): reads kpi_results (and the lake's freshness)
 * through Athena, writes kpi_flags (Iceberg MERGE), files each message under `outbox/` in the
 * results bucket and sends it through SES as the configured identity. The state machine invokes it after a scheduled run with `{ grain, date, asOf, runIds }`.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Problems } from '../validate.ts';
import type { LakeCatalog } from './catalog.ts';
import { ServicepulseFunction } from './function.ts';
import type { AthenaWorkgroup } from './workgroup.ts';

export interface DigestProps {
  readonly configJson: string;
  /** Verified SES identity (domain or address) the digest sends as. */
  readonly sesIdentity: string;
  readonly workgroup: AthenaWorkgroup;
  readonly catalog: LakeCatalog;
  readonly resultsBucket: s3.IBucket;
  /** @default Duration.minutes(3) */
  readonly timeout?: Duration;
  /** @default 1024 (charts are rendered in memory) */
  readonly memorySize?: number;
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default true */
  readonly bundle?: boolean;
}

export class Digest extends Construct {
  readonly function: ServicepulseFunction;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    new Problems('Digest')
      .check(
        /^([^@\s]+@)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(props.sesIdentity),
        `sesIdentity must be a domain or an e-mail address, got ${JSON.stringify(props.sesIdentity)}`,
      )
      .throwIfAny();

    this.function = new ServicepulseFunction(this, 'Function', {
      entry: 'functions/handlers/digest.ts',
      description: 'Servicepulse digest: evaluate targets, write kpi_flags, send the e-mail',
      timeout: props.timeout ?? Duration.minutes(3),
      memorySize: props.memorySize ?? 1024,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      ...(props.bundle !== undefined ? { bundle: props.bundle } : {}),
    })
      .bindConfig(props.configJson)
      .bindWorkgroup({ workgroup: props.workgroup, catalog: props.catalog, writeResults: true })
      .bindSender(props.sesIdentity)
      // Every message is filed under outbox/ (.eml, .html, .txt, images) before it is sent.
      .bindBucket({
        bucket: props.resultsBucket,
        prefixes: ['outbox/'],
        access: ['write'],
        envVarName: 'RESULTS_BUCKET',
      });
  }
}
