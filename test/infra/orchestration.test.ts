import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_QUERIES_DIR } from '../../infra/constructs/function.ts';
import {
  type Cfn,
  flatten,
  resourceNamed,
  resources,
  roleStatements,
  type Synthesized,
  stateMachineDefinition,
  synth,
} from './support.ts';

let s: Synthesized;
let asl: Record<string, Cfn>;
beforeAll(() => {
  s = synth();
  asl = stateMachineDefinition(s.template);
});

describe('Athena workgroup', () => {
  it('runs engine 3 with enforced, encrypted settings, a scan cutoff and CloudWatch metrics', () => {
    // Prepare
    const [, wg] = resources(s.template, 'AWS::Athena::WorkGroup')[0]!;
    const [keyId] = resources(s.template, 'AWS::KMS::Key')[0]!;

    // Act
    const c = wg.Properties.WorkGroupConfiguration;

    // Assess
    expect(wg.Properties.Name).toBe('servicepulse');
    expect(c.EngineVersion).toEqual({ SelectedEngineVersion: 'Athena engine version 3' });
    expect(c.EnforceWorkGroupConfiguration).toBe(true);
    expect(c.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(c.BytesScannedCutoffPerQuery).toBe(10 * 1024 ** 3);
    expect(flatten(c.ResultConfiguration.OutputLocation)).toMatch(
      /^s3:\/\/<StorageAthenaResults\w+>\/athena\/$/,
    );
    expect(c.ResultConfiguration.EncryptionConfiguration).toEqual({
      EncryptionOption: 'SSE_KMS',
      KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('takes the cutoff from the context', () => {
    // Prepare
    const other = synth({ bytesScannedCutoffGiB: 2 });

    // Act
    const [, wg] = resources(other.template, 'AWS::Athena::WorkGroup')[0]!;

    // Assess
    expect(wg.Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery).toBe(2 * 1024 ** 3);
  });
});

describe('schedules', () => {
  it('starts the state machine daily and on day 1 in the reporting time zone', () => {
    // Prepare
    const [smId] = resources(s.template, 'AWS::StepFunctions::StateMachine')[0]!;

    // Act
    const [, daily] = resourceNamed(s.template, 'AWS::Scheduler::Schedule', 'KpiScheduleDaily');
    const [, monthly] = resourceNamed(s.template, 'AWS::Scheduler::Schedule', 'KpiScheduleMonthly');

    // Assess
    expect(daily.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Tehran',
      State: 'ENABLED',
      Target: { Arn: { Ref: smId } },
    });
    expect(monthly.Properties).toMatchObject({
      ScheduleExpression: 'cron(30 6 1 * ? *)',
      ScheduleExpressionTimezone: 'Asia/Tehran',
    });
    expect(JSON.parse(daily.Properties.Target.Input)).toEqual({
      kind: 'daily',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    expect(JSON.parse(monthly.Properties.Target.Input).kind).toBe('monthly');
  });

  it('retries delivery and keeps undeliverable invocations in a dead-letter queue', () => {
    // Prepare
    const [dlqId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'KpiScheduleScheduleDeadLetterQueue');

    // Act
    const targets = resources(s.template, 'AWS::Scheduler::Schedule').map(([, sch]) => sch.Properties.Target);

    // Assess
    for (const t of targets) {
      expect(t.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 });
    }
  });

  it('takes run times from the context', () => {
    // Prepare
    const other = synth({ dailyTime: '07:15', monthlyTime: '23:05' });

    // Act
    const expressions = resources(other.template, 'AWS::Scheduler::Schedule').map(
      ([, sch]) => sch.Properties.ScheduleExpression,
    );

    // Assess
    expect(expressions).toEqual(['cron(15 7 * * ? *)', 'cron(5 23 1 * ? *)']);
  });
});

describe('state machine definition', () => {
  it('waits for its turn, plans, runs the statements, then sends the digest', () => {
    // Prepare / Act
    const states = asl.States;

    // Assess
    expect(asl.StartAt).toBe('Prepare');
    expect(Object.keys(states).sort()).toEqual(
      [
        'Done',
        'FailedListRunning',
        'FailedPlan',
        'FailedRunStatements',
        'FailedSendDigest',
        'HasDigest',
        'IsMyTurn',
        'IsScheduledRun',
        'ListRunning',
        'NotifyFailure',
        'PickOldest',
        'Plan',
        'Prepare',
        'RunFailed',
        'RunStatements',
        'SeesItself',
        'SendDigest',
        'SendFailureDigest',
        'TurnVisible',
        'WaitForTurn',
      ].sort(),
    );
    expect(states.Prepare.Next).toBe('ListRunning');
    expect(states.ListRunning.Next).toBe('SeesItself');
    expect(states.SeesItself.Next).toBe('TurnVisible');
    expect(states.TurnVisible.Choices).toEqual([
      { Variable: '$.turn.seesItself', BooleanEquals: true, Next: 'PickOldest' },
    ]);
    expect(states.TurnVisible.Default).toBe('WaitForTurn');
    expect(states.PickOldest.Next).toBe('IsMyTurn');
    expect(states.IsMyTurn.Choices).toEqual([
      { Variable: '$.turn.oldest', StringEqualsPath: '$.executionArn', Next: 'Plan' },
    ]);
    expect(states.IsMyTurn.Default).toBe('WaitForTurn');
    expect(states.WaitForTurn).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'ListRunning' });
    expect(states.Plan.Next).toBe('RunStatements');
    expect(states.RunStatements.Next).toBe('HasDigest');
    expect(states.HasDigest.Choices[0].Next).toBe('SendDigest');
    expect(states.HasDigest.Default).toBe('Done');
    expect(states.SendDigest.Next).toBe('Done');
  });

  it('finds the oldest running execution of itself', () => {
    // Prepare / Act
    const list = asl.States.ListRunning;

    // Assess
    expect(list.Resource).toBe('arn:<AWS::Partition>:states:::aws-sdk:sfn:listExecutions');
    expect(list.Parameters).toEqual({
      'StateMachineArn.$': '$$.StateMachine.Id',
      StatusFilter: 'RUNNING',
      MaxResults: 1000,
    });
    expect(list.ResultSelector).toEqual({ 'arns.$': '$.Executions[*].ExecutionArn' });
    expect(asl.States.PickOldest.Parameters['oldest.$']).toBe(
      'States.ArrayGetItem($.turn.arns, States.MathAdd(States.ArrayLength($.turn.arns), -1))',
    );
  });

  it('hands the execution input to plan-run and keeps only references to the statements', () => {
    // Prepare
    const [planId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'KpiSchedulePlanFunction');

    // Act
    const plan = asl.States.Plan;

    // Assess
    expect(plan.Resource).toBe('arn:<AWS::Partition>:states:::lambda:invoke');
    expect(plan.Parameters.FunctionName).toBe(`<${planId}.Arn>`);
    expect(plan.Parameters.Payload).toEqual({
      'input.$': '$.input',
      'startedAt.$': '$.startedAt',
      'executionName.$': '$.executionName',
    });
    expect(plan.ResultSelector['statements.$']).toBe('$.Payload.statements');
    expect(plan.ResultPath).toBe('$.plan');
  });

  it('runs statements one at a time with athena:startQueryExecution.sync', () => {
    // Prepare
    const map = asl.States.RunStatements;

    // Act
    const inner = map.ItemProcessor.States;

    // Assess
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(1);
    expect(map.ItemsPath).toBe('$.plan.statements');
    expect(map.ResultPath).toBeNull();
    expect(map.ItemProcessor.StartAt).toBe('GetStatement');
    expect(inner.GetStatement).toMatchObject({
      Resource: 'arn:<AWS::Partition>:states:::aws-sdk:s3:getObject',
      Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
      ResultSelector: { 'sql.$': '$.Body' },
      Next: 'RunStatement',
    });
    expect(inner.RunStatement).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::athena:startQueryExecution.sync',
      Parameters: {
        'QueryString.$': '$.statement.sql',
        WorkGroup: 'servicepulse',
        QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'servicepulse' },
      },
      End: true,
    });
  });

  it('retries Athena throttling with exponential backoff and full jitter', () => {
    // Prepare / Act
    const retry = asl.States.RunStatements.ItemProcessor.States.RunStatement.Retry;

    // Assess
    expect(retry).toEqual([
      {
        ErrorEquals: ['Athena.TooManyRequestsException', 'Athena.InternalServerException'],
        IntervalSeconds: 10,
        BackoffRate: 2,
        MaxAttempts: 8,
        MaxDelaySeconds: 300,
        JitterStrategy: 'FULL',
      },
    ]);
  });

  it('sends the digest only when the plan names a period', () => {
    // Prepare
    const [digestId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'DigestFunction');

    // Act
    const { HasDigest, SendDigest } = asl.States;

    // Assess
    expect(HasDigest.Choices[0].And).toEqual([
      { Variable: '$.plan.digest', IsPresent: true },
      { Variable: '$.plan.digest', IsNull: false },
    ]);
    expect(SendDigest.Parameters.FunctionName).toBe(`<${digestId}.Arn>`);
    expect(SendDigest.Parameters.Payload).toEqual({
      'grain.$': '$.plan.digest.grain',
      'date.$': '$.plan.digest.date',
      'asOf.$': '$.plan.asOf',
      'runIds.$': '$.plan.runIds',
    });
  });

  it('logs every event, traces, and times out', () => {
    // Prepare
    const [, sm] = resources(s.template, 'AWS::StepFunctions::StateMachine')[0]!;

    // Act
    const logging = sm.Properties.LoggingConfiguration;

    // Assess
    expect(sm.Properties.StateMachineName).toBe('Servicepulse-kpi-run');
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(true);
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(asl.TimeoutSeconds).toBe(12 * 3600);
  });
});

