/**
 * Atomic, crash-consistent ingest (issue 12 item 1; issue 13 item 6). The commit hook stops an
 * ingest between two steps of its commit and never lets it go on: like a SIGKILL there, nothing
 * after that point runs (no abort, no cleanup). At every step, readers (the DuckDB views over
 * the manifests, as `run` reads the lake) see exactly the old rows or exactly the new ones; then
 * the next ingest of the same file, or `servicepulse doctor`, leaves the lake holding exactly what
 * its manifests list.
 */
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/adapters/duckdb.ts';
import { FileSystemStore, localWriterRunning } from '../../functions/adapters/filesystem.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { type FileReport, ingestFile } from '../../functions/core/ingest/normalize.ts';
import { keyHash, ownerId } from '../../functions/core/ingest/output-keys.ts';
import { repairLake } from '../../functions/core/ingest/recovery.ts';

const config = { ...defaultConfig(), timezone: 'UTC' };
const KEY = '/data/exports/calls.csv';
const HEADER = 'call_id,direction,started_at,ended_at,outcome\n';

/** Calls c<from>…c<to-1>, four a day from 2024-05-01; `bad` rows quarantined. */
function calls(from: number, to: number, bad = 0): string {
  const rows: string[] = [];
  for (let i = from; i < to; i++) {
    const start = Date.UTC(2024, 4, 1) + Math.floor(i / 4) * 86_400_000 + (i % 4) * 60_000;
    rows.push(
      `c${i},inbound,${new Date(start).toISOString()},${new Date(start + 30_000).toISOString()},abandoned`,
    );
  }
  for (let i = 0; i < bad; i++) rows.push(`bad${i},sideways,not a time,,abandoned`);
  return HEADER + rows.join('\n');
}
// The old version: 12 calls over 3 days and one bad row; the new one: 6 calls over 2 days, two bad.
const OLD = calls(0, 12, 1);
const NEW = calls(100, 106, 2);
const OLD_IDS = Array.from({ length: 12 }, (_, i) => `c${i}`).sort();
const NEW_IDS = Array.from({ length: 6 }, (_, i) => `c${100 + i}`).sort();

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sp-commit-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const body = (text: string) =>
  (async function* () {
    yield new TextEncoder().encode(text);
  })();

function ingest(
  store: FileSystemStore,
  text: string,
  opts: { now?: number; entity?: 'calls' | 'tickets'; hook?: (step: string) => Promise<void> | void } = {},
): Promise<FileReport> {
  return ingestFile(
    { key: KEY, body: body(text), reopen: () => body(text) },
    {
      source: 'generic',
      entity: opts.entity ?? 'calls',
      config,
      store,
      now: opts.now ?? Date.UTC(2024, 5, 1),
      maxBufferedRows: 5, // several part files per day: more steps to stop at
      commitHook: opts.hook,
    },
  );
}

/** What `run` reads: the call ids of the DuckDB view over the committed files. */
async function visibleCalls(): Promise<string[]> {
  const store = new FileSystemStore(home);
  const engine = await DuckDbEngine.open({
    database: ':memory:',
    lakeRoot: home,
    lakeFiles: () => committedLakeFiles(store),
  });
  try {
    const rows = await engine.query('SELECT call_id FROM lake.calls ORDER BY call_id');
    return rows.map((r) => String(r.call_id));
  } finally {
    await engine.close();
  }
}

/** Every file under the home (temporary files included). */
const allFiles = () =>
  readdirSync(home, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(home.length + 1))
    .sort();

/** The lake holds exactly the manifests, their outputs and quarantine files: nothing else. */
async function assertClean(): Promise<void> {
  const store = new FileSystemStore(home);
  const listed = new Set<string>();
  for (const m of allFiles().filter((f) => f.startsWith('lake/_manifests/'))) {
    listed.add(m);
    const manifest = JSON.parse((await store.readText(m))!);
    for (const o of manifest.outputs) listed.add(o);
    if (manifest.quarantineKey) listed.add(manifest.quarantineKey);
  }
  expect(allFiles()).toEqual([...listed].sort());
}

