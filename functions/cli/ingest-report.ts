/** The per-file table `ingest` and `demo` print: rows read, accepted and quarantined, and the status. */
import { relative } from 'node:path';
import type { FileReport } from '../core/ingest/normalize.ts';
import { printTable } from './table.ts';

/** A file read without error that gave no row: an ingest that accepts nothing is a failure. */
export const acceptedNothing = (r: FileReport) => !r.error && r.accepted === 0;

function status(r: FileReport): string {
  if (r.error) return `FAILED: ${r.error}`;
  if (r.read === 0) return 'FAILED: no record in the file';
  if (r.accepted === 0) return `FAILED: no row accepted, see ${r.quarantineKey}`;
  return r.quarantined > 0 ? `see ${r.quarantineKey}` : 'ok';
}

export function printIngestReports(reports: readonly FileReport[], cwd = process.cwd()): void {
  const name = (r: FileReport) => relative(cwd, r.file) || r.file;
  printTable(
    ['file', 'entity', 'read', 'accepted', 'quarantined', 'status'],
    reports.map((r) => [name(r), r.entities.join('+') || '-', r.read, r.accepted, r.quarantined, status(r)]),
  );
  for (const r of reports) {
    if (r.repaired?.length) {
      process.stdout.write(
        `repaired ${name(r)}: removed ${r.repaired.length} leftover object(s) of an earlier ingest that was interrupted\n`,
      );
    }
  }
}