describe('state machine permissions', () => {
  it('lists its own executions, reads staged statements, queries the workgroup', () => {
    // Prepare
    const statements = roleStatements(s.template, 'KpiScheduleStateMachineRole');

    // Act
    const find = (action: string) => statements.find((st) => st.Action.includes(action));

    // Assess
    expect(find('states:ListExecutions')!.Resource).toEqual([
      'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:Servicepulse-kpi-run',
    ]);
    expect(find('athena:StartQueryExecution')!.Resource).toEqual([
      'arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/servicepulse',
    ]);
    expect(find('s3:GetObject')!.Resource).toContainEqual(
      expect.stringMatching(/^<StorageAthenaResults\w+\.Arn>\/statements\/\*$/),
    );
    expect(find('glue:UpdateTable')!.Resource).toContain(
      'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/servicepulse/*',
    );
    expect(find('kms:Decrypt')!.Resource).toEqual([expect.stringMatching(/^<StorageKey\w+\.Arn>$/)]);
  });
});

describe('plan-run function', () => {
  it('renders from the bundled queries/ and stages statements in the Athena results bucket', () => {
    // Prepare
    const [, plan] = resourceNamed(s.template, 'AWS::Lambda::Function', 'KpiSchedulePlanFunction');

    // Act
    const env = plan.Properties.Environment.Variables;
    const write = roleStatements(s.template, 'KpiSchedulePlanFunctionRole').find((st) =>
      st.Action.includes('s3:PutObject'),
    );

    // Assess
    expect(env).toMatchObject({
      SERVICEPULSE_QUERIES: BUNDLED_QUERIES_DIR,
      GLUE_DATABASE: 'servicepulse',
      STATEMENTS_PREFIX: 'statements/',
      MAX_MONTHS_PER_CHUNK: '12',
    });
    expect(flatten(env.STATEMENTS_BUCKET)).toMatch(/^<StorageAthenaResults\w+>$/);
    expect(write!.Resource).toEqual([
      expect.stringMatching(/^<StorageAthenaResults\w+\.Arn>\/statements\/\*$/),
    ]);
  });
});
