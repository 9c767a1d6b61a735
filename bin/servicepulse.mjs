#!/usr/bin/env node
// The servicepulse command. Runs the esbuild bundle in dist/cli/ (built by `npm ci`'s prepare step,
// or `npm run build`) when it is up to date with every source it was built from; otherwise the
// TypeScript sources through tsx's loader, so an edited source never runs stale code.
// SERVICEPULSE_FROM_SOURCE=1 always runs the sources.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function bundleIsFresh() {
  if (process.env.SERVICEPULSE_FROM_SOURCE === '1') return false;
  try {
    const meta = JSON.parse(readFileSync(new URL('dist/cli/meta.json', root), 'utf8'));
    const built = statSync(new URL('dist/cli/servicepulse.mjs', root)).mtimeMs;
    return meta.inputs.every((f) => statSync(new URL(f, root)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import('../dist/cli/servicepulse.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../functions/cli/main.ts');
}
