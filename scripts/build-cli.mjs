#!/usr/bin/env node
/**
 * Builds the `servicepulse` command into dist/cli/ with esbuild (run by `npm ci` / `npm install`
 * through the `prepare` script, and by `npm run build`): the CLI and the Parquet encoder thread as
 * ESM, npm packages left external (DuckDB's native addon, parquet-wasm), lazily loaded commands
 * as chunks beside them. The bundle sits two folders below the repository root, as
 * functions/adapters/ does, so the paths those modules resolve from their own location (queries/,
 * the encoder thread's entry) are the same from the sources and from the bundle.
 *
 * bin/servicepulse.mjs runs the bundle when it is at least as new as every source it was built
 * from (dist/cli/meta.json lists them), else the TypeScript sources through tsx: editing a source
 * never runs stale code.
 */
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/build-cli.mjs [dist/<name>]`: another folder two levels down (tests build their own).
const target = process.argv[2] ?? 'dist/cli';
if (!/^dist\/[\w.-]+$/.test(target)) {
  console.error(`servicepulse: the bundle goes to dist/<name> (two folders below the root); got ${target}`);
  process.exit(2);
}
const outdir = join(root, target);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('servicepulse: esbuild is not installed; the CLI will run from the TypeScript sources (tsx)');
  process.exit(0);
}

await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'functions/cli/main.ts', out: 'servicepulse' },
    { in: 'functions/adapters/parquet-worker-main.ts', out: 'parquet-worker-entry' },
  ],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
await writeFile(join(outdir, 'meta.json'), `${JSON.stringify({ builtAt: Date.now(), inputs }, null, 1)}\n`);
console.log(`servicepulse: built ${target}/ from ${inputs.length} sources`);
