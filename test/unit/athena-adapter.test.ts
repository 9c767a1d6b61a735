import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AthenaEngine,
  AthenaQueryError,
  convertValue,
  isThrottling,
} from '../../functions/adapters/athena.ts';

const athena = mockClient(AthenaClient);

/** A recording sleep: no test waits on the clock. */
function fakeSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function engine(
  sleep: (ms: number) => Promise<void>,
  extra: Partial<ConstructorParameters<typeof AthenaEngine>[0]> = {},
) {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'servicepulse',
    database: 'servicepulse',
    sleep,
    random: () => 0.5,
    ...extra,
  });
}

const succeeded = (
  statementType: 'DML' | 'DDL' | 'UTILITY' = 'DML',
  substatementType = 'SELECT',
): { QueryExecution: QueryExecution } => ({
  QueryExecution: {
    QueryExecutionId: 'q-1',
    StatementType: statementType,
    SubstatementType: substatementType,
    Status: { State: 'SUCCEEDED' as const },
  },
});

const cell = (v: string | undefined) => (v === undefined ? {} : { VarCharValue: v });
const row = (...values: (string | undefined)[]) => ({ Data: values.map(cell) });

const COLUMNS = [
  { Name: 'kpi_id', Type: 'varchar' },
  { Name: 'value', Type: 'double' },
  { Name: 'sample_size', Type: 'bigint' },
  { Name: 'rank', Type: 'integer' },
  { Name: 'additive', Type: 'boolean' },
  { Name: 'period_start', Type: 'date' },
  { Name: 'computed_at', Type: 'timestamp' },
];

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

beforeEach(() => athena.reset());
afterEach(() => athena.reset());

describe('AthenaEngine.query', () => {
  it('starts the query in the workgroup, polls with backoff, and converts rows by column type', async () => {
    // Prepare
    const { delays, sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'RUNNING' } } })
      .resolves(succeeded());
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: COLUMNS },
        Rows: [
          row('kpi_id', 'value', 'sample_size', 'rank', 'additive', 'period_start', 'computed_at'),
          row('aht_seconds', '312.5', '1200', '1', 'true', '2024-05-01', '2024-05-02 03:04:05.678'),
          row(
            'fcr_pct',
            undefined,
            '9007199254740993',
            '2',
            'false',
            '2024-05-01',
            '2024-05-02 03:04:05.000000',
          ),
        ],
      },
    });

    // Act
    const rows = await engine(sleep).query('SELECT 1');

    // Assess
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      QueryString: 'SELECT 1',
      WorkGroup: 'servicepulse',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'servicepulse' },
    });
    expect(start.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(start.ResultConfiguration).toBeUndefined();
    expect(delays).toEqual([250, 500, 1000]);
    expect(rows).toEqual([
      {
        kpi_id: 'aht_seconds',
        value: 312.5,
        sample_size: 1200,
        rank: 1,
        additive: true,
        period_start: '2024-05-01',
        computed_at: '2024-05-02T03:04:05.678Z',
      },
      {
        kpi_id: 'fcr_pct',
        value: null,
        sample_size: 9007199254740993n,
        rank: 2,
        additive: false,
        period_start: '2024-05-01',
        computed_at: '2024-05-02T03:04:05.000Z',
      },
    ]);
  });

  it('caps the poll delay', async () => {
    // Prepare
    const { delays, sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    const running = { QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'RUNNING' as const } } };
    let calls = 0;
    athena.on(GetQueryExecutionCommand).callsFake(() => (++calls < 8 ? running : succeeded('DML', 'MERGE')));

    // Act
    await engine(sleep, { pollMaxMs: 2000 }).query('MERGE INTO t USING s ON 1 = 1 WHEN MATCHED THEN DELETE');

    // Assess
    expect(delays).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000]);
  });

  it('pages through GetQueryResults and drops the header row only once', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded());
    const meta = { ColumnInfo: [{ Name: 'n', Type: 'integer' }] };
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2 })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row('n'), row('1')] }, NextToken: 'p2' });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 'p2' })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row('2'), row('3')] }, NextToken: 'p3' });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 2, NextToken: 'p3' })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row('4')] } });

    // Act
    const rows = await engine(sleep, { pageSize: 2 }).query('SELECT n FROM t');

    // Assess
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
  });

  it('returns no rows for writes and DDL without reading results', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(succeeded('DML', 'MERGE'))
      .resolvesOnce(succeeded('DDL', 'CREATE_TABLE'));
    const e = engine(sleep);

    // Act
    const merged = await e.query('MERGE …');
    const created = await e.query('CREATE TABLE …');

    // Assess
    expect(merged).toEqual([]);
    expect(created).toEqual([]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('keeps the first row of utility statements (SHOW, DESCRIBE), which have no header', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded('UTILITY', 'SHOW_TABLES'));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] },
        Rows: [row('calls'), row('kpi_results')],
      },
    });

    // Act
    const rows = await engine(sleep).query('SHOW TABLES');

    // Assess
    expect(rows).toEqual([{ tab_name: 'calls' }, { tab_name: 'kpi_results' }]);
  });

  it('passes an explicit output location for workgroups that do not enforce one', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded('DML', 'INSERT'));

    // Act
    await engine(sleep, { outputLocation: 's3://bucket/athena/' }).query('INSERT …');

    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ResultConfiguration).toEqual({
      OutputLocation: 's3://bucket/athena/',
    });
  });
});

