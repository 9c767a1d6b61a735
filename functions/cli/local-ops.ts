/**
 * The core use cases wired to this machine, as the commands (and the demo) call them: ingest from
 * disk, KPI runs and the digest on DuckDB, the Parquet exports of the results tables under
 * <home>/results/, and the one-line errors a user gets when the setup is wrong.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { localWriter, localWriterRunning } from '../adapters/filesystem.ts';
import { OutboxDelivery } from '../adapters/outbox.ts';
import { defaultLocalEncoder } from '../adapters/parquet-worker.ts';
import { SmtpDelivery } from '../adapters/smtp.ts';
import type { Grain } from '../core/catalog.ts';
import type { Lang } from '../core/config.ts';
import type { Entity } from '../core/contracts.ts';
import { type DigestResult, runDigest } from '../core/digest/usecase.ts';
import type { FileReport } from '../core/ingest/normalize.ts';
import type { SourceName } from '../core/ingest/sources.ts';
import { ingestFiles } from '../core/ingest-files.ts';
import { type RunReport, runKpis } from '../core/run.ts';
import { LAKE_SCHEMA, type LocalContext, RESULTS_SCHEMA, UserError } from './context.ts';
import { expandPaths, openLocalFile } from './local-files.ts';

/** Ingests files (folders expanded) one by one into the local lake; a failed file is reported, the others go on. */
export async function ingestLocal(
  ctx: LocalContext,
  source: SourceName,
  entity: Entity | undefined,
  paths: readonly string[],
): Promise<FileReport[]> {
  const expanded = await expandPaths(paths);
  const files = expanded.filter((f) => typeof f === 'string');
  // Parquet is encoded on a second thread when the machine has a second core.
  const ports = {
    open: openLocalFile,
    store: ctx.store,
    config: ctx.config,
    progress: ctx.progress,
    writer: localWriter(),
    isRunning: localWriterRunning,
  };
  const reports = await ingestFiles({ ...ports, encoder: defaultLocalEncoder() }, { source, entity, files });
  // Each path that could not be expanded is a failed line of its own, where the user named it.
  const byFile = new Map(reports.map((r) => [r.file, r]));
  return expanded.map((f) =>
    typeof f === 'string'
      ? byFile.get(f)!
      : {
          file: f.path,
          source,
          entities: [],
          read: 0,
          accepted: 0,
          quarantined: 0,
          outputs: [],
          error: f.reason,
        },
  );
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

/** Writes kpi_results, kpi_flags and kpi_definitions as Parquet under <home>/results/. */
export async function exportResults(ctx: LocalContext): Promise<string> {
  const engine = await ctx.engine();
  const dir = join(ctx.home, 'results');
  await mkdir(dir, { recursive: true });
  for (const t of ['kpi_results', 'kpi_flags', 'kpi_definitions'] as const) {
    await engine.exportTable(t, join(dir, `${t}.parquet`));
  }
  return dir;
}

/** Result rows of a grain whose period starts in the range. */
export async function resultRowsInRange(ctx: LocalContext, grain: Grain, from: string, to: string) {
  const [row] = await (await ctx.engine()).query(
    `SELECT count(*) AS n FROM ${RESULTS_SCHEMA}.kpi_results WHERE grain = '${grain}' AND period_start BETWEEN DATE '${from}' AND DATE '${to}'`,
  );
  return row?.n ?? 0;
}

/** Result rows and distinct KPIs per grain. */
export async function countResultsByGrain(ctx: LocalContext) {
  const counts = await (await ctx.engine()).query(
    `SELECT grain, count(*) AS result_rows, count(DISTINCT kpi_id) AS kpis FROM ${RESULTS_SCHEMA}.kpi_results GROUP BY grain ORDER BY grain`,
  );
  return counts.map((c) => ({
    grain: String(c.grain),
    kpis: Number(c.kpis),
    resultRows: Number(c.result_rows),
  }));
}

export interface DigestOptions {
  date: string;
  grain: Grain;
  lang?: Lang | undefined;
  asOf?: string | undefined;
  send?: boolean | undefined;
}

/** The SMTP delivery `--send` asks for; a config that cannot send is the user's to fix. */
function smtpDelivery(ctx: LocalContext): SmtpDelivery {
  if (!ctx.config.digest.smtp) {
    throw new UserError('--send needs digest.smtp in the config (for example smtp://127.0.0.1:1025)');
  }
  if (ctx.config.digest.recipients.length === 0) {
    throw new UserError('--send needs at least one entry in digest.recipients in the config');
  }
  return new SmtpDelivery({ url: ctx.config.digest.smtp });
}

/** Runs the digest on the local engine; returns the outbox files (.html, .txt, .eml) and the summary. */
export async function digestLocal(
  ctx: LocalContext,
  opts: DigestOptions,
): Promise<{ result: DigestResult; files: string[]; summary: string }> {
  const engine = await ctx.engine();
  await engine.refreshLake();
  const smtp = opts.send ? smtpDelivery(ctx) : undefined;
  try {
    const result = await runDigest({
      engine,
      resultsSchema: RESULTS_SCHEMA,
      lakeSchema: LAKE_SCHEMA,
      config: ctx.config,
      grain: opts.grain,
      date: opts.date,
      ...(opts.lang ? { lang: opts.lang } : {}),
      asOf: opts.asOf ?? new Date().toISOString(),
      outbox: new OutboxDelivery(ctx.store),
      ...(smtp ? { deliver: smtp } : {}),
    });
    await exportResults(ctx);
    const files = result.messages.flatMap((m) =>
      ['.html', '.txt', '.eml'].map((ext) => m.filed.replace(/\.eml$/, ext)),
    );
    return { result, files, summary: result.summaryLine };
  } catch (e) {
    throw userFacing(ctx, opts, e as Error);
  } finally {
    smtp?.close();
  }
}

/** A digest failure the user can act on becomes a one-line UserError; others pass unchanged. */
function userFacing(ctx: LocalContext, opts: DigestOptions, e: Error): Error {
  if (e.name === 'DigestError') return new UserError(e.message);
  if (opts.send && /ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND/.test(e.message)) {
    return new UserError(
      `could not reach the SMTP server ${ctx.config.digest.smtp}: ${e.message.split('\n')[0]} (the outbox has the digest)`,
    );
  }
  return e;
}
