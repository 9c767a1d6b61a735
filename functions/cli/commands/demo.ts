/**
 * `servicepulse demo [--days N]`: sample exports → lake → KPIs → digest, all on this machine
 * (the core use case `runDemoPipeline`, over the local ports of ../demo-local.ts, which also
 * writes the demo configuration to <home>/servicepulse.config.yaml unless one exists).
 */
import { join, relative } from 'node:path';
import { runDemoPipeline } from '../../core/demo-pipeline.ts';
import { type GlobalOptions, LocalContext, resolveHome, UsageError } from '../context.ts';
import { localDemoPorts, writeDemoConfig } from '../demo-local.ts';
import { printTable } from '../table.ts';

export interface DemoArgs {
  days?: string;
  endDate?: string;
  scale?: string;
}

export async function demoCommand(opts: GlobalOptions, args: DemoArgs): Promise<number> {
  const days = args.days === undefined ? 60 : Number(args.days);
  if (!Number.isInteger(days) || days < 1 || days > 731)
    throw new UsageError(`--days must be a whole number from 1 to 731; got "${args.days}"`);
  const scale = args.scale === undefined ? 1 : Number(args.scale);
  if (!(scale > 0 && scale <= 50))
    throw new UsageError(`--scale must be a number above 0 and at most 50; got "${args.scale}"`);
  const home = resolveHome(opts);
  await writeDemoConfig(home, opts);
  const ctx = LocalContext.create(opts);
  try {
    const started = Date.now();
    const demo = await runDemoPipeline(localDemoPorts(ctx), { days, endDate: args.endDate, scale });
    process.stdout.write('\n');
    printTable(
      ['grain', 'periods', 'KPIs', 'result rows'],
      demo.results.map((r) => [r.grain, r.periods, r.kpis, r.resultRows]),
    );
    const rel = (p: string) => relative(process.cwd(), p) || p;
    process.stdout.write(
      [
        '',
        `Digest for ${demo.end}: ${demo.digest.summary}`,
        ...demo.digest.files.map((f: string) => `  ${rel(f)}`),
        '',
        `Lake:       ${rel(join(home, 'lake'))}/<entity>/dt=YYYY-MM-DD/*.parquet`,
        `Results:    ${rel(join(home, 'results'))}/kpi_results.parquet (and ${rel(ctx.dbPath)})`,
        `Quarantine: ${rel(join(home, 'quarantine'))}/`,
        `Config:     ${rel(join(home, 'servicepulse.config.yaml'))}`,
        `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: npx servicepulse results --kpi service_level_pct --grain day`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
