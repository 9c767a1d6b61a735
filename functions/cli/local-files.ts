/**
 * The CLI's files on disk: the paths a user names expanded into files (folders recursively),
 * a file opened as a byte stream for the core use cases, and a folder replaced by generated files.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeWriteError } from '../adapters/filesystem.ts';

/** A path that could not be ingested, and why (one line each in the report). */
export interface PathProblem {
  path: string;
  reason: string;
}

/** The file system calls the expansion uses (tests inject an unreadable folder). */
export interface ExpandDeps {
  readdir(path: string): Promise<Dirent[]>;
}
const nodeDeps: ExpandDeps = { readdir: (path) => readdir(path, { withFileTypes: true }) };

function reasonOf(e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such ${what}`;
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'EACCES' || code === 'EPERM') return `${what} not readable (permission denied)`;
  return `${what} not readable (${(e as Error).message})`;
}

/** What a path or link points at; a problem when it cannot be followed. */
async function follow(path: string): Promise<'file' | 'folder' | PathProblem> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : { path, reason: 'not a file or folder' };
  } catch (e) {
    const link = await lstat(path).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      const code = (e as NodeJS.ErrnoException).code;
      return {
        path,
        reason:
          code === 'ELOOP' ? 'symbolic link loop' : 'dangling symbolic link (its target does not exist)',
      };
    }
    return { path, reason: reasonOf(e, 'file or folder') };
  }
}

/** A folder's files, sorted; links followed (a folder reached twice is a loop); hidden names left out. */
async function walk(dir: string, seen: Set<string>, out: (string | PathProblem)[], deps: ExpandDeps) {
  const real = await realpath(dir).catch(() => dir);
  if (seen.has(real)) {
    out.push({ path: dir, reason: 'symbolic link loop (this folder is already being ingested)' });
    return;
  }
  seen.add(real);
  let entries: Dirent[];
  try {
    entries = await deps.readdir(dir);
  } catch (e) {
    out.push({ path: dir, reason: reasonOf(e, 'folder') });
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    const kind = e.isSymbolicLink()
      ? await follow(path)
      : e.isDirectory()
        ? 'folder'
        : e.isFile()
          ? 'file'
          : undefined;
    if (kind === 'file') out.push(path);
    else if (kind === 'folder') await walk(path, seen, out, deps);
    else if (kind) out.push(kind);
  }
}

/**
 * Files and folders → absolute file paths, in order, with a problem in place of each path that
 * cannot be ingested (missing, a dangling or looping link, an unreadable folder): one bad path
 * stops nothing. A folder's files are sorted; hidden ones are left out.
 */
export async function expandPaths(
  paths: readonly string[],
  deps: ExpandDeps = nodeDeps,
): Promise<(string | PathProblem)[]> {
  const out: (string | PathProblem)[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const kind = await follow(abs);
    if (kind === 'file') out.push(abs);
    else if (kind === 'folder') await walk(abs, new Set(), out, deps);
    else out.push({ path: p, reason: kind.reason });
  }
  return out;
}

/** A file's bytes, streamed in 1 MiB chunks. */
export function openLocalFile(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Empties `root` and writes each file at its relative path below it. */
export async function replaceFolder(
  root: string,
  files: readonly { path: string; content: string | Uint8Array }[],
): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const f of files) {
    const path = join(root, f.path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
    } catch (e) {
      throw describeWriteError(e, path);
    }
  }
}
