import { describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { CATALOG } from '../../functions/core/catalog.ts';
import { KPI_DEFINITIONS_COLUMNS } from '../../functions/core/results.ts';
import {
  type Chunk,
  chunkRange,
  definitionsStatement,
  digestPeriod,
  ICEBERG_PARTITION_LIMIT,
  maintenanceStatements,
  monthEnd,
  monthsTouched,
  planSchedule,
  ScheduleError,
} from '../../functions/core/schedule.ts';
import { periodsBetween } from '../../functions/core/sql/render.ts';
import { addDays } from '../../functions/core/time.ts';
import { checkStatement, formatFindings } from '../support/trino-guard.ts';

const config = (trailingDays: number) => ({ recompute: { trailingDays } });

/** Every period the chunks compute, in order. */
function periodsOf(chunks: Chunk[]) {
  return chunks.flatMap((c) => periodsBetween(c.grain, c.from, c.to).map((p) => ({ grain: c.grain, ...p })));
}

describe('planSchedule: daily', () => {
  it('computes the reported day and the trailing recompute window', () => {
    // Prepare
    const request = { kind: 'daily' as const, date: '2024-05-20', config: config(3) };

    // Act
    const chunks = planSchedule(request);

    // Assess
    expect(chunks).toEqual([{ grain: 'day', from: '2024-05-17', to: '2024-05-20' }]);
  });

  it('recomputes only the day itself when trailingDays is 0', () => {
    // Prepare / Act
    const chunks = planSchedule({ kind: 'daily', date: '2024-05-20', config: config(0) });

    // Assess
    expect(chunks).toEqual([{ grain: 'day', from: '2024-05-20', to: '2024-05-20' }]);
  });

  it('also refreshes a month the monthly run already closed when the window reaches into it', () => {
    // Prepare: run on 2 April reports 1 April; the window reaches back to 29 March.
    const request = { kind: 'daily' as const, date: '2024-04-01', config: config(3) };

    // Act
    const chunks = planSchedule(request);

    // Assess: the day chunk crosses the month boundary (two Iceberg partitions), then March again.
    expect(chunks).toEqual([
      { grain: 'day', from: '2024-03-29', to: '2024-04-01' },
      { grain: 'month', from: '2024-03-01', to: '2024-03-31' },
    ]);
  });

  it('leaves a month ending on the reported day to the monthly run', () => {
    // Prepare: run on 1 April reports 31 March; the monthly run computes March the same morning.
    const request = { kind: 'daily' as const, date: '2024-03-31', config: config(3) };

    // Act
    const chunks = planSchedule(request);

    // Assess
    expect(chunks).toEqual([{ grain: 'day', from: '2024-03-28', to: '2024-03-31' }]);
  });

  it('crosses a year boundary', () => {
    // Prepare / Act
    const chunks = planSchedule({ kind: 'daily', date: '2025-01-02', config: config(5) });

    // Assess
    expect(chunks).toEqual([
      { grain: 'day', from: '2024-12-28', to: '2025-01-02' },
      { grain: 'month', from: '2024-12-01', to: '2024-12-31' },
    ]);
  });

  it('rejects a missing or impossible date', () => {
    // Prepare / Act / Assess
    expect(() => planSchedule({ kind: 'daily', config: config(3) })).toThrow(/date is required/);
    expect(() => planSchedule({ kind: 'daily', date: '2024-02-30', config: config(3) })).toThrow(
      ScheduleError,
    );
  });
});

describe('planSchedule: monthly', () => {
  it('computes the whole month of the date', () => {
    // Prepare / Act
    const chunks = planSchedule({ kind: 'monthly', date: '2024-02-29', config: config(3) });

    // Assess
    expect(chunks).toEqual([{ grain: 'month', from: '2024-02-01', to: '2024-02-29' }]);
  });
});

describe('planSchedule: backfill', () => {
  it('chunks a long day backfill by calendar months, each chunk within the partition limit', () => {
    // Prepare
    const request = {
      kind: 'backfill' as const,
      from: '2015-03-15',
      to: '2024-11-10',
      grain: 'day' as const,
      config: config(3),
    };

    // Act
    const chunks = planSchedule(request);

    // Assess: contiguous, no overlap, ends kept exact, every chunk ≤ 12 months (≤ 100 partitions)
    expect(chunks[0]!.from).toBe('2015-03-15');
    expect(chunks.at(-1)!.to).toBe('2024-11-10');
    for (const [i, c] of chunks.entries()) {
      expect(c.grain).toBe('day');
      expect(monthsTouched(c.from, c.to)).toBeLessThanOrEqual(12);
      expect(monthsTouched(c.from, c.to)).toBeLessThanOrEqual(ICEBERG_PARTITION_LIMIT);
      if (i > 0) expect(c.from).toBe(addDays(chunks[i - 1]!.to, 1));
    }
    expect(periodsOf(chunks)).toEqual(
      periodsBetween('day', '2015-03-15', '2024-11-10').map((p) => ({ grain: 'day', ...p })),
    );
  });

  it('chunks month backfills into whole months', () => {
    // Prepare / Act
    const chunks = planSchedule({
      kind: 'backfill',
      from: '2023-11-20',
      to: '2025-02-03',
      grain: 'month',
      config: config(3),
      maxMonthsPerChunk: 6,
    });

    // Assess
    expect(chunks).toEqual([
      { grain: 'month', from: '2023-11-01', to: '2024-04-30' },
      { grain: 'month', from: '2024-05-01', to: '2024-10-31' },
      { grain: 'month', from: '2024-11-01', to: '2025-02-28' },
    ]);
  });

  it('computes both grains when no grain is given, days first', () => {
    // Prepare / Act
    const chunks = planSchedule({
      kind: 'backfill',
      from: '2024-01-10',
      to: '2024-02-05',
      config: config(3),
    });

    // Assess
    expect(chunks).toEqual([
      { grain: 'day', from: '2024-01-10', to: '2024-02-05' },
      { grain: 'month', from: '2024-01-01', to: '2024-02-29' },
    ]);
  });

  it('honours maxMonthsPerChunk up to the partition limit and no further', () => {
    // Prepare
    const base = {
      kind: 'backfill' as const,
      from: '2015-01-01',
      to: '2024-12-31',
      grain: 'day' as const,
      config: config(3),
    };

    // Act
    const widest = planSchedule({ ...base, maxMonthsPerChunk: ICEBERG_PARTITION_LIMIT });

    // Assess
    expect(widest.map((c) => monthsTouched(c.from, c.to))).toEqual([100, 20]);
    expect(() => planSchedule({ ...base, maxMonthsPerChunk: 101 })).toThrow(/1 to 100/);
    expect(() => planSchedule({ ...base, maxMonthsPerChunk: 0 })).toThrow(ScheduleError);
  });

  it('names the field that is wrong', () => {
    // Prepare / Act / Assess
    expect(() => planSchedule({ kind: 'backfill', to: '2024-01-01', config: config(3) })).toThrow(
      /from is required/,
    );
    expect(() =>
      planSchedule({ kind: 'backfill', from: '2024-13-01', to: '2024-12-01', config: config(3) }),
    ).toThrow(/from is not a calendar date/);
    expect(() =>
      planSchedule({ kind: 'backfill', from: '2024-02-01', to: '2024-01-01', config: config(3) }),
    ).toThrow(/after/);
    expect(() =>
      planSchedule({
        kind: 'backfill',
        from: '2024-01-01',
        to: '2024-01-02',
        grain: 'week' as never,
        config: config(3),
      }),
    ).toThrow(/grain must be one of day, month/);
    expect(() => planSchedule({ kind: 'hourly' as never, config: config(3) })).toThrow(/kind must be one of/);
  });
});

describe('chunkRange', () => {
  it('never yields a chunk that writes more Iceberg partitions than allowed', () => {
    // Prepare: every start day of a year against a few lengths and chunk sizes
    const sizes = [1, 5, 12, 100];
    for (let d = 0; d < 366; d += 7) {
      const from = addDays('2020-01-01', d);
      for (const len of [0, 30, 400, 3000]) {
        const to = addDays(from, len);
        for (const size of sizes) {
          // Act
          const chunks = chunkRange('day', from, to, size);

          // Assess
          expect(chunks.every((c) => monthsTouched(c.from, c.to) <= size)).toBe(true);
          expect(chunks[0]!.from).toBe(from);
          expect(chunks.at(-1)!.to).toBe(to);
        }
      }
    }
  });

  it('ends chunks on the last day of a month', () => {
    // Prepare / Act
    const chunks = chunkRange('day', '2024-01-31', '2024-03-01', 1);

    // Assess
    expect(chunks).toEqual([
      { grain: 'day', from: '2024-01-31', to: '2024-01-31' },
      { grain: 'day', from: '2024-02-01', to: '2024-02-29' },
      { grain: 'day', from: '2024-03-01', to: '2024-03-01' },
    ]);
    expect(monthEnd('2023-02-10')).toBe('2023-02-28');
  });
});

describe('digestPeriod', () => {
  it('reports the day of a daily run, the month of a monthly run, nothing for a backfill', () => {
    // Prepare / Act / Assess
    expect(digestPeriod('daily', '2024-05-20')).toEqual({ grain: 'day', date: '2024-05-20' });
    expect(digestPeriod('monthly', '2024-04-30')).toEqual({ grain: 'month', date: '2024-04-01' });
    expect(digestPeriod('backfill', undefined)).toBeNull();
  });
});

describe('definitionsStatement', () => {
  it('merges one row per catalog KPI with every kpi_definitions column', () => {
    // Prepare / Act
    const sql = definitionsStatement('servicepulse');

    // Assess
    expect(sql).toMatch(/^-- kpi_definitions/);
    expect(sql).toContain('MERGE INTO servicepulse.kpi_definitions AS t');
    expect(sql).toContain(`AS v (${KPI_DEFINITIONS_COLUMNS.map((c) => c.name).join(', ')})`);
    for (const k of CATALOG) expect(sql).toContain(`('${k.id}', '${k.family}'`);
    expect(sql.match(/^ {4}\(/gm)).toHaveLength(CATALOG.length);
    // NULL targets are typed, so the VALUES rows agree on column types
    expect(sql).toContain('CAST(NULL AS DOUBLE)');
    expect(sql).not.toContain("'null'");
    // only changed rows are rewritten
    expect(sql).toMatch(/WHEN MATCHED AND \(\s+t\.family IS DISTINCT FROM s\.family/);
  });

  it('passes the Trino guard that keeps queries/ valid for Athena engine 3', () => {
    // Prepare
    const sql = definitionsStatement('servicepulse');

    // Act
    const findings = checkStatement(sql);

    // Assess
    expect(findings, formatFindings(findings, 'definitionsStatement')).toEqual([]);
  });

  it('fills kpi_definitions from the catalog and repairs a changed row on the next run (DuckDB)', async () => {
    // Prepare
    const engine = await DuckDbEngine.open({ database: ':memory:', lakeRoot: '/nonexistent' });
    try {
      // Act
      await engine.query(definitionsStatement('results'));
      await engine.query(
        "UPDATE results.kpi_definitions SET name_en = 'edited' WHERE kpi_id = 'tickets_created'",
      );
      await engine.query(definitionsStatement('results'));
      const rows = await engine.query('SELECT kpi_id, name_en FROM results.kpi_definitions ORDER BY kpi_id');

      // Assess
      expect(rows).toHaveLength(CATALOG.length);
      expect(rows.find((r) => r.kpi_id === 'tickets_created')?.name_en).toBe(
        CATALOG.find((k) => k.id === 'tickets_created')?.names.en,
      );
    } finally {
      await engine.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', () => {
    // Prepare / Act / Assess
    expect(() => definitionsStatement('lake; DROP TABLE x')).toThrow(/identifier/);
  });
});

describe('maintenanceStatements', () => {
  it('compacts recent partitions and vacuums every results table', () => {
    // Prepare / Act
    const statements = maintenanceStatements('servicepulse', '2024-03-01').map((s) => s.sql.trim());

    // Assess
    expect(statements).toEqual([
      "OPTIMIZE servicepulse.kpi_results REWRITE DATA USING BIN_PACK WHERE period_start >= DATE '2024-03-01'",
      "OPTIMIZE servicepulse.kpi_flags REWRITE DATA USING BIN_PACK WHERE period_start >= DATE '2024-03-01'",
      'VACUUM servicepulse.kpi_results',
      'VACUUM servicepulse.kpi_flags',
      'VACUUM servicepulse.kpi_definitions',
    ]);
  });
});
