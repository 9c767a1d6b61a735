/**
 * `servicepulse doctor [--dry-run]`: makes the local lake hold exactly what its manifests list
 * (leftovers of interrupted ingests removed) and says what it fixed and what only a re-ingest fixes.
 */
import { localWriterRunning } from '../../adapters/filesystem.ts';
import { repairLake } from '../../core/ingest/recovery.ts';
import type { LocalContext } from '../context.ts';

export async function doctorCommand(ctx: LocalContext, o: { dryRun?: boolean }): Promise<number> {
  const r = await repairLake(ctx.store, { isRunning: localWriterRunning, dryRun: o.dryRun === true });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const verb = o.dryRun ? 'would remove' : 'removed';
  for (const k of r.removed) out(`${verb} ${k} (listed in no manifest: left by an interrupted ingest)`);
  for (const k of r.published)
    out(`${o.dryRun ? 'would publish' : 'published'} ${k} (committed, not yet in place)`);
  for (const k of r.markers) out(`${verb} ${k} (the marker of an ingest that did not finish)`);
  for (const k of r.running) out(`left alone: ${k} is being ingested right now`);
  for (const m of r.missing) out(`missing: ${m.object}, listed for ${m.source}: ingest that file again`);
  for (const k of r.unreadable) out(`unreadable manifest: ${k}: ingest its file again, then delete it`);
  const fixed = r.removed.length + r.markers.length;
  out(
    `${r.checked} objects checked: ${fixed} ${o.dryRun ? 'to remove' : 'removed'}, ${r.missing.length} missing, ${r.unreadable.length} unreadable manifests`,
  );
  if (r.missing.length + r.unreadable.length > 0) {
    process.stderr.write(
      'servicepulse: the lake lists files that are gone: ingest the files named above again\n',
    );
    return 1;
  }
  return 0;
}
