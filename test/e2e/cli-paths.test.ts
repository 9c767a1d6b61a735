/**
 * One bad path stops nothing (issue 12 item 6), a wrong --entity destroys nothing (issue 13
 * item 6), and `servicepulse doctor`: the command line as a user meets them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandPaths } from '../../functions/cli/local-files.ts';

let home: string;
let data: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sp-paths-'));
  data = join(home, 'data');
  mkdirSync(data);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function sp(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/servicepulse.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', SERVICEPULSE_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const CALLS = [
  'call_id,direction,started_at,ended_at,outcome',
  'c1,inbound,2024-05-01T08:00:00Z,2024-05-01T08:05:00Z,abandoned',
  'c2,inbound,2024-05-01T09:00:00Z,2024-05-01T09:01:00Z,abandoned',
].join('\n');

const lakeFiles = () =>
  readdirSync(join(home, 'lake'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'));

describe('one bad path stops nothing', () => {
  it('ingests the good files, reports each bad path on its own line, counts them, exits 1', () => {
    writeFileSync(join(data, 'a.csv'), CALLS);
    writeFileSync(join(home, 'target.csv'), CALLS.replace(/c(\d)/g, 'link$1'));
    symlinkSync(join(home, 'target.csv'), join(data, 'b-link.csv')); // followed, not skipped
    symlinkSync(join(home, 'gone.csv'), join(data, 'c-dangling.csv'));
    symlinkSync(join(data, 'd-loop2.csv'), join(data, 'd-loop1.csv'));
    symlinkSync(join(data, 'd-loop1.csv'), join(data, 'd-loop2.csv'));
    symlinkSync(data, join(data, 'e-self')); // a folder link back into the folder

    const r = sp('ingest', '--source', 'generic', '--entity', 'calls', data, join(home, 'missing.csv'));

    expect(r.code).toBe(1);
    const line = (name: string) => r.out.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line('a.csv')).toMatch(/calls\s+2\s+2\s+0\s+ok/);
    expect(line('b-link.csv')).toMatch(/calls\s+2\s+2\s+0\s+ok/);
    expect(line('c-dangling.csv')).toMatch(/FAILED: dangling symbolic link/);
    expect(line('d-loop1.csv')).toMatch(/FAILED: symbolic link loop/);
    expect(line('d-loop2.csv')).toMatch(/FAILED: symbolic link loop/);
    expect(line('e-self')).toMatch(/FAILED: symbolic link loop/);
    expect(line('missing.csv')).toMatch(/FAILED: no such file or folder/);
    expect(r.err).toMatch(/5 of 7 files could not be ingested \(each is named above\)/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(lakeFiles()).toHaveLength(2);
  });

  it('an unreadable folder is one failed line; the files beside it go in', async () => {
    writeFileSync(join(data, 'a.csv'), CALLS);
    mkdirSync(join(data, 'locked'));
    writeFileSync(join(data, 'locked', 'x.csv'), CALLS);
    writeFileSync(join(data, 'z.csv'), CALLS);
    // Root reads any folder, so the refusal is injected (as a chmod 000 folder gives it).
    const { readdir } = await import('node:fs/promises');
    const out = await expandPaths([data], {
      readdir: async (p) => {
        if (p.endsWith('locked'))
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        return readdir(p, { withFileTypes: true });
      },
    });
    expect(out).toEqual([
      join(data, 'a.csv'),
      { path: join(data, 'locked'), reason: 'folder not readable (permission denied)' },
      join(data, 'z.csv'),
    ]);
  });

  it('a file named "..csv" never becomes a hidden lake file', () => {
    writeFileSync(join(data, '..csv'), CALLS);
    writeFileSync(join(data, '_x.csv'), CALLS);
    const r = sp(
      'ingest',
      '--source',
      'generic',
      '--entity',
      'calls',
      join(data, '..csv'),
      join(data, '_x.csv'),
    );
    expect(r.code).toBe(0);
    const names = lakeFiles().map((f) => f.split('/').pop()!);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9]/);
  });
});

describe('a wrong --entity destroys nothing', () => {
  it('ingesting a calls file as tickets keeps its calls, accepts nothing and exits 1', () => {
    const f = join(data, 'export.csv');
    writeFileSync(f, CALLS);
    expect(sp('ingest', '--source', 'generic', '--entity', 'calls', f).code).toBe(0);
    const before = lakeFiles();

    const r = sp('ingest', '--source', 'generic', '--entity', 'tickets', f);

    expect(r.code).toBe(1);
    expect(r.out).toMatch(/export\.csv\s+tickets\s+2\s+0\s+2\s+FAILED: no row accepted, see quarantine\//);
    expect(r.err).toMatch(/1 of 1 files gave no accepted row; check --source and --entity/);
    expect(lakeFiles()).toEqual(before);
  });
});

describe('servicepulse doctor', () => {
  it('removes what an interrupted ingest left and says so; a clean lake is reported clean', () => {
    const f = join(data, 'calls.csv');
    writeFileSync(f, CALLS);
    sp('ingest', '--source', 'generic', '--entity', 'calls', f);
    const clean = sp('doctor');
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/objects checked: 0 removed, 0 missing, 0 unreadable manifests/);

    // What a kill leaves: a temporary file of a process that is gone, an unlisted part, a marker.
    const day = join(home, 'lake', 'calls', 'dt=2024-05-01');
    writeFileSync(join(day, 'calls-0123456789abcdef-zz.parquet.tmp-999999999-1'), 'half');
    writeFileSync(join(day, 'calls-0123456789abcdef-zz.parquet'), 'unlisted');
    mkdirSync(join(home, 'lake', '_pending'), { recursive: true });
    writeFileSync(join(home, 'lake', '_pending', '0123456789abcdef-zz.json'), '{"key":"x"');

    const dry = sp('doctor', '--dry-run');
    expect(dry.out).toMatch(
      /would remove lake\/calls\/dt=2024-05-01\/calls-0123456789abcdef-zz\.parquet \(listed in no manifest/,
    );
    const r = sp('doctor');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /removed lake\/calls\/dt=2024-05-01\/calls-0123456789abcdef-zz\.parquet\.tmp-999999999-1/,
    );
    expect(r.out).toMatch(
      /removed lake\/_pending\/0123456789abcdef-zz\.json \(the marker of an ingest that did not finish\)/,
    );
    expect(r.out).toMatch(/3 removed, 0 missing/);
    expect(lakeFiles()).toHaveLength(1);
    expect(sp('doctor').out).toMatch(/0 removed/);
  });

  it('names the file to ingest again when a listed object is gone, exit 1', () => {
    const f = join(data, 'calls.csv');
    writeFileSync(f, CALLS);
    sp('ingest', '--source', 'generic', '--entity', 'calls', f);
    rmSync(join(home, 'lake', lakeFiles()[0]!));
    const r = sp('doctor');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`listed for ${f}: ingest that file again`);
  });
});
