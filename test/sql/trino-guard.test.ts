/**
 * The Trino guard on every statement a run renders, and the guard's own behaviour.
 *
 * queries/ is Athena (engine 3, Trino) SQL that the tests run on DuckDB, which is more lenient. Each
 * statement of a day run and a month run, with the default configuration and with non-default
 * thresholds, must parse with the Trino grammar, call only functions Athena engine 3 documents, and
 * contain no division Trino could truncate (see test/support/trino-guard.ts).
 */
import { describe, expect, it } from 'vitest';
import { COMPAT_MACROS } from '../../functions/adapters/duckdb.ts';
import { loadQueryTemplates } from '../../functions/adapters/queries-fs.ts';
import { FAMILIES, type Grain, kpisOfFamily } from '../../functions/core/catalog.ts';
import { type Config, defaultConfig, validateConfig } from '../../functions/core/config.ts';
import { planRun } from '../../functions/core/run.ts';
import {
  ATHENA_ENGINE3_FUNCTIONS,
  ATHENA_ENGINE3_RELATIONS,
  DUCKDB_ONLY_EXAMPLES,
} from '../support/athena-functions.ts';
import { checkStatement, formatFindings, type GuardFinding } from '../support/trino-guard.ts';

const templates = loadQueryTemplates();

const CONFIGS: Record<string, Config> = {
  'default config': defaultConfig(),
  'non-default thresholds': validateConfig({
    timezone: 'Asia/Tehran',
    thresholds: {
      serviceLevelSeconds: 30.5,
      shortAbandonSeconds: 0,
      repeatContactDays: 3,
      dormantDays: 45,
      firstResponseMinutes: { phone: 2.5, email: 720, chat: 1.25 },
    },
  }),
};

/** A day run over three days and a month run over two months: VALUES lists of several periods. */
const RUNS: { grain: Grain; from: string; to: string }[] = [
  { grain: 'day', from: '2024-03-19', to: '2024-03-21' },
  { grain: 'month', from: '2024-01-15', to: '2024-02-10' },
];

function render(config: Config, run: (typeof RUNS)[number]) {
  return planRun(templates, {
    ...run,
    config,
    asOf: '2024-04-01T06:00:00Z',
    lakeSchema: 'servicepulse_lake',
    resultsSchema: 'servicepulse_results',
  }).statements;
}

const rules = (findings: readonly GuardFinding[]) => findings.map((f) => f.rule);

describe('every rendered statement passes the Trino guard', () => {
  for (const [configName, config] of Object.entries(CONFIGS)) {
    for (const run of RUNS) {
      const statements = render(config, run);

      it(`${configName}, ${run.grain} run: one statement per family with ${run.grain} KPIs`, () => {
        // Prepare
        const expected = FAMILIES.filter((f) => kpisOfFamily(f, run.grain).length > 0);
        // Act
        const families = statements.map((s) => s.family);
        // Assess
        expect(families).toEqual(expected);
      });

      for (const statement of statements) {
        it(`${configName}, ${run.grain} run: ${statement.family}`, () => {
          // Prepare
          const label = `queries/kpi/${statement.family}.sql (as rendered, ${run.grain}) `;
          // Act
          const findings = checkStatement(statement.sql);
          // Assess
          expect(findings, formatFindings(findings, label)).toEqual([]);
        });
      }
    }
  }
});

