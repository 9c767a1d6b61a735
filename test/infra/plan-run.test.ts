import { describe, expect, it } from 'vitest';
import { loadQueryTemplates } from '../../functions/adapters/queries-fs.ts';
import { FAMILIES, kpisOfFamily } from '../../functions/core/catalog.ts';
import { validateConfig } from '../../functions/core/config.ts';
import { type PlanRunDeps, parseEvent, planKpiRun } from '../../functions/core/plan.ts';
import { ScheduleError } from '../../functions/core/schedule.ts';
import { MemoryStore } from '../support/memory-store.ts';

const templates = loadQueryTemplates();
const config = validateConfig({ timezone: 'Asia/Tehran', recompute: { trailingDays: 3 } });

function deps(store = new MemoryStore()): PlanRunDeps & { store: MemoryStore } {
  return {
    store,
    bucket: 'athena-results-bucket',
    prefix: 'statements/',
    templates,
    config,
    database: 'servicepulse',
    now: () => Date.parse('2030-01-01T00:00:00Z'),
  };
}

const familiesAt = (grain: 'day' | 'month') => FAMILIES.filter((f) => kpisOfFamily(f, grain).length > 0);

describe('plan-run: scheduled runs', () => {
  it('plans yesterday (reporting zone) plus the recompute window, and stages each statement', async () => {
    // Prepare: 06:00 in Tehran on 21 May is 02:30 UTC
    const d = deps();
    const event = parseEvent({
      input: { kind: 'daily', scheduledTime: '2024-05-21T02:30:00Z' },
      startedAt: '2024-05-21T02:30:01.123Z',
      executionName: 'daily-exec-1',
    });

    // Act
    const result = await planKpiRun(d, event);

    // Assess
    expect(result.kind).toBe('daily');
    expect(result.asOf).toBe('2024-05-21T02:30:00.000Z');
    expect(result.chunks).toEqual([{ grain: 'day', from: '2024-05-17', to: '2024-05-20' }]);
    expect(result.digest).toEqual({ grain: 'day', date: '2024-05-20' });
    expect(result.statements.map((s) => s.label)).toEqual([
      'kpi_definitions',
      ...familiesAt('day').map((f) => `${f} day 2024-05-17…2024-05-20`),
    ]);
    expect(result.statements[0]).toEqual({
      bucket: 'athena-results-bucket',
      key: 'statements/daily-exec-1/000-kpi_definitions.sql',
      label: 'kpi_definitions',
    });
    for (const s of result.statements) {
      const sql = await d.store.readText(s.key);
      expect(sql, s.key).toMatch(/^(-- |MERGE INTO )/m);
      expect(sql).toContain('servicepulse.kpi_');
    }
    const tickets = await d.store.readText(result.statements[1]!.key);
    expect(tickets).toContain("DATE '2024-05-17'");
    expect(tickets).toContain("'Asia/Tehran'");
    expect(result.runIds).toEqual(['day-2024-05-17-2024-05-20-20240521t023000000z']);
  });

  it('takes the local date, not the UTC date, of the scheduled time', async () => {
    // Prepare: 00:30 on 21 May in Tehran is still 20 May in UTC
    const event = parseEvent({ kind: 'daily', scheduledTime: '2024-05-20T21:00:00Z' });

    // Act
    const result = await planKpiRun(deps(), event);

    // Assess
    expect(result.digest).toEqual({ grain: 'day', date: '2024-05-20' });
  });

  it('plans the previous month on day 1 and ends with Iceberg maintenance', async () => {
    // Prepare
    const event = parseEvent({ kind: 'monthly', scheduledTime: '2024-06-01T03:00:00Z', executionName: 'm' });

    // Act
    const result = await planKpiRun(deps(), event);

    // Assess
    expect(result.chunks).toEqual([{ grain: 'month', from: '2024-05-01', to: '2024-05-31' }]);
    expect(result.digest).toEqual({ grain: 'month', date: '2024-05-01' });
    expect(result.statements.map((s) => s.label).slice(-5)).toEqual([
      'optimize kpi_results',
      'optimize kpi_flags',
      'vacuum kpi_results',
      'vacuum kpi_flags',
      'vacuum kpi_definitions',
    ]);
    expect(result.statements).toHaveLength(1 + familiesAt('month').length + 5);
  });
});

describe('plan-run: backfills', () => {
  it('chunks a backfill started by hand and sends no digest', async () => {
    // Prepare: the state machine wraps the execution input
    const d = deps();
    const event = parseEvent({
      input: { from: '2023-01-15', to: '2024-03-10', grain: 'day' },
      startedAt: '2024-06-01T10:00:00Z',
      executionName: 'backfill-2023',
    });

    // Act
    const result = await planKpiRun(d, event);

    // Assess
    expect(event.kind).toBe('backfill');
    expect(result.asOf).toBe('2024-06-01T10:00:00.000Z');
    expect(result.chunks).toEqual([
      { grain: 'day', from: '2023-01-15', to: '2023-12-31' },
      { grain: 'day', from: '2024-01-01', to: '2024-03-10' },
    ]);
    expect(result.digest).toBeNull();
    expect(result.statements).toHaveLength(1 + 2 * familiesAt('day').length);
    // Each statement stays far below Athena's 256 KiB query limit.
    for (const s of result.statements) {
      expect(Buffer.byteLength((await d.store.readText(s.key))!)).toBeLessThan(200 * 1024);
    }
    expect(new Set(result.statements.map((s) => s.key)).size).toBe(result.statements.length);
  });

  it('names the field of a bad input', () => {
    // Prepare / Act / Assess
    expect(() => parseEvent({ input: { kind: 'weekly' } })).toThrow(
      /kind must be one of daily, monthly, backfill/,
    );
    expect(() => parseEvent({ from: '2024-01-01', to: '2024-02-01', grain: 'year' })).toThrow(
      /grain must be one of/,
    );
    expect(() => parseEvent({ kind: 'daily', scheduledTime: 'yesterday' })).toThrow(
      /scheduledTime is not an ISO-8601/,
    );
    expect(() => parseEvent('{}')).toThrow(ScheduleError);
  });

  it('refuses a plan too large for one execution, before staging anything', async () => {
    // Prepare: ten years, both grains, one month per statement
    const d = { ...deps(), maxMonthsPerChunk: 1 };
    const event = parseEvent({ from: '2015-01-01', to: '2024-12-31' });

    // Act
    const result = planKpiRun(d, event);

    // Assess
    await expect(result).rejects.toThrow(/statements; one execution runs at most 1000/);
    expect(d.store.objects.size).toBe(0);
  });

  it('rejects a backfill whose range is backwards', async () => {
    // Prepare
    const event = parseEvent({ from: '2024-03-01', to: '2024-01-01' });

    // Act
    const result = planKpiRun(deps(), event);

    // Assess
    await expect(result).rejects.toThrow('from (2024-03-01) is after to (2024-01-01)');
  });
});
