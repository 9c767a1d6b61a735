/**
 * The Parquet encoder thread (see parquet-worker.ts): runs {@link openEncodedFile} for each file
 * the main thread opens, one operation at a time per file, and sends the bytes back.
 */
import { parentPort } from 'node:worker_threads';
import { type EncodedFile, openEncodedFile } from '../core/parquet-encode.ts';
import type { FromWorker, ToWorker } from './parquet-worker.ts';

const port = parentPort;
if (!port) throw new Error('parquet-worker-main.ts runs as a worker thread');

const files = new Map<number, { file: EncodedFile; queue: Promise<void> }>();

const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => {
  if (m.op === 'open') {
    const file = openEncodedFile(m.spec, (chunk) => {
      // Transfer when the chunk owns its buffer; copy otherwise.
      const own =
        chunk.byteOffset === 0 &&
        chunk.byteLength === chunk.buffer.byteLength &&
        chunk.buffer instanceof ArrayBuffer
          ? chunk
          : chunk.slice();
      send({ op: 'chunk', id: m.id, chunk: own }, [own.buffer as ArrayBuffer]);
      return undefined;
    });
    files.set(m.id, { file, queue: Promise.resolve() });
    return;
  }
  const entry = files.get(m.id);
  if (!entry) return;
  const run = (step: () => Promise<void>) => {
    entry.queue = entry.queue.then(step).catch((e: unknown) => {
      files.delete(m.id);
      entry.file.abort();
      send({ op: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
      entry.queue = new Promise<void>(() => {}); // nothing more runs for this file
    });
  };
  switch (m.op) {
    case 'write':
      run(async () => {
        await entry.file.write(m.columns, m.length);
        send({ op: 'written', id: m.id, seq: m.seq });
      });
      return;
    case 'close':
      run(async () => {
        await entry.file.close();
        files.delete(m.id);
        send({ op: 'closed', id: m.id });
      });
      return;
    case 'abort':
      files.delete(m.id);
      entry.file.abort();
      return;
  }
});
