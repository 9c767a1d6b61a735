/**
 * The same commit discipline on S3 (issue 12 item 1), against s3rver: a re-ingest writes the new
 * generation beside the old, flips the manifest, then deletes the old generation; a crash before
 * the flip leaves the old manifest and its objects untouched, and the next ingest of the same key
 * removes the crashed generation's objects and its marker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let s3: TestS3;
let bucketNo = 0;
beforeAll(async () => {
  s3 = await startS3(['commit-0', 'commit-1', 'commit-2']);
});
afterAll(async () => {
  await s3?.close();
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

describe('the commit protocol on S3', () => {
  it('a re-ingest replaces the generation at the manifest flip and deletes the old one', async () => {
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

  it('a crash before the flip leaves the old set; the next ingest removes the leftovers', async () => {
    const store = freshStore();
    const first = await ingest(store, calls(8, 'a'), Date.UTC(2024, 5, 1));
    await new Promise<void>((stopped) => {
      void ingest(store, calls(4, 'b'), Date.UTC(2024, 5, 2), (s) =>
        s === 'part 1' ? (stopped(), new Promise(() => {})) : undefined,
      );
    });
    // The crashed generation's part is an object, but no manifest lists it.
    expect((await committedLakeFiles(store)).files.calls).toEqual(first.outputs);
    expect((await keys(store)).filter((k) => k.startsWith('lake/_pending/'))).toHaveLength(1);

    // The next ingest removes the crashed generation's part and the marker, then commits.
    const again = await ingest(store, calls(4, 'c'), Date.UTC(2024, 5, 3));
    expect(again.repaired).toHaveLength(2);
    expect(again.repaired?.some((k) => k.startsWith('lake/_pending/'))).toBe(true);
    const manifests = (await keys(store)).filter((k) => k.startsWith('lake/_manifests/'));
    expect(await keys(store)).toEqual([...manifests, ...again.outputs].sort());
  });

  it('doctor on S3 removes a crashed generation and changes nothing readers see', async () => {
    const store = freshStore();
    const first = await ingest(store, calls(8, 'a'), Date.UTC(2024, 5, 1));
    await new Promise<void>((stopped) => {
      void ingest(store, calls(12, 'b'), Date.UTC(2024, 5, 2), (s) =>
        s === 'part 2' ? (stopped(), new Promise(() => {})) : undefined,
      );
    });
    const report = await repairLake(store);
    expect(report.removed).toHaveLength(2);
    expect(report.markers).toHaveLength(1);
    expect((await committedLakeFiles(store)).files.calls).toEqual(first.outputs);
    const manifests = (await keys(store)).filter((k) => k.startsWith('lake/_manifests/'));
    expect(await keys(store)).toEqual([...manifests, ...first.outputs].sort());
  });
});
