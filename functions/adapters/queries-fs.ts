/**
 * Loads the SQL templates of queries/ from disk. Locally they sit in the repository; in Lambda the
 * bundling step copies queries/ next to the handler (see infra/), so both runtimes read files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILIES, type Family } from '../core/catalog.ts';
import type { QueryTemplates } from '../core/sql/render.ts';

/** The queries/ folder: $SERVICEPULSE_QUERIES, else ./queries beside the bundle, else the repo's. */
export function queriesDir(): string {
  const env = process.env.SERVICEPULSE_QUERIES;
  if (env) return resolve(env);
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'queries');
}

export function loadQueryTemplates(dir: string = queriesDir()): QueryTemplates {
  const kpi = Object.fromEntries(
    FAMILIES.map((f) => [f, readFileSync(join(dir, 'kpi', `${f}.sql`), 'utf8')]),
  ) as Record<Family, string>;
  return { kpi, merge: readFileSync(join(dir, 'merge_kpi_results.sql'), 'utf8') };
}
