/**
 * What every CLI command shares: the home folder, the configuration, the local adapters
 * (filesystem store, DuckDB engine, SQL templates) and progress display.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import type { DuckDbEngine } from '../adapters/duckdb.ts';
import { FileSystemStore } from '../adapters/filesystem.ts';
import { loadQueryTemplates } from '../adapters/queries-fs.ts';
import { KPI_IDS } from '../core/catalog.ts';
import { type Config, ConfigError, parseConfig, validateConfig } from '../core/config.ts';
import { ENTITIES } from '../core/contracts.ts';
import { committedLakeFiles } from '../core/ingest/lake-files.ts';
import type { Progress } from '../core/ports.ts';
import type { QueryTemplates } from '../core/sql/render.ts';

export const LAKE_SCHEMA = 'lake';
export const RESULTS_SCHEMA = 'results';

/** A failure the user must fix: printed as one line, exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

/** Bad usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GlobalOptions {
  home?: string;
  config?: string;
}

export function resolveHome(opts: GlobalOptions): string {
  return resolve(opts.home ?? process.env.SERVICEPULSE_HOME ?? '.servicepulse');
}

export function configPath(home: string, opts: GlobalOptions): string | undefined {
  if (opts.config) return resolve(opts.config);
  const p = join(home, 'servicepulse.config.yaml');
  return existsSync(p) ? p : undefined;
}

export function loadConfig(home: string, opts: GlobalOptions): Config {
  const path = configPath(home, opts);
  if (!path) return validateConfig({}, 'built-in defaults', KPI_IDS);
  if (!existsSync(path)) throw new UserError(`config file ${path} does not exist`);
  try {
    return parseConfig(readFileSync(path, 'utf8'), path, KPI_IDS);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(e.message);
    throw e;
  }
}

function hasFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/**
 * Throws when the home holds neither lake data nor a local database: nothing to run, show or
 * digest yet (opening DuckDB there would fail with a bare "Cannot open file").
 */
export function requireIngested(home: string, dbPath: string): void {
  if (existsSync(dbPath)) return;
  if (ENTITIES.some((e) => hasFiles(join(home, 'lake', e)))) return;
  throw new UserError(
    `nothing ingested yet in ${home}: run \`servicepulse ingest --source generic --entity tickets FILE…\` (or another source) or \`servicepulse demo\``,
  );
}

export class LocalContext {
  private engineP: Promise<DuckDbEngine> | undefined;
  private templatesV: QueryTemplates | undefined;
  readonly store: FileSystemStore;
  constructor(
    readonly home: string,
    readonly config: Config,
    readonly progress: Progress,
  ) {
    this.store = new FileSystemStore(home);
  }

  static create(opts: GlobalOptions): LocalContext {
    const home = resolveHome(opts);
    return new LocalContext(home, loadConfig(home, opts), terminalProgress());
  }

  get dbPath(): string {
    return join(this.home, 'servicepulse.duckdb');
  }

  /**
   * The local engine; a home with nothing ingested is the user's to fill. DuckDB (a native addon)
   * loads here, on first use, so commands that never query (`--help`, `kpis`, `ingest`) start fast.
   */
  engine(): Promise<DuckDbEngine> {
    if (!this.engineP) requireIngested(this.home, this.dbPath);
    const open = async () => {
      const { DuckDbEngine } = await import('../adapters/duckdb.ts');
      return DuckDbEngine.open({
        database: this.dbPath,
        lakeRoot: this.home,
        // Readers read what the manifests list: an ingest in progress or crashed is never half seen.
        lakeFiles: () => committedLakeFiles(this.store),
      });
    };
    this.engineP ??= open().catch((e: Error) => {
      if (/lock/i.test(e.message)) {
        throw new UserError(
          `${this.dbPath} is in use by another servicepulse process: wait for it to finish`,
        );
      }
      throw e;
    });
    return this.engineP;
  }

  templates(): QueryTemplates {
    this.templatesV ??= loadQueryTemplates();
    return this.templatesV;
  }

  async close(): Promise<void> {
    if (this.engineP) await (await this.engineP).close();
  }
}

/** Progress bars on a terminal; one plain line per finished step otherwise (CI, pipes). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true && !process.env.CI;
  return {
    start(label, total) {
      if (!tty || total === undefined) {
        const started = Date.now();
        return {
          tick() {},
          done(summary) {
            const secs = ((Date.now() - started) / 1000).toFixed(1);
            stream.write(`${label}: ${summary ?? 'done'} (${secs} s)\n`);
          },
        };
      }
      const multi = new MultiBar(
        {
          stream,
          format: `${label.padEnd(34).slice(0, 34)} {bar} {value}/{total} {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      const bar = multi.create(total, 0);
      const started = Date.now();
      return {
        tick(n = 1) {
          bar.increment(n);
        },
        done(summary) {
          multi.stop();
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          stream.write(`${label}: ${summary ?? 'done'} (${secs} s)\n`);
        },
      };
    },
  };
}

export function parseDate(value: string, flag: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ok = m && new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toISOString().slice(0, 10) === value;
  if (!ok) throw new UsageError(`${flag} needs a date as YYYY-MM-DD, got "${value}"`);
  return value;
}
