/**
 * The Servicepulse stack: storage, catalog and workgroup, the normalizer, the scheduled KPI runs,
 * the digest and the alarms — one stack built from the named constructs in infra/constructs/.
 */
import { Annotations, CfnOutput, type RemovalPolicy, type Size, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { Config } from '../functions/core/config.ts';
import { defaultSesIdentity } from './config.ts';
import { OperationsAlarms } from './constructs/alarms.ts';
import { LakeCatalog } from './constructs/catalog.ts';
import { Digest } from './constructs/digest.ts';
import { ENVIRONMENT_LIMIT_BYTES } from './constructs/function.ts';
import { KpiSchedule } from './constructs/kpi-schedule.ts';
import { Normalizer } from './constructs/normalizer.ts';
import { DataStorage, type DataStorageProps } from './constructs/storage.ts';
import { AthenaWorkgroup } from './constructs/workgroup.ts';
import { applyNagSuppressions } from './nag.ts';
import { Problems } from './validate.ts';

/** Room left for the other variables of a function's environment (Lambda allows 4 KiB in all). */
export const CONFIG_ENV_BUDGET_BYTES = ENVIRONMENT_LIMIT_BYTES - 512;

export interface ServicepulseStackProps extends StackProps {
  /** The deployment configuration, already validated (infra/config.ts loadDeploymentConfig). */
  readonly config: Config;
  /** SES identity (domain or address) the digest sends as. @default the domain of config.digest.from */
  readonly sesIdentity?: string;
  /** E-mail address subscribed to the alarms topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Local time (HH:MM, config.timezone) of the daily run. @default '06:00' */
  readonly dailyTime?: string;
  /** Local time (HH:MM) of the monthly run on day 1. @default '06:30' */
  readonly monthlyTime?: string;
  /** Most bytes one Athena query may scan. @default Size.gibibytes(10) */
  readonly bytesScannedCutoffPerQuery?: Size;
  /** Bytes scanned per hour that raise the alarm. @default Size.gibibytes(10) */
  readonly bytesScannedPerHourAlarmThreshold?: Size;
  /** @default 'servicepulse' */
  readonly databaseName?: string;
  /** @default 'servicepulse' */
  readonly workgroupName?: string;
  /** Buckets and key on stack deletion. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 30 */
  readonly landingInfrequentAccessAfterDays?: number;
  /** @default 7 */
  readonly athenaResultsExpirationDays?: number;
  /**
   * Use an existing bucket as the landing bucket (with its KMS key, if it uses SSE-KMS).
   * @default - a new bucket
   */
  readonly existingLandingBucket?: { readonly bucketName: string; readonly keyArn?: string };
  /** Months per backfill statement. @default 12 */
  readonly maxMonthsPerChunk?: number;
  /** Bundle the Lambda handlers with esbuild; tests pass false. @default true */
  readonly bundle?: boolean;
}

export class ServicepulseStack extends Stack {
  readonly storage: DataStorage;
  readonly catalog: LakeCatalog;
  readonly workgroup: AthenaWorkgroup;
  readonly normalizer: Normalizer;
  readonly digest: Digest;
  readonly kpiSchedule: KpiSchedule;
  readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: ServicepulseStackProps) {
    super(scope, id, props);
    const configJson = JSON.stringify(props.config);
    const sesIdentity = props.sesIdentity ?? defaultSesIdentity(props.config);
    this.checkInputs(configJson, sesIdentity);
    const common = {
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.bundle !== undefined ? { bundle: props.bundle } : {}),
    };

    this.storage = new DataStorage(this, 'Storage', this.storageProps(props));
    this.catalog = new LakeCatalog(this, 'Catalog', {
      lakeBucket: this.storage.lakeBucket,
      resultsBucket: this.storage.resultsBucket,
      ...(props.databaseName ? { databaseName: props.databaseName } : {}),
    });
    this.workgroup = new AthenaWorkgroup(this, 'Workgroup', {
      resultsBucket: this.storage.athenaResultsBucket,
      key: this.storage.key,
      ...(props.workgroupName ? { name: props.workgroupName } : {}),
      ...(props.bytesScannedCutoffPerQuery
        ? { bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery }
        : {}),
    });
    this.normalizer = new Normalizer(this, 'Normalizer', {
      landingBucket: this.storage.landingBucket,
      lakeBucket: this.storage.lakeBucket,
      configJson,
      ...common,
    });
    this.digest = new Digest(this, 'Digest', {
      configJson,
      sesIdentity,
      workgroup: this.workgroup,
      catalog: this.catalog,
      resultsBucket: this.storage.resultsBucket,
      ...common,
    });
    // The topic first: the KPI state machine's failure branch publishes to it.
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      key: this.storage.key,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    this.kpiSchedule = new KpiSchedule(this, 'KpiSchedule', {
      configJson,
      alarmTopic: this.alarms.topic,
      timezone: props.config.timezone,
      workgroup: this.workgroup,
      catalog: this.catalog,
      statementsBucket: this.storage.athenaResultsBucket,
      digestFunction: this.digest.function,
      ...(props.dailyTime ? { dailyTime: props.dailyTime } : {}),
      ...(props.monthlyTime ? { monthlyTime: props.monthlyTime } : {}),
      ...(props.maxMonthsPerChunk ? { maxMonthsPerChunk: props.maxMonthsPerChunk } : {}),
      ...common,
    });
    this.watchOperations(props);
    this.addOutputs();
    applyNagSuppressions(this);
  }

  /** The configuration must fit the functions' environment; a placeholder sender gets a warning. */
  private checkInputs(configJson: string, sesIdentity: string): void {
    new Problems('ServicepulseStack')
      .check(
        Buffer.byteLength(configJson) <= CONFIG_ENV_BUDGET_BYTES,
        `the configuration is ${Buffer.byteLength(configJson)} bytes as JSON; Lambda environments hold 4 KiB, so keep it under ${CONFIG_ENV_BUDGET_BYTES} (fewer recipients or target overrides)`,
      )
      .throwIfAny();
    if (/(^|\.)example\.(com|org|net)$/.test(sesIdentity)) {
      Annotations.of(this).addWarningV2(
        'servicepulse:ses-identity-placeholder',
        `The digest sends as ${sesIdentity}, a placeholder: set digest.from in the config file or -c sesIdentity=<verified identity>.`,
      );
    }
  }

  /** DataStorage's props, with the existing landing bucket (and its key) imported when one is named. */
  private storageProps(props: ServicepulseStackProps): DataStorageProps {
    const existing = props.existingLandingBucket;
    return {
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
      ...(props.landingInfrequentAccessAfterDays
        ? { landingInfrequentAccessAfterDays: props.landingInfrequentAccessAfterDays }
        : {}),
      ...(props.athenaResultsExpirationDays
        ? { athenaResultsExpirationDays: props.athenaResultsExpirationDays }
        : {}),
      ...(existing
        ? {
            existingLandingBucket: s3.Bucket.fromBucketAttributes(this, 'ExistingLandingBucket', {
              bucketName: existing.bucketName,
              ...(existing.keyArn
                ? { encryptionKey: kms.Key.fromKeyArn(this, 'ExistingLandingKey', existing.keyArn) }
                : {}),
            }),
          }
        : {}),
    };
  }

  /** Alarms on the dead-letter queues, the functions, the state machine and Athena's bytes scanned. */
  private watchOperations(props: ServicepulseStackProps): void {
    this.alarms.watch({
      deadLetterQueues: {
        NormalizerDeadLetterQueue: this.normalizer.deadLetterQueue,
        ScheduleDeadLetterQueue: this.kpiSchedule.scheduleDeadLetterQueue,
      },
      functions: {
        Normalizer: this.normalizer.function,
        PlanRun: this.kpiSchedule.planFunction,
        Digest: this.digest.function,
      },
      stateMachine: this.kpiSchedule.stateMachine,
      workgroupName: this.workgroup.name,
      ...(props.bytesScannedPerHourAlarmThreshold
        ? { bytesScannedPerHourThreshold: props.bytesScannedPerHourAlarmThreshold }
        : {}),
    });
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      'LandingBucketName',
      this.storage.landingBucket.bucketName,
      'Upload raw exports to landing/<source>/…',
    );
    output('LakeBucketName', this.storage.lakeBucket.bucketName, 'Curated Parquet lake and quarantine');
    output('ResultsBucketName', this.storage.resultsBucket.bucketName, 'Iceberg results tables');
    output('AthenaResultsBucketName', this.storage.athenaResultsBucket.bucketName, 'Athena query results');
    output('GlueDatabaseName', this.catalog.databaseName, 'Glue database for BI tools');
    output('AthenaWorkgroupName', this.workgroup.name, 'Athena workgroup for BI tools');
    output('KpiStateMachineArn', this.kpiSchedule.stateMachine.stateMachineArn, 'Start backfills here');
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Alarm notifications');
  }
}
