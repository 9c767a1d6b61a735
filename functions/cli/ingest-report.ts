/** The per-file table `ingest` and `demo` print: rows read, accepted and quarantined, and the status. */
import { relative } from 'node:path';
import type { FileReport } from '../core/ingest/normalize.ts';
import { printTable } from './table.ts';

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
