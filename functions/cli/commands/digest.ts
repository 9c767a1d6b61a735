/**
 * `servicepulse digest --date D [--grain day|month] [--lang L] [--send]`: evaluates targets,
 * writes kpi_flags and files the digest in <home>/outbox/; `--send` also delivers it over SMTP.
 */
import { OutboxDelivery } from '../../adapters/outbox.ts';
import { SmtpDelivery } from '../../adapters/smtp.ts';
import type { Grain } from '../../core/catalog.ts';
import { LANGUAGES, type Lang } from '../../core/config.ts';
import { type DigestResult, runDigest } from '../../core/digest/usecase.ts';
import {
  LAKE_SCHEMA,
  type LocalContext,
  parseDate,
  RESULTS_SCHEMA,
  UsageError,
  UserError,
} from '../context.ts';
import { printTable } from '../table.ts';
import { exportResults, parseAsOf, parseGrain } from './run.ts';

export interface DigestOptions {
  date: string;
  grain: Grain;
  lang?: Lang | undefined;
  asOf?: string | undefined;
  send?: boolean | undefined;
}

/** Runs the digest on the local engine; returns the outbox files (.html, .txt, .eml) and the summary. */
export async function digestLocal(
  ctx: LocalContext,
  opts: DigestOptions,
): Promise<{ result: DigestResult; files: string[]; summary: string }> {
  const engine = await ctx.engine();
  await engine.refreshLake();
  let smtp: SmtpDelivery | undefined;
  if (opts.send) {
    if (!ctx.config.digest.smtp) {
      throw new UserError('--send needs digest.smtp in the config (for example smtp://127.0.0.1:1025)');
    }
    if (ctx.config.digest.recipients.length === 0) {
      throw new UserError('--send needs at least one entry in digest.recipients in the config');
    }
    smtp = new SmtpDelivery({ url: ctx.config.digest.smtp });
  }
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
    if ((e as Error).name === 'DigestError') throw new UserError((e as Error).message);
    if (opts.send && /ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND/.test((e as Error).message)) {
      throw new UserError(
        `could not reach the SMTP server ${ctx.config.digest.smtp}: ${(e as Error).message.split('\n')[0]} (the outbox has the digest)`,
      );
    }
    throw e;
  } finally {
    smtp?.close();
  }
}

export async function digestCommand(
  ctx: LocalContext,
  args: { date: string; grain: string; lang?: string; asOf?: string; send?: boolean },
): Promise<number> {
  const date = parseDate(args.date, '--date');
  const grain = parseGrain(args.grain);
  if (args.lang !== undefined && !(LANGUAGES as readonly string[]).includes(args.lang)) {
    throw new UsageError(`--lang must be one of ${LANGUAGES.join(', ')}; got "${args.lang}"`);
  }
  const { result, summary } = await digestLocal(ctx, {
    date,
    grain,
    lang: args.lang as Lang | undefined,
    asOf: parseAsOf(args.asOf),
    send: args.send,
  });
  process.stdout.write(
    `Digest ${result.period.start}${grain === 'month' ? ` … ${result.period.end}` : ''}: ${summary}\n`,
  );
  for (const g of result.gaps) process.stdout.write(`  missing data: ${JSON.stringify(g)}\n`);
  printTable(
    ['lang', 'to', 'HTML KB', 'charts', 'filed', 'delivered'],
    result.messages.map((m) => [
      m.lang,
      m.to.join(', ') || '-',
      Math.round(m.htmlBytes / 102.4) / 10,
      m.charts,
      m.filed,
      m.delivered ?? (args.send ? 'no' : '-'),
    ]),
  );
  return 0;
}
