/**
 * What wakes someone up: a message in a dead-letter queue, a failed or timed-out KPI run, a Lambda
 * error, or Athena scanning more than expected. Every alarm notifies one SNS topic, encrypted with
 * the data key (CloudWatch may use it: see the key policy statement below), optionally with an
 * e-mail subscription. The topic comes first (the KPI state machine's failure branch publishes to
 * it); {@link OperationsAlarms.watch} adds the alarms once the resources they watch exist.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Problems } from '../validate.ts';

export interface OperationsAlarmsProps {
  /** Encrypts the topic; CloudWatch is allowed to use it for publishing. */
  readonly key: kms.IKey;
  /** Subscribes this address to the topic (confirm the e-mail AWS sends). @default no subscription */
  readonly alarmEmail?: string;
}

/** What the alarms watch. */
export interface WatchedResources {
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  readonly functions: Record<string, lambda.IFunction>;
  readonly stateMachine: sfn.IStateMachine;
  /** Athena workgroup whose scanned bytes are watched. */
  readonly workgroupName: string;
  /** Bytes the workgroup may scan in an hour before the alarm fires. @default Size.gibibytes(10) */
  readonly bytesScannedPerHourThreshold?: Size;
}

export class OperationsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    new Problems('OperationsAlarms')
      .check(
        props.alarmEmail === undefined || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail),
        `alarmEmail must be an e-mail address, got ${JSON.stringify(props.alarmEmail)}`,
      )
      .throwIfAny();

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Servicepulse alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic with this key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKeyForSns',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
  }

  /** The alarms: dead-letter queues, KPI runs, Lambda errors, Athena's bytes scanned. */
  watch(props: WatchedResources): void {
    const threshold = props.bytesScannedPerHourThreshold ?? Size.gibibytes(10);
    new Problems('OperationsAlarms')
      .check(threshold.toBytes() > 0, 'bytesScannedPerHourThreshold must be positive')
      .check(/^[A-Za-z0-9._-]+$/.test(props.workgroupName), `workgroupName has unexpected characters`)
      .throwIfAny();
    const period = Duration.minutes(5);
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}NotEmpty`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: `${name}: messages that failed every delivery are waiting (see docs/deploy.md, "Operations")`,
      });
    }
    this.add('KpiRunFailed', {
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: props.stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        period,
        label: 'KPI runs failed, timed out or aborted',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: 'A KPI run (state machine execution) failed, timed out or was aborted',
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `${name} Lambda invocations failed`,
      });
    }
    // Athena publishes ProcessedBytes per (QueryState, QueryType, WorkGroup); a Metrics Insights
    // query sums every state and type of the workgroup.
    this.add('AthenaBytesScanned', {
      metric: new cloudwatch.MathExpression({
        expression: `SELECT SUM(ProcessedBytes) FROM SCHEMA("AWS/Athena", QueryState, QueryType, WorkGroup) WHERE WorkGroup = '${props.workgroupName}'`,
        usingMetrics: {},
        period: Duration.hours(1),
        label: `Bytes scanned by workgroup ${props.workgroupName}`,
      }),
      threshold: threshold.toBytes(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `Workgroup ${props.workgroupName} scanned more than ${threshold.toBytes()} bytes in an hour`,
    });
  }

  private add(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
