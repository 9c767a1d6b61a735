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
import { hostname } from 'node:os';
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

/** This process as a writer (`host:pid`), as pending markers name it. */
export function localWriter(): string {
  return `${hostname()}:${process.pid}`;
}

/** Whether a process is running on this host (EPERM: it runs, as another user). */
function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the writer a marker names still runs: only a writer on this host can be checked. */
export function localWriterRunning(writer: string): boolean {
  const at = writer.lastIndexOf(':');
  const pid = Number(writer.slice(at + 1));
  if (writer.slice(0, at) !== hostname() || !Number.isInteger(pid)) return false;
  return pid !== process.pid && pidRunning(pid);
}

const TEMP = /\.tmp-(\d+)-\d+$/;

export class FileSystemStore implements ObjectStore {
  readonly root: string;
  private readonly fs: FileSystemDeps;
  /** Temporary files this store is writing (a temp file of this process not in it is a leftover). */
  private readonly writing = new Set<string>();
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
    const writing = this.writing;
    writing.add(temp);
    let closed = false;
    let failure: WriteError | undefined;
    const discard = async () => {
      closed = true;
      writing.delete(temp);
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
          writing.delete(temp);
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

  /** Keys that start with `prefix` (a folder, or a folder and the start of a name). */
  async *list(prefix: string): AsyncIterable<string> {
    for (const e of await this.entries(prefix)) {
      if (!e.isFile() || e.name.includes('.tmp-')) continue;
      const key = relative(this.root, join(e.parentPath, e.name)).split(sep).join('/');
      if (key.startsWith(prefix)) yield key;
    }
  }

  /** Temporary files under a prefix whose writer is gone: another process that ended, or a sink of this process that is not open. */
  async *listTemporary(prefix: string): AsyncIterable<string> {
    for (const e of await this.entries(prefix)) {
      const m = TEMP.exec(e.name);
      if (!e.isFile() || !m) continue;
      const path = join(e.parentPath, e.name);
      const pid = Number(m[1]);
      const live = pid === process.pid ? this.writing.has(path) : pidRunning(pid);
      const key = relative(this.root, path).split(sep).join('/');
      if (!live && key.startsWith(prefix)) yield key;
    }
  }

  /** Everything below the folder part of `prefix`, recursively. */
  private async entries(prefix: string): Promise<import('node:fs').Dirent[]> {
    const base = this.path(prefix.slice(0, prefix.lastIndexOf('/') + 1).replace(/\/+$/, '') || '.');
    try {
      return await readdir(base, { withFileTypes: true, recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
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
