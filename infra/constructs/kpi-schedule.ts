/**
 * Scheduled KPI runs: EventBridge Scheduler starts a Step Functions state machine daily (at a
 * local time in the reporting zone) and monthly (day 1); operators start it by hand for backfills.
 *
 *   Prepare → ListRunning → SeesItself → TurnVisible? → PickOldest → IsMyTurn? (else WaitForTurn
 *   → ListRunning) → Plan → RunStatements (Map, one at a time: GetStatement → RunStatement
 *   [athena:startQueryExecution.sync], ClassifyFailure ⇄ BackOff on Athena failures) → HasDigest?
 *   → SendDigest → Done; any step's failure → Failed<step> → NotifyFailure → SendFailureDigest →
 *   RunFailed (infra/constructs/kpi-failure.ts).
 *
 * - Serialized: Iceberg MERGEs into one table conflict when they overlap, so an execution runs
 *   only while it is the oldest RUNNING execution of the state machine (ListRunning ⇄
 *   WaitForTurn); the day-1 daily and monthly runs, and a backfill started meanwhile, queue up.
 * - Plan (functions/handlers/plan-run.ts) renders the statements and stages them in S3; the state
 *   carries only their keys (a backfill's SQL would exceed the 256 KiB state payload limit).
 * - The Map runs statements strictly in sequence (maxConcurrency 1); Athena API throttling is
 *   retried with exponential backoff and full jitter, FAILED queries by their reason (kpi-failure.ts).
 * - The digest Lambda runs after a scheduled run's statements, not after backfills.
 */
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ICEBERG_PARTITION_LIMIT } from '../../functions/core/schedule.ts';
import { grantObjects } from '../grants.ts';
import { isInteger, Problems, parseClock } from '../validate.ts';
import type { LakeCatalog } from './catalog.ts';
import { ServicepulseFunction } from './function.ts';
import {
  ATHENA_RETRY_ERRORS,
  classifyStatementFailure,
  FailureBranch,
  FIRST_BACKOFF_HALF_SECONDS,
} from './kpi-failure.ts';
import type { AthenaWorkgroup } from './workgroup.ts';

export interface KpiScheduleProps {
  readonly configJson: string;
  /** Reporting time zone (IANA): the schedules' `scheduleExpressionTimezone`. */
  readonly timezone: string;
  readonly workgroup: AthenaWorkgroup;
  readonly catalog: LakeCatalog;
  /** Bucket the plan-run function stages statements in (under `statements/`). */
  readonly statementsBucket: s3.IBucket;
  readonly digestFunction: lambda.IFunction;
  /** Where the failure branch publishes which step failed and why (the alarms' topic). */
  readonly alarmTopic: sns.ITopic;
  /** Local time (HH:MM) of the daily run. @default '06:00' */
  readonly dailyTime?: string;
  /** Local time (HH:MM) of the monthly run on day 1. @default '06:30' */
  readonly monthlyTime?: string;
  /** Calendar months per statement in backfills (≤ 100, Athena's Iceberg partition limit). @default 12 */
  readonly maxMonthsPerChunk?: number;
  /** Longest an execution may take, waiting for its turn included. @default Duration.hours(12) */
  readonly timeout?: Duration;
  /** How long an execution waits before checking again whether it is its turn. @default Duration.minutes(1) */
  readonly turnPollInterval?: Duration;
  /** Create the schedules enabled. @default true */
  readonly schedulesEnabled?: boolean;
  /** @default `${stackName}-kpi-run` */
  readonly stateMachineName?: string;
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default true */
  readonly bundle?: boolean;
}

/** The props' values with their defaults applied, checked. */
interface ScheduleSettings {
  readonly daily: Clock;
  readonly monthly: Clock;
  readonly maxMonths: number;
  readonly timeout: Duration;
  readonly poll: Duration;
  readonly name: string;
}

/** `HH:MM` as parseClock reads it. */
type Clock = NonNullable<ReturnType<typeof parseClock>>;

