/**
 * Test harness for the KPI SQL: hand-made rows → the real normalizer → Parquet in a temporary
 * lake → the real queries/ on DuckDB → kpi_results rows. Tests state their inputs as contract rows
 * and their expected values worked out by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { loadQueryTemplates } from '../../functions/adapters/queries-fs.ts';
import type { Grain } from '../../functions/core/catalog.ts';
import { type Config, validateConfig } from '../../functions/core/config.ts';
import type { Entity } from '../../functions/core/contracts.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { ingestFile } from '../../functions/core/ingest/normalize.ts';
import type { SqlRow } from '../../functions/core/ports.ts';
import { runKpis } from '../../functions/core/run.ts';

export interface KpiHarness {
  home: string;
  config: Config;
  engine: DuckDbEngine;
  /** Ingests rows of an entity as one NDJSON file (name defaults to `<entity>-<n>.ndjson`). */
  load(entity: Entity, rows: Record<string, unknown>[], name?: string): Promise<void>;
  /** Runs every KPI for the range and returns all kpi_results rows (sorted). */
  run(grain: Grain, from: string, to?: string, asOf?: string): Promise<SqlRow[]>;
  /** The value row of one KPI, period and dimension (undefined when absent). */
  row(
    rows: SqlRow[],
    kpi: string,
    periodStart: string,
    dimension?: string,
    value?: string,
  ): SqlRow | undefined;
  close(): Promise<void>;
}

let fileCounter = 0;

export async function kpiHarness(config: Record<string, unknown> = {}): Promise<KpiHarness> {
  const home = await mkdtemp(join(tmpdir(), 'sp-kpi-'));
  const cfg = validateConfig(config);
  const store = new FileSystemStore(home);
  // The views read what the manifests list, as the CLI's do.
  const engine = await DuckDbEngine.open({
    database: ':memory:',
    lakeRoot: home,
    threads: 1,
    lakeFiles: () => committedLakeFiles(store),
  });
  const templates = loadQueryTemplates();
  return {
    home,
    config: cfg,
    engine,
    async load(entity, rows, name) {
      const text = rows.map((r) => JSON.stringify(r)).join('\n');
      const key = join(home, 'landing', name ?? `${entity}-${++fileCounter}.ndjson`);
      const report = await ingestFile(
        {
          key,
          body: (async function* () {
            yield new TextEncoder().encode(text);
          })(),
        },
        { source: 'generic', entity, config: cfg, store },
      );
      if (report.error || report.quarantined > 0) {
        const q = report.quarantineKey ? await store.readText(report.quarantineKey) : '';
        throw new Error(`test rows were rejected: ${report.error ?? q}`);
      }
    },
    async run(grain, from, to = from, asOf = '2030-01-01T00:00:00Z') {
      await engine.refreshLake();
      await runKpis(engine, templates, {
        grain,
        from,
        to,
        config: cfg,
        asOf,
        lakeSchema: 'lake',
        resultsSchema: 'results',
      });
      return engine.query(
        'SELECT * FROM results.kpi_results ORDER BY kpi_id, grain, period_start, dimension, dimension_value',
      );
    },
    row(rows, kpi, periodStart, dimension = 'all', value = 'all') {
      return rows.find(
        (r) =>
          r.kpi_id === kpi &&
          r.period_start === periodStart &&
          r.dimension === dimension &&
          r.dimension_value === value,
      );
    },
    async close() {
      await engine.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
