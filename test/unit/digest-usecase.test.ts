/**
 * runDigest end to end on DuckDB: hand-made kpi_results rows in an in-memory database, a lake of
 * Parquet partitions made here (for freshness), the outbox in a temporary home. Every statement the
 * use case runs also passes the Trino guard, so what runs on DuckDB here runs on Athena too.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { OutboxDelivery } from '../../functions/adapters/outbox.ts';
import { type ColumnKind, curatedColumns, type Entity } from '../../functions/core/contracts.ts';
import { DigestError, flagStatements, runDigest } from '../../functions/core/digest/usecase.ts';
import type { MailDelivery, MailMessage, QueryEngine, SqlRow } from '../../functions/core/ports.ts';
import { KPI_RESULTS_COLUMNS, type KpiResultRow } from '../../functions/core/results.ts';
import { sqlDate, sqlDouble, sqlString, sqlTimestamp } from '../../functions/core/sql/render.ts';
import { addDays } from '../../functions/core/time.ts';
import { FIXTURE_AS_OF, FIXTURE_DAY, fixtureConfig, fixtureRows } from '../support/digest-fixture.ts';
import { checkStatement, formatFindings } from '../support/trino-guard.ts';

let home: string;
let engine: DuckDbEngine;
let statements: string[];
let recording: QueryEngine;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sp-digest-'));
  engine = await DuckDbEngine.open({ database: ':memory:', lakeRoot: home });
  statements = [];
  recording = {
    name: 'duckdb',
    query: (sql: string) => {
      statements.push(sql);
      return engine.query(sql);
    },
    close: () => engine.close(),
  };
});

afterEach(async () => {
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

async function insertResults(rows: readonly KpiResultRow[]): Promise<void> {
  const lit = (type: string, v: unknown) => {
    if (v === null || v === undefined) return 'NULL';
    if (type === 'string') return sqlString(String(v));
    if (type === 'date') return sqlDate(String(v));
    if (type === 'timestamp') return sqlTimestamp(String(v));
    if (type === 'double') return sqlDouble(Number(v));
    return String(v);
  };
  const values = rows.map(
    (r) =>
      `(${KPI_RESULTS_COLUMNS.map((c) => lit(c.type, (r as unknown as Record<string, unknown>)[c.name])).join(', ')})`,
  );
  await engine.run(`INSERT INTO results.kpi_results VALUES ${values.join(',\n')}`);
}

const DUCK: Record<ColumnKind, string> = {
  string: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
};

/** Writes `n` (empty) records of an entity into its `dt` partition as Parquet. */
async function lakePartition(entity: Entity, dt: string, n: number): Promise<void> {
  const dir = join(home, 'lake', entity, `dt=${dt}`);
  await mkdir(dir, { recursive: true });
  const cols = curatedColumns(entity).map((c) => `CAST(NULL AS ${DUCK[c.kind]}) AS ${c.name}`);
  await engine.run(
    `COPY (SELECT ${cols.join(', ')} FROM range(${n})) TO '${join(dir, 'part-0.parquet')}' (FORMAT parquet)`,
  );
}

function outbox(): OutboxDelivery {
  return new OutboxDelivery(new FileSystemStore(home));
}

async function flags(): Promise<SqlRow[]> {
  return engine.query(
    `SELECT kpi_id, dimension, dimension_value, status, value, target_min, target_warn, previous_value, consecutive_breaches, CAST(evaluated_at AS VARCHAR) AS evaluated_at FROM results.kpi_flags WHERE period_start = DATE '${FIXTURE_DAY}' ORDER BY kpi_id, dimension, dimension_value`,
  );
}

