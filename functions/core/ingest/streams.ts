/**
 * Byte-stream utilities for decoding a raw file: gzip detected by its magic bytes (not the file
 * name), a leading UTF-8 byte order mark dropped, an iterator resumed after a peek, items grouped
 * into batches, and the content hash taken while the bytes stream past. None of them knows CSV
 * or JSON.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UnreadableFileError } from './raw-record.ts';

/** What an iterator has left, after `taken` (items already read from it, handed on first). */
export async function* resumed<T>(it: AsyncIterator<T>, taken: Iterable<T> = []): AsyncGenerator<T> {
  yield* taken;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    yield n.value;
  }
}

async function* nonEmpty(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) if (chunk.length > 0) yield chunk;
}

/** Reads the first bytes to detect gzip, then yields the (decompressed) byte stream. */
export async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  // Read at least the two magic bytes, however the source happens to chunk its bytes.
  const it = nonEmpty(source)[Symbol.asyncIterator]();
  const headChunks: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const n = await it.next();
    if (n.done) break;
    headChunks.push(n.value);
    headBytes += n.value.length;
  }
  if (headBytes === 0) return;
  const head = headChunks.length === 1 ? headChunks[0]! : Buffer.concat(headChunks);
  const rest = resumed(it, [head]);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = Readable.from(rest).pipe(createGunzip());
    try {
      for await (const chunk of gunzip) yield chunk as Uint8Array;
    } catch (e) {
      throw new UnreadableFileError(`not valid gzip: ${(e as Error).message}`);
    }
  } else {
    yield* rest;
  }
}

/**
 * The bytes without a leading UTF-8 byte order mark, however they are chunked: a CSV parser would
 * take it for part of the first header cell, and a quote after it would not open a quoted cell
 * (Excel's "CSV UTF-8" writes one, and quotes a header cell holding a comma or a line break).
 */
export async function* withoutBom(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = bytes[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  for (;;) {
    const n = await it.next();
    if (n.done) break;
    head = head.length === 0 ? n.value : Buffer.concat([head, n.value]);
    if (head.length >= 3) break;
  }
  const bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const first = bom ? head.subarray(3) : head;
  yield* resumed(it, first.length > 0 ? [first] : []);
}

/** Groups an iterable's items into arrays of up to `size`. */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Passes a byte stream through, counting its bytes and hashing them (SHA-256) on the way. */
export class HashingSource implements AsyncIterable<Uint8Array> {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly body: AsyncIterable<Uint8Array>) {}
  async *[Symbol.asyncIterator]() {
    for await (const chunk of this.body) {
      this.hash.update(chunk);
      this.bytes += chunk.length;
      yield chunk;
    }
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}
