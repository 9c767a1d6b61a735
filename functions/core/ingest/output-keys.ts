/**
 * Where one source file's outputs go. Every name derives from the source key (a readable stem of
 * its base name and a hash of the whole key), so re-ingesting a file replaces its outputs and two
 * different files never collide.
 */
import { createHash } from 'node:crypto';
import type { Entity } from '../contracts.ts';

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A filesystem- and S3-safe stem from the source key's base name. */
export function outputStem(key: string): string {
  const base = key.split(/[\\/]/).pop() ?? 'input';
  const stem = base.replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');
  const safe = stem
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return safe || 'input';
}

/** The manifest of the last ingest of a source key: what it read and wrote. */
export const manifestKey = (key: string) => `lake/_manifests/${keyHash(key)}.json`;

/** The quarantine file of a source key (NDJSON, one rejected record a line). */
export const quarantineKey = (key: string) => `quarantine/${outputStem(key)}-${keyHash(key)}.ndjson`;

/**
 * The Parquet file of a source key in one day partition: part 1, or part 2, 3… when the partition
 * continues after its file was finished early to free memory.
 */
export function partitionFileKey(key: string, entity: Entity, dt: string, part: number): string {
  return `lake/${entity}/dt=${dt}/${outputStem(key)}-${keyHash(key)}${part === 1 ? '' : `-${part}`}.parquet`;
}
