/**
 * Every write checked (issue 12, item 2): the local file store and the outbox over it. Faults are
 * injected through the store's file-system dependency (short writes, ENOSPC, EIO), and for real on
 * a 64 KiB tmpfs when this process may mount one (root in a container); skipped with a message
 * otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemStore, type WritableFile, writeTextFile } from '../../functions/adapters/filesystem.ts';
import { OutboxDelivery } from '../../functions/adapters/outbox.ts';
import type { MailMessage } from '../../functions/core/ports.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-writes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = (d: string) => readdirSync(d, { recursive: true }).map(String).sort();
const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/** A real file handle whose writes are changed by `plan` (call number → behaviour). */
function faultyFs(plan: (call: number, length: number) => number | Error | undefined) {
  let calls = 0;
  return {
    openForWrite: async (path: string): Promise<WritableFile> => {
      const real = await open(path, 'w');
      return {
        async write(buffer, offset, length) {
          const step = plan(++calls, length);
          if (step instanceof Error) throw step;
          const n = step ?? length;
          return real.write(buffer, offset, n);
        },
        sync: () => real.sync(),
        close: () => real.close(),
      };
    },
  };
}

const bytes = (n: number) => new Uint8Array(n).map((_, i) => 65 + (i % 26));

describe('FileSystemStore: checked writes', () => {
  it('continues after short writes until the whole chunk is on disk', async () => {
    // 10 bytes; the "disk" takes 3, then 3, then the rest: three write calls, 10 bytes committed.
    const store = new FileSystemStore(
      dir,
      faultyFs((call, len) => (call <= 2 ? 3 : len)),
    );
    await store.put('a/b.bin', bytes(10));
    expect(readFileSync(join(dir, 'a/b.bin'))).toEqual(Buffer.from(bytes(10)));
    expect(files(dir)).toEqual(['a', 'a/b.bin']);
  });

  it('a write that makes no progress fails the object and leaves nothing', async () => {
    const store = new FileSystemStore(
      dir,
      faultyFs((call) => (call === 1 ? 4 : 0)),
    );
    await expect(store.put('x.parquet', bytes(10))).rejects.toThrow(
      /disk full writing .*x\.parquet \(short write: 4 of 10 bytes\): free some space/,
    );
    expect(files(dir)).toEqual([]);
  });

  it.each([
    ['ENOSPC', /^disk full writing .*lake\/x\.parquet: free some space and try again$/],
    ['EIO', /^I\/O error writing .*lake\/x\.parquet: check the disk/],
  ])(
    '%s on the second chunk: the sink fails, commit throws, no temp file, no object',
    async (code, message) => {
      const store = new FileSystemStore(
        dir,
        faultyFs((call) => (call === 2 ? errno(code) : undefined)),
      );
      const sink = await store.create('lake/x.parquet');
      await sink.write(bytes(5));
      await expect(sink.write(bytes(5))).rejects.toThrow(message);
      await expect(sink.commit()).rejects.toThrow(message);
      await sink.abort();
      expect(files(dir)).toEqual(['lake']);
    },
  );

  it('an fsync failure at commit leaves the earlier object in place', async () => {
    await new FileSystemStore(dir).put('k.txt', 'old');
    const failing = faultyFs(() => undefined);
    const store = new FileSystemStore(dir, {
      openForWrite: async (p) => ({
        ...(await failing.openForWrite(p)),
        sync: async () => Promise.reject(errno('EIO')),
      }),
    });
    await expect(store.put('k.txt', 'new')).rejects.toThrow(/I\/O error writing .*k\.txt/);
    expect(readFileSync(join(dir, 'k.txt'), 'utf8')).toBe('old');
    expect(files(dir)).toEqual(['k.txt']);
  });
});

const message: MailMessage = {
  from: 'kpi@example.com',
  to: ['a@example.com'],
  subject: 'Daily',
  html: '<img src="cid:c1">',
  text: 'text part',
  inline: [{ cid: 'c1', filename: 'c1.png', contentType: 'image/png', content: bytes(100) }],
  headers: { 'X-Servicepulse-Digest': '2024-03-20-day-en' },
};

describe('OutboxDelivery: whole messages or none', () => {
  it('ENOSPC on the .eml removes the .png, .html and .txt already written', async () => {
    // Writes in order: png (call 1), html (2), txt (3), eml (4).
    const store = new FileSystemStore(
      dir,
      faultyFs((call) => (call === 4 ? errno('ENOSPC') : undefined)),
    );
    await expect(new OutboxDelivery(store).deliver(message, bytes(2000))).rejects.toThrow(
      /disk full writing .*outbox\/2024-03-20-day-en\.eml: free some space/,
    );
    expect(files(join(dir, 'outbox'))).toEqual([]);
  });
});

/** Mounts a 64 KiB tmpfs, or says why not. */
function mountTmpfs(): string | undefined {
  const mnt = join(tmpdir(), `sp-tmpfs-${process.pid}`);
  mkdirSync(mnt, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'pipe' });
    return mnt;
  } catch (e) {
    console.warn(
      `skipping the tmpfs cases: cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`,
    );
    rmSync(mnt, { recursive: true, force: true });
    return undefined;
  }
}

const mnt = mountTmpfs();
afterAll(() => {
  if (!mnt) return;
  execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!mnt)('a real full disk (64 KiB tmpfs)', () => {
  it('a 200 KiB object fails with "disk full writing", and nothing is left on the disk', async () => {
    const store = new FileSystemStore(mnt!);
    await store.put('small.txt', 'fits');
    await expect(store.put('lake/big.parquet', bytes(200 * 1024))).rejects.toThrow(
      /^disk full writing .*lake\/big\.parquet/,
    );
    expect(files(mnt!)).toEqual(['lake', 'small.txt']);
  });

  it('writeTextFile on a full disk throws and leaves the earlier file whole', async () => {
    await writeTextFile(join(mnt!, 'r.csv'), 'old');
    await expect(writeTextFile(join(mnt!, 'r.csv'), 'x'.repeat(200 * 1024))).rejects.toThrow(/disk full/);
    expect(readFileSync(join(mnt!, 'r.csv'), 'utf8')).toBe('old');
  });
});