describe('the guard catches', () => {
  it('an integer literal divided by an integer literal', () => {
    // Prepare
    const sql = 'SELECT 1/3';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'integer-division',
        severity: 'error',
        line: 1,
        column: 8,
        text: '1/3',
      }),
    ]);
    expect(findings[0]!.message).toContain('Trino truncates');
  });

  it('count(*) / count(x)', () => {
    // Prepare
    const sql = 'SELECT count(*) / count(x) FROM t';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'integer-division', text: 'count(*) / count(x)' }),
    ]);
  });

  it('an integer division through aliases of another CTE (count_if, date_diff, sum of integers)', () => {
    // Prepare
    const sql = [
      'WITH m AS (',
      '  SELECT count_if(answered) AS answered, count(*) AS calls,',
      "    sum(date_diff('second', started_at, ended_at)) AS seconds",
      '  FROM servicepulse_lake.calls',
      ')',
      'SELECT m.answered / nullif(m.calls, 0) AS a, seconds / 60 AS b FROM m',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.map((f) => [f.rule, f.line, f.column, f.text])).toEqual([
      ['integer-division', 6, 8, 'm.answered / nullif(m.calls, 0)'],
      ['integer-division', 6, 46, 'seconds / 60'],
    ]);
  });

  it('integer lake columns (contract kind integer), but not number columns', () => {
    // Prepare
    const integers = 'SELECT agent_messages / contacts FROM servicepulse_lake.tickets';
    const numbers = 'SELECT talk_seconds / 60 FROM servicepulse_lake.calls';
    // Act
    const a = checkStatement(integers);
    const b = checkStatement(numbers);
    // Assess
    expect(rules(a)).toEqual(['integer-division']);
    expect(b).toEqual([]);
  });

  it('a division it cannot prove non-integer (unknown / integer, unknown / unknown)', () => {
    // Prepare
    const sql = 'SELECT mystery / 2, x / y FROM t';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(rules(findings)).toEqual(['integer-division', 'integer-division']);
    expect(findings[0]!.message).toContain('not provably non-integer (left unknown, right integer)');
  });

  it('the pattern of queries/ without its DOUBLE casts: integer counts re-selected under the same name', () => {
    // Prepare
    const sql = [
      'WITH m AS (SELECT count_if(a) AS hits, count(*) AS n FROM servicepulse_lake.calls),',
      'v AS (',
      "  SELECT CASE k.kind WHEN 'rate' THEN m.hits END AS numerator, CASE k.kind WHEN 'rate' THEN m.n END AS denominator",
      "  FROM m CROSS JOIN (VALUES ('rate')) AS k (kind)",
      '), w AS (',
      '  SELECT CASE WHEN numerator IS NULL THEN NULL ELSE numerator END AS numerator, denominator FROM v',
      ')',
      'SELECT 100 * numerator / nullif(denominator, 0) AS value FROM w',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'integer-division',
        line: 8,
        text: '100 * numerator / nullif(denominator, 0)',
      }),
    ]);
  });

  it('a name two CTEs define with different types (which one is meant is not resolved)', () => {
    // Prepare: `x` is a DOUBLE in a and an integer in b; the division reads b's.
    const sql = [
      'WITH a AS (SELECT CAST(v AS DOUBLE) AS x FROM t), b AS (SELECT count(*) AS x FROM t)',
      'SELECT b.x / 2 FROM b',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'integer-division', message: expect.stringContaining('left unknown') }),
    ]);
  });

  it('a decimal literal in a division (warning: Trino makes it DECIMAL, fixing the scale)', () => {
    // Prepare
    const sql = 'SELECT 100.0 * a / b, 1.0 / 3 FROM t';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'decimal-literal', severity: 'warning', text: '100.0', column: 8 }),
      expect.objectContaining({ rule: 'decimal-literal', severity: 'warning', text: '1.0' }),
    ]);
    expect(findings[0]!.message).toBe('decimal literal in division: write CAST(... AS DOUBLE)');
  });

  it('a function Athena engine 3 does not provide (DuckDB list_aggr, strftime)', () => {
    // Prepare
    const sql = "SELECT list_aggr(x, 'sum'), strftime(ts, '%Y') FROM t";
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.map((f) => [f.rule, f.text])).toEqual([
      ['function', "list_aggr(x, 'sum')"],
      ['function', "strftime(ts, '%Y')"],
    ]);
  });

  it.each([
    ['a :: cast', 'SELECT x::int FROM t'],
    ['QUALIFY', 'SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1'],
    ['ILIKE', "SELECT a FROM t WHERE a ILIKE 'x%'"],
    ['SELECT * EXCLUDE', 'SELECT * EXCLUDE (a) FROM t'],
    ['FROM-first', 'FROM t SELECT x'],
    ['a list literal', 'SELECT [1, 2]'],
    ['a struct literal', "SELECT {'a': 1}"],
  ])('DuckDB-only syntax: %s', (_, sql) => {
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(rules(findings))).toEqual(new Set(['syntax']));
  });

  it('a syntax error, with its position', () => {
    // Prepare
    const sql = 'SELECT a,\n  count(*\nFROM t';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toEqual(expect.objectContaining({ rule: 'syntax', severity: 'error', line: 3 }));
  });

  it('a DuckDB type name in a CAST (TIMESTAMPTZ, HUGEINT)', () => {
    // Prepare
    const sql = 'SELECT CAST(a AS TIMESTAMPTZ), CAST(b AS HUGEINT), CAST(c AS BIGINT) FROM t';
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.map((f) => [f.rule, f.text])).toEqual([
      ['type', 'TIMESTAMPTZ'],
      ['type', 'HUGEINT'],
    ]);
  });

  it.each([
    ['two arrays', "SELECT * FROM t CROSS JOIN UNNEST(ARRAY['a'], ARRAY[1]) AS k (name, n)", '2 arrays'],
    ['a table column', 'SELECT * FROM t CROSS JOIN UNNEST(t.tags) AS k (tag)', 'not the one alias'],
    [
      'a column two selects define',
      "WITH a AS (SELECT ARRAY[ROW('x', 1)] AS r), b AS (SELECT ARRAY[ROW('y', 2)] AS r FROM a) SELECT * FROM b CROSS JOIN UNNEST(b.r) AS k (name, n)",
      'not the one alias',
    ],
    ['a function result', "SELECT * FROM t CROSS JOIN UNNEST(split(t.s, ',')) AS k (part)", 'not an ARRAY'],
    ['an array of scalars', 'SELECT * FROM t CROSS JOIN UNNEST(ARRAY[1, 2]) AS k (n)', 'not ROW(...)'],
    [
      'a row without ROW',
      "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[('a', 1)]) AS k (name, n)",
      'not ROW(...)',
    ],
    [
      'an alias per field missing',
      "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[ROW('a', 1)]) AS k (name)",
      '1 column aliases',
    ],
    ['no column aliases', "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[ROW('a', 1)]) AS k", '0 column aliases'],
    [
      'WITH ORDINALITY',
      "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[ROW('a', 1)]) WITH ORDINALITY AS k (name, n, i)",
      'WITH ORDINALITY',
    ],
  ])('an UNNEST the DuckDB macro does not reproduce: %s', (_, sql, why) => {
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(rules(findings)).toEqual(['unnest']);
    expect(findings[0]!.message).toContain(why);
  });

  it('a division by an UNNEST column whose fields are integers in every row', () => {
    // Prepare
    const sql = [
      'WITH m AS (SELECT count(*) AS n, count_if(a) AS hits FROM t)',
      "SELECT k.hits / k.n FROM m CROSS JOIN UNNEST(ARRAY[ROW('x', m.hits, m.n), ROW('y', 1, 2)]) AS k (id, hits, n)",
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings.map((f) => [f.rule, f.text])).toEqual([['integer-division', 'k.hits / k.n']]);
  });

  it('AT TIME ZONE on a plain TIMESTAMP literal (Athena: UTC → local; DuckDB: local → UTC)', () => {
    // Prepare
    const naive = "SELECT TIMESTAMP '2024-03-19 20:30:00' AT TIME ZONE 'Asia/Tehran'";
    const column =
      "SELECT CAST(created_at AT TIME ZONE 'Asia/Tehran' AS date) FROM servicepulse_lake.tickets";
    // Act
    const a = checkStatement(naive);
    const b = checkStatement(column);
    // Assess
    expect(rules(a)).toEqual(['naive-at-time-zone']);
    expect(b).toEqual([]);
  });
});

