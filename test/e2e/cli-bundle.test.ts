/**
 * The precompiled command (scripts/build-cli.mjs, run by `npm ci`'s prepare step): the bundle
 * runs the same CLI as the sources, finds queries/ and its Parquet encoder thread from where it
 * sits, and bin/servicepulse.mjs never runs a bundle older than a source it was built from.
 * Built into its own dist/ folder, so the other tests' runs of dist/cli are never disturbed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const name = `cli-test-${process.pid}`;
const out = join('dist', name);
const home = mkdtempSync(join(tmpdir(), 'sp-bundle-'));

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, CI: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  const built = node(['scripts/build-cli.mjs', out]);
  if (built.code !== 0) throw new Error(built.err);
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('the bundled command', () => {
  it('lists its sources, none from node_modules', () => {
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { inputs: string[] };
    expect(meta.inputs).toContain('functions/cli/main.ts');
    expect(meta.inputs).toContain('functions/adapters/parquet-worker-main.ts');
    expect(meta.inputs.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });

  it('runs the whole demo: ingest on the encoder thread, KPIs from queries/, digest', () => {
    // Act: the encoder thread is forced on, so its bundled entry must load.
    const r = node([join(out, 'servicepulse.mjs'), '--home', home, 'demo', '--days', '3'], {
      SERVICEPULSE_ENCODER: 'worker',
    });
    // Assess
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(readdirSync(join(home, 'outbox')).some((f) => f.endsWith('.eml'))).toBe(true);
    expect(existsSync(join(home, 'results', 'kpi_results.parquet'))).toBe(true);
  });

  it('answers like the sources do', () => {
    const bundled = node([join(out, 'servicepulse.mjs'), 'kpis', '--format', 'json']);
    const sources = node(['bin/servicepulse.mjs', 'kpis', '--format', 'json'], {
      SERVICEPULSE_FROM_SOURCE: '1',
    });
    expect(bundled.code).toBe(0);
    expect(bundled.out).toBe(sources.out);
  });
});
