/**
 * The DuckDB compatibility layer (functions/adapters/duckdb.ts), held against Athena engine 3:
 * one test per COMPAT_MACROS entry comparing DuckDB's result with the documented Trino result, the
 * UTC session and the lake's TIMESTAMPTZ columns that make `AT TIME ZONE` mean the same in both, the
 * integer-division trap the guard exists for, and the Parquet timestamp type DuckDB reads.
 * docs/sql-compat.md explains the gap; expected Trino values cite the Trino and Athena docs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPAT_MACROS, DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import type { ColumnDef } from '../../functions/core/contracts.ts';
import { ParquetRowWriter } from '../../functions/core/parquet.ts';
import type { ObjectSink } from '../../functions/core/ports.ts';
import { checkStatement } from '../support/trino-guard.ts';

let home: string;
let engine: DuckDbEngine;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sp-compat-'));
  engine = await DuckDbEngine.open({ database: ':memory:', lakeRoot: home, threads: 1 });
});

afterAll(async () => {
  await engine?.close();
  await rm(home, { recursive: true, force: true });
});

async function one(sql: string): Promise<Record<string, unknown>> {
  const rows = await engine.query(sql);
  return rows[0]!;
}

/**
 * Per macro: sample inputs with the result Trino documents. Timestamps with time zone come back from
 * the adapter as ISO instants (…Z), so instants are compared, not Trino's display offset.
 */
