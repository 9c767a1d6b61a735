/**
 * ObjectStore over a local folder (the stand-in for S3). Writes go to a temporary file in the same
 * folder and are renamed into place on commit, so a reader never sees half an object.
 *
 * Every write is checked: a short write is continued until the chunk is written, a write that
 * makes no progress, ENOSPC, EIO or any other error removes the temporary file and throws a
 * {@link WriteError} saying what happened ("disk full writing <path>: …"); commit fsyncs the file
 * before the rename, so a committed object is complete on disk.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError, type ObjectSink, type ObjectStore } from '../core/ports.ts';

let tempCounter = 0;

/** The part of node:fs/promises' FileHandle a sink writes through (tests inject failing ones). */
export interface WritableFile {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file system calls the store writes through; default node:fs/promises. */
export interface FileSystemDeps {
  openForWrite(path: string): Promise<WritableFile>;
}

const nodeFs: FileSystemDeps = { openForWrite: (path) => open(path, 'w') };

/** A write that failed; `code` is the errno code (ENOSPC, EIO, …) or SHORT_WRITE. */
export class WriteError extends Error {
  override name = 'WriteError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The one-line message of a failed write, saying what to do next. */
export function describeWriteError(e: unknown, path: string): WriteError {
  if (e instanceof WriteError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  const detail = (e as Error).message ?? String(e);
  switch (code) {
    case 'ENOSPC':
      return new WriteError(`disk full writing ${path}: free some space and try again`, code);
    case 'EDQUOT':
      return new WriteError(`disk quota exceeded writing ${path}: free some space and try again`, code);
    case 'EIO':
      return new WriteError(`I/O error writing ${path}: check the disk, then try again`, code);
    case 'EROFS':
      return new WriteError(`read-only file system writing ${path}: choose a writable --home`, code);
    case 'EACCES':
    case 'EPERM':
      return new WriteError(`permission denied writing ${path}: check the folder's permissions`, code);
    default:
      return new WriteError(`could not write ${path} (${detail})`, code);
  }
}

/** Writes the whole chunk, continuing after short writes; a write that makes no progress fails. */
async function writeFully(handle: WritableFile, chunk: Uint8Array, path: string): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    if (!(bytesWritten > 0)) {
      throw new WriteError(
        `disk full writing ${path} (short write: ${offset} of ${chunk.length} bytes): free some space and try again`,
        'SHORT_WRITE',
      );
    }
    offset += bytesWritten;
  }
}

export class FileSystemStore implements ObjectStore {
  readonly root: string;
  private readonly fs: FileSystemDeps;
  constructor(root: string, deps: Partial<FileSystemDeps> = {}) {
    this.root = resolve(root);
    this.fs = { ...nodeFs, ...deps };
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

  /**
   * Starts a checked write to a temporary file beside `key`. A failed write removes the temporary
   * file and throws; a later commit then throws the same error instead of renaming.
   */
  async create(key: string): Promise<ObjectSink> {
    const final = this.path(key);
    const temp = `${final}.tmp-${process.pid}-${++tempCounter}`;
    let handle: WritableFile;
    try {
      await mkdir(dirname(final), { recursive: true });
      handle = await this.fs.openForWrite(temp);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => {});
      throw describeWriteError(e, final);
    }
    let closed = false;
    let failure: WriteError | undefined;
    const discard = async () => {
      closed = true;
      await handle.close().catch(() => {});
      await rm(temp, { force: true }).catch(() => {});
    };
    const fail = async (e: unknown): Promise<never> => {
      failure = describeWriteError(e, final);
      if (!closed) await discard();
      throw failure;
    };
    return {
      async write(chunk) {
        if (failure) throw failure;
        if (closed) throw new Error(`write after commit or abort: ${final}`);
        await writeFully(handle, chunk, final).catch(fail);
      },
      async commit() {
        if (failure) throw failure;
        if (closed) return;
        try {
          await handle.sync();
          closed = true;
          await handle.close();
          await rename(temp, final);
        } catch (e) {
          closed = false;
          await fail(e);
        }
      },
      async abort() {
        if (closed) return;
        await discard();
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

/** Writes a text file atomically and checked (temp file, fsync, rename), like the store's objects. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  const abs = resolve(path);
  await new FileSystemStore(dirname(abs)).put(relative(dirname(abs), abs), text);
}
