/**
 * ObjectStore over a local folder (the stand-in for S3). Writes go to a temporary file in the same
 * folder and are renamed into place on commit, so a reader never sees half an object.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError, type ObjectSink, type ObjectStore } from '../core/ports.ts';

let tempCounter = 0;

export class FileSystemStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error(`key escapes the store: ${key}`);
    return p;
  }

  locate(key: string): string {
    return this.path(key);
  }

  async *read(key: string): AsyncIterable<Uint8Array> {
    const stream = createReadStream(this.path(key), { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`no such file: ${this.path(key)}`);
      throw e;
    }
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async create(key: string): Promise<ObjectSink> {
    const final = this.path(key);
    await mkdir(dirname(final), { recursive: true });
    const temp = `${final}.tmp-${process.pid}-${++tempCounter}`;
    const handle = await open(temp, 'w');
    let closed = false;
    return {
      async write(chunk) {
        await handle.write(chunk);
      },
      async commit() {
        if (closed) return;
        closed = true;
        await handle.close();
        await rename(temp, final);
      },
      async abort() {
        if (closed) return;
        closed = true;
        await handle.close().catch(() => {});
        await rm(temp, { force: true });
      },
    };
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const sink = await this.create(key);
    await sink.write(typeof body === 'string' ? new TextEncoder().encode(body) : body);
    await sink.commit();
  }

  async *list(prefix: string): AsyncIterable<string> {
    const base = this.path(prefix.replace(/\/+$/, '') || '.');
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(base, { withFileTypes: true, recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      if (!e.isFile() || e.name.includes('.tmp-')) continue;
      yield relative(this.root, join(e.parentPath, e.name)).split(sep).join('/');
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const k of keys) await rm(this.path(k), { force: true });
  }
}

export async function writeTextFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
