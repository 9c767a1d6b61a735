/**
 * The KPI state machine's synthesized definition driven through its branches by a small ASL
 * interpreter (test/support/asl-interpreter.ts): every failure class from the issue (a FAILED
 * query with each reason, an empty or stale ListExecutions, a result without
 * DataScannedInBytes, a failing Lambda) reaches the branch it must, and the definition is valid
 * ASL (asl-validator). The Athena failures have the `.sync` integration's shape: error
 * `States.TaskFailed`, Cause the query execution as JSON with Status.StateChangeReason and
 * AthenaError (ErrorCategory 1 system / 2 user, ErrorType, Retryable: Athena's error catalog).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runStateMachine, TaskError } from '../support/asl-interpreter.ts';
import { type Cfn, stateMachineDefinition, synth } from './support.ts';

let asl: Record<string, Cfn>;
beforeAll(() => {
  asl = stateMachineDefinition(synth().template);
});

const SELF = 'arn:aws:states:eu-west-1:111111111111:execution:servicepulse-kpi-run:daily-1';
const OLDER = 'arn:aws:states:eu-west-1:111111111111:execution:servicepulse-kpi-run:backfill-0';
const CONTEXT = {
  Execution: { Id: SELF, Name: 'daily-1', StartTime: '2024-06-01T03:00:00Z' },
  StateMachine: { Id: 'arn:aws:states:eu-west-1:111111111111:stateMachine:servicepulse-kpi-run' },
};
const STATEMENTS = [
  { bucket: 'b', key: 'statements/daily-1/000.sql', label: 'kpi_definitions' },
  { bucket: 'b', key: 'statements/daily-1/001.sql', label: 'tickets 2024-05-29..2024-05-31' },
];
const PLAN = {
  kind: 'daily',
  asOf: '2024-06-01T03:00:00Z',
  runIds: ['r1'],
  chunks: 1,
  statements: STATEMENTS,
  digest: { grain: 'day', date: '2024-05-31' },
};

/** The Cause of a FAILED query as the `.sync` integration reports it. */
function athenaFailure(reason: string, category: number, type: number, retryable: boolean): TaskError {
  const execution = {
    QueryExecution: {
      QueryExecutionId: 'q-1',
      Status: {
        State: 'FAILED',
        StateChangeReason: reason,
        AthenaError: { ErrorCategory: category, ErrorType: type, Retryable: retryable, ErrorMessage: reason },
      },
    },
  };
  return new TaskError('States.TaskFailed', JSON.stringify(execution));
}

const ICEBERG = () =>
  athenaFailure('ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table kpi_results', 1, 233, true);
const SLOWDOWN = () =>
  athenaFailure(
    'HIVE_CANNOT_OPEN_SPLIT: ... (Service: Amazon S3; Status Code: 503; Error Code: SlowDown)',
    1,
    1,
    true,
  );
const EXHAUSTED = () => athenaFailure('Query exhausted resources at this scale factor', 1, 0, false);
const SYNTAX = () => athenaFailure("line 3:7: Column 'ticket_idd' cannot be resolved", 2, 1006, false);

interface Script {
  lists?: string[][];
  plan?: () => unknown;
  /** Answers for the statement runs, in order; past the end: success. */
  runs?: ((() => TaskError) | undefined)[];
  digest?: () => unknown;
  failureDigest?: () => unknown;
}

function run(script: Script = {}, input: unknown = { kind: 'daily' }): RunResult {
  let list = 0;
  let statementRun = 0;
  return runStateMachine(asl, input, CONTEXT, (state, params) => {
    switch (state) {
      case 'ListRunning': {
        const arns = script.lists?.[Math.min(list++, script.lists.length - 1)] ?? [SELF];
        return { Executions: arns.map((ExecutionArn) => ({ ExecutionArn, Status: 'RUNNING' })) };
      }
      case 'Plan':
        return { Payload: script.plan ? script.plan() : PLAN };
      case 'GetStatement':
        return { Body: `-- ${params.Key}\nSELECT 1` };
      case 'RunStatement': {
        const answer = script.runs?.[statementRun++];
        if (answer) throw answer();
        // OPTIMIZE and VACUUM may come back without Statistics: nothing reads them.
        return { QueryExecution: { QueryExecutionId: `q-${statementRun}`, Status: { State: 'SUCCEEDED' } } };
      }
      case 'SendDigest':
        return { Payload: script.digest ? script.digest() : { summary: 'sent' } };
      case 'NotifyFailure':
        return { MessageId: 'm-1' };
      case 'SendFailureDigest':
        return { Payload: script.failureDigest ? script.failureDigest() : { failure: true } };
      default:
        throw new Error(`unexpected task ${state}`);
    }
  });
}

