/**
 * Reruns are deterministic to the last bit (issue 12 item 5): sums of durations are taken over
 * integer milliseconds and sums of amounts and scores over decimals, so the order in which
 * DuckDB's threads add them up changes nothing. An identical rerun (a later --as-of that changes
 * no input) then updates no row, and every row keeps its computed_at and run_id. Before, on
 * several threads, reruns differed in the last bits of averages such as avg_speed_of_answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { loadQueryTemplates } from '../../functions/adapters/queries-fs.ts';
import { validateConfig } from '../../functions/core/config.ts';
import type { Entity } from '../../functions/core/contracts.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import { runKpis } from '../../functions/core/run.ts';

const config = validateConfig({ timezone: 'UTC' });
const DAYS = 6;
let home: string;
let engine: DuckDbEngine;

/** A fixed pseudo-random source, so the data is the same on every run of the test. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

function callRows(file: number) {
  const r = rng(file + 1);
  return Array.from({ length: 3000 }, (_, i) => {
    const start = Date.UTC(2024, 4, 1) + Math.floor(r() * DAYS * 86_400_000);
    const wait = Math.round(r() * 90_000); // milliseconds: fractional seconds
    const answered = r() < 0.8;
    return {
      call_id: `f${file}-c${i}`,
      direction: 'inbound',
      started_at: new Date(start).toISOString(),
      answered_at: answered ? new Date(start + wait).toISOString() : undefined,
      ended_at: new Date(start + wait + 200_000).toISOString(),
      outcome: answered ? 'answered' : 'abandoned',
      queue: `q${i % 3}`,
      agent_id: answered ? `a${i % 7}` : undefined,
      talk_seconds: answered ? Math.round(r() * 600_000) / 1000 : undefined,
      hold_seconds: answered ? Math.round(r() * 60_000) / 1000 : undefined,
    };
  });
}

function ticketRows(file: number) {
  const r = rng(100 + file);
  return Array.from({ length: 3000 }, (_, i) => {
    const created = Date.UTC(2024, 4, 1) + Math.floor(r() * DAYS * 86_400_000);
    const first = created + Math.round(r() * 7_200_000);
    const resolved = first + Math.round(r() * 86_400_000);
    return {
      ticket_id: `f${file}-t${i}`,
      created_at: new Date(created).toISOString(),
      channel: 'email',
      status: 'solved',
      customer_id: `cu${i % 50}`,
      team: `team${i % 4}`,
      first_response_at: new Date(first).toISOString(),
      resolved_at: new Date(resolved).toISOString(),
    };
  });
}

async function load(store: FileSystemStore, entity: Entity, file: number, rows: object[]) {
  const text = rows.map((row) => JSON.stringify(row)).join('\n');
  const report = await ingestFile(
    {
      key: join(home, `${entity}-${file}.ndjson`),
      body: (async function* () {
        yield new TextEncoder().encode(text);
      })(),
    },
    { source: 'generic', entity, config, store },
  );
  expect(report.quarantined).toBe(0);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sp-rerun-'));
  const store = new FileSystemStore(home);
  for (let f = 0; f < 4; f++) {
    await load(store, 'calls', f, callRows(f));
    await load(store, 'tickets', f, ticketRows(f));
  }
  engine = await DuckDbEngine.open({
    database: ':memory:',
    lakeRoot: home,
    threads: 4,
    lakeFiles: () => committedLakeFiles(store),
  });
});
afterAll(async () => {
  await engine?.close();
  rmSync(home, { recursive: true, force: true });
});

const run = (asOf: string) =>
  runKpis(engine, loadQueryTemplates(), {
    grain: 'day',
    from: '2024-05-01',
    to: `2024-05-0${DAYS}`,
    config,
    asOf,
    lakeSchema: 'lake',
    resultsSchema: 'results',
    families: ['calls', 'tickets'],
  });

const results = () =>
  engine.query(
    'SELECT kpi_id, period_start, dimension, dimension_value, value, numerator, denominator, computed_at, run_id FROM results.kpi_results ORDER BY ALL',
  );

describe('an identical rerun', () => {
  it('updates no row: every value identical to the last bit, computed_at and run_id kept', async () => {
    await run('2030-01-01T00:00:00Z');
    const first = await results();
    expect(first.length).toBeGreaterThan(200);
    for (const asOf of ['2030-01-02T00:00:00Z', '2030-01-03T00:00:00Z', '2030-01-04T00:00:00Z']) {
      await run(asOf);
      expect(await results()).toEqual(first);
    }
    expect(new Set(first.map((r) => r.computed_at))).toEqual(new Set(['2030-01-01T00:00:00.000Z']));
  });
});