const MACRO_CASES: Record<string, { sql: string; trino: unknown; source: string }[]> = {
  from_iso8601_timestamp: [
    // Trino: timestamp(3) with time zone; an offset is kept, none means the session zone (UTC).
    {
      sql: "from_iso8601_timestamp('2024-03-20T12:34:56.789Z')",
      trino: '2024-03-20T12:34:56.789Z',
      source: 'trino.io/docs functions/datetime from_iso8601_timestamp',
    },
    {
      sql: "from_iso8601_timestamp('2024-03-20T16:04:56.789+03:30')",
      trino: '2024-03-20T12:34:56.789Z',
      source: 'same instant as 2024-03-20T16:04:56.789+03:30',
    },
    {
      sql: "from_iso8601_timestamp('2024-03-20T12:34:56')",
      trino: '2024-03-20T12:34:56.000Z',
      source: 'no offset: session zone, UTC in Athena',
    },
    {
      sql: "from_iso8601_timestamp('2024-03-20')",
      trino: '2024-03-20T00:00:00.000Z',
      source: 'a date alone is its midnight in the session zone',
    },
  ],
  to_unixtime: [
    // Trino: seconds since 1970-01-01 UTC as a double, milliseconds kept as the fraction.
    {
      sql: "to_unixtime(TIMESTAMPTZ '2024-03-20 12:34:56.789+00')",
      trino: 1710938096.789,
      source: 'trino.io/docs functions/datetime to_unixtime',
    },
    {
      sql: "to_unixtime(TIMESTAMP '1970-01-01 00:00:10')",
      trino: 10,
      source: 'a timestamp without zone is read in the session zone (UTC in Athena)',
    },
    {
      sql: "round(1000 * (to_unixtime(TIMESTAMPTZ '2024-03-20 12:00:20.5+00') - to_unixtime(TIMESTAMPTZ '2024-03-20 12:00:00+00')))",
      trino: 20500,
      source: 'the elapsed-milliseconds idiom of queries/ (round() keeps thresholds exact)',
    },
  ],
  from_iso8601_date: [
    { sql: "from_iso8601_date('2024-03-20')", trino: '2024-03-20', source: 'Trino: date' },
    { sql: "from_iso8601_date('2024-02-29')", trino: '2024-02-29', source: 'leap day' },
  ],
  to_iso8601: [
    // Athena engine 3 breaking change: a timestamp without a zone formats without Z.
    {
      sql: "to_iso8601(TIMESTAMP '2024-03-20 12:34:56.789')",
      trino: '2024-03-20T12:34:56.789',
      source: 'Athena engine 3 docs, to_iso8601() timestamp return value change',
    },
    {
      sql: "to_iso8601(TIMESTAMP '2024-03-20 00:00:00.000')",
      trino: '2024-03-20T00:00:00.000',
      source: 'timestamp(3): three fractional digits',
    },
    // A lake column: `timestamp` (UTC) in Athena, TIMESTAMPTZ in DuckDB; both print UTC without a zone.
    {
      sql: "to_iso8601(CAST('2024-03-20 12:34:56.789+00' AS TIMESTAMPTZ))",
      trino: '2024-03-20T12:34:56.789',
      source: 'Athena: to_iso8601 of the lake column (a UTC timestamp without zone)',
    },
  ],
  count_if: [
    // Trino: the number of rows where the condition is TRUE, a bigint; no such row gives 0.
    {
      sql: '(SELECT count_if(b) FROM (VALUES (true), (false), (CAST(NULL AS BOOLEAN))) AS t (b))',
      trino: 1,
      source: 'trino.io/docs functions/aggregate count_if',
    },
    {
      sql: '(SELECT count_if(b) FROM (VALUES (CAST(NULL AS BOOLEAN))) AS t (b))',
      trino: 0,
      source: 'a count of no TRUE rows is 0 (DuckDB built-in: NULL)',
    },
    {
      sql: '(SELECT count_if(b) FROM (VALUES (true)) AS t (b) WHERE false)',
      trino: 0,
      source: 'no rows at all: 0',
    },
  ],
  unnest: [
    // Trino: UNNEST of an array of rows gives one column per row field, named by the column aliases.
    {
      sql: "(SELECT sum(k.n * k.w) FROM UNNEST(ARRAY[ROW('a', 1, 10), ROW('b', 2, 20)]) AS k (name, n, w))",
      trino: 50,
      source: 'trino.io/docs sql/select UNNEST (an array of ROW: one column per field)',
    },
    {
      sql: "(SELECT max(k.name) FROM UNNEST(ARRAY[ROW('a', 1), ROW('b', 2)]) AS k (name, n))",
      trino: 'b',
      source: 'the first field as a column of its own',
    },
    {
      sql: "(SELECT sum(k.v) FROM (VALUES (1), (2)) AS m (x) CROSS JOIN UNNEST(ARRAY[ROW('a', m.x), ROW('b', 10 * m.x)]) AS k (name, v))",
      trino: 33,
      source: 'CROSS JOIN UNNEST over the columns of the left side: every row of m, every element',
    },
    {
      sql: "(SELECT sum(k.v) FROM (SELECT ARRAY[ROW('a', 1), ROW('b', 2)] AS r) AS m CROSS JOIN UNNEST(m.r) AS k (name, v))",
      trino: 3,
      source: 'an array column of rows (the form of queries/kpi/)',
    },
    {
      sql: '(SELECT sum(k.n) FROM UNNEST(ARRAY[1, 2, 3]) AS k (n))',
      trino: 6,
      source: 'an array of scalars: one row per element',
    },
  ],
};

describe('COMPAT_MACROS', () => {
  it('has sample cases for every macro', () => {
    // Act
    const names = COMPAT_MACROS.map((m) => m.name).sort();
    // Assess
    expect(names).toEqual(Object.keys(MACRO_CASES).sort());
  });

  for (const macro of COMPAT_MACROS) {
    it(`${macro.name}: DuckDB gives the documented Trino result`, async () => {
      // Prepare
      const cases = MACRO_CASES[macro.name] ?? [];
      const select = cases.map((c, i) => `${c.sql} AS c${i}`).join(', ');
      // Act
      const row = await one(`SELECT ${select}`);
      // Assess
      expect(cases.length).toBeGreaterThan(0);
      for (const [i, c] of cases.entries()) expect(row[`c${i}`], `${c.sql} (${c.source})`).toBe(c.trino);
    });
  }

  it('to_iso8601 differs from Trino outside the lake column (documented, not used in queries/)', async () => {
    // Prepare: Trino prints a timestamp WITH time zone with its offset ('…Z') and a date as '2024-03-20'.
    const sql = [
      "to_iso8601(from_iso8601_timestamp('2024-03-20T12:34:56.789Z')) AS tz",
      "to_iso8601(DATE '2024-03-20') AS d",
    ].join(', ');
    // Act
    const row = await one(`SELECT ${sql}`);
    // Assess: DuckDB's macro prints neither (the queries only format lake columns, where both agree).
    expect(row).toEqual({ tz: '2024-03-20T12:34:56.789', d: '2024-03-20T00:00:00.000' });
  });
});

