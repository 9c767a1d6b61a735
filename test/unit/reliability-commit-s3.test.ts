/**
 * The same commit discipline on S3 (issue 12 item 1), against s3rver: a re-ingest writes the new
 * generation beside the old, flips the manifest, then deletes the old generation; a crash before
 * the flip leaves the old manifest and its objects untouched, and the next ingest of the same key
 * removes the crashed generation's objects and its marker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../functions/adapters/s3.ts';
import { defaultConfig } from '../../functions/core/config.ts';
import { committedLakeFiles } from '../../functions/core/ingest/lake-files.ts';
import { type FileReport, ingestFile } from '../../functions/core/ingest/normalize.ts';
import { repairLake } from '../../functions/core/ingest/recovery.ts';
import { startS3, type TestS3 } from '../support/s3-server.ts';

const config = { ...defaultConfig(), timezone: 'UTC' };
const KEY = 's3://landing/landing/generic/calls/export.csv';
const HEADER = 'call_id,direction,started_at,ended_at,outcome\n';
const calls = (n: number, prefix: string) =>
  HEADER +
  Array.from({ length: n }, (_, i) => {
    const start = Date.UTC(2024, 4, 1) + i * 6 * 3_600_000;
    return `${prefix}${i},inbound,${new Date(start).toISOString()},${new Date(start + 30_000).toISOString()},abandoned`;
  }).join('\n');

// Started at load time: the steps are enumerated while the tests are collected.
const s3: TestS3 = await startS3(Array.from({ length: 16 }, (_, i) => `commit-${i}`));
let bucketNo = 0;
afterAll(async () => {
  await s3.close();
});
const freshStore = () =>
  new S3Store({ client: s3.client, bucket: `commit-${bucketNo++}`, prefix: 'curated' });

function ingest(
  store: S3Store,
  text: string,
  now: number,
  hook?: (s: string) => unknown,
): Promise<FileReport> {
  return ingestFile(
    {
      key: KEY,
      body: (async function* () {
        yield new TextEncoder().encode(text);
      })(),
    },
    { source: 'generic', config, store, now, commitHook: hook as never },
  );
}

async function keys(store: S3Store): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list('')) out.push(k);
  return out.sort();
}

/** What Athena reads: the objects of the calls partitions whose names are not hidden. */
async function athenaSees(store: S3Store): Promise<string[]> {
  return (await keys(store)).filter((k) => k.startsWith('lake/calls/') && !/\/[._][^/]*$/.test(k));
}

/** The steps of a re-ingest on S3, in order. */
async function stepsOnS3(): Promise<string[]> {
  const steps: string[] = [];
  const store = freshStore();
  await ingest(store, calls(8, 'a'), Date.UTC(2024, 5, 1));
  await ingest(store, calls(12, 'b'), Date.UTC(2024, 5, 2), (s) => void steps.push(s));
  return steps;
}

/** Ingests a, then b stopped for good after `step`; returns a's outputs. */
async function crashAt(store: S3Store, step: string): Promise<FileReport> {
  const first = await ingest(store, calls(8, 'a'), Date.UTC(2024, 5, 1));
  await new Promise<void>((stopped) => {
    void ingest(store, calls(12, 'b'), Date.UTC(2024, 5, 2), (s) => {
      if (s !== step) return undefined;
      stopped();
      return new Promise(() => {}); // never settles: the ingest stops here for good
    });
  });
  return first;
}

describe('the commit protocol on S3', async () => {
  const steps = await stepsOnS3();

  it('publishes after the flip: parts wait under hidden staged names', () => {
    expect(steps.slice(0, 2)).toEqual(['pending', 'written']);
    expect(steps.indexOf('manifest')).toBeLessThan(steps.indexOf('publish 1'));
    expect(steps.slice(-2)).toEqual(['retired', 'done']);
  });

  it('a re-ingest replaces the generation and deletes the old one and the staged copies', async () => {
    const store = freshStore();
    const first = await ingest(store, calls(8, 'a'), Date.UTC(2024, 5, 1));
    const second = await ingest(store, calls(4, 'b'), Date.UTC(2024, 5, 2));
    expect(first.outputs).toHaveLength(2);
    expect(second.outputs).toHaveLength(1);
    expect(second.outputs.some((k) => first.outputs.includes(k))).toBe(false);
    const manifests = (await keys(store)).filter((k) => k.startsWith('lake/_manifests/'));
    expect(await keys(store)).toEqual([...manifests, ...second.outputs].sort());
    expect((await committedLakeFiles(store)).files.calls).toEqual(second.outputs);
  });

  it.each(steps.filter((s) => !s.startsWith('publish')))(
    'stopped after "%s": Athena sees the old set or the new one; the next ingest cleans up',
    async (step) => {
      const store = freshStore();
      const first = await crashAt(store, step);
      const flipped = steps.indexOf(step) >= steps.indexOf('retired');
      if (!flipped) expect(await athenaSees(store)).toEqual([...first.outputs].sort());
      else expect(await athenaSees(store)).toEqual((await committedLakeFiles(store)).files.calls);

      const again = await ingest(store, calls(4, 'c'), Date.UTC(2024, 5, 3));
      expect(again.error).toBeUndefined();
      const manifests = (await keys(store)).filter((k) => k.startsWith('lake/_manifests/'));
      expect(await keys(store)).toEqual([...manifests, ...again.outputs].sort());
    },
  );

  it('stopped after the flip, before publishing: doctor publishes (rolls forward)', async () => {
    const store = freshStore();
    await crashAt(store, 'manifest');
    const listed = (await committedLakeFiles(store)).files.calls;
    expect(listed).toHaveLength(3);
    const report = await repairLake(store);
    expect(report.published).toEqual(listed);
    expect(report.missing).toEqual([]);
    expect(await athenaSees(store)).toEqual(listed);
    const manifests = (await keys(store)).filter((k) => k.startsWith('lake/_manifests/'));
    expect(await keys(store)).toEqual([...manifests, ...listed].sort());
  });

  it('stopped before the flip: doctor removes the staged generation, Athena never saw it', async () => {
    const store = freshStore();
    const first = await crashAt(store, 'part 2');
    const report = await repairLake(store);
    expect(report.removed).toHaveLength(2);
    expect(report.markers).toHaveLength(1);
    expect(await athenaSees(store)).toEqual([...first.outputs].sort());
  });
});
