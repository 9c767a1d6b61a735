/**
 * Readers during writers (issue 12 item 9): a run whose lake snapshot was taken before an ingest
 * retired the files it was about to read retries once on the new snapshot; when the lake keeps
 * changing, it stops with "the lake changed during the run (an ingest finished): run again",
 * never the engine's raw "Cannot open file".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { loadQueryTemplates } from '../../functions/adapters/queries-fs.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import type { QueryEngine } from '../../functions/core/ports.ts';
import { runKpis } from '../../functions/core/run.ts';

const config = { ...defaultConfig(), timezone: 'UTC' };
const HEADER = 'call_id,direction,started_at,ended_at,outcome\n';
const calls = (n: number) =>
  HEADER +
  Array.from({ length: n }, (_, i) => {
    const start = Date.UTC(2024, 4, 1, 9) + i * 60_000;
    return `c${i},inbound,${new Date(start).toISOString()},${new Date(start + 30_000).toISOString()},abandoned`;
  }).join('\n');

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sp-readers-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

async function ingest(store: FileSystemStore, text: string, now: number) {
  const body = () =>
    (async function* () {
      yield new TextEncoder().encode(text);
    })();
  const r = await ingestFile(
    { key: '/x/calls.csv', body: body(), reopen: body },
    { source: 'generic', entity: 'calls', config, store, now, maxBufferedRows: 2 },
  );
  expect(r.error).toBeUndefined();
}

const runOptions = {
  grain: 'day' as const,
  from: '2024-05-01',
  to: '2024-05-01',
  config,
  asOf: '2024-06-01T00:00:00Z',
  lakeSchema: 'lake',
  resultsSchema: 'results',
  families: ['calls' as const],
};

describe('a run while an ingest replaces a file', () => {
  it('retries once on the new manifest and computes from the new files', async () => {
    const store = new FileSystemStore(home);
    await ingest(store, calls(6), Date.UTC(2024, 5, 1)); // three part files
    const engine = await DuckDbEngine.open({
      database: ':memory:',
      lakeRoot: home,
      lakeFiles: () => committedLakeFiles(store),
    });
    try {
      // The views list the first ingest's parts; the re-ingest (two parts) retires them.
      await ingest(store, calls(4), Date.UTC(2024, 5, 2));
      await expect(engine.query('SELECT count(*) AS n FROM lake.calls')).rejects.toThrow(/parquet/i);
      await runKpis(engine, loadQueryTemplates(), runOptions);
      const [row] = await engine.query(
        "SELECT value FROM results.kpi_results WHERE kpi_id = 'calls_total' AND dimension = 'all'",
      );
      expect(row?.value).toBe(4);
    } finally {
      await engine.close();
    }
  });

  it('when the lake changes again during the retry, says so: run again', async () => {
    let version = 0;
    const engine: QueryEngine = {
      name: 'duckdb',
      query: async () => {
        throw new Error('IO Error: Cannot open file "/h/lake/calls/dt=2024-05-01/x-3.parquet"');
      },
      close: async () => {},
      lakeSnapshot: { changed: async () => ++version > 0, refresh: async () => {} },
    };
    await expect(runKpis(engine, loadQueryTemplates(), runOptions)).rejects.toThrow(
      /^the lake changed during the run \(an ingest finished\): run again$/,
    );
  });

  it('a failure with the lake unchanged is reported as it is, with its family', async () => {
    const engine: QueryEngine = {
      name: 'duckdb',
      query: async () => {
        throw new Error('Binder Error: no such column');
      },
      close: async () => {},
      lakeSnapshot: { changed: async () => false, refresh: async () => {} },
    };
    await expect(runKpis(engine, loadQueryTemplates(), runOptions)).rejects.toThrow(
      /^the calls KPIs \(day\) failed on duckdb: Binder Error: no such column$/,
    );
  });
});