describe('UNNEST differs from Trino outside arrays of rows and scalars', () => {
  it('an array of arrays: DuckDB flattens both levels, Trino gives one row per inner array (the guard rejects it)', async () => {
    // Prepare
    const sql = 'SELECT count(*) AS n FROM UNNEST(ARRAY[ARRAY[1, 2], ARRAY[3]]) AS k (a)';
    // Act
    const row = await one(sql);
    const findings = checkStatement(sql);
    // Assess: Trino gives 2 rows (a = [1, 2], a = [3]).
    expect(row.n).toBe(3);
    expect(findings.map((f) => f.rule)).toEqual(['unnest']);
  });
});

describe('time zones', () => {
  it('the DuckDB session is UTC, so a plain TIMESTAMP literal is a UTC instant as in Athena', async () => {
    // Act
    const row = await one(
      "SELECT current_setting('TimeZone') AS zone, CAST('2024-03-20 12:00:00+00' AS TIMESTAMPTZ) = TIMESTAMP '2024-03-20 12:00:00' AS same",
    );
    // Assess
    expect(row).toEqual({ zone: 'UTC', same: true });
  });

  it('TIMESTAMPTZ AT TIME ZONE gives local wall-clock time (+03:30) and the local date around midnight', async () => {
    // Prepare: 20:29:59Z is 23:59:59 on the 19th in Tehran, 20:30:00Z is 00:00:00 on the 20th.
    const before = "CAST('2024-03-19 20:29:59+00' AS TIMESTAMPTZ)";
    const after = "CAST('2024-03-19 20:30:00+00' AS TIMESTAMPTZ)";
    const sql = [
      `CAST(${before} AT TIME ZONE 'Asia/Tehran' AS VARCHAR) AS before_time`,
      `CAST(${before} AT TIME ZONE 'Asia/Tehran' AS date) AS before_day`,
      `CAST(${after} AT TIME ZONE 'Asia/Tehran' AS VARCHAR) AS after_time`,
      `CAST(${after} AT TIME ZONE 'Asia/Tehran' AS date) AS after_day`,
    ].join(', ');
    // Act
    const row = await one(`SELECT ${sql}`);
    // Assess
    expect(row).toEqual({
      before_time: '2024-03-19 23:59:59',
      before_day: '2024-03-19',
      after_time: '2024-03-20 00:00:00',
      after_day: '2024-03-20',
    });
  });

  it('the lake views type timestamp columns TIMESTAMPTZ (the type that makes AT TIME ZONE agree)', async () => {
    // Act
    const rows = await engine.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'lake' AND table_name = 'tickets' AND column_name IN ('created_at', '_ingested_at') ORDER BY column_name",
    );
    // Assess
    expect(rows).toEqual([
      { column_name: '_ingested_at', data_type: 'TIMESTAMP WITH TIME ZONE' },
      { column_name: 'created_at', data_type: 'TIMESTAMP WITH TIME ZONE' },
    ]);
  });

  it('a plain TIMESTAMP AT TIME ZONE goes the other way in DuckDB (so the guard rejects it)', async () => {
    // Prepare: Trino reads TIMESTAMP '2024-03-19 20:30:00' as UTC and gives 2024-03-20 00:00 in Tehran.
    const sql = "SELECT TIMESTAMP '2024-03-19 20:30:00' AT TIME ZONE 'Asia/Tehran' AS t";
    // Act
    const row = await one(sql);
    const findings = checkStatement(sql);
    // Assess: DuckDB reads it as Tehran wall-clock time: the UTC instant 17:00.
    expect(row.t).toBe('2024-03-19T17:00:00.000Z');
    expect(findings.map((f) => f.rule)).toEqual(['naive-at-time-zone']);
  });
});

