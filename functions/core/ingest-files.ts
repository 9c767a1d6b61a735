/**
 * Ingesting a list of files in one go (the CLI's `ingest`, and the demo): each file goes through
 * the normalizer use case `ingestFile`, one after another. The files are opened through a port
 * (the CLI streams them from disk), so this module does no I/O of its own.
 */
import type { Config } from './config.ts';
import type { Entity } from './contracts.ts';
import { type FileReport, type IngestOptions, ingestFile } from './ingest/normalize.ts';
import type { SourceName } from './ingest/sources.ts';
import './ingest/vendors.ts'; // registers zendesk, freshdesk, amazon-connect, twilio
import type { ObjectStore, Progress } from './ports.ts';

export interface IngestFilesPorts {
  /** Streams a file's bytes. */
  open(file: string): AsyncIterable<Uint8Array>;
  /** Where the lake, quarantine and manifests are written. */
  store: ObjectStore;
  config: Config;
  /** Where Parquet row groups are encoded (default: this thread). */
  encoder?: IngestOptions['encoder'];
  progress: Progress;
  /** Who writes (`host:pid`) and whether a writer still runs: guards two ingests of one file. */
  writer?: string;
  isRunning?: IngestOptions['isRunning'];
}

export interface IngestFilesRequest {
  source: SourceName;
  /** generic only: the entity of every file (else each file's name or folder names it). */
  entity?: Entity | undefined;
  /** The files' identities, as `open` understands them (absolute paths locally). */
  files: readonly string[];
}

/**
 * Use case: ingest files one by one; a file that fails is reported and the others go on.
 *
 * Primary course:
 *  1. start a progress task over the files;
 *  2. ingest each file (decode, map, validate, write its partitions and quarantine) and keep its
 *     report;
 *  3. finish the task with the files and rows read, and return the reports in the files' order.
 */
export async function ingestFiles(
  ports: IngestFilesPorts,
  request: IngestFilesRequest,
): Promise<FileReport[]> {
  const { source, entity, files } = request;
  const task = ports.progress.start(`ingest (${source})`, files.length);
  const reports: FileReport[] = [];
  for (const file of files) {
    const report = await ingestFile(
      { key: file, body: ports.open(file), reopen: () => ports.open(file) },
      {
        source,
        entity,
        config: ports.config,
        store: ports.store,
        encoder: ports.encoder,
        writer: ports.writer,
        isRunning: ports.isRunning,
      },
    );
    reports.push(report);
    task.tick();
  }
  const read = reports.reduce((s, r) => s + r.read, 0);
  task.done(`${files.length} files, ${read.toLocaleString('en')} rows`);
  return reports;
}