describe('the guard passes', () => {
  it.each([
    ['CAST(a AS DOUBLE) / b', 'SELECT CAST(a AS DOUBLE) / b FROM t'],
    ['sum(x) / nullif(CAST(n AS DOUBLE), 0)', 'SELECT sum(x) / nullif(CAST(n AS DOUBLE), 0) FROM t'],
    ['a double CAST of a date_diff', "SELECT CAST(date_diff('millisecond', a, b) AS DOUBLE) / 60000 FROM t"],
    ['avg() of integers', 'SELECT avg(contacts) / 2 FROM servicepulse_lake.tickets'],
    ['a DOUBLE placeholder value', 'SELECT count(*) / CAST(20 AS DOUBLE) FROM t'],
    ['a double literal (1e2)', 'SELECT count(*) / 1e2 FROM t'],
  ])('%s', (_, sql) => {
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([]);
  });

  it('the pattern of queries/: CASE of DOUBLE casts, re-selected under the same name, over nullif', () => {
    // Prepare
    const sql = [
      'WITH m AS (SELECT count_if(a) AS hits, count(*) AS n, sum(talk_seconds) AS talk FROM servicepulse_lake.calls),',
      'v AS (',
      '  SELECT k.kind,',
      "    CASE k.kind WHEN 'rate' THEN CAST(m.hits AS DOUBLE) WHEN 'mean' THEN m.talk END AS numerator,",
      "    CASE k.kind WHEN 'rate' THEN CAST(m.n AS DOUBLE) END AS denominator",
      "  FROM m CROSS JOIN (VALUES ('rate'), ('mean')) AS k (kind)",
      '), w AS (',
      "  SELECT kind, CASE WHEN kind = 'count' THEN NULL ELSE numerator END AS numerator, denominator FROM v",
      ')',
      'SELECT 100 * numerator / nullif(denominator, 0) AS value, numerator / nullif(denominator, 0) AS mean FROM w',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([]);
  });

  it('the pattern of queries/: UNNEST of an array column, the alias of an ARRAY[ROW(...), ...]', () => {
    // Prepare
    const sql = [
      'WITH m AS (SELECT count_if(a) AS hits, count(*) AS n FROM servicepulse_lake.calls),',
      'r AS (',
      "  SELECT ARRAY[ROW('rate', CAST(m.hits AS DOUBLE), CAST(m.n AS DOUBLE)), ROW('count', 1, NULL)] AS kpis",
      '  FROM m',
      ')',
      'SELECT k.kpi_id, numerator / nullif(denominator, 0) AS value',
      'FROM r CROSS JOIN UNNEST(r.kpis) AS k (kpi_id, numerator, denominator)',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([]);
  });

  it('the pattern of queries/: UNNEST of ROWs whose fields are DOUBLE in some row, NULL or integer in others', () => {
    // Prepare: Trino coerces the array's rows to one type, so `numerator` is DOUBLE in every row.
    const sql = [
      'WITH m AS (SELECT count_if(a) AS hits, count(*) AS n, sum(talk_seconds) AS talk FROM servicepulse_lake.calls)',
      'SELECT k.kpi_id, 100 * k.numerator / nullif(k.denominator, 0) AS value',
      'FROM m CROSS JOIN UNNEST(ARRAY[',
      "  ROW('rate', CAST(m.hits AS DOUBLE), CAST(m.n AS DOUBLE), m.n),",
      "  ROW('mean', m.talk, NULL, m.n),",
      "  ROW('count', 1, NULL, m.hits)",
      ']) AS k (kpi_id, numerator, denominator, sample_size)',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([]);
  });

  it('special forms Athena provides: GROUPING, EXTRACT, coalesce, nullif, AT TIME ZONE on a column', () => {
    // Prepare
    const sql = [
      "SELECT grouping(channel) AS g, extract(year FROM created_at AT TIME ZONE 'Asia/Tehran') AS y,",
      "  coalesce(team, '(none)') AS team, nullif(contacts, 0) AS c",
      'FROM servicepulse_lake.tickets GROUP BY GROUPING SETS ((channel), (team, contacts, created_at))',
    ].join('\n');
    // Act
    const findings = checkStatement(sql);
    // Assess
    expect(findings).toEqual([]);
  });
});

describe('the allow-list', () => {
  it('has every Trino function the DuckDB compatibility layer emulates', () => {
    // Act
    const missing = COMPAT_MACROS.filter((m) => m.kind !== 'table')
      .map((m) => m.name)
      .filter((n) => !ATHENA_ENGINE3_FUNCTIONS.has(n));
    // Assess
    expect(missing).toEqual([]);
  });

  it('has every Trino FROM-clause form a table macro emulates among the relations, not the functions', () => {
    // Act
    const tables = COMPAT_MACROS.filter((m) => m.kind === 'table').map((m) => m.name);
    // Assess
    expect(tables.filter((n) => !ATHENA_ENGINE3_RELATIONS.has(n))).toEqual([]);
    expect(tables.filter((n) => ATHENA_ENGINE3_FUNCTIONS.has(n))).toEqual([]);
  });

  it('has none of the DuckDB-only functions', () => {
    // Act
    const present = DUCKDB_ONLY_EXAMPLES.filter((n) => ATHENA_ENGINE3_FUNCTIONS.has(n));
    // Assess
    expect(present).toEqual([]);
  });

  it('is lower case', () => {
    // Act
    const notLower = [...ATHENA_ENGINE3_FUNCTIONS].filter((n) => n !== n.toLowerCase());
    // Assess
    expect(notLower).toEqual([]);
  });
});
