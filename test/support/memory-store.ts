/**
 * An in-memory ObjectStore for tests: objects appear only when their sink commits, like S3 and the
 * filesystem store. `openSinks` counts writes begun and not yet committed or aborted, so a test can
 * check that nothing was left half-done.
 */
import { NotFoundError, type ObjectSink, type ObjectStore } from '../../functions/core/ports.ts';

export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  openSinks = 0;

  locate(key: string): string {
    return `memory://${key}`;
  }

  async *read(key: string): AsyncIterable<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new NotFoundError(`no such object: ${key}`);
    yield body;
  }

  async readText(key: string): Promise<string | undefined> {
    const body = this.objects.get(key);
    return body ? new TextDecoder().decode(body) : undefined;
  }

  async create(key: string): Promise<ObjectSink> {
    const chunks: Uint8Array[] = [];
    let state: 'open' | 'done' = 'open';
    this.openSinks++;
    const close = () => {
      state = 'done';
      this.openSinks--;
    };
    return {
      write: async (chunk) => {
        if (state !== 'open') throw new Error('write after close');
        chunks.push(chunk.slice());
      },
      commit: async () => {
        if (state !== 'open') return;
        close();
        this.objects.set(key, Buffer.concat(chunks));
      },
      abort: async () => {
        if (state !== 'open') return;
        close();
      },
    };
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body.slice());
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) yield k;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.objects.delete(k);
  }

  /** Every key, sorted. */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}
