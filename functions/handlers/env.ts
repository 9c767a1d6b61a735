/**
 * Lambda environment, read once at cold start. A missing variable fails loudly at start-up,
 * not halfway through an invocation.
 *
 * Variables (set by the CDK stack, infra/):
 * - SERVICEPULSE_CONFIG: the deployment configuration as JSON (validated at synth time, again here)
 * - LAKE_BUCKET: curated lake, quarantine and manifests
 * - RESULTS_BUCKET: results exports; ATHENA_WORKGROUP, GLUE_DATABASE: the query engine
 * - SES_IDENTITY: the verified sender identity (digest only)
 */

import { KPI_IDS } from '../core/catalog.ts';
import { type Config, validateConfig } from '../core/config.ts';

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set`);
  return v;
}

export function optionalEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function configFromEnv(): Config {
  const raw = optionalEnv('SERVICEPULSE_CONFIG');
  return validateConfig(raw ? JSON.parse(raw) : {}, 'SERVICEPULSE_CONFIG', KPI_IDS);
}
