/**
 * The CLI's files on disk: the paths a user names expanded into files (folders recursively),
 * a file opened as a byte stream for the core use cases, and a folder replaced by generated files.
 */
import { createReadStream, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './context.ts';

/** Files and folders → absolute file paths; a folder's files sorted, hidden ones left out. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(abs);
    } catch {
      throw new UserError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) {
      const entries = await readdir(abs, { recursive: true, withFileTypes: true });
      out.push(
        ...entries
          .filter((e) => e.isFile() && !e.name.startsWith('.'))
          .map((e) => join(e.parentPath, e.name))
          .sort(),
      );
    } else {
      out.push(abs);
    }
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
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
  }
}
