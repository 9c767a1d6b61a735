/**
 * Builds the Servicepulse stack from the CDK context (cdk.json defaults, `-c key=value` overrides):
 *
 * | context key              | meaning                                                    | default                      |
 * |--------------------------|------------------------------------------------------------|------------------------------|
 * | config                   | deployment configuration file (YAML), validated at synth   | servicepulse.config.yaml if present, else built-ins |
 * | stackName                | CloudFormation stack name                                  | Servicepulse                 |
 * | sesIdentity              | verified SES identity the digest sends as                  | domain of digest.from        |
 * | alarmEmail               | e-mail subscribed to the alarms topic                      | none                         |
 * | dailyTime, monthlyTime   | local run times (HH:MM, config timezone)                   | 06:00, 06:30                 |
 * | bytesScannedCutoffGiB    | per-query scan limit of the workgroup                      | 10                           |
 * | bytesScannedAlarmGiB     | bytes scanned per hour that raise the alarm                | 10                           |
 * | logRetentionDays         | CloudWatch Logs retention                                  | 90                           |
 * | removalPolicy            | retain or destroy buckets and key with the stack           | retain                       |
 * | databaseName, workgroupName | Glue database, Athena workgroup                         | servicepulse                 |
 * | landingBucketName        | use this existing bucket as the landing bucket             | a new bucket                 |
 * | landingKeyArn            | KMS key of that bucket, if it uses SSE-KMS                 | none                         |
 * | maxMonthsPerChunk        | months per backfill statement (≤ 100)                      | 12                           |
 */
import { type App, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { contextNumber, contextString, loadDeploymentConfig } from './config.ts';
import { ServicepulseStack } from './stack.ts';
import { Problems } from './validate.ts';

export interface BuildOptions {
  /** Bundle the handlers (false in infrastructure tests). @default true */
  readonly bundle?: boolean;
  /** Directory relative config paths resolve against. @default process.cwd() */
  readonly cwd?: string;
}

const RETENTIONS = new Set<number>(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'),
);

export function buildServicepulse(app: App, options: BuildOptions = {}): ServicepulseStack {
  const ctx = (key: string) => app.node.tryGetContext(key) as unknown;
  const { config } = loadDeploymentConfig(contextString(ctx('config')), options.cwd);

  const stackName = contextString(ctx('stackName')) ?? 'Servicepulse';
  const cutoffGiB = contextNumber(ctx('bytesScannedCutoffGiB'));
  const alarmGiB = contextNumber(ctx('bytesScannedAlarmGiB'));
  const retention = contextNumber(ctx('logRetentionDays'));
  const removal = contextString(ctx('removalPolicy'))?.toLowerCase();
  const maxMonths = contextNumber(ctx('maxMonthsPerChunk'));
  new Problems('cdk context')
    .check(
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName),
      `stackName is not a valid stack name: ${stackName}`,
    )
    .check(cutoffGiB === undefined || cutoffGiB > 0, `bytesScannedCutoffGiB must be a positive number`)
    .check(alarmGiB === undefined || alarmGiB > 0, `bytesScannedAlarmGiB must be a positive number`)
    .check(
      retention === undefined || RETENTIONS.has(retention),
      `logRetentionDays must be one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …), got ${retention}`,
    )
    .check(
      removal === undefined || removal === 'retain' || removal === 'destroy',
      'removalPolicy must be retain or destroy',
    )
    .check(maxMonths === undefined || Number.isInteger(maxMonths), 'maxMonthsPerChunk must be an integer')
    .throwIfAny();

  const stack = new ServicepulseStack(app, stackName, {
    description: 'Servicepulse: customer-service exports → curated lake → daily/monthly KPIs → digest',
    config,
    ...(contextString(ctx('sesIdentity')) ? { sesIdentity: contextString(ctx('sesIdentity'))! } : {}),
    ...(contextString(ctx('alarmEmail')) ? { alarmEmail: contextString(ctx('alarmEmail'))! } : {}),
    ...(contextString(ctx('dailyTime')) ? { dailyTime: contextString(ctx('dailyTime'))! } : {}),
    ...(contextString(ctx('monthlyTime')) ? { monthlyTime: contextString(ctx('monthlyTime'))! } : {}),
    ...(cutoffGiB ? { bytesScannedCutoffPerQuery: Size.mebibytes(Math.round(cutoffGiB * 1024)) } : {}),
    ...(alarmGiB ? { bytesScannedPerHourAlarmThreshold: Size.mebibytes(Math.round(alarmGiB * 1024)) } : {}),
    ...(retention ? { logRetention: retention as logs.RetentionDays } : {}),
    ...(removal
      ? { removalPolicy: removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN }
      : {}),
    ...(contextString(ctx('databaseName')) ? { databaseName: contextString(ctx('databaseName'))! } : {}),
    ...(contextString(ctx('workgroupName')) ? { workgroupName: contextString(ctx('workgroupName'))! } : {}),
    ...(maxMonths ? { maxMonthsPerChunk: maxMonths } : {}),
    ...(contextString(ctx('landingBucketName'))
      ? {
          existingLandingBucket: {
            bucketName: contextString(ctx('landingBucketName'))!,
            ...(contextString(ctx('landingKeyArn')) ? { keyArn: contextString(ctx('landingKeyArn'))! } : {}),
          },
        }
      : {}),
    ...(options.bundle !== undefined ? { bundle: options.bundle } : {}),
  });
  return stack;
}
