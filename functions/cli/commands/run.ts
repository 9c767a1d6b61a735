/** `servicepulse run --grain day|month --from D --to D [--as-of T]`: KPIs into kpi_results. */
import { type LocalContext, parseDate, UsageError } from '../context.ts';
import { resultRowsInRange, runLocal } from '../local-ops.ts';
import { parseAsOf, parseGrain } from '../options.ts';

export interface RunArgs {
  grain: string;
  from: string;
  to: string;
  asOf?: string | undefined;
}

export async function runCommand(ctx: LocalContext, args: RunArgs): Promise<number> {
  const grain = parseGrain(args.grain);
  const from = parseDate(args.from, '--from');
  const to = parseDate(args.to, '--to');
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const report = await runLocal(ctx, grain, from, to, parseAsOf(args.asOf));
  const rows = await resultRowsInRange(ctx, grain, from, to);
  process.stdout.write(
    `run ${report.runId}: ${report.periods} ${grain} period(s), ${report.statements} statements, ${rows} result rows in range\n`,
  );
  return 0;
}
