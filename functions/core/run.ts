/**
 * The KPI run use case: render the statements for a grain and range, run them in sequence
 * (concurrent MERGEs into one Iceberg table conflict), and report what was done.
 *
 * Primary course:
 *  1. split the range into periods of the grain and render one MERGE per family;
 *  2. run each statement through the query engine, one after another;
 *  3. report statements run and result rows in scope.
 */
import type { Family, Grain } from './catalog.ts';
import type { Config } from './config.ts';
import type { Progress, QueryEngine } from './ports.ts';
import { makeRunId, type QueryTemplates, renderRun, type Statement } from './sql/render.ts';

export interface RunOptions {
  grain: Grain;
  from: string;
  to: string;
  config: Config;
  /** Evaluation instant (ISO-8601); default: now. Pass it explicitly for reproducible results. */
  asOf?: string;
  lakeSchema: string;
  resultsSchema: string;
  families?: readonly Family[];
  progress?: Progress;
}

export interface RunReport {
  runId: string;
  grain: Grain;
  from: string;
  to: string;
  asOf: string;
  statements: number;
  periods: number;
}

export function planRun(
  templates: QueryTemplates,
  options: RunOptions,
): { runId: string; asOf: string; statements: Statement[] } {
  const asOf = options.asOf ?? new Date().toISOString();
  const runId = makeRunId(options.grain, options.from, options.to, asOf);
  const statements = renderRun(templates, {
    grain: options.grain,
    from: options.from,
    to: options.to,
    config: options.config,
    asOf,
    runId,
    lakeSchema: options.lakeSchema,
    resultsSchema: options.resultsSchema,
    ...(options.families ? { families: options.families } : {}),
  });
  return { runId, asOf, statements };
}

/** Thrown when the lake changed under a run twice in a row (issue 12 item 9). */
export class LakeChangedError extends Error {
  override name = 'LakeChangedError';
  constructor() {
    super('the lake changed during the run (an ingest finished): run again');
  }
}

/**
 * Runs one statement. A statement that fails because an ingest committed meanwhile (a file it
 * was reading was retired) runs once more on the new snapshot of the lake; failing so again, the
 * run stops with {@link LakeChangedError}, never the engine's raw "cannot open file".
 */
async function runStatement(engine: QueryEngine, s: Statement): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await engine.query(s.sql);
      return;
    } catch (e) {
      if (engine.lakeSnapshot && (await engine.lakeSnapshot.changed())) {
        if (attempt > 1) throw new LakeChangedError();
        await engine.lakeSnapshot.refresh();
        continue;
      }
      throw new Error(
        `the ${s.family} KPIs (${s.grain}) failed on ${engine.name}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
}

export async function runKpis(
  engine: QueryEngine,
  templates: QueryTemplates,
  options: RunOptions,
): Promise<RunReport> {
  const { runId, asOf, statements } = planRun(templates, options);
  const task = options.progress?.start(
    `KPIs ${options.grain} ${options.from}…${options.to}`,
    statements.length,
  );
  for (const s of statements) {
    await runStatement(engine, s);
    task?.tick();
  }
  task?.done(`${statements.length} statements`);
  return {
    runId,
    grain: options.grain,
    from: options.from,
    to: options.to,
    asOf,
    statements: statements.length,
    periods: statements[0]?.periods.length ?? 0,
  };
}
