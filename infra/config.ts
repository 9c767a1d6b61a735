/**
 * Synth-time inputs: the deployment configuration (the same YAML the CLI reads, validated here so an
 * invalid file fails `cdk synth` with the key named) and the CDK context values of the app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KPI_IDS } from '../functions/core/catalog.ts';
import { type Config, ConfigError, defaultConfig, parseConfig } from '../functions/core/config.ts';

/**
 * Reads and validates the configuration file. Without a path, `servicepulse.config.yaml` in the
 * working directory is used when it exists, else the built-in defaults.
 * @throws ConfigError naming the file and the offending key.
 */
export function loadDeploymentConfig(path?: string, cwd = process.cwd()): { config: Config; source: string } {
  const file = path ? resolve(cwd, path) : resolve(cwd, 'servicepulse.config.yaml');
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`${path}: no such file (pass -c config=<file>)`);
    return { config: defaultConfig(), source: '(built-in defaults)' };
  }
  return {
    config: parseConfig(readFileSync(file, 'utf8'), path ?? 'servicepulse.config.yaml', KPI_IDS),
    source: file,
  };
}

/** The address of a `From` header value: `Servicepulse <kpi@example.com>` → `kpi@example.com`. */
export function fromAddress(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}

/**
 * The SES identity the digest sends as: by default the domain of `digest.from` (a verified domain
 * identity covers every address in it).
 */
export function defaultSesIdentity(config: Config): string {
  const address = fromAddress(config.digest.from);
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : address;
}

/** Reads a context value as a string; undefined when absent or empty. */
export function contextString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

/** Reads a context value as a number; undefined when absent; NaN (caught by validation) when not a number. */
export function contextNumber(value: unknown): number | undefined {
  const s = contextString(value);
  return s === undefined ? undefined : Number(s);
}
