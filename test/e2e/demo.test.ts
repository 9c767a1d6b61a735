/**
 * The whole local pipeline, as `npm start` runs it: sample exports → lake → KPIs → digest.
 * A small demo (21 days, a third of the volume) into a temporary home.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { CATALOG } from '../../functions/core/catalog.ts';
import type { SqlRow } from '../../functions/core/ports.ts';

const home = mkdtempSync(join(tmpdir(), 'sp-demo-'));
let run: ReturnType<typeof spawnSync>;
let counts: SqlRow[];

beforeAll(async () => {
  // Act: the demo ends on a fixed day so the test is reproducible.
  run = spawnSync(
    process.execPath,
    [
      'bin/servicepulse.mjs',
      '--home',
      home,
      'demo',
      '--days',
      '21',
      '--end-date',
      '2024-05-31',
      '--scale',
      '0.3',
    ],
    { encoding: 'utf8', env: { ...process.env, CI: '1' } },
  );
  const engine = await DuckDbEngine.open({ database: join(home, 'servicepulse.duckdb'), lakeRoot: home });
  counts = await engine.query(
    'SELECT kpi_id, grain, count(*) AS n, count(value) AS with_value FROM results.kpi_results GROUP BY kpi_id, grain',
  );
  await engine.close();
}, 300_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('servicepulse demo', () => {
  it('exits 0 and prints where everything is', () => {
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Digest for 2024-05-31/);
    expect(run.stdout).toMatch(/Results:/);
  });

  it('fills day rows for every KPI but plan_completion_pct, and month rows for all 48', () => {
    for (const k of CATALOG) {
      const day = counts.find((c) => c.kpi_id === k.id && c.grain === 'day');
      const month = counts.find((c) => c.kpi_id === k.id && c.grain === 'month');
      if (k.id === 'plan_completion_pct') expect(day).toBeUndefined();
      else expect(Number(day?.n), `${k.id} day rows`).toBeGreaterThanOrEqual(21);
      expect(Number(month?.n), `${k.id} month rows`).toBeGreaterThanOrEqual(1);
    }
  });

  it('quarantines the three broken sample rows with their reasons', () => {
    const dir = join(home, 'quarantine');
    const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    const reasons = lines.map((l) => (JSON.parse(l) as { field: string; reason: string }).field).sort();
    expect(reasons).toEqual(['channel', 'created_at', 'ticket_id']);
  });

  it('writes the digest as .html, .txt and .eml, and the results as Parquet', () => {
    const outbox = readdirSync(join(home, 'outbox'));
    for (const ext of ['.html', '.txt', '.eml'])
      expect(
        outbox.some((f) => f.endsWith(ext)),
        ext,
      ).toBe(true);
    expect(existsSync(join(home, 'results', 'kpi_results.parquet'))).toBe(true);
    expect(existsSync(join(home, 'results', 'kpi_flags.parquet'))).toBe(true);
  });
});