describe('runDigest on DuckDB', () => {
  it('evaluates, writes kpi_flags, and files one message per recipient language', async () => {
    // Prepare
    await insertResults(fixtureRows('day', FIXTURE_DAY));
    // Act
    const result = await runDigest({
      engine: recording,
      resultsSchema: 'results',
      lakeSchema: 'lake',
      config: fixtureConfig(),
      grain: 'day',
      date: FIXTURE_DAY,
      asOf: FIXTURE_AS_OF,
      outbox: outbox(),
    });
    // Assess: flags
    const rows = await flags();
    expect(result.flagsWritten).toBe(52);
    expect(rows).toHaveLength(52);
    const sl = rows.find((r) => r.kpi_id === 'service_level_pct' && r.dimension === 'all')!;
    expect(sl).toMatchObject({
      status: 'breach',
      value: 68.5,
      target_min: 80,
      target_warn: 85,
      previous_value: 70,
      consecutive_breaches: 3,
      evaluated_at: '2024-03-21 02:30:00',
    });
    expect(rows.find((r) => r.kpi_id === 'abandonment_rate_pct')!.status).toBe('warn');
    expect(rows.find((r) => r.dimension_value === 'a-007')!.status).toBe('breach');
    // Assess: messages
    expect(result.summaryLine).toBe('2 of 47 KPIs off target');
    expect(result.gaps).toEqual([]);
    expect(result.messages.map((m) => [m.lang, m.to.length, m.name])).toEqual([
      ['en', 1, '2024-03-20-day-en'],
      ['fa', 1, '2024-03-20-day-fa'],
      ['zh', 1, '2024-03-20-day-zh'],
    ]);
    for (const m of result.messages) {
      expect(m.htmlBytes).toBeLessThan(100 * 1024);
      expect(m.charts).toBe(3);
      expect(m.delivered).toBeUndefined();
    }
    const files = (await readdir(join(home, 'outbox'))).sort();
    for (const lang of ['en', 'fa', 'zh']) {
      expect(files).toContain(`2024-03-20-day-${lang}.eml`);
      expect(files).toContain(`2024-03-20-day-${lang}.html`);
      expect(files).toContain(`2024-03-20-day-${lang}.txt`);
    }
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(9);
    const eml = await simpleParser(await readFile(join(home, 'outbox', '2024-03-20-day-fa.eml')));
    expect(eml.to && !Array.isArray(eml.to) ? eml.to.value[0]!.name : '').toBe('مریم رضایی');
  });

  it('replaces the period flags on a rerun, never duplicating them', async () => {
    // Prepare
    await insertResults(fixtureRows('day', FIXTURE_DAY));
    const req = {
      engine: recording,
      resultsSchema: 'results',
      lakeSchema: 'lake',
      config: fixtureConfig(),
      grain: 'day' as const,
      date: FIXTURE_DAY,
      asOf: FIXTURE_AS_OF,
      outbox: outbox(),
    };
    await runDigest(req);
    await engine.run(
      `UPDATE results.kpi_results SET value = 90 WHERE kpi_id = 'service_level_pct' AND dimension = 'all' AND period_start = DATE '${FIXTURE_DAY}'`,
    );
    // Act
    await runDigest({ ...req, asOf: '2024-03-21T05:00:00Z' });
    // Assess
    const rows = await flags();
    expect(rows).toHaveLength(52);
    const sl = rows.find((r) => r.kpi_id === 'service_level_pct' && r.dimension === 'all')!;
    expect(sl.status).toBe('ok');
    expect(sl.evaluated_at).toBe('2024-03-21 05:00:00');
    const other = await engine.query(
      `SELECT count(*) AS n FROM results.kpi_flags WHERE period_start <> DATE '${FIXTURE_DAY}'`,
    );
    expect(other[0]!.n).toBe(0);
  });

  it('names a source missing from the lake and shows its KPIs as data missing', async () => {
    // Prepare: 14 days of tickets and calls, then calls only on the day
    await insertResults(fixtureRows('day', FIXTURE_DAY));
    for (let i = 1; i <= 14; i++) {
      await lakePartition('tickets', addDays(FIXTURE_DAY, -i), 40);
      await lakePartition('calls', addDays(FIXTURE_DAY, -i), 30);
    }
    await lakePartition('calls', FIXTURE_DAY, 28);
    await engine.refreshLake();
    // Act
    const result = await runDigest({
      engine: recording,
      resultsSchema: 'results',
      lakeSchema: 'lake',
      config: fixtureConfig(),
      grain: 'day',
      date: FIXTURE_DAY,
      lang: 'en',
      asOf: FIXTURE_AS_OF,
      outbox: outbox(),
    });
    // Assess
    expect(result.gaps).toEqual([{ entity: 'tickets', count: 0, average: 40, kind: 'none' }]);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.to).toHaveLength(3);
    const html = await readFile(join(home, 'outbox', '2024-03-20-day-en.html'), 'utf8');
    expect(html).toContain('Tickets: no records for the reported day (usually about 40)');
    const rows = await flags();
    const ticketFlags = rows.filter((r) => r.kpi_id === 'tickets_created');
    expect(ticketFlags.every((r) => r.status === 'no_data')).toBe(true);
  });

  it('runs only statements the Trino guard accepts', async () => {
    // Prepare
    await insertResults(fixtureRows('day', FIXTURE_DAY, 3));
    // Act
    await runDigest({
      engine: recording,
      resultsSchema: 'results',
      lakeSchema: 'lake',
      config: fixtureConfig(),
      grain: 'month',
      date: '2024-03-20',
      asOf: FIXTURE_AS_OF,
      outbox: outbox(),
    });
    // Assess
    expect(statements.map((s) => s.split(/\s+/)[0])).toEqual(['SELECT', 'SELECT', 'DELETE', 'INSERT']);
    for (const sql of statements) {
      const errors = checkStatement(sql).filter((f) => f.severity === 'error');
      expect(errors, formatFindings(errors, sql.slice(0, 80))).toEqual([]);
    }
  });

  it('files the message and then fails clearly when asked to send without recipients', async () => {
    // Prepare
    const sent: MailMessage[] = [];
    const deliver: MailDelivery = {
      deliver: async (m) => {
        sent.push(m);
        return 'id';
      },
    };
    const config = fixtureConfig({ digest: { recipients: [] } });
    // Act
    const run = runDigest({
      engine: recording,
      resultsSchema: 'results',
      lakeSchema: 'lake',
      config,
      grain: 'day',
      date: FIXTURE_DAY,
      asOf: FIXTURE_AS_OF,
      deliver,
      outbox: outbox(),
    });
    // Assess
    await expect(run).rejects.toThrow(DigestError);
    await expect(run).rejects.toThrow(/no recipients configured \(digest\.recipients\)/);
    expect(sent).toEqual([]);
    expect(await readdir(join(home, 'outbox'))).toContain('2024-03-20-day-en.eml');
  });
});

