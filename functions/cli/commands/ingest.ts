/** `servicepulse ingest --source S [--entity E] FILE…`: raw files into the local lake. */
import { ENTITIES, type Entity, isEntity } from '../../core/contracts.ts';
import { isSource, SOURCES, type SourceName } from '../../core/ingest/sources.ts';
import { type LocalContext, UsageError } from '../context.ts';
import { acceptedNothing, printIngestReports } from '../ingest-report.ts';
import { ingestLocal } from '../local-ops.ts';

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

export async function ingestCommand(ctx: LocalContext, args: IngestArgs): Promise<number> {
  const { source, entity } = checkIngestArgs(args);
  const reports = await ingestLocal(ctx, source, entity, args.files);
  printIngestReports(reports);
  const failed = reports.filter((r) => r.error);
  const empty = reports.filter(acceptedNothing);
  if (failed.length === 1) {
    const [f] = failed;
    process.stderr.write(`servicepulse: ${f!.file}: ${f!.error}; fix it and ingest it again\n`);
  } else if (failed.length > 1) {
    process.stderr.write(
      `servicepulse: ${failed.length} of ${reports.length} files could not be ingested (each is named above); fix them and ingest them again\n`,
    );
  }
  if (empty.length > 0) {
    process.stderr.write(
      `servicepulse: ${empty.length} of ${reports.length} files gave no accepted row; check --source and --entity, and the quarantine file for the reasons\n`,
    );
  }
  return failed.length > 0 || empty.length > 0 ? 1 : 0;
}