export class KpiSchedule extends Construct {
  readonly planFunction: ServicepulseFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly dailySchedule: scheduler.Schedule;
  readonly monthlySchedule: scheduler.Schedule;
  /** Where schedule invocations that Scheduler could not deliver end up. */
  readonly scheduleDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: KpiScheduleProps) {
    super(scope, id);
    const settings = scheduleSettings(Stack.of(this), props);
    this.planFunction = this.planRunFunction(props, settings.maxMonths);
    this.stateMachine = this.kpiRunStateMachine(props, settings);
    this.scheduleDeadLetterQueue = this.deadLetterQueue();
    const timeZone = TimeZone.of(props.timezone);
    const enabled = props.schedulesEnabled ?? true;
    this.dailySchedule = new scheduler.Schedule(this, 'Daily', {
      description: 'Servicepulse daily KPI run (yesterday, plus the recompute window) and digest',
      schedule: scheduler.ScheduleExpression.cron({
        minute: String(settings.daily.minute),
        hour: String(settings.daily.hour),
        timeZone,
      }),
      target: this.scheduleTarget('daily'),
      enabled,
    });
    this.monthlySchedule = new scheduler.Schedule(this, 'Monthly', {
      description: 'Servicepulse monthly KPI run (the month before) and digest, on day 1',
      schedule: scheduler.ScheduleExpression.cron({
        minute: String(settings.monthly.minute),
        hour: String(settings.monthly.hour),
        day: '1',
        timeZone,
      }),
      target: this.scheduleTarget('monthly'),
      enabled,
    });
  }

  /** IAM principal of the state machine (for tests and extensions). */
  get role(): iam.IRole {
    return this.stateMachine.role;
  }

  /** functions/handlers/plan-run.ts: renders the run's statements and stages them under `statements/`. */
  private planRunFunction(props: KpiScheduleProps, maxMonths: number): ServicepulseFunction {
    return new ServicepulseFunction(this, 'PlanFunction', {
      entry: 'functions/handlers/plan-run.ts',
      description: 'Servicepulse plan-run: renders and stages the statements of a KPI run',
      timeout: Duration.minutes(1),
      memorySize: 512,
      withQueries: true,
      environment: {
        GLUE_DATABASE: props.catalog.databaseName,
        STATEMENTS_PREFIX: 'statements/',
        MAX_MONTHS_PER_CHUNK: String(maxMonths),
      },
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      ...(props.bundle !== undefined ? { bundle: props.bundle } : {}),
    })
      .bindConfig(props.configJson)
      .bindBucket({
        bucket: props.statementsBucket,
        prefixes: ['statements/'],
        access: ['write'],
        envVarName: 'STATEMENTS_BUCKET',
      });
  }

  /**
   * The state machine (the flow in the header comment), its log group, and what Athena needs:
   * Athena runs each statement with the state machine's credentials.
   */
  private kpiRunStateMachine(props: KpiScheduleProps, settings: ScheduleSettings): sfn.StateMachine {
    const failure = new FailureBranch(this, {
      alarmTopic: props.alarmTopic,
      digestFunction: props.digestFunction,
    });
    const turn = this.turnStates(settings);
    const plan = this.planState();
    const runStatements = this.runStatementsMap(props);
    const { hasDigest, sendDigest } = this.digestStates(props.digestFunction);
    failure.catchInto('ListRunning', turn.listRunning);
    failure.catchInto('Plan', plan);
    failure.catchInto('RunStatements', runStatements);
    failure.catchInto('SendDigest', sendDigest);
    const isMyTurn = new sfn.Choice(this, 'IsMyTurn')
      .when(
        sfn.Condition.stringEqualsJsonPath('$.turn.oldest', '$.executionArn'),
        plan.next(runStatements).next(hasDigest),
      )
      .otherwise(turn.waitForTurn);
    turn.waitForTurn.next(turn.listRunning);
    const turnVisible = new sfn.Choice(this, 'TurnVisible', {
      comment:
        'ListExecutions is eventually consistent: until the list shows this execution it may also miss older ones, so wait',
    })
      .when(sfn.Condition.booleanEquals('$.turn.seesItself', true), turn.pickOldest.next(isMyTurn))
      .otherwise(turn.waitForTurn);

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${settings.name}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: settings.name,
      comment: 'Servicepulse KPI run: plan, run each statement in Athena in order, send the digest',
      definitionBody: sfn.DefinitionBody.fromChainable(
        turn.prepare.next(turn.listRunning).next(turn.seesItself).next(turnVisible),
      ),
      timeout: settings.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    props.workgroup.grantQuery(stateMachine);
    props.catalog.grantWriteResults(stateMachine);
    grantObjects(stateMachine, {
      bucket: props.statementsBucket,
      prefixes: ['statements/'],
      access: ['read'],
    });
    return stateMachine;
  }

  /**
   * Prepare → ListRunning → SeesItself → PickOldest: an execution goes on only while it is the
   * oldest running one, judged only on a list that shows the execution itself (an empty or stale
   * list is waited out; States.ArrayGetItem on an empty list would be a runtime error).
   */
  private turnStates(settings: ScheduleSettings) {
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: settings.name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const prepare = sfn.Pass.jsonPath(this, 'Prepare', {
      comment: 'Keep the input; note who we are for the turn check',
      parameters: {
        'input.$': '$',
        'executionArn.$': '$$.Execution.Id',
        'startedAt.$': '$$.Execution.StartTime',
        'executionName.$': '$$.Execution.Name',
      },
    });
    const listRunning = tasks.CallAwsService.jsonPath(this, 'ListRunning', {
      comment: 'Running executions, newest first; the last one is the oldest',
      service: 'sfn',
      action: 'listExecutions',
      iamAction: 'states:ListExecutions',
      iamResources: [stateMachineArn],
      parameters: {
        StateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'),
        StatusFilter: 'RUNNING',
        MaxResults: 1000,
      },
      resultSelector: { 'arns.$': '$.Executions[*].ExecutionArn' },
      resultPath: '$.turn',
    });
    const seesItself = new sfn.Pass(this, 'SeesItself', {
      comment: 'Does the (eventually consistent) list show this execution yet?',
      parameters: {
        'arns.$': '$.turn.arns',
        'seesItself.$': 'States.ArrayContains($.turn.arns, $.executionArn)',
      },
      resultPath: '$.turn',
    });
    const pickOldest = new sfn.Pass(this, 'PickOldest', {
      comment: 'Newest first: the last one is the oldest (the list holds at least this execution)',
      parameters: {
        'oldest.$': 'States.ArrayGetItem($.turn.arns, States.MathAdd(States.ArrayLength($.turn.arns), -1))',
      },
      resultPath: '$.turn',
    });
    listRunning.addRetry({
      errors: ['Sfn.ThrottlingException', 'Sfn.SfnException', 'States.TaskFailed'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 5,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const waitForTurn = new sfn.Wait(this, 'WaitForTurn', {
      comment: 'An older execution is still running: Iceberg writes must not overlap',
      time: sfn.WaitTime.duration(settings.poll),
    });
    return { prepare, listRunning, seesItself, pickOldest, waitForTurn };
  }

  /** Plan: the plan-run function renders and stages the statements; the state keeps their keys. */
  private planState(): tasks.LambdaInvoke {
    return tasks.LambdaInvoke.jsonPath(this, 'Plan', {
      comment: 'Render and stage the statements (functions/handlers/plan-run.ts)',
      lambdaFunction: this.planFunction,
      payload: sfn.TaskInput.fromObject({
        'input.$': '$.input',
        'startedAt.$': '$.startedAt',
        'executionName.$': '$.executionName',
      }),
      resultSelector: {
        'kind.$': '$.Payload.kind',
        'asOf.$': '$.Payload.asOf',
        'runIds.$': '$.Payload.runIds',
        'chunks.$': '$.Payload.chunks',
        'statements.$': '$.Payload.statements',
        'digest.$': '$.Payload.digest',
      },
      resultPath: '$.plan',
    });
  }

  /** RunStatements: GetStatement → RunStatement for each staged statement, strictly in order. */
  private runStatementsMap(props: KpiScheduleProps): sfn.Map {
    const getStatement = tasks.CallAwsService.jsonPath(this, 'GetStatement', {
      comment: 'The statement text, staged by Plan',
      service: 's3',
      action: 'getObject',
      iamAction: 's3:GetObject',
      iamResources: [props.statementsBucket.arnForObjects('statements/*')],
      parameters: { Bucket: sfn.JsonPath.stringAt('$.bucket'), Key: sfn.JsonPath.stringAt('$.key') },
      resultSelector: { 'sql.$': '$.Body' },
      resultPath: '$.statement',
    });
    const runStatement = this.runStatementState(props);
    const classify = classifyStatementFailure(this, runStatement);
    getStatement.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });
    getStatement.addCatch(classify, { errors: ['States.ALL'], resultPath: '$.error' });
    runStatement.addCatch(classify, { errors: ['States.ALL'], resultPath: '$.error' });
    const runStatements = sfn.Map.jsonPath(this, 'RunStatements', {
      comment: 'One statement at a time, in order: MERGEs into one Iceberg table must not overlap',
      itemsPath: '$.plan.statements',
      itemSelector: {
        'bucket.$': '$$.Map.Item.Value.bucket',
        'key.$': '$$.Map.Item.Value.key',
        'label.$': '$$.Map.Item.Value.label',
        retry: { attempt: 0, seconds: FIRST_BACKOFF_HALF_SECONDS },
      },
      maxConcurrency: 1,
      resultPath: sfn.JsonPath.DISCARD,
    });
    runStatements.itemProcessor(getStatement.next(runStatement));
    return runStatements;
  }

  /**
   * RunStatement: one statement in the workgroup, waiting until Athena finishes it. Waiting needs
   * the optimized integration's `.sync` pattern (the AWS SDK integration, tasks.CallAwsService,
   * has none). It is a CustomState rather than tasks.AthenaStartQueryExecution for IAM alone: the
   * built-in task could render these parameters (queryString from a JSONPath, workGroup, a fixed
   * queryExecutionContext, resultSelector, resultPath), but it also attaches its own fixed policy
   * statements to the state machine's role, with no option to leave them out (aws-cdk-lib 2.276,
   * AthenaStartQueryExecution.createPolicyStatements): s3:CreateBucket, s3:ListBucket,
   * s3:GetBucketLocation, s3:GetObject and lakeformation:GetDataAccess on "*"; s3:PutObject on "*"
   * unless the task names an output location (the workgroup enforces its own); glue Create/Delete/
   * Update of databases, tables and partitions in the database. The role gets exactly what the
   * statements need instead (kpiRunStateMachine: workgroup.grantQuery, catalog.grantWriteResults),
   * and the security review (test/infra/nag.test.ts) allows Resource "*" only for actions that
   * have no resource-level permissions.
   */
  private runStatementState(props: KpiScheduleProps): sfn.CustomState {
    const runStatement = new sfn.CustomState(this, 'RunStatement', {
      stateJson: {
        Type: 'Task',
        Comment: 'Run one statement in the workgroup and wait for it to finish',
        Resource: `arn:${Aws.PARTITION}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          'QueryString.$': '$.statement.sql',
          WorkGroup: props.workgroup.name,
          QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: props.catalog.databaseName },
        },
        // Only fields every statement type returns: Statistics (DataScannedInBytes) may be absent
        // for OPTIMIZE and VACUUM, and a missing path would be a runtime error.
        ResultSelector: {
          'queryExecutionId.$': '$.QueryExecution.QueryExecutionId',
          'state.$': '$.QueryExecution.Status.State',
        },
        ResultPath: '$.query',
      },
    });
    runStatement.addRetry({
      errors: ATHENA_RETRY_ERRORS,
      interval: Duration.seconds(10),
      backoffRate: 2,
      maxAttempts: 8,
      maxDelay: Duration.minutes(5),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return runStatement;
  }

  /** HasDigest? → SendDigest → Done: scheduled runs send the digest, backfills go straight to Done. */
  private digestStates(digestFunction: lambda.IFunction): {
    hasDigest: sfn.Choice;
    sendDigest: tasks.LambdaInvoke;
  } {
    const sendDigest = tasks.LambdaInvoke.jsonPath(this, 'SendDigest', {
      comment: 'Evaluate targets, write kpi_flags, send the digest',
      lambdaFunction: digestFunction,
      payload: sfn.TaskInput.fromObject({
        'grain.$': '$.plan.digest.grain',
        'date.$': '$.plan.digest.date',
        'asOf.$': '$.plan.asOf',
        'runIds.$': '$.plan.runIds',
      }),
      resultSelector: { 'result.$': '$.Payload' },
      resultPath: '$.digest',
    });
    const done = new sfn.Succeed(this, 'Done');
    const hasDigest = new sfn.Choice(this, 'HasDigest')
      .when(
        sfn.Condition.and(sfn.Condition.isPresent('$.plan.digest'), sfn.Condition.isNotNull('$.plan.digest')),
        sendDigest.next(done),
      )
      .otherwise(done);
    return { hasDigest, sendDigest };
  }

  /** The dead-letter queue of both schedules (the alarms watch it). */
  private deadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: EventBridge Scheduler puts the schedule invocations it could not deliver here, and the alarms watch it.',
    });
    return queue;
  }

  /** Starts an execution with `{ kind, scheduledTime }`; undeliverable invocations go to the dead-letter queue. */
  private scheduleTarget(kind: 'daily' | 'monthly'): targets.StepFunctionsStartExecution {
    return new targets.StepFunctionsStartExecution(this.stateMachine, {
      input: scheduler.ScheduleTargetInput.fromObject({
        kind,
        scheduledTime: scheduler.ContextAttribute.scheduledTime,
      }),
      deadLetterQueue: this.scheduleDeadLetterQueue,
      retryAttempts: 5,
      maxEventAge: Duration.hours(6),
    });
  }
}

/** The props with their defaults; throws PropsError listing every invalid one. */
function scheduleSettings(stack: Stack, props: KpiScheduleProps): ScheduleSettings {
  const daily = parseClock(props.dailyTime ?? '06:00');
  const monthly = parseClock(props.monthlyTime ?? '06:30');
  const maxMonths = props.maxMonthsPerChunk ?? 12;
  const timeout = props.timeout ?? Duration.hours(12);
  const poll = props.turnPollInterval ?? Duration.minutes(1);
  const name = props.stateMachineName ?? `${stack.stackName}-kpi-run`;
  new Problems('KpiSchedule')
    .check(daily !== undefined, `dailyTime must be HH:MM (24-hour), got ${JSON.stringify(props.dailyTime)}`)
    .check(
      monthly !== undefined,
      `monthlyTime must be HH:MM (24-hour), got ${JSON.stringify(props.monthlyTime)}`,
    )
    .check(
      isInteger(maxMonths, 1, ICEBERG_PARTITION_LIMIT),
      `maxMonthsPerChunk must be 1…${ICEBERG_PARTITION_LIMIT} (Athena writes at most ${ICEBERG_PARTITION_LIMIT} Iceberg partitions per statement), got ${maxMonths}`,
    )
    .check(timeout.toSeconds() >= 60, 'timeout must be at least a minute')
    .check(poll.toSeconds() >= 1, 'turnPollInterval must be at least a second')
    .check(
      /^[A-Za-z0-9_-]{1,80}$/.test(name),
      `stateMachineName must be 1–80 of A-Z a-z 0-9 _ -, got ${name}`,
    )
    .throwIfAny();
  return { daily: daily!, monthly: monthly!, maxMonths, timeout, poll, name };
}
