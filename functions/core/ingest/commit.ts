/**
 * The commit protocol of an ingest (docs/reliability.md): the manifest is the single commit point.
 *
 *  1. begin: remove what a crashed ingest of the same owner left (recovery.ts), then write a
 *     pending marker (`lake/_pending/<owner id>-<generation>.json`);
 *  2. write every output in full under the new generation's names (nothing is listed yet);
 *  3. commit: make the parts and the quarantine file visible as objects (new names: the old
 *     generation is untouched), then write the owner's manifest listing them (one atomic put:
 *     readers now see the new set instead of the old one), then delete the old generation's
 *     objects, then the marker.
 *
 * Readers list files through the manifests (lake-files.ts), so a crash at any step leaves readers
 * the old set (before the manifest put) or the new set (after it), never a mix; what the crash
 * left is found through the marker by the next ingest of the owner, or by `servicepulse doctor`.
 * `hook` stops between steps in the fault-injection tests.
 */
import type { ObjectStore } from '../ports.ts';
import { type Manifest, type PendingMarker, readJson, readManifest } from './manifest.ts';
import { legacyManifestKey, manifestKey, type Owner, pendingKey, stagedKey } from './output-keys.ts';
import { type IsRunning, recoverOwner } from './recovery.ts';

export type { Manifest } from './manifest.ts';
export { readManifest } from './manifest.ts';

/** An object written in full but not visible yet. */
export interface WrittenPart {
  readonly key: string;
  /** Makes the object visible (atomic). */
  commit(): Promise<void>;
}

/** What one ingest wrote: its lake files in order, and its quarantine file if it has one. */
export interface WrittenOutputs {
  parts: readonly WrittenPart[];
  quarantine?: WrittenPart | undefined;
}

/** Called after each step of begin and commit; the fault-injection tests stop the ingest there. */
export type CommitHook = (step: string) => Promise<void> | void;

/** One ingest between its begin and its commit or abort. */
export interface IngestTransaction {
  owner: Owner;
  generation: string;
  /** The owner's last committed manifest (or a legacy per-key manifest it takes over). */
  previous: Manifest | undefined;
  /** The legacy manifest taken over, retired with the previous outputs. */
  legacyKey?: string;
  /** What recovery removed before this ingest began (a crashed ingest's leftovers). */
  repaired: string[];
  hook: CommitHook;
  /** Objects of this generation made visible so far (deleted again on abort). */
  committed: string[];
  /** Objects are committed under hidden staged names and published after the flip (S3). */
  staged: boolean;
  /** The manifest was flipped: the ingest happened, an abort must not undo it. */
  flipped: boolean;
}

/**
 * The manifest a re-ingest replaces: the owner's, else the per-key manifest of an older version
 * when it was written by the same source (and, for generic files, holds the same entity).
 */
async function previousManifest(store: ObjectStore, owner: Owner): Promise<[Manifest?, string?]> {
  const own = await readManifest(store, owner);
  if (own) return [own];
  const legacyKey = legacyManifestKey(owner.key);
  const legacy = await readJson<Manifest>(store, legacyKey);
  if (!legacy || legacy.scope !== undefined) return [];
  const [source, entity] = owner.scope.split(':');
  const sameEntity = !entity || legacy.outputs.every((o) => o.startsWith(`lake/${entity}/`));
  return legacy.source === source && sameEntity ? [legacy, legacyKey] : [];
}

/** The ingest time in base 36 (names show when they were written), never the previous generation. */
function nextGeneration(now: number, previous: string | undefined): string {
  const gen = now.toString(36);
  if (previous === undefined || (previous !== gen && !previous.startsWith(`${gen}_`))) return gen;
  const n = previous === gen ? 0 : Number(previous.slice(gen.length + 1)) || 0;
  return `${gen}_${n + 1}`;
}

/** Step 1: repairs what a crashed ingest of the owner left, then marks this ingest as pending. */
export async function beginIngest(
  store: ObjectStore,
  owner: Owner,
  now: number,
  options: {
    startedAt: string;
    writer?: string | undefined;
    isRunning?: IsRunning | undefined;
    hook?: CommitHook | undefined;
  },
): Promise<IngestTransaction> {
  const hook = options.hook ?? (() => {});
  const repaired = await recoverOwner(store, owner, options.isRunning);
  const [previous, legacyKey] = await previousManifest(store, owner);
  const generation = nextGeneration(now, previous?.generation);
  const marker: PendingMarker = {
    key: owner.key,
    scope: owner.scope,
    generation,
    startedAt: options.startedAt,
    ...(options.writer ? { writer: options.writer } : {}),
  };
  await store.put(pendingKey(owner, generation), JSON.stringify(marker), 'application/json');
  await hook('pending');
  return {
    owner,
    generation,
    previous,
    ...(legacyKey ? { legacyKey } : {}),
    repaired,
    hook,
    committed: [],
    staged: store.copy !== undefined,
    flipped: false,
  };
}