describe('AthenaEngine failures', () => {
  it('maps FAILED to an AthenaQueryError carrying the state change reason', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-9',
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 3:8: Column 'nope' cannot be resolved",
          AthenaError: { ErrorCategory: 2, ErrorType: 1006 },
        },
      },
    });

    // Act
    const error = await failure(engine(sleep).query('SELECT nope FROM t'));

    // Assess
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as AthenaQueryError).message).toBe(
      "Athena query q-9 failed: COLUMN_NOT_FOUND: line 3:8: Column 'nope' cannot be resolved",
    );
    expect(error).toMatchObject({ queryExecutionId: 'q-9', state: 'FAILED', errorType: 1006 });
  });

  it('maps CANCELLED (for instance the bytes-scanned cutoff) to an AthenaQueryError', async () => {
    // Prepare
    const { sleep } = fakeSleep();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-8' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-8',
        Status: { State: 'CANCELLED', StateChangeReason: 'Query exceeded the bytes scanned limit' },
      },
    });

    // Act
    const error = await failure(engine(sleep).query('SELECT * FROM calls'));

    // Assess
    expect(error).toMatchObject({
      name: 'AthenaQueryError',
      state: 'CANCELLED',
      message: 'Athena query q-8 was cancelled: Query exceeded the bytes scanned limit',
    });
  });

  it('retries throttled calls with capped exponential backoff and full jitter, reusing the request token', async () => {
    // Prepare
    const { delays, sleep } = fakeSleep();
    const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ QueryExecutionId: 'q-1' });
    const slowDown = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    athena.on(GetQueryExecutionCommand).rejectsOnce(slowDown).resolves(succeeded('DML', 'INSERT'));

    // Act
    await engine(sleep, { throttleBaseMs: 100 }).query('INSERT …');

    // Assess: jitter 0.5 × min(cap, 100 × 2^(attempt−1)); GetQueryExecution's retry restarts at attempt 1
    expect(delays).toEqual([50, 100, 50]);
    const tokens = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(1);
  });

  it('gives up after the configured attempts with a clear message', async () => {
    // Prepare
    const { delays, sleep } = fakeSleep();
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    const error = await failure(
      engine(sleep, { throttleAttempts: 3, throttleBaseMs: 1000, throttleMaxMs: 1500 }).query('SELECT 1'),
    );

    // Assess
    expect(error.message).toBe('Athena StartQueryExecution still throttled after 3 attempts: Rate exceeded');
    expect(delays).toEqual([500, 750]);
  });

  it('does not retry other errors', async () => {
    // Prepare
    const { delays, sleep } = fakeSleep();
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new InvalidRequestException({ message: 'line 1:1: mismatched input', $metadata: {} }));

    // Act
    const error = await failure(engine(sleep).query('SELEC 1'));

    // Assess
    expect(error.name).toBe('InvalidRequestException');
    expect(delays).toEqual([]);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('stops the query when aborted', async () => {
    // Prepare
    const controller = new AbortController();
    const sleep = async () => controller.abort();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-7' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { QueryExecutionId: 'q-7', Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});

    // Act
    const error = await failure(engine(sleep, { signal: controller.signal }).query('SELECT 1'));

    // Assess
    expect(error.name).toBe('AbortError');
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: 'q-7',
    });
  });
});

describe('convertValue', () => {
  it('converts Athena text by column type', () => {
    // Prepare / Act / Assess
    expect(convertValue(undefined, 'varchar')).toBeNull();
    expect(convertValue('', 'varchar')).toBe('');
    expect(convertValue('NaN', 'double')).toBeNaN();
    expect(convertValue('-Infinity', 'double')).toBe(Number.NEGATIVE_INFINITY);
    expect(convertValue('12.50', 'decimal(10,2)')).toBe(12.5);
    expect(convertValue('42', 'bigint')).toBe(42);
    expect(convertValue('-9223372036854775808', 'bigint')).toBe(-9223372036854775808n);
    expect(convertValue('7', 'smallint')).toBe(7);
    expect(convertValue('true', 'boolean')).toBe(true);
    expect(convertValue('2024-02-29', 'date')).toBe('2024-02-29');
    expect(convertValue('2024-02-29 23:59:59.999', 'timestamp(3)')).toBe('2024-02-29T23:59:59.999Z');
    expect(convertValue('2024-02-29 23:59:59.123456 UTC', 'timestamp(6) with time zone')).toBe(
      '2024-02-29T23:59:59.123Z',
    );
    expect(convertValue('2024-02-29 23:59:59.000 Asia/Tehran', 'timestamp with time zone')).toBe(
      '2024-02-29 23:59:59.000 Asia/Tehran',
    );
    expect(convertValue('[1, 2]', 'array(integer)')).toBe('[1, 2]');
  });

  it('recognizes throttling errors by name or HTTP status', () => {
    // Prepare / Act / Assess
    expect(isThrottling(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isThrottling({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottling(new Error('boom'))).toBe(false);
  });
});