const calls = (r: RunResult, state: string) => r.calls.filter((c) => c.state === state);

describe('a run without failures', () => {
  it('runs every statement, reads no statistics, and sends the digest', () => {
    // Prepare / Act
    const r = run();

    // Assess
    expect(r.status).toBe('SUCCEEDED');
    expect(calls(r, 'RunStatement')).toHaveLength(2);
    expect(calls(r, 'SendDigest')).toHaveLength(1);
    expect(r.trace).not.toContain('NotifyFailure');
    expect(r.waits).toEqual([]);
  });
});

describe('the turn check', () => {
  it('waits while ListExecutions is empty (eventually consistent) instead of failing', () => {
    // Prepare / Act
    const r = run({ lists: [[], [], [SELF]] });

    // Assess
    expect(r.status).toBe('SUCCEEDED');
    expect(calls(r, 'ListRunning')).toHaveLength(3);
    expect(r.waits).toEqual([60, 60]);
  });

  it('waits while the list does not show this execution yet, even if it shows no older one', () => {
    // Prepare / Act
    const r = run({ lists: [[OLDER], [SELF]] });

    // Assess
    expect(r.status).toBe('SUCCEEDED');
    expect(r.waits).toEqual([60]);
  });

  it('waits while an older execution runs, then goes on', () => {
    // Prepare / Act
    const r = run({ lists: [[SELF, OLDER], [SELF, OLDER], [SELF]] });

    // Assess
    expect(r.status).toBe('SUCCEEDED');
    expect(r.waits).toEqual([60, 60]);
    expect(r.trace.indexOf('Plan')).toBeGreaterThan(r.trace.lastIndexOf('WaitForTurn'));
  });

  it('fails out loud when ListExecutions keeps failing', () => {
    // Prepare / Act
    const r = runStateMachine(asl, { kind: 'daily' }, CONTEXT, (state) => {
      if (state === 'ListRunning') throw new TaskError('Sfn.AccessDeniedException', 'not allowed');
      return { MessageId: 'm', Payload: {} };
    });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Sfn.AccessDeniedException');
    expect(r.calls.filter((c) => c.state === 'NotifyFailure')[0]!.input.Message.step).toBe('ListRunning');
  });
});

describe('a FAILED query', () => {
  it('reruns an Iceberg commit conflict after 30 s, then 60 s', () => {
    // Prepare / Act
    const r = run({ runs: [ICEBERG, ICEBERG] });

    // Assess
    expect(r.status).toBe('SUCCEEDED');
    expect(r.waits).toEqual([30, 60]);
    expect(calls(r, 'RunStatement')).toHaveLength(4);
    expect(calls(r, 'SendDigest')).toHaveLength(1);
  });

  it('reruns S3 SlowDown five times, then fails the run with the statement named', () => {
    // Prepare / Act
    const r = run({ runs: Array(6).fill(SLOWDOWN) });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.waits).toEqual([30, 60, 120, 240, 480]);
    expect(r.error).toBe('Servicepulse.StatementFailed');
    expect(r.cause).toMatch(/^Statement kpi_definitions failed after 5 reruns: .*SlowDown/);
    expect(calls(r, 'SendDigest')).toEqual([]);
  });

  it('reruns "exhausted resources" once, then fails with the statement and the fix', () => {
    // Prepare / Act
    const r = run({ runs: [EXHAUSTED, EXHAUSTED] });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.waits).toEqual([30]);
    expect(r.error).toBe('Servicepulse.QueryExhaustedResources');
    expect(r.cause).toContain('Statement kpi_definitions exhausted Athena resources twice');
    expect(r.cause).toContain('Fix: run fewer periods per statement');
  });

  it('fails a syntax or permission error at once', () => {
    // Prepare / Act
    const r = run({ runs: [SYNTAX] });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.waits).toEqual([]);
    expect(calls(r, 'RunStatement')).toHaveLength(1);
    expect(r.cause).toMatch(/^Statement kpi_definitions failed after 0 reruns: .*cannot be resolved/);
  });

  it('fails a request Athena rejects (InvalidRequestException) at once', () => {
    // Prepare / Act
    const r = run({ runs: [() => new TaskError('Athena.InvalidRequestException', 'WorkGroup is disabled')] });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(calls(r, 'RunStatement')).toHaveLength(1);
    expect(r.cause).toBe('Statement kpi_definitions failed after 0 reruns: WorkGroup is disabled');
  });

  it('tells the alarm topic which statement failed and why, and sends the failure digest', () => {
    // Prepare / Act
    const r = run({ runs: [undefined, SYNTAX] });

    // Assess
    const [notice] = calls(r, 'NotifyFailure');
    expect(notice!.input.Subject).toBe('Servicepulse KPI run failed');
    expect(notice!.input.Message).toMatchObject({
      execution: SELF,
      step: 'RunStatements',
      error: 'Servicepulse.StatementFailed',
      input: { kind: 'daily' },
    });
    expect(notice!.input.Message.cause).toContain('Statement tickets 2024-05-29..2024-05-31 failed');
    expect(notice!.input.Message.cause).toContain('ticket_idd');
    expect(calls(r, 'SendFailureDigest')[0]!.input.Payload).toEqual({
      kind: 'daily',
      failure: { step: 'RunStatements', error: 'Servicepulse.StatementFailed', execution: 'daily-1' },
    });
    expect(r.trace.at(-1)).toBe('RunFailed');
  });
});