/**
 * Step 3: makes the outputs visible, flips the manifest (the commit point), retires the previous
 * generation and clears the marker; returns the manifest. A failure before the flip throws (the
 * caller aborts: nothing changed for readers); after it, the ingest has committed, and what could
 * not be cleaned is left to recovery (the marker stays).
 */
export async function commitIngest(
  store: ObjectStore,
  tx: IngestTransaction,
  written: WrittenOutputs,
  facts: Omit<Manifest, 'outputs' | 'quarantineKey' | 'scope' | 'generation'>,
): Promise<Manifest> {
  await tx.hook('written'); // every output in full in temporary objects, nothing visible
  const committedKey = (k: string) => (tx.staged ? stagedKey(k) : k);
  const outputs: string[] = [];
  for (const [i, part] of written.parts.entries()) {
    await part.commit();
    tx.committed.push(committedKey(part.key));
    outputs.push(part.key);
    await tx.hook(`part ${i + 1}`);
  }
  const quarantineKey = written.quarantine?.key;
  if (written.quarantine) {
    await written.quarantine.commit();
    tx.committed.push(committedKey(written.quarantine.key));
    await tx.hook('quarantine');
  }
  const manifest: Manifest = {
    ...facts,
    scope: tx.owner.scope,
    generation: tx.generation,
    outputs,
    ...(quarantineKey ? { quarantineKey } : {}),
  };
  await store.put(manifestKey(tx.owner), JSON.stringify(manifest, null, 2), 'application/json');
  tx.flipped = true; // committed: an abort must not delete these any more
  await tx.hook('manifest');
  const keep = [...outputs, ...(quarantineKey ? [quarantineKey] : [])];
  if (tx.staged) await publish(store, tx, keep);
  await retire(store, tx, new Set(keep));
  return manifest;
}

/**
 * After the flip, on stores whose readers list folders: copies each staged object to its listed
 * name, then deletes the staged ones. A failure leaves the marker, so the next ingest of the file
 * (a Lambda retry) or doctor finishes the copies (recovery.ts rolls forward).
 */
async function publish(store: ObjectStore, tx: IngestTransaction, keys: readonly string[]): Promise<void> {
  try {
    for (const [i, k] of keys.entries()) {
      await store.copy!(stagedKey(k), k);
      await tx.hook(`publish ${i + 1}`);
    }
    await store.delete(keys.map(stagedKey));
  } catch (e) {
    throw new Error(
      `${tx.owner.key} was committed, but not all of its outputs could be published (${(e as Error).message.split('\n')[0]}): ingest it again or run \`servicepulse doctor\``,
    );
  }
}

/** The previous generation's objects (and a legacy manifest taken over), then the marker. */
async function retire(store: ObjectStore, tx: IngestTransaction, keep: Set<string>): Promise<void> {
  const prev = tx.previous;
  const stale = [...(prev?.outputs ?? []), ...(prev?.quarantineKey ? [prev.quarantineKey] : [])].filter(
    (k) => !keep.has(k),
  );
  if (tx.legacyKey) stale.push(tx.legacyKey);
  try {
    if (stale.length > 0) await store.delete(stale);
    await tx.hook('retired');
    await store.delete([pendingKey(tx.owner, tx.generation)]);
    await tx.hook('done');
  } catch {
    // The manifest is committed; the marker (still there) makes the next ingest or doctor finish.
  }
}

/**
 * Undoes an ingest that failed before its commit point: removes what it made visible and its
 * marker (the previous generation was never touched). Never throws: what it cannot remove, the
 * marker's recovery removes later.
 */
export async function abortIngest(store: ObjectStore, tx: IngestTransaction): Promise<void> {
  if (tx.flipped) return; // committed: the marker stays for recovery to finish
  try {
    if (tx.committed.length > 0) await store.delete(tx.committed);
    await store.delete([pendingKey(tx.owner, tx.generation)]);
  } catch {
    // left to recovery
  }
}
