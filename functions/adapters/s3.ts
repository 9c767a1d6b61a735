/**
 * ObjectStore over one S3 bucket (and an optional key prefix): the AWS twin of FileSystemStore.
 *
 * Writes go through `@aws-sdk/lib-storage`'s `Upload`, fed from a PassThrough: a small object is
 * one PutObject when the sink is committed, a big one a multipart upload whose parts stream out
 * while the writer works. Either way S3 shows the object only once the PUT or the
 * CompleteMultipartUpload succeeds, so readers never see half an object. Aborting ends the stream
 * with an error, which makes `Upload` abort the multipart upload (parts are discarded; keep an
 * `AbortIncompleteMultipartUpload` lifecycle rule on the bucket for uploads a crash leaves behind).
 *
 * Memory: an open sink buffers what it was given until a part (5 MiB) fills, plus the parts in
 * flight (`queueSize`); a small object stays in memory until its commit sends it in one PUT.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFoundError, type ObjectSink, type ObjectStore } from '../core/ports.ts';

const MIB = 1024 * 1024;

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /**
   * Key prefix every store key lives under (a trailing `/` is added when missing).
   * @default '' (the bucket's root)
   */
  prefix?: string;
  /**
   * Multipart part size in bytes; S3's minimum is 5 MiB. Each open sink holds up to one part that
   * has not gone out yet (the normalizer keeps one sink per partition open), so small is lean.
   * @default 5 MiB
   */
  partSize?: number;
  /**
   * Parts uploaded concurrently per object.
   * @default 2
   */
  queueSize?: number;
}

/** S3 reports a missing key as NoSuchKey (GetObject) or NotFound (HeadObject); treat both alike. */
function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Streams one object's bytes: the helper the normalizer uses to read a landed object, which lives
 * in the landing bucket rather than the lake bucket. Throws {@link NotFoundError} when it is absent.
 */
export async function* readS3Object(
  client: S3Client,
  bucket: string,
  key: string,
): AsyncIterable<Uint8Array> {
  let body: Readable;
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = out.Body as Readable;
  } catch (e) {
    if (isNotFound(e)) throw new NotFoundError(`no such object: ${s3Uri(bucket, key)}`);
    throw e;
  }
  if (!body) return;
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } finally {
    // A consumer that stops early must not leave the socket open.
    if (!body.destroyed) body.destroy();
  }
}

export class S3Store implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    const p = options.prefix ?? '';
    this.prefix = p === '' || p.endsWith('/') ? p : `${p}/`;
    this.partSize = Math.max(options.partSize ?? 5 * MIB, 5 * MIB);
    this.queueSize = options.queueSize ?? 2;
  }

  private objectKey(key: string): string {
    if (key.startsWith('/') || key.split('/').some((s) => s === '..'))
      throw new Error(`key escapes the store: ${key}`);
    return this.prefix + key;
  }

  locate(key: string): string {
    return s3Uri(this.bucket, this.objectKey(key));
  }

  read(key: string): AsyncIterable<Uint8Array> {
    return readS3Object(this.client, this.bucket, this.objectKey(key));
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return out.Body ? await out.Body.transformToString('utf-8') : '';
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async create(key: string, contentType?: string): Promise<ObjectSink> {
    // A large high-water mark lets many small writes (quarantine lines) pass without waiting.
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ...(contentType ? { ContentType: contentType } : {}),
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
    });
    let failure: unknown;
    let settled = false;
    // Start consuming now; `done` settles once the object is visible (or the upload failed).
    const done = upload.done().then(
      () => {
        settled = true;
      },
      (e: unknown) => {
        settled = true;
        failure ??= e;
      },
    );
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const failed = done.then(() => {
      throw failure ?? new Error(`upload of ${this.locate(key)} ended before commit`);
    });
    failed.catch(() => {});

    return {
      async write(chunk) {
        if (state !== 'open') throw new Error(`write after ${state}`);
        if (settled) await failed;
        if (!body.write(chunk)) await Promise.race([once(body, 'drain'), failed]);
      },
      async commit() {
        if (state === 'committed') return;
        if (state === 'aborted') throw new Error('commit after abort');
        state = 'committed';
        body.end();
        await done;
        if (failure) throw failure;
      },
      async abort() {
        if (state !== 'open') return;
        state = 'aborted';
        // Failing the body makes Upload stop, abort the multipart upload if one began, and settle.
        body.destroy(new Error('aborted'));
        await done;
      },
    };
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
  }

  /**
   * Server-side copy within the bucket (objects up to 5 GB: one lake part is one day of one file).
   * Implementing it makes an ingest publish its objects after the manifest (commit.ts): Athena
   * lists partition folders, so objects wait under hidden `_staged-` names until then.
   */
  async copy(from: string, to: string): Promise<void> {
    // URL-encoded; `=` and `/` kept as they are (S3 decodes either way; s3rver only with decodeURI).
    const source = encodeURI(`${this.bucket}/${this.objectKey(from)}`).replace(/[?#+&]/g, (c) =>
      encodeURIComponent(c),
    );
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: this.objectKey(to), CopySource: source }),
    );
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key !== undefined) yield o.Key.slice(this.prefix.length);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
        }),
      );
      const errors = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (errors.length > 0) {
        const first = errors[0]!;
        throw new Error(
          `could not delete ${errors.length} object(s) from s3://${this.bucket}, first ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }
}
