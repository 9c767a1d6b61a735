/**
 * The `servicepulse` command (reference: docs/cli.md).
 * Each command is a few lines over the same core the Lambda handlers use; commands load lazily
 * so `servicepulse kpis` does not pay for DuckDB.
 *
 * Exit codes: 0 success; 1 a failure the user must fix (one line on stderr, no stack trace);
 * 2 bad usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../core/config.ts';
import { type GlobalOptions, LocalContext, UsageError, UserError } from './context.ts';

const program = new Command('servicepulse')
  .description('Customer-service exports in, trusted daily and monthly KPIs and an executive digest out.')
  .option(
    '--home <dir>',
    'where the local lake, results and outbox live (default $SERVICEPULSE_HOME, else ./.servicepulse)',
  )
  .option(
    '--config <file>',
    'configuration YAML (default <home>/servicepulse.config.yaml, else built-in defaults)',
  )
  .showHelpAfterError('(run servicepulse --help for usage)')
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

let exitCode = 0;
/** Wraps a command body: its numeric result becomes the process exit code. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<number> | number) {
  return async (...args: A) => {
    exitCode = await fn(...args);
  };
}

async function withContext(fn: (ctx: LocalContext) => Promise<number> | number): Promise<number> {
  const ctx = LocalContext.create(globals());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

program
  .command('demo')
  .description('make sample exports, ingest them, compute daily and monthly KPIs and write the digest')
  .option('--days <n>', 'days of history ending yesterday', '60')
  .addOption(new Option('--end-date <date>', 'last day of the sample (default yesterday)').hideHelp())
  .addOption(new Option('--scale <x>', 'volume multiplier').hideHelp())
  .action(
    action(async (o: { days: string; endDate?: string; scale?: string }) => {
      const { demoCommand } = await import('./commands/demo.ts');
      return demoCommand(globals(), o);
    }),
  );

program
  .command('ingest')
  .description(
    'normalise raw files (or folders) into the lake; prints rows read / accepted / quarantined per file',
  )
  .requiredOption('--source <source>', 'generic, zendesk, freshdesk, amazon-connect or twilio')
  .option('--entity <entity>', 'generic only: tickets, calls, surveys, customers, costs, plans, followups')
  .argument('<files...>', 'files or folders to ingest')
  .action(
    action(async (files: string[], o: { source: string; entity?: string }) => {
      const { ingestCommand } = await import('./commands/ingest.ts');
      return withContext((ctx) => ingestCommand(ctx, { source: o.source, entity: o.entity, files }));
    }),
  );

program
  .command('run')
  .description('compute every KPI for every period in the range into kpi_results (reruns replace)')
  .requiredOption('--grain <grain>', 'day or month')
  .requiredOption('--from <date>', 'first day, YYYY-MM-DD (reporting time zone)')
  .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
  .option(
    '--as-of <instant>',
    'evaluation time, ISO-8601 with offset (default now): fixes results that look ahead',
  )
  .action(
    action(async (o: { grain: string; from: string; to: string; asOf?: string }) => {
      const { runCommand } = await import('./commands/run.ts');
      return withContext((ctx) => runCommand(ctx, o));
    }),
  );

program
  .command('results')
  .description('print the results table (CSV with a header row, or JSON)')
  .option('--format <format>', 'csv or json', 'csv')
  .option('--kpi <id>', 'one KPI')
  .option('--grain <grain>', 'day or month')
  .option('--from <date>', 'periods starting on or after')
  .option('--to <date>', 'periods starting on or before')
  .action(
    action(async (o: { format: string; kpi?: string; grain?: string; from?: string; to?: string }) => {
      const { resultsCommand } = await import('./commands/results.ts');
      return withContext((ctx) => resultsCommand(ctx, o));
    }),
  );

program
  .command('digest')
  .description('evaluate targets and write the digest for a period to <home>/outbox/')
  .requiredOption('--date <date>', 'a day of the period, YYYY-MM-DD')
  .option('--grain <grain>', 'day or month', 'day')
  .option('--lang <lang>', 'one language for every recipient: en, fa, ar, zh or ms')
  .option('--as-of <instant>', 'evaluation time, ISO-8601 with offset (default now)')
  .option('--send', 'also deliver it (SMTP from the config)')
  .action(
    action(async (o: { date: string; grain: string; lang?: string; asOf?: string; send?: boolean }) => {
      const { digestCommand } = await import('./commands/digest.ts');
      return withContext((ctx) => digestCommand(ctx, o));
    }),
  );

program
  .command('kpis')
  .description('list the KPI catalog: ids, names, unit, direction, targets')
  .option('--format <format>', 'table or json', 'table')
  .action(
    action(async (o: { format: string }) => {
      const { kpisCommand } = await import('./commands/kpis.ts');
      return kpisCommand(o, globals());
    }),
  );

program
  .command('sql')
  .description('print, without running them, the statements a run for that period executes')
  .requiredOption('--grain <grain>', 'day or month')
  .requiredOption('--date <date>', 'a day of the period, YYYY-MM-DD')
  .option('--engine <engine>', 'athena or duckdb', 'athena')
  .option('--as-of <instant>', 'evaluation time, ISO-8601 with offset (default now)')
  .action(
    action(async (o: { grain: string; date: string; engine: string; asOf?: string }) => {
      const { sqlCommand } = await import('./commands/sql.ts');
      return withContext((ctx) => sqlCommand(ctx, o));
    }),
  );

program
  .command('doctor')
  .description(
    'check the lake against its manifests: remove what interrupted ingests left, name files to re-ingest',
  )
  .option('--dry-run', 'only report what would be removed')
  .action(
    action(async (o: { dryRun?: boolean }) => {
      const { doctorCommand } = await import('./commands/doctor.ts');
      return withContext((ctx) => doctorCommand(ctx, o));
    }),
  );

function fail(code: number, message: string): never {
  process.stderr.write(`servicepulse: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other commander error is bad usage (already printed).
      if (e.exitCode === 0) process.exit(0);
      process.exit(2);
    }
    if (e instanceof UsageError) fail(2, e.message);
    if (e instanceof UserError || e instanceof ConfigError) fail(1, e.message);
    // A full disk, a lake that changed under a run: the message already says what to do.
    if (e instanceof Error && ['WriteError', 'LakeChangedError'].includes(e.name)) fail(1, e.message);
    const err = e as Error;
    if (process.env.SERVICEPULSE_DEBUG) process.stderr.write(`${err.stack}\n`);
    fail(1, `${err.message.split('\n')[0]} (set SERVICEPULSE_DEBUG=1 for details)`);
  }
  process.exitCode = exitCode;
}

await main(process.argv);