/** The steps one ingest of NEW over OLD goes through, in order. */
async function commitSteps(): Promise<string[]> {
  const steps: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sp-steps-'));
  const store = new FileSystemStore(dir);
  await ingest(store, OLD);
  await ingest(store, NEW, { now: Date.UTC(2024, 5, 2), hook: (s) => void steps.push(s) });
  rmSync(dir, { recursive: true, force: true });
  return steps;
}

/** Starts NEW over OLD and stops it for good at `step`; resolves once it is stopped there. */
async function crashAt(step: string, firstIngest = false): Promise<void> {
  if (!firstIngest) await ingest(new FileSystemStore(home), OLD);
  await new Promise<void>((reached) => {
    void ingest(new FileSystemStore(home), NEW, {
      now: Date.UTC(2024, 5, 2),
      hook: (s) => {
        if (s !== step) return undefined;
        reached();
        return new Promise<void>(() => {}); // never settles: the ingest stops here for good
      },
    });
  });
}

describe('a crash at every step of the commit', async () => {
  const steps = await commitSteps();

  it('goes through the steps of the protocol in order', () => {
    expect(steps[0]).toBe('pending');
    expect(steps[1]).toBe('written');
    expect(steps.filter((s) => s.startsWith('part ')).length).toBeGreaterThan(1);
    expect(steps.slice(-4)).toEqual(['quarantine', 'manifest', 'retired', 'done']);
  });

  it.each(steps)(
    'stopped after "%s": readers see the old set or the new one, never a mix; the next ingest cleans up',
    async (step) => {
      await crashAt(step);
      const seen = await visibleCalls();
      const flipped = steps.indexOf(step) >= steps.indexOf('manifest');
      expect(seen).toEqual(flipped ? NEW_IDS : OLD_IDS);

      // The next ingest of the same file removes what the crash left and commits cleanly.
      const again = await ingest(new FileSystemStore(home), NEW, { now: Date.UTC(2024, 5, 3) });
      expect(again).toMatchObject({ read: 8, accepted: 6, quarantined: 2 });
      if (step !== 'done') expect(again.repaired?.length).toBeGreaterThan(0);
      expect(await visibleCalls()).toEqual(NEW_IDS);
      await assertClean();
    },
  );

  it.each(steps)(
    'stopped after "%s": doctor removes the leftovers and changes nothing readers see',
    async (step) => {
      await crashAt(step);
      const before = await visibleCalls();
      const report = await repairLake(new FileSystemStore(home));
      expect(report.missing).toEqual([]);
      if (step !== 'done') expect(report.removed.length + report.markers.length).toBeGreaterThan(0);
      expect(await visibleCalls()).toEqual(before);
      await assertClean();
    },
  );
});

describe('a crash during the first ingest of a file', () => {
  it.each(['written', 'part 1', 'part 2', 'quarantine'])(
    'stopped after "%s": readers see nothing of it',
    async (step) => {
      await crashAt(step, true);
      expect(await visibleCalls()).toEqual([]);
      const report = await repairLake(new FileSystemStore(home));
      expect(report.markers).toHaveLength(1);
      await assertClean();
      expect(allFiles()).toEqual([]);
    },
  );
});