describe('flagStatements', () => {
  it('deletes the period, then inserts in chunks under Athena’s query size limit', () => {
    // Prepare
    const flag = {
      kpi_id: 'avg_handle_time_seconds',
      grain: 'day' as const,
      period_start: FIXTURE_DAY,
      dimension: 'agent',
      dimension_value: 'agent-with-a-long-name-0000',
      status: 'ok' as const,
      value: 300.5,
      target_min: null,
      target_max: 360,
      target_warn: null,
      previous_value: 290,
      change: 10.5,
      consecutive_breaches: 0,
      evaluated_at: FIXTURE_AS_OF,
    };
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...flag, dimension_value: `agent-${i}'s` }));
    // Act
    const sql = flagStatements('servicepulse', 'day', { start: FIXTURE_DAY, end: FIXTURE_DAY }, many);
    // Assess
    expect(sql[0]).toBe(
      "DELETE FROM servicepulse.kpi_flags WHERE grain = 'day' AND period_start = DATE '2024-03-20'",
    );
    expect(sql.length).toBeGreaterThan(2);
    for (const s of sql) expect(s.length).toBeLessThanOrEqual(200_000);
    const inserted = sql.slice(1).reduce((n, s) => n + (s.match(/^\('/gm) ?? []).length, 0);
    expect(inserted).toBe(3000);
    expect(sql[1]).toContain("'agent-0''s'");
    expect(sql[1]).toContain('CAST(300.5 AS DOUBLE)');
    expect(sql[1]).toContain("TIMESTAMP '2024-03-21 02:30:00.000'");
  });
});
