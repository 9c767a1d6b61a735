/**
 * QueryEngine over Amazon Athena (engine version 3, Trino SQL): the AWS twin of DuckDbEngine.
 *
 * One `query` call: StartQueryExecution (with a ClientRequestToken, so a retried start never runs
 * the statement twice), poll GetQueryExecution with exponential backoff until the query ends, then
 * page through GetQueryResults. Values come back as text; they are converted by the column type
 * Athena reports, to the same shapes the DuckDB adapter returns, so the core sees no difference:
 * varchar → string, double/real/float/decimal → number, bigint → number (bigint beyond 2^53),
 * integer/smallint/tinyint → number, boolean → boolean, date → 'YYYY-MM-DD', timestamp →
 * ISO-8601 UTC ('2024-05-01T06:30:00.000Z'), anything else (arrays, maps, json) → its text.
 *
 * A FAILED or CANCELLED query throws {@link AthenaQueryError} carrying Athena's StateChangeReason.
 * Throttling (TooManyRequestsException, ThrottlingException) is retried with capped exponential
 * backoff and full jitter, on top of the SDK's own retries.
 */
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryEngine, SqlRow, SqlValue } from '../core/ports.ts';

export interface AthenaEngineOptions {
  /** @default a new AthenaClient for the Lambda's region */
  client?: AthenaClient;
  /** The workgroup; its enforced settings supply the results location and encryption. */
  workGroup: string;
  /** Default database for unqualified names. @default none (queries qualify their tables) */
  database?: string;
  /** @default 'AwsDataCatalog' */
  catalog?: string;
  /** Results location, for workgroups that do not enforce one. @default the workgroup's */
  outputLocation?: string;
  /** First delay between GetQueryExecution polls. @default 250 ms */
  pollInitialMs?: number;
  /** Longest delay between polls. @default 5000 ms */
  pollMaxMs?: number;
  /** Attempts per API call when Athena throttles. @default 8 */
  throttleAttempts?: number;
  /** Base delay of the throttling backoff (doubled per attempt, full jitter). @default 500 ms */
  throttleBaseMs?: number;
  /** Cap of the throttling backoff. @default 20000 ms */
  throttleMaxMs?: number;
  /** Rows per GetQueryResults page (Athena's maximum is 1000). @default 1000 */
  pageSize?: number;
  /** Cancels a running query (StopQueryExecution) and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Waits; injected by tests so that no test depends on the clock. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

/** A query that ended FAILED or CANCELLED. */
export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly state: 'FAILED' | 'CANCELLED',
    readonly reason: string | undefined,
    readonly errorType?: number,
  ) {
    super(message);
  }
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'ThrottledException']);

export function isThrottling(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return THROTTLING.has(err?.name ?? '') || err?.$metadata?.httpStatusCode === 429;
}

