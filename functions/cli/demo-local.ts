/**
 * The demo on this machine: the configuration `servicepulse demo` writes (Asia/Tehran, IRR,
 * Friday weekend, recipients in five languages) so the run is reproducible and editable, and the
 * demo pipeline's ports over the local home (landing/ folder, lake, DuckDB, outbox).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoPorts } from '../core/demo-pipeline.ts';
import type { GlobalOptions, LocalContext } from './context.ts';
import { printIngestReports } from './ingest-report.ts';
import { replaceFolder } from './local-files.ts';
import { countResultsByGrain, digestLocal, ingestLocal, runLocal } from './local-ops.ts';

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

/** Creates the home and writes the demo configuration there, unless `--config` or one exists. */
export async function writeDemoConfig(home: string, opts: GlobalOptions): Promise<void> {
  await mkdir(home, { recursive: true });
  if (!opts.config && !existsSync(join(home, 'servicepulse.config.yaml'))) {
    await writeFile(join(home, 'servicepulse.config.yaml'), DEMO_CONFIG);
  }
}

/** The demo pipeline over the local home; the ingest table is printed as soon as ingest ends. */
export function localDemoPorts(ctx: LocalContext): DemoPorts {
  const landing = join(ctx.home, 'landing');
  return {
    config: ctx.config,
    progress: ctx.progress,
    land: (files) => replaceFolder(landing, files),
    ingest: async () => {
      const reports = await ingestLocal(ctx, 'generic', undefined, [join(landing, 'generic')]);
      printIngestReports(reports, ctx.home);
      return reports;
    },
    run: (grain, from, to, asOf) => runLocal(ctx, grain, from, to, asOf),
    digest: (date, asOf) => digestLocal(ctx, { date, grain: 'day', asOf }),
    countResults: () => countResultsByGrain(ctx),
  };
}
