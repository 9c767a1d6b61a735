/**
 * `servicepulse digest --date D [--grain day|month] [--lang L] [--send]`: evaluates targets,
 * writes kpi_flags and files the digest in <home>/outbox/; `--send` also delivers it over SMTP.
 */
import { LANGUAGES, type Lang } from '../../core/config.ts';
import { gapText } from '../../core/digest/describe.ts';
import { type LocalContext, parseDate, UsageError } from '../context.ts';
import { digestLocal } from '../local-ops.ts';
import { parseAsOf, parseGrain } from '../options.ts';
import { printTable } from '../table.ts';

export interface DigestArgs {
  date: string;
  grain: string;
  lang?: string;
  asOf?: string;
  send?: boolean;
}

export async function digestCommand(ctx: LocalContext, args: DigestArgs): Promise<number> {
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
  for (const g of result.gaps) {
    process.stdout.write(
      `  data missing: ${gapText(g, 'en', grain)}; its KPIs show “data missing”: ingest that export for the period, then run and digest again\n`,
    );
  }
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
