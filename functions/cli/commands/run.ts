/** `servicepulse run --grain day|month --from D --to D [--as-of T]`: KPIs into kpi_results. */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Grain } from '../../core/catalog.ts';
import { type RunReport, runKpis } from '../../core/run.ts';
import { LAKE_SCHEMA, type LocalContext, parseDate, RESULTS_SCHEMA, UsageError } from '../context.ts';

export interface RunArgs {
  grain: string;
  from: string;
  to: string;
  asOf?: string | undefined;
}

export function parseGrain(g: string): Grain {
  if (g !== 'day' && g !== 'month') throw new UsageError(`--grain must be day or month; got "${g}"`);
  return g;
}

export function parseAsOf(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(v)) {
    throw new UsageError(
      `--as-of needs an ISO-8601 instant with an offset, e.g. 2024-05-01T06:00:00Z; got "${v}"`,
    );
  }
  return new Date(ms).toISOString();
}

/** Runs KPIs and refreshes the Parquet exports under <home>/results/. */
export async function runLocal(
  ctx: LocalContext,
  grain: Grain,
  from: string,
  to: string,
  asOf?: string,
): Promise<RunReport> {
  const engine = await ctx.engine();
  await engine.refreshLake();
  const report = await runKpis(engine, ctx.templates(), {
    grain,
    from,
    to,
    config: ctx.config,
    ...(asOf ? { asOf } : {}),
    lakeSchema: LAKE_SCHEMA,
    resultsSchema: RESULTS_SCHEMA,
    progress: ctx.progress,
  });
  await exportResults(ctx);
  return report;
}

export async function exportResults(ctx: LocalContext): Promise<string> {
  const engine = await ctx.engine();
  const dir = join(ctx.home, 'results');
  await mkdir(dir, { recursive: true });
  for (const t of ['kpi_results', 'kpi_flags', 'kpi_definitions'] as const) {
    await engine.exportTable(t, join(dir, `${t}.parquet`));
  }
  return dir;
}

export async function runCommand(ctx: LocalContext, args: RunArgs): Promise<number> {
  const grain = parseGrain(args.grain);
  const from = parseDate(args.from, '--from');
  const to = parseDate(args.to, '--to');
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const report = await runLocal(ctx, grain, from, to, parseAsOf(args.asOf));
  const engine = await ctx.engine();
  const [row] = await engine.query(
    `SELECT count(*) AS n FROM ${RESULTS_SCHEMA}.kpi_results WHERE grain = '${grain}' AND period_start BETWEEN DATE '${from}' AND DATE '${to}'`,
  );
  process.stdout.write(
    `run ${report.runId}: ${report.periods} ${grain} period(s), ${report.statements} statements, ${row?.n ?? 0} result rows in range\n`,
  );
  return 0;
}
