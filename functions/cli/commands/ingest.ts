/** `servicepulse ingest --source S [--entity E] FILE…`: raw files into the local lake. */
import { createReadStream, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ENTITIES, type Entity, isEntity } from '../../core/contracts.ts';
import { type FileReport, ingestFile } from '../../core/ingest/normalize.ts';
import { isSource, SOURCES, type SourceName } from '../../core/ingest/sources.ts';
import '../../core/ingest/vendors.ts';
import { defaultLocalEncoder } from '../../adapters/parquet-worker.ts';
import { type LocalContext, UsageError, UserError } from '../context.ts';
import { printTable } from '../table.ts';

async function expand(paths: readonly string[]): Promise<string[]> {
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

export interface IngestArgs {
  source: string;
  entity?: string | undefined;
  files: string[];
}

export function checkIngestArgs(args: IngestArgs): { source: SourceName; entity: Entity | undefined } {
  if (!isSource(args.source))
    throw new UsageError(`--source must be one of ${SOURCES.join(', ')}; got "${args.source}"`);
  if (args.entity !== undefined && !isEntity(args.entity)) {
    throw new UsageError(`--entity must be one of ${ENTITIES.join(', ')}; got "${args.entity}"`);
  }
  if (args.entity !== undefined && args.source !== 'generic') {
    throw new UsageError('--entity applies to --source generic only (vendor sources know their entities)');
  }
  if (args.files.length === 0) throw new UsageError('name at least one FILE to ingest');
  return { source: args.source, entity: args.entity as Entity | undefined };
}

/** Ingests files one by one; a file that fails is reported and the others go on. */
export async function ingestLocal(
  ctx: LocalContext,
  source: SourceName,
  entity: Entity | undefined,
  paths: readonly string[],
): Promise<FileReport[]> {
  const files = await expand(paths);
  const task = ctx.progress.start(`ingest (${source})`, files.length);
  const reports: FileReport[] = [];
  for (const file of files) {
    const report = await ingestFile(
      { key: file, body: createReadStream(file, { highWaterMark: 1 << 20 }) },
      // Parquet is encoded on a second thread when the machine has a second core.
      { source, entity, config: ctx.config, store: ctx.store, encoder: defaultLocalEncoder() },
    );
    reports.push(report);
    task.tick();
  }
  const read = reports.reduce((s, r) => s + r.read, 0);
  task.done(`${files.length} files, ${read.toLocaleString('en')} rows`);
  return reports;
}

export function printIngestReports(reports: readonly FileReport[], cwd = process.cwd()): void {
  printTable(
    ['file', 'entity', 'read', 'accepted', 'quarantined', 'status'],
    reports.map((r) => [
      relative(cwd, r.file) || r.file,
      r.entities.join('+') || '-',
      r.read,
      r.accepted,
      r.quarantined,
      r.error ? `FAILED: ${r.error}` : r.quarantined > 0 ? `see ${r.quarantineKey}` : 'ok',
    ]),
  );
}

export async function ingestCommand(ctx: LocalContext, args: IngestArgs): Promise<number> {
  const { source, entity } = checkIngestArgs(args);
  const reports = await ingestLocal(ctx, source, entity, args.files);
  printIngestReports(reports);
  const failed = reports.filter((r) => r.error);
  if (failed.length > 0) {
    process.stderr.write(
      `servicepulse: ${failed.length} of ${reports.length} files could not be read; fix them and ingest them again\n`,
    );
    return 1;
  }
  return 0;
}
