/**
 * How a KPI run fails out loud (docs/deploy.md, "When a run fails"):
 *
 * - Inside the statement loop, a statement Athena marks FAILED reaches the `.sync` integration as
 *   `States.TaskFailed` with Athena's reason in `Cause`. {@link classifyStatementFailure} reads the
 *   Cause: Iceberg commit conflicts and S3 throttling wait and run the statement again (30 s, then
 *   doubling, five times); "Query exhausted resources at this scale factor" runs it once more, then
 *   fails with a message that names the statement and the fix; everything else (syntax,
 *   permissions, a missing table) fails at once. Every failure ends the loop with a Fail state
 *   whose Cause names the statement.
 * - Outside, every step that calls a service (ListRunning, Plan, RunStatements, SendDigest) catches
 *   `States.ALL` into one failure branch ({@link failureBranch}): record which step failed and why,
 *   publish that to the alarm topic, send the failure digest of a scheduled run (the digest Lambda
 *   with a `failure` event: "today's KPIs could not be computed", in each recipient's language),
 *   then fail the execution (the KpiRunFailed alarm fires as well).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * Errors the Athena API raises for StartQueryExecution/GetQueryExecution that are worth retrying
 * (Athena API reference, "Errors": InternalServerException, InvalidRequestException,
 * TooManyRequestsException; InvalidRequestException is a bad request and is not retried).
 */
export const ATHENA_RETRY_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException'];

/** Substrings of Athena's failure reason (the Cause of `States.TaskFailed`) that are worth a wait and a rerun. */
export const TRANSIENT_CAUSES = ['*ICEBERG_COMMIT_ERROR*', '*SlowDown*', '*Please reduce your request rate*'];
/** The reason Athena gives when a query needs more memory than its workers hold. */
export const EXHAUSTED_CAUSE = '*exhausted resources*';
/** Reruns of a statement after a transient failure; the waits are 30, 60, 120, 240, 480 s. */
export const TRANSIENT_RERUNS = 5;
/** Reruns after "exhausted resources": one (a busy moment), then it is the statement's size. */
export const EXHAUSTED_RERUNS = 1;
/** Half the first wait: CountRerun doubles it before each wait. */
export const FIRST_BACKOFF_HALF_SECONDS = 15;

const causeMatches = (patterns: readonly string[]) =>
  sfn.Condition.and(
    sfn.Condition.isPresent('$.error.Cause'),
    sfn.Condition.isString('$.error.Cause'),
    sfn.Condition.or(...patterns.map((p) => sfn.Condition.stringMatches('$.error.Cause', p))),
  );

/**
 * ClassifyFailure (a Choice on `$.error.Cause`, the Catch result of RunStatement) → CountRerun →
 * BackOff → `rerun`, or one of the two Fail states. Items carry `retry: { attempt, seconds }`.
 */
export function classifyStatementFailure(scope: Construct, rerun: sfn.IChainable): sfn.Choice {
  const statementFailed = new sfn.Fail(scope, 'StatementFailed', {
    comment: 'Not worth a rerun (syntax, permissions, a missing table), or out of reruns',
    error: 'Servicepulse.StatementFailed',
    causePath: sfn.JsonPath.format(
      'Statement {} failed after {} reruns: {}',
      sfn.JsonPath.stringAt('$.label'),
      sfn.JsonPath.stringAt('$.retry.attempt'),
      sfn.JsonPath.stringAt('$.error.Cause'),
    ),
  });
  const outOfResources = new sfn.Fail(scope, 'StatementOutOfResources', {
    comment: 'Athena ran out of memory for this statement twice',
    error: 'Servicepulse.QueryExhaustedResources',
    causePath: sfn.JsonPath.format(
      'Statement {} exhausted Athena resources twice. Fix: run fewer periods per statement (a backfill over a shorter range, or a smaller maxMonthsPerChunk), then rerun. Athena said: {}',
      sfn.JsonPath.stringAt('$.label'),
      sfn.JsonPath.stringAt('$.error.Cause'),
    ),
  });
  const countRerun = new sfn.Pass(scope, 'CountRerun', {
    comment: 'One more rerun; the wait doubles',
    parameters: {
      'attempt.$': 'States.MathAdd($.retry.attempt, 1)',
      'seconds.$': 'States.MathAdd($.retry.seconds, $.retry.seconds)',
    },
    resultPath: '$.retry',
  });
  const backOff = new sfn.Wait(scope, 'BackOff', {
    comment: 'Give the conflicting commit or the throttled prefix time',
    time: sfn.WaitTime.secondsPath('$.retry.seconds'),
  });
  countRerun.next(backOff).next(rerun);
  const attemptsBelow = (n: number) => sfn.Condition.numberLessThan('$.retry.attempt', n);
  return new sfn.Choice(scope, 'ClassifyFailure', {
    comment: "Athena's failure reason decides: rerun after a wait, rerun once, or fail now",
  })
    .when(sfn.Condition.and(causeMatches(TRANSIENT_CAUSES), attemptsBelow(TRANSIENT_RERUNS)), countRerun)
    .when(sfn.Condition.and(causeMatches([EXHAUSTED_CAUSE]), attemptsBelow(EXHAUSTED_RERUNS)), countRerun)
    .when(causeMatches([EXHAUSTED_CAUSE]), outOfResources)
    .otherwise(statementFailed);
}

