/**
 * Where one ingest's outputs go. Outputs are owned by (source file, scope): the scope is the
 * entity for generic files (`generic:tickets`) and the vendor for vendor files (`zendesk`), so
 * ingesting a file as another entity never touches the first entity's outputs (issue 13 item 6).
 * Every name derives from the owner (a readable stem of the file's base name and a hash of key and
 * scope) and the ingest's generation, so a re-ingest writes new names beside the old ones, and
 * the manifest decides which set readers see (commit.ts).
 *
 * Names never start with `.` or `_` (Athena and Hive skip such files as hidden).
 */
import { createHash } from 'node:crypto';
import type { Entity } from '../contracts.ts';

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Who owns a set of outputs: one source file, read as one entity (generic) or by one vendor. */
export interface Owner {
  key: string;
  scope: string;
}

/** The owner's id in every output name and in its manifest's name (16 hex digits). */
export const ownerId = (owner: Owner) => keyHash(`${owner.key}\u0000${owner.scope}`);

/** A filesystem- and S3-safe stem from the source key's base name; never starts with `.` or `_`. */
export function outputStem(key: string): string {
  const base = key.split(/[\\/]/).pop() ?? 'input';
  const stem = base.replace(/\.gz$/i, '').replace(/\.[A-Za-z0-9]+$/, '');
  const safe = stem
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 60);
  return safe || 'input';
}

/** The manifest of an owner: what its last committed ingest read and wrote (the commit point). */
export const manifestKey = (owner: Owner) => `lake/_manifests/${ownerId(owner)}.json`;

/** The manifest an ingest wrote before outputs were owned by (file, scope): one per source key. */
export const legacyManifestKey = (key: string) => `lake/_manifests/${keyHash(key)}.json`;

/** Manifests are `lake/_manifests/<16 hex>.json`. */
export const MANIFEST_PREFIX = 'lake/_manifests/';
export const isManifestKey = (key: string) => /^lake\/_manifests\/[0-9a-f]{16}\.json$/.test(key);

/** The marker an ingest leaves while it writes: found after a crash, it says what to clean. */
export const PENDING_PREFIX = 'lake/_pending/';
export const pendingKey = (owner: Owner, generation: string) =>
  `${PENDING_PREFIX}${ownerId(owner)}-${generation}.json`;

/** The quarantine file of one ingest (NDJSON, one rejected record a line). */
export const quarantineKey = (owner: Owner, generation: string) =>
  `quarantine/${outputStem(owner.key)}-${ownerId(owner)}-${generation}.ndjson`;

/**
 * The Parquet file of one ingest in one day partition: part 1, or part 2, 3… when the partition
 * continues after its file was finished early to free memory.
 */
export function partitionFileKey(
  owner: Owner,
  generation: string,
  entity: Entity,
  dt: string,
  part: number,
): string {
  return `lake/${entity}/dt=${dt}/${outputStem(owner.key)}-${ownerId(owner)}-${generation}${part === 1 ? '' : `-${part}`}.parquet`;
}

/**
 * The hidden name an object waits under until its ingest is committed, on stores whose readers
 * list folders (S3 under Athena, which skips names starting with `_`).
 */
export function stagedKey(key: string): string {
  const at = key.lastIndexOf('/') + 1;
  return `${key.slice(0, at)}_staged-${key.slice(at)}`;
}

/** Whether an object (lake part, quarantine file, or a temporary file of one) belongs to an owner's id. */
export function ownedBy(key: string, id: string): boolean {
  const base = key.split('/').pop() ?? '';
  return base.includes(`-${id}-`) || base.includes(`-${id}.`);
}
