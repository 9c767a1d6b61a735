import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readS3Object, S3Store } from '../../functions/adapters/s3.ts';
import { NotFoundError } from '../../functions/core/ports.ts';
import { startS3, type TestS3 } from '../support/s3-server.ts';

const MIB = 1024 * 1024;

let s3: TestS3;
let bucketNo = 0;

beforeAll(async () => {
  s3 = await startS3(Array.from({ length: 12 }, (_, i) => `bucket-${i}`));
});
afterAll(async () => {
  await s3?.close();
});

/** A fresh, empty bucket per test. */
function freshStore(prefix?: string): S3Store {
  const bucket = `bucket-${bucketNo++}`;
  return new S3Store({ client: s3.client, bucket, ...(prefix !== undefined ? { prefix } : {}) });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function readAll(store: S3Store, key: string): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks = await collect(store.read(key));
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

/** Deterministic pseudo-random bytes (incompressible, so part boundaries are real). */
function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('S3Store', () => {
  it('puts, reads, lists and deletes objects', async () => {
    // Prepare
    const store = freshStore();
    const persian = 'گزارش تماس‌ها — ۱۴۰۳';

    // Act
    await store.put('lake/calls/dt=2024-05-01/a.parquet', new Uint8Array([1, 2, 3]));
    await store.put('lake/calls/dt=2024-05-02/b.parquet', 'bytes');
    await store.put('quarantine/تماس ها.ndjson', persian, 'application/x-ndjson');
    const listedLake = await collect(store.list('lake/'));
    const listedAll = await collect(store.list(''));
    const text = await store.readText('quarantine/تماس ها.ndjson');
    const binary = await readAll(store, 'lake/calls/dt=2024-05-01/a.parquet');
    await store.delete(['lake/calls/dt=2024-05-01/a.parquet', 'quarantine/تماس ها.ndjson', 'never/existed']);
    const afterDelete = await collect(store.list(''));

    // Assess
    expect(listedLake.sort()).toEqual([
      'lake/calls/dt=2024-05-01/a.parquet',
      'lake/calls/dt=2024-05-02/b.parquet',
    ]);
    expect(listedAll).toHaveLength(3);
    expect(text).toBe(persian);
    expect([...binary.bytes]).toEqual([1, 2, 3]);
    expect(afterDelete).toEqual(['lake/calls/dt=2024-05-02/b.parquet']);
  });

  it('reports missing objects: readText undefined, read NotFoundError', async () => {
    // Prepare
    const store = freshStore();

    // Act
    const text = await store.readText('nope.json');
    const read = collect(store.read('nope.json'));

    // Assess
    expect(text).toBeUndefined();
    await expect(read).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps keys relative to its prefix and locates objects as s3:// URIs', async () => {
    // Prepare
    const store = freshStore('tenant-a');
    const root = new S3Store({ client: s3.client, bucket: store.bucket });

    // Act
    await store.put('lake/x.json', '{}');
    const listed = await collect(store.list(''));
    const rootListed = await collect(root.list(''));

    // Assess
    expect(listed).toEqual(['lake/x.json']);
    expect(rootListed).toEqual(['tenant-a/lake/x.json']);
    expect(store.locate('lake/x.json')).toBe(`s3://${store.bucket}/tenant-a/lake/x.json`);
    expect(() => store.locate('../escape')).toThrow(/escapes/);
  });

  it('streams a large object in several chunks', async () => {
    // Prepare
    const store = freshStore();
    const body = noise(3 * MIB, 7);
    await store.put('big.bin', body);

    // Act
    const { bytes, chunks } = await readAll(store, 'big.bin');

    // Assess
    expect(chunks).toBeGreaterThan(1);
    expect(sha(bytes)).toBe(sha(body));
  });

  it('reads an object from another bucket with readS3Object', async () => {
    // Prepare
    const store = freshStore();
    await s3.client.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: 'landing/generic/calls/a b.csv', Body: 'x,y\n' }),
    );

    // Act
    const bytes = Buffer.concat(
      await collect(readS3Object(s3.client, store.bucket, 'landing/generic/calls/a b.csv')),
    );
    const missing = collect(readS3Object(s3.client, store.bucket, 'landing/none.csv'));

    // Assess
    expect(bytes.toString()).toBe('x,y\n');
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes a small object through a sink in one PUT, visible only after commit', async () => {
    // Prepare
    const store = freshStore();
    const sink = await store.create('quarantine/q.ndjson', 'application/x-ndjson');

    // Act
    for (let i = 0; i < 100; i++) await sink.write(new TextEncoder().encode(`{"line":${i}}\n`));
    const beforeCommit = await collect(store.list(''));
    await sink.commit();
    const afterCommit = await collect(store.list(''));
    const text = await store.readText('quarantine/q.ndjson');
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: store.bucket, Key: 'quarantine/q.ndjson' }),
    );

    // Assess
    expect(beforeCommit).toEqual([]);
    expect(afterCommit).toEqual(['quarantine/q.ndjson']);
    expect(text?.split('\n')).toHaveLength(101);
    expect(head.ContentType).toBe('application/x-ndjson');
  });

  it('uploads a multipart-sized object (> 5 MB) that appears only when the upload completes', async () => {
    // Prepare
    const store = new S3Store({ client: s3.client, bucket: freshStore().bucket, partSize: 5 * MIB });
    const body = noise(13 * MIB + 12345, 42);
    const sink = await store.create('lake/big.parquet');

    // Act: write in 64 KiB chunks, checking visibility once whole parts have gone out
    for (let i = 0; i < body.length; i += 64 * 1024) await sink.write(body.subarray(i, i + 64 * 1024));
    const beforeCommit = await collect(store.list(''));
    const headBefore = await store.readText('lake/big.parquet');
    await sink.commit();
    const { bytes } = await readAll(store, 'lake/big.parquet');

    // Assess
    expect(beforeCommit).toEqual([]);
    expect(headBefore).toBeUndefined();
    expect(bytes.length).toBe(body.length);
    expect(sha(bytes)).toBe(sha(body));
  });

  it('writes an empty object', async () => {
    // Prepare
    const store = freshStore();
    const sink = await store.create('empty.ndjson');

    // Act
    await sink.commit();

    // Assess
    expect(await store.readText('empty.ndjson')).toBe('');
  });

  it('leaves nothing behind when a small or multipart write is aborted', async () => {
    // Prepare
    const store = new S3Store({ client: s3.client, bucket: freshStore().bucket, partSize: 5 * MIB });
    const small = await store.create('small.bin');
    const big = await store.create('big.bin');

    // Act
    await small.write(noise(1000, 1));
    for (let i = 0; i < 12; i++) await big.write(noise(MIB, i + 2));
    await small.abort();
    await big.abort();
    await big.abort(); // idempotent

    // Assess
    expect(await collect(store.list(''))).toEqual([]);
    expect(await store.readText('small.bin')).toBeUndefined();
    expect(await store.readText('big.bin')).toBeUndefined();
    await expect(big.write(new Uint8Array(1))).rejects.toThrow(/after aborted/);
  });

  it('lists past one page and deletes in batches of 1000', async () => {
    // Prepare
    const store = freshStore();
    const keys = Array.from({ length: 1005 }, (_, i) => `lake/k/${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, '{}')));
    }
    const sent: string[] = [];
    const original = s3.client.send.bind(s3.client);
    const spy = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      sent.push(command.constructor.name);
      return (original as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof s3.client.send;

    // Act
    const listed = await collect(store.list('lake/'));
    s3.client.send = spy;
    try {
      await store.delete(keys);
    } finally {
      s3.client.send = original;
    }
    const after = await collect(store.list('lake/'));

    // Assess
    expect(listed.sort()).toEqual(keys);
    expect(sent.filter((n) => n === 'DeleteObjectsCommand')).toHaveLength(2);
    expect(after).toEqual([]);
  });
});
