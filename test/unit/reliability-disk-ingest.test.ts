/**
 * Every write of an ingest checked (issue 12 item 2): a full disk, an I/O error or a short write
 * on any of an ingest's writes (a lake part, the quarantine file, the pending marker, the
 * manifest) fails the file with "disk full writing …" (or what happened), commits nothing, and
 * leaves readers the previous set; the results export leaves the previous export whole. Faults
 * are injected through the store's file handles, and for real on a 64 KiB tmpfs when this process
 * may mount one (skipped with a message otherwise).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore, type WritableFile } from '../../functions/adapters/filesystem.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { type FileReport, ingestFile } from '../../functions/core/ingest/normalize.ts';

const config = { ...defaultConfig(), timezone: 'UTC' };
const HEADER = 'call_id,direction,started_at,ended_at,outcome\n';
const calls = (n: number, prefix: string, bad = 0) =>
  HEADER +
  [
    ...Array.from({ length: n }, (_, i) => {
      const start = Date.UTC(2024, 4, 1) + i * 3_600_000;
      return `${prefix}${i},inbound,${new Date(start).toISOString()},${new Date(start + 30_000).toISOString()},abandoned`;
    }),
    ...Array.from({ length: bad }, (_, i) => `bad${i},sideways,x,,abandoned`),
  ].join('\n');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-disk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
const allFiles = (d: string) =>
  readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(d.length + 1))
    .sort();

/** Real file handles; writes to a path matching `when` get `fault` (an error or a short count). */
function faultyStore(root: string, when: RegExp, fault: Error | number) {
  return new FileSystemStore(root, {
    openForWrite: async (path: string): Promise<WritableFile> => {
      const real = await open(path, 'w');
      return {
        async write(buffer, offset, length) {
          if (when.test(path)) {
            if (fault instanceof Error) throw fault;
            return real.write(buffer, offset, Math.min(length, fault));
          }
          return real.write(buffer, offset, length);
        },
        sync: () => real.sync(),
        close: () => real.close(),
      };
    },
  });
}

function ingest(store: FileSystemStore, text: string, now: number): Promise<FileReport> {
  const body = () =>
    (async function* () {
      yield new TextEncoder().encode(text);
    })();
  return ingestFile(
    { key: '/exports/calls.csv', body: body(), reopen: body },
    { source: 'generic', entity: 'calls', config, store, now, maxBufferedRows: 10 },
  );
}

async function visibleCalls(root: string): Promise<number> {
  const store = new FileSystemStore(root);
  const engine = await DuckDbEngine.open({
    database: ':memory:',
    lakeRoot: root,
    lakeFiles: () => committedLakeFiles(store),
  });
  const [row] = await engine.query('SELECT count(*) AS n FROM lake.calls');
  await engine.close();
  return Number(row?.n);
}

describe('a write that fails during a re-ingest', () => {
  it.each([
    [
      'a lake part, ENOSPC',
      /\.parquet\.tmp-/,
      errno('ENOSPC'),
      /^disk full writing .*lake\/calls\/dt=.*\.parquet: free some space/,
    ],
    ['a lake part, EIO', /\.parquet\.tmp-/, errno('EIO'), /^I\/O error writing .*\.parquet: check the disk/],
    [
      'a lake part, no progress',
      /\.parquet\.tmp-/,
      0,
      /^disk full writing .*\.parquet \(short write: 0 of \d+ bytes\)/,
    ],
    [
      'the quarantine file, ENOSPC',
      /quarantine\/.*\.tmp-/,
      errno('ENOSPC'),
      /^disk full writing .*quarantine\/calls-.*\.ndjson/,
    ],
    [
      'the manifest, ENOSPC',
      /_manifests\/.*\.tmp-/,
      errno('ENOSPC'),
      /^disk full writing .*lake\/_manifests\/[0-9a-f]{16}\.json/,
    ],
    [
      'the pending marker, ENOSPC',
      /_pending\/.*\.tmp-/,
      errno('ENOSPC'),
      /^disk full writing .*lake\/_pending\//,
    ],
  ])(
    '%s: the file fails saying so, nothing is committed, readers keep the old rows',
    async (_, when, fault, message) => {
      await ingest(new FileSystemStore(dir), calls(30, 'old', 1), Date.UTC(2024, 5, 1));
      const before = allFiles(dir);

      const report = await ingest(faultyStore(dir, when, fault), calls(50, 'new', 2), Date.UTC(2024, 5, 2));

      expect(report.error).toMatch(message);
      expect(report).toMatchObject({ read: 0, accepted: 0, quarantined: 0, outputs: [] });
      expect(await visibleCalls(dir)).toBe(30);
      expect(allFiles(dir)).toEqual(before);
    },
  );
});

/** Mounts a 64 KiB tmpfs, or says why not. */
function mountTmpfs(): string | undefined {
  const mnt = mkdtempSync(join(tmpdir(), 'sp-tmpfs-ingest-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'pipe' });
    return mnt;
  } catch (e) {
    console.warn(
      `skipping the tmpfs cases: cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`,
    );
    rmSync(mnt, { recursive: true, force: true });
    return undefined;
  }
}
const mnt = mountTmpfs();
afterAll(() => {
  if (!mnt) return;
  execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!mnt)('a real full disk (64 KiB tmpfs)', () => {
  afterEach(() => {
    for (const f of readdirSync(mnt!)) rmSync(join(mnt!, f), { recursive: true, force: true });
  });

  it('an ingest that does not fit fails with "disk full writing", and readers see the old rows', async () => {
    const store = new FileSystemStore(mnt!);
    expect((await ingest(store, calls(20, 'old'), Date.UTC(2024, 5, 1))).error).toBeUndefined();
    // ~5 000 calls over 200 days: 200 Parquet files of ~1 KiB do not fit in what is left.
    const report = await ingest(store, calls(5000, 'new'), Date.UTC(2024, 5, 2));
    expect(report.error).toMatch(/^disk full writing .*: free some space and try again$/);
    expect(await visibleCalls(mnt!)).toBe(20);
    expect(allFiles(mnt!).filter((f) => f.includes('.tmp-') || f.startsWith('lake/_pending/'))).toEqual([]);
  });

  it('the results export on a full disk says "disk full writing" and leaves the previous export whole', async () => {
    const engine = await DuckDbEngine.open({ database: ':memory:', lakeRoot: dir });
    const path = join(mnt!, 'kpi_results.parquet');
    try {
      await engine.exportTable('kpi_results', path);
      const previous = readFileSync(path);
      await engine.run(
        `INSERT INTO results.kpi_results (kpi_id, grain, period_start, dimension, dimension_value, value)
         SELECT md5(i::VARCHAR), 'day', DATE '2024-01-01' + CAST(i % 365 AS INTEGER), 'agent', md5((i * 7)::VARCHAR), random()
         FROM range(20000) t(i)`,
      );
      writeFileSync(join(mnt!, 'filler'), Buffer.alloc(16 * 1024));
      await expect(engine.exportTable('kpi_results', path)).rejects.toThrow(
        /^disk full writing .*kpi_results\.parquet: free some space and try again$/,
      );
      expect(readFileSync(path)).toEqual(previous);
      expect(readdirSync(mnt!).sort()).toEqual(['filler', 'kpi_results.parquet']);
    } finally {
      await engine.close();
    }
  });
});