/** Athena's text for a `timestamp` ('2024-05-01 06:30:00.000', session zone UTC) as ISO-8601 UTC. */
function timestampToIso(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(?:\s*(UTC|Z|[+-]\d{2}:?\d{2}))?$/.exec(
    text.trim(),
  );
  if (!m) return text;
  const zone = m[4] === undefined || m[4] === 'UTC' || m[4] === 'Z' ? 'Z' : m[4];
  const ms = Date.parse(
    `${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}${(m[3] ?? '').slice(0, 4)}${zone}`,
  );
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** Converts one cell by its Athena column type. */
export function convertValue(text: string | undefined, type: string | undefined): SqlValue {
  if (text === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase().replace(/\(.*$/, '').trim();
  switch (t) {
    case 'varchar':
    case 'char':
    case 'string':
      return text;
    case 'double':
    case 'real':
    case 'float':
    case 'decimal': {
      if (text === 'NaN') return Number.NaN;
      if (text === 'Infinity') return Number.POSITIVE_INFINITY;
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
      const n = Number(text);
      return Number.isNaN(n) ? text : n;
    }
    case 'bigint': {
      const n = Number(text);
      if (!Number.isFinite(n)) return text;
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'integer':
    case 'int':
    case 'smallint':
    case 'tinyint': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'date':
      return text.slice(0, 10);
    case 'timestamp':
    case 'timestamp with time zone':
      return timestampToIso(text);
    default:
      return text;
  }
}

/** Converts result rows (GetQueryResults `Rows`) with the column metadata; the caller drops the header. */
export function convertRows(
  rows: NonNullable<GetQueryResultsCommandOutput['ResultSet']>['Rows'],
  columns: readonly ColumnInfo[],
): SqlRow[] {
  return (rows ?? []).map((row) => {
    const out: SqlRow = {};
    const data = row.Data ?? [];
    columns.forEach((c, i) => {
      out[c.Name ?? `_col${i}`] = convertValue(data[i]?.VarCharValue, c.Type);
    });
    return out;
  });
}

function abortError(): Error {
  const e = new Error('the query was aborted');
  e.name = 'AbortError';
  return e;
}

export class AthenaEngine implements QueryEngine {
  readonly name = 'athena' as const;
  private readonly client: AthenaClient;
  private readonly ownsClient: boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: AthenaEngineOptions) {
    if (!options.workGroup) throw new Error('AthenaEngine needs a workGroup');
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new AthenaClient({});
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs one statement. SELECT returns its rows (Athena repeats the column names as the first row
   * of the first page; it is dropped); UTILITY statements (SHOW, DESCRIBE) their rows as they are;
   * DDL and writing DML (INSERT, MERGE, UPDATE, DELETE, CTAS, OPTIMIZE, VACUUM) return [].
   */
  async query(sql: string): Promise<SqlRow[]> {
    const id = await this.start(sql);
    const execution = await this.wait(id);
    const type = execution.StatementType;
    if (type === 'DDL') return [];
    if (type === 'UTILITY') return this.results(id, false);
    const sub = execution.SubstatementType?.toUpperCase();
    if (sub !== undefined && sub !== 'SELECT') return [];
    return this.results(id, true);
  }

  /** Starts a query and returns its execution id. */
  async start(sql: string): Promise<string> {
    const token = randomUUID();
    const o = this.options;
    const out = await this.call('StartQueryExecution', () =>
      this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: o.workGroup,
          ClientRequestToken: token,
          QueryExecutionContext: {
            Catalog: o.catalog ?? 'AwsDataCatalog',
            ...(o.database ? { Database: o.database } : {}),
          },
          ...(o.outputLocation ? { ResultConfiguration: { OutputLocation: o.outputLocation } } : {}),
        }),
      ),
    );
    if (!out.QueryExecutionId) throw new Error('Athena returned no QueryExecutionId');
    return out.QueryExecutionId;
  }

  /** Polls until the query ends; resolves on SUCCEEDED, throws AthenaQueryError otherwise. */
  async wait(id: string): Promise<QueryExecution> {
    let delay = this.options.pollInitialMs ?? 250;
    const maxDelay = this.options.pollMaxMs ?? 5000;
    for (;;) {
      if (this.options.signal?.aborted) {
        await this.stop(id);
        throw abortError();
      }
      const out = await this.call('GetQueryExecution', () =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      );
      const execution = out.QueryExecution;
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return execution!;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.StateChangeReason;
        const type = execution?.Status?.AthenaError?.ErrorType;
        const verb = state === 'FAILED' ? 'failed' : 'was cancelled';
        throw new AthenaQueryError(
          `Athena query ${id} ${verb}: ${reason ?? 'no reason given'}`,
          id,
          state,
          reason,
          type,
        );
      }
      await this.sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
  }

  private async results(id: string, hasHeader: boolean): Promise<SqlRow[]> {
    const rows: SqlRow[] = [];
    let token: string | undefined;
    let columns: ColumnInfo[] | undefined;
    let first = true;
    do {
      const page = await this.call('GetQueryResults', () =>
        this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            MaxResults: this.options.pageSize ?? 1000,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows = page.ResultSet?.Rows ?? [];
      rows.push(...convertRows(first && hasHeader ? pageRows.slice(1) : pageRows, columns));
      first = false;
      token = page.NextToken;
    } while (token);
    return rows;
  }

  private async stop(id: string): Promise<void> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    } catch {
      // Best effort: the query may have ended meanwhile.
    }
  }

  /** Calls Athena, retrying throttling with exponential backoff and full jitter. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const attempts = this.options.throttleAttempts ?? 8;
    const base = this.options.throttleBaseMs ?? 500;
    const cap = this.options.throttleMaxMs ?? 20_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!isThrottling(e)) throw e;
        if (attempt >= attempts) {
          throw new Error(
            `Athena ${what} still throttled after ${attempts} attempts: ${(e as Error).message}`,
            {
              cause: e,
            },
          );
        }
        await this.sleep(Math.floor(this.random() * Math.min(cap, base * 2 ** (attempt - 1))));
      }
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}