describe('the failure branch', () => {
  it('catches a failing plan-run Lambda', () => {
    // Prepare / Act
    const r = run({
      plan: () => {
        throw new TaskError('Error', 'the run has 1200 statements');
      },
    });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Error');
    expect(calls(r, 'NotifyFailure')[0]!.input.Message.step).toBe('Plan');
    expect(calls(r, 'SendFailureDigest')).toHaveLength(1);
  });

  it('catches a failing digest Lambda and still sends the failure digest', () => {
    // Prepare / Act
    const r = run({
      digest: () => {
        throw new TaskError('Error', 'SES rejected the message');
      },
    });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(calls(r, 'NotifyFailure')[0]!.input.Message.step).toBe('SendDigest');
    expect(calls(r, 'SendFailureDigest')).toHaveLength(1);
  });

  it('sends no failure digest for a backfill (the operator hears through the topic)', () => {
    // Prepare / Act
    const r = run({ runs: [SYNTAX] }, { from: '2023-01-01', to: '2023-12-31', grain: 'day' });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(calls(r, 'NotifyFailure')).toHaveLength(1);
    expect(calls(r, 'SendFailureDigest')).toEqual([]);
  });

  it('still fails the execution when the failure digest cannot be sent', () => {
    // Prepare / Act
    const r = run({
      runs: [SYNTAX],
      failureDigest: () => {
        throw new TaskError('Error', 'SES down');
      },
    });

    // Assess
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Servicepulse.StatementFailed');
  });
});

describe('the definition', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    // Prepare
    const validate = createRequire(import.meta.url)('asl-validator') as (
      d: unknown,
      o: unknown,
    ) => { isValid: boolean; errorsText: () => string };

    // Act (ARNs are CloudFormation placeholders here, so only their shape is not checked)
    const result = validate(asl, { checkArn: false, checkPaths: true });

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('gives every Task and Map state a Catch for States.ALL', () => {
    // Prepare
    const all: [string, Cfn][] = [
      ...Object.entries(asl.States),
      ...Object.entries(asl.States.RunStatements.ItemProcessor.States),
    ];

    // Act
    const uncaught = all
      .filter(([, s]) => s.Type === 'Task' || s.Type === 'Map')
      .filter(([, s]) => !(s.Catch ?? []).some((c: Cfn) => c.ErrorEquals.includes('States.ALL')))
      .map(([name]) => name);

    // Assess
    expect(uncaught).toEqual([]);
  });

  it('retries only error names Athena raises', () => {
    // Prepare / Act
    const retry = asl.States.RunStatements.ItemProcessor.States.RunStatement.Retry;

    // Assess
    expect(retry.flatMap((r: Cfn) => r.ErrorEquals)).toEqual([
      'Athena.TooManyRequestsException',
      'Athena.InternalServerException',
    ]);
  });
});