export interface FailureBranchProps {
  readonly alarmTopic: sns.ITopic;
  readonly digestFunction: lambda.IFunction;
}

/** The failure branch; {@link FailureBranch.catchInto} wires a step's Catch into it. */
export class FailureBranch {
  private readonly notify: tasks.SnsPublish;

  constructor(
    private readonly scope: Construct,
    props: FailureBranchProps,
  ) {
    const runFailed = new sfn.Fail(scope, 'RunFailed', {
      comment: 'The execution fails with the step’s error: the KpiRunFailed alarm fires too',
      errorPath: '$.failure.error',
      causePath: '$.failure.cause',
    });
    this.notify = new tasks.SnsPublish(scope, 'NotifyFailure', {
      comment: 'Which step (and statement) failed and what Athena or Lambda said, to the alarm topic',
      topic: props.alarmTopic,
      subject: 'Servicepulse KPI run failed',
      message: sfn.TaskInput.fromObject({
        'execution.$': '$$.Execution.Id',
        'step.$': '$.failure.step',
        'error.$': '$.failure.error',
        'cause.$': '$.failure.cause',
        'input.$': '$.input',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const sendFailureDigest = tasks.LambdaInvoke.jsonPath(scope, 'SendFailureDigest', {
      comment: 'A digest that says plainly that the KPIs could not be computed (no numbers)',
      lambdaFunction: props.digestFunction,
      payload: sfn.TaskInput.fromObject({
        'kind.$': '$.input.kind',
        failure: {
          'step.$': '$.failure.step',
          'error.$': '$.failure.error',
          'execution.$': '$$.Execution.Name',
        },
      }),
      resultSelector: { 'result.$': '$.Payload' },
      resultPath: '$.failureDigest',
    });
    const isScheduled = new sfn.Choice(scope, 'IsScheduledRun', {
      comment: 'Recipients hear about scheduled runs only; a failed backfill is for the operator',
    })
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.input.kind'),
          sfn.Condition.isString('$.input.kind'),
          sfn.Condition.or(
            sfn.Condition.stringEquals('$.input.kind', 'daily'),
            sfn.Condition.stringEquals('$.input.kind', 'monthly'),
          ),
        ),
        sendFailureDigest,
      )
      .otherwise(runFailed);
    this.notify.addRetry({
      errors: ['SNS.ThrottledException', 'SNS.InternalErrorException', 'States.TaskFailed'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });
    this.notify.addCatch(isScheduled, { errors: ['States.ALL'], resultPath: '$.notifyError' });
    this.notify.next(isScheduled);
    sendFailureDigest.addCatch(runFailed, { errors: ['States.ALL'], resultPath: '$.failureDigestError' });
    sendFailureDigest.next(runFailed);
  }

  /** `step`'s errors (after its own retries) → Failed<step> (what failed, and why) → NotifyFailure. */
  catchInto(step: string, state: sfn.TaskStateBase | sfn.Map | sfn.CustomState): void {
    const record = new sfn.Pass(this.scope, `Failed${step}`, {
      comment: `Record that ${step} failed, with its error and cause`,
      parameters: { step, 'error.$': '$.failure.Error', 'cause.$': '$.failure.Cause' },
      resultPath: '$.failure',
    });
    record.next(this.notify);
    state.addCatch(record, { errors: ['States.ALL'], resultPath: '$.failure' });
  }
}
