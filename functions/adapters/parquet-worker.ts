/**
 * A {@link ParquetEncoder} that encodes on a worker thread, so a machine with two or more cores
 * parses and validates rows on the main thread while the previous row groups are being encoded.
 *
 * One worker serves every open file (functions/adapters/parquet-worker-main.ts runs the same
 * {@link openEncodedFile} the in-thread encoder uses, so the bytes are identical). Column buffers
 * are transferred, not copied; Parquet bytes come back transferred too. At most two row groups per
 * file are in flight: `write` resolves once the worker has taken the one before the previous.
 *
 * Used by the CLI when the machine has more than one core. Lambda functions encode in-thread: at
 * the normalizer's memory size a function has less than one vCPU, and the bundle has no worker
 * entry.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ColumnPayload } from '../core/parquet.ts';
import type { EncodedFile, FileSpec, ParquetEncoder } from '../core/parquet-encode.ts';

export type ToWorker =
  | { op: 'open'; id: number; spec: FileSpec }
  | { op: 'write'; id: number; seq: number; columns: ColumnPayload[]; length: number }
  | { op: 'close'; id: number }
  | { op: 'abort'; id: number };

export type FromWorker =
  | { op: 'chunk'; id: number; chunk: Uint8Array }
  | { op: 'written'; id: number; seq: number }
  | { op: 'closed'; id: number }
  | { op: 'error'; id: number; message: string };

interface FileState {
  onChunk: (chunk: Uint8Array) => Promise<void> | undefined;
  written: Map<number, () => void>;
  closed?: () => void;
  error?: Error;
  /** The sink's backpressure: set when it asked the encoder to wait. */
  sinkWait?: Promise<void>;
}

function transferList(columns: ColumnPayload[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const c of columns)
    for (const view of [c.bits, c.data, c.offsets])
      if (view && view.buffer instanceof ArrayBuffer) buffers.add(view.buffer);
  return [...buffers];
}

export class WorkerParquetEncoder implements ParquetEncoder {
  private worker: Worker | undefined;
  private readonly files = new Map<number, FileState>();
  private nextId = 1;

  private start(): Worker {
    if (this.worker) return this.worker;
    // The sources are TypeScript: a small JavaScript entry registers tsx in the new thread first.
    const worker = new Worker(new URL('./parquet-worker-entry.mjs', import.meta.url));
    worker.on('message', (m: FromWorker) => this.receive(m));
    const failAll = (e: Error) => {
      for (const f of this.files.values()) this.fail(f, e);
      this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (this.files.size > 0) failAll(new Error(`the Parquet encoder thread exited (code ${code})`));
      this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private fail(f: FileState, e: Error): void {
    f.error ??= e;
    for (const resolve of f.written.values()) resolve();
    f.written.clear();
    f.closed?.();
  }

  private receive(m: FromWorker): void {
    const f = this.files.get(m.id);
    if (!f) return;
    switch (m.op) {
      case 'chunk': {
        const wait = f.onChunk(m.chunk);
        if (wait) f.sinkWait = wait;
        return;
      }
      case 'written':
        f.written.get(m.seq)?.();
        f.written.delete(m.seq);
        return;
      case 'closed':
        f.closed?.();
        return;
      case 'error':
        this.fail(f, new Error(m.message));
        return;
    }
  }

  open(spec: FileSpec, onChunk: (chunk: Uint8Array) => Promise<void> | undefined): EncodedFile {
    const worker = this.start();
    worker.ref();
    const id = this.nextId++;
    const f: FileState = { onChunk, written: new Map() };
    this.files.set(id, f);
    worker.postMessage({ op: 'open', id, spec } satisfies ToWorker);
    let seq = 0;
    let previous: Promise<void> = Promise.resolve();
    let beforePrevious: Promise<void> = Promise.resolve();
    const done = () => {
      this.files.delete(id);
      if (this.files.size === 0) this.worker?.unref();
    };
    return {
      write: async (columns, length) => {
        await beforePrevious;
        if (f.sinkWait) await f.sinkWait;
        if (f.error) throw f.error;
        const n = ++seq;
        beforePrevious = previous;
        previous = new Promise<void>((resolve) => f.written.set(n, resolve));
        worker.postMessage(
          { op: 'write', id, seq: n, columns, length } satisfies ToWorker,
          transferList(columns),
        );
      },
      close: async () => {
        await previous;
        if (f.error) {
          done();
          throw f.error;
        }
        const closed = new Promise<void>((resolve) => {
          f.closed = resolve;
        });
        worker.postMessage({ op: 'close', id } satisfies ToWorker);
        await closed;
        done();
        if (f.error) throw f.error;
      },
      abort: () => {
        worker.postMessage({ op: 'abort', id } satisfies ToWorker);
        done();
      },
    };
  }

  /** Stops the worker (open files fail). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

/**
 * The encoder the CLI uses: a worker thread when there is a second core, else undefined
 * (in-thread). SERVICEPULSE_ENCODER=thread or =worker decides instead.
 */
export function defaultLocalEncoder(): ParquetEncoder | undefined {
  const mode = process.env.SERVICEPULSE_ENCODER;
  if (mode === 'thread' || (mode !== 'worker' && availableParallelism() < 2)) return undefined;
  shared ??= new WorkerParquetEncoder();
  return shared;
}
let shared: WorkerParquetEncoder | undefined;
