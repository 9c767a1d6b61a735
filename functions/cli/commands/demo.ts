/**
 * `servicepulse demo [--days N]`: sample exports → lake → KPIs → digest, all on this machine.
 * Writes a demo configuration (Asia/Tehran, IRR, Friday weekend, recipients in five languages)
 * to <home>/servicepulse.config.yaml unless one exists, so the run is reproducible and editable.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { generateDemo } from '../../core/demo/generate.ts';
import { periodsBetween } from '../../core/sql/render.ts';
import { addDays, startOfLocalDay, today } from '../../core/time.ts';
import { type GlobalOptions, LocalContext, RESULTS_SCHEMA, resolveHome, UsageError } from '../context.ts';
import { printTable } from '../table.ts';
import { digestLocal } from './digest.ts';
import { ingestLocal, printIngestReports } from './ingest.ts';
import { runLocal } from './run.ts';

export const DEMO_CONFIG = `# Servicepulse configuration written by \`servicepulse demo\` (spec: interfaces.md).
timezone: Asia/Tehran
currency: IRR
workWeek: [6, 7, 1, 2, 3, 4]   # Saturday to Thursday; Friday is the weekend
thresholds:
  serviceLevelSeconds: 20
  shortAbandonSeconds: 5
recompute:
  trailingDays: 3
targets:
  abandonment_rate_pct: { max: 5, warn: 4 }
  service_level_pct:
    day: { min: 80, warn: 85 }
    month: { min: 82 }
digest:
  from: "Servicepulse <kpi@example.com>"
  recipients:
    - { email: ceo@example.com, lang: en }
    - { email: ops.tehran@example.com, name: "مدیر عملیات", lang: fa }
    - { email: riyadh@example.com, lang: ar }
    - { email: shanghai@example.com, lang: zh }
    - { email: kl@example.com, lang: ms }
  smtp: smtp://127.0.0.1:1025
`;

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
  await mkdir(home, { recursive: true });
  if (!opts.config && !existsSync(join(home, 'servicepulse.config.yaml'))) {
    await writeFile(join(home, 'servicepulse.config.yaml'), DEMO_CONFIG);
  }
  const ctx = LocalContext.create(opts);
  try {
    const started = Date.now();
    const tz = ctx.config.timezone;
    const end = args.endDate ?? addDays(today(tz), -1);
    const first = addDays(end, -(days - 1));

    // 1. sample exports into <home>/landing/
    const gen = ctx.progress.start('generate sample exports');
    const files = generateDemo({
      days,
      endDate: end,
      timezone: tz,
      workWeek: ctx.config.workWeek ?? [1, 2, 3, 4, 5],
      scale,
    });
    const landing = join(home, 'landing');
    await rm(landing, { recursive: true, force: true });
    for (const f of files) {
      const path = join(landing, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
    }
    gen.done(`${files.length} files, ${files.reduce((s, f) => s + f.rows, 0).toLocaleString('en')} rows`);

    // 2. ingest
    const reports = await ingestLocal(ctx, 'generic', undefined, [join(landing, 'generic')]);
    printIngestReports(reports, home);
    const failed = reports.filter((r) => r.error);
    if (failed.length > 0)
      throw new Error(`${failed.length} sample files failed to ingest: ${failed[0]!.error}`);

    // 3. KPIs: every day, then every month of the range, evaluated as of the sample's export
    // time (the end of its last day), so the results do not depend on when the demo runs.
    const asOf = new Date(startOfLocalDay(addDays(end, 1), tz)).toISOString();
    const day = await runLocal(ctx, 'day', first, end, asOf);
    const month = await runLocal(ctx, 'month', first, end, asOf);

    // 4. the digest for the last day
    const digest = await digestLocal(ctx, { date: end, grain: 'day', asOf });

    const engine = await ctx.engine();
    const counts = await engine.query(
      `SELECT grain, count(*) AS result_rows, count(DISTINCT kpi_id) AS kpis FROM ${RESULTS_SCHEMA}.kpi_results GROUP BY grain ORDER BY grain`,
    );
    process.stdout.write('\n');
    printTable(
      ['grain', 'periods', 'KPIs', 'result rows'],
      counts.map((c) => [
        c.grain,
        c.grain === 'day' ? day.periods : periodsBetween('month', first, end).length,
        Number(c.kpis),
        Number(c.result_rows),
      ]),
    );
    void month;
    const rel = (p: string) => relative(process.cwd(), p) || p;
    process.stdout.write(
      [
        '',
        `Digest for ${end}: ${digest.summary}`,
        ...digest.files.map((f: string) => `  ${rel(f)}`),
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