describe('outputs owned by (file, entity)', () => {
  it('ingesting a calls file as tickets leaves its calls alone; nothing accepted', async () => {
    const store = new FileSystemStore(home);
    await ingest(store, OLD);
    const wrong = await ingest(store, OLD, { entity: 'tickets', now: Date.UTC(2024, 5, 2) });
    expect(wrong.accepted).toBe(0);
    expect(wrong.quarantined).toBe(13);
    expect(await visibleCalls()).toEqual(OLD_IDS);
    await assertClean();
  });

  it('an unchanged file keeps the ingest time of its first ingest (its place in the latest-snapshot order)', async () => {
    const store = new FileSystemStore(home);
    const first = await ingest(store, OLD, { now: Date.UTC(2024, 5, 1) });
    const again = await ingest(store, OLD, { now: Date.UTC(2024, 6, 1) });
    const changed = await ingest(store, NEW, { now: Date.UTC(2024, 7, 1) });
    expect(first.unchangedSince).toBeUndefined();
    expect(again.unchangedSince).toBe('2024-06-01T00:00:00.000Z');
    expect(changed.unchangedSince).toBeUndefined();
    const engine = await DuckDbEngine.open({
      database: ':memory:',
      lakeRoot: home,
      lakeFiles: () => committedLakeFiles(store),
    });
    const [row] = await engine.query('SELECT min(_ingested_at) AS a, max(_ingested_at) AS b FROM lake.calls');
    await engine.close();
    expect(row).toEqual({ a: '2024-08-01T00:00:00.000Z', b: '2024-08-01T00:00:00.000Z' });
  });
});

describe('an ingest beside an older version or a running one', () => {
  it('takes over the per-file manifest of a version before ownership by (file, entity)', async () => {
    // What an older version left: outputs named `<stem>-<key hash>.parquet`, a manifest per key.
    const store = new FileSystemStore(home);
    const first = await ingest(store, OLD);
    const legacyOutputs = first.outputs.map((o) =>
      o.replace(/-[0-9a-f]{16}-[0-9a-z_]+(-\d+)?\.parquet$/, `-${keyHash(KEY)}$1.parquet`),
    );
    for (const [i, o] of first.outputs.entries()) renameSync(join(home, o), join(home, legacyOutputs[i]!));
    rmSync(join(home, 'lake/_manifests'), { recursive: true });
    rmSync(join(home, first.quarantineKey!));
    const legacy = {
      key: KEY,
      source: 'generic',
      contentSha256: 'x',
      ingestedAt: '2024-01-01T00:00:00Z',
      read: 13,
      accepted: 12,
      quarantined: 1,
      outputs: legacyOutputs,
    };
    await store.put(`lake/_manifests/${keyHash(KEY)}.json`, JSON.stringify(legacy));
    expect(await visibleCalls()).toEqual(OLD_IDS);

    await ingest(store, NEW, { now: Date.UTC(2024, 5, 2) });

    expect(await visibleCalls()).toEqual(NEW_IDS);
    await assertClean();
    expect(allFiles().filter((f) => f.startsWith('lake/_manifests/'))).toEqual([
      `lake/_manifests/${ownerId({ key: KEY, scope: 'generic:calls' })}.json`,
    ]);
  });

  it('refuses to ingest a file another running process is ingesting, and touches nothing', async () => {
    const store = new FileSystemStore(home);
    await ingest(store, OLD);
    const before = allFiles();
    const id = ownerId({ key: KEY, scope: 'generic:calls' });
    // The marker of an ingest by a process that runs (this test's parent process).
    writeFileSync(
      join(home, 'lake/_pending', `${id}-zz.json`),
      JSON.stringify({
        key: KEY,
        scope: 'generic:calls',
        generation: 'zz',
        startedAt: '',
        writer: `${hostname()}:${process.ppid}`,
      }),
    );
    const report = await ingestFile(
      { key: KEY, body: (async function* () {})() },
      { source: 'generic', entity: 'calls', config, store, isRunning: localWriterRunning },
    );
    expect(report.error).toBe(
      `${KEY} is being ingested by another process (${hostname()}:${process.ppid}): wait for it to finish`,
    );
    expect(allFiles()).toEqual([...before, `lake/_pending/${id}-zz.json`].sort());
    expect(await visibleCalls()).toEqual(OLD_IDS);
    // doctor leaves a running ingest alone too.
    const doctor = await repairLake(store, { isRunning: localWriterRunning });
    expect(doctor.running).toEqual([KEY]);
    expect(doctor.markers).toEqual([]);
  });
});
