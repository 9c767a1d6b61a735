/**
 * The demo: sample exports → lake → KPIs → digest, in one call. The steps that touch storage or
 * an engine come in as ports (the CLI's `servicepulse demo` runs them on this machine); this
 * module decides the dates, the order and what counts as a failure.
 */
import type { Grain } from './catalog.ts';
import type { Config } from './config.ts';
import { type DemoFile, generateDemo } from './demo/generate.ts';
import type { FileReport } from './ingest/normalize.ts';
import type { Progress } from './ports.ts';
import type { RunReport } from './run.ts';
import { periodsBetween } from './sql/render.ts';
import { addDays, startOfLocalDay, today } from './time.ts';

export interface DemoPorts {
  config: Config;
  progress: Progress;
  /** Replaces the landing area with the sample exports. */
  land(files: readonly DemoFile[]): Promise<void>;
  /** Ingests every landed sample export (generic source). */
  ingest(): Promise<FileReport[]>;
  /** Computes the KPIs of every period of the grain in the range. */
  run(grain: Grain, from: string, to: string, asOf: string): Promise<RunReport>;
  /** Evaluates and files the daily digest of `date`. */
  digest(date: string, asOf: string): Promise<{ summary: string; files: string[] }>;
  /** Result rows and distinct KPIs per grain, as the results table holds them now. */
  countResults(): Promise<{ grain: string; kpis: number; resultRows: number }[]>;
}

export interface DemoRequest {
  /** Days of history ending on `endDate`. */
  days: number;
  /** The last day of the sample (YYYY-MM-DD, reporting zone); default yesterday. */
  endDate?: string | undefined;
  /** Volume multiplier. */
  scale: number;
}

export interface DemoReport {
  first: string;
  end: string;
  asOf: string;
  reports: FileReport[];
  digest: { summary: string; files: string[] };
  /** Per grain: periods computed, KPIs and result rows. */
  results: { grain: string; periods: number; kpis: number; resultRows: number }[];
}

/**
 * Use case: run the whole pipeline on sample data.
 *
 * Primary course:
 *  1. generate sample exports for the range (the configured zone and work week) and land them;
 *  2. ingest them; any file that fails fails the demo;
 *  3. compute every day, then every month of the range, evaluated as of the sample's export time
 *     (the end of its last day), so the results do not depend on when the demo runs;
 *  4. write the digest for the last day;
 *  5. report the periods, KPIs and result rows per grain.
 */
export async function runDemoPipeline(ports: DemoPorts, request: DemoRequest): Promise<DemoReport> {
  const tz = ports.config.timezone;
  const end = request.endDate ?? addDays(today(tz), -1);
  const first = addDays(end, -(request.days - 1));

  const gen = ports.progress.start('generate sample exports');
  const files = generateDemo({
    days: request.days,
    endDate: end,
    timezone: tz,
    workWeek: ports.config.workWeek ?? [1, 2, 3, 4, 5],
    scale: request.scale,
  });
  await ports.land(files);
  gen.done(`${files.length} files, ${files.reduce((s, f) => s + f.rows, 0).toLocaleString('en')} rows`);

  const reports = await ports.ingest();
  const failed = reports.filter((r) => r.error);
  if (failed.length > 0)
    throw new Error(`${failed.length} sample files failed to ingest: ${failed[0]!.error}`);

  const asOf = new Date(startOfLocalDay(addDays(end, 1), tz)).toISOString();
  const day = await ports.run('day', first, end, asOf);
  await ports.run('month', first, end, asOf);

  const digest = await ports.digest(end, asOf);

  const periods = (grain: string) =>
    grain === 'day' ? day.periods : periodsBetween('month', first, end).length;
  const results = (await ports.countResults()).map((c) => ({ ...c, periods: periods(c.grain) }));
  return { first, end, asOf, reports, digest, results };
}