describe('arithmetic and NULLs', () => {
  it('integer division: DuckDB gives 0.333…, Trino 0, so only the guard keeps queries/ safe', async () => {
    // Prepare
    const sql =
      'SELECT 1/3 AS slash, 7/2 AS seven_halves, 1//3 AS truncating, CAST(1 AS DOUBLE)/3 AS cast_double';
    // Act
    const row = await one(sql);
    const findings = checkStatement(
      'SELECT 1/3 AS slash, 7/2 AS seven_halves, CAST(1 AS DOUBLE)/3 AS cast_double',
    );
    // Assess: Trino gives slash 0 and seven_halves 3; CAST(1 AS DOUBLE)/3 is 0.333… in both.
    expect(row.slash).toBeCloseTo(1 / 3, 12);
    expect(row.seven_halves).toBe(3.5);
    expect(row.truncating).toBe(0);
    expect(row.cast_double).toBeCloseTo(1 / 3, 12);
    expect(findings.map((f) => [f.rule, f.text])).toEqual([
      ['integer-division', '1/3'],
      ['integer-division', '7/2'],
    ]);
  });

  it('count_if counts only TRUE, sum of nothing is NULL, coalesce picks the first non-NULL (as in Trino)', async () => {
    // Prepare
    const sql = [
      'SELECT count_if(b) AS true_count, count(b) AS non_null, sum(x) AS total, coalesce(sum(x), 0) AS total_or_zero,',
      '  coalesce(max(n) <= 1, false) AS unknown_is_false',
      'FROM (VALUES (true, CAST(NULL AS DOUBLE), CAST(NULL AS BIGINT)), (false, NULL, NULL), (NULL, NULL, NULL)) AS t (b, x, n)',
    ].join('\n');
    // Act
    const row = await one(sql);
    // Assess
    expect(row).toEqual({
      true_count: 1,
      non_null: 2,
      total: null,
      total_or_zero: 0,
      unknown_is_false: false,
    });
  });

  it('DuckDB supports MERGE INTO (1.4 and later), which every KPI statement is', async () => {
    // Act
    const row = await one('SELECT library_version AS version FROM pragma_version()');
    // Assess
    const [major, minor] = String(row.version).replace(/^v/, '').split('.').map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 4)).toBe(true);
  });
});

describe('Parquet written by functions/core/parquet.ts', () => {
  it('reads a timestamp column as TIMESTAMP WITH TIME ZONE in DuckDB, at the same instant', async () => {
    // Prepare
    const path = join(home, 'sample.parquet');
    const chunks: Uint8Array[] = [];
    const sink: ObjectSink = {
      write: async (chunk) => {
        chunks.push(chunk);
      },
      commit: async () => writeFile(path, Buffer.concat(chunks)),
      abort: async () => {},
    };
    const columns: ColumnDef[] = [
      { name: 'happened_at', kind: 'timestamp', required: true },
      { name: 'n', kind: 'integer', required: false },
      { name: 'x', kind: 'number', required: false },
    ];
    const writer = new ParquetRowWriter(columns, sink);
    await writer.append({ happened_at: Date.parse('2024-03-19T20:30:00.123Z'), n: 7, x: 0.5 });
    await writer.close();
    // Act
    const types = await engine.query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const row = await one(
      `SELECT CAST(happened_at AT TIME ZONE 'Asia/Tehran' AS VARCHAR) AS local_time, happened_at AS instant FROM read_parquet('${path}')`,
    );
    // Assess
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual([
      ['happened_at', 'TIMESTAMP WITH TIME ZONE'],
      ['n', 'BIGINT'],
      ['x', 'DOUBLE'],
    ]);
    expect(row).toEqual({ local_time: '2024-03-20 00:00:00.123', instant: '2024-03-19T20:30:00.123Z' });
  });
});
