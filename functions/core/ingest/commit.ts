/**
 * The commit step of an ingest: the outputs of one source file become visible together with the
 * manifest that lists them, and what an earlier ingest of the same key wrote but this one did not
 * is retired. Every output was written in full before this step (nothing is visible yet); each
 * commit is atomic per object.
 *
 * One function, {@link commitIngest}, so that making the whole step crash-safe changes this
 * module only.
 */
import type { ObjectStore } from '../ports.ts';
import { manifestKey } from './output-keys.ts';
import type { SourceName } from './sources.ts';

/** What the last ingest of a source key read and wrote (`lake/_manifests/<key hash>.json`). */
export interface Manifest {
  key: string;
  source: SourceName;
  contentSha256: string;
  ingestedAt: string;
  read: number;
  accepted: number;
  quarantined: number;
  outputs: string[];
  quarantineKey?: string;
}

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

/** The manifest of a source key's last ingest; undefined if it was never ingested. */
export async function readManifest(store: ObjectStore, key: string): Promise<Manifest | undefined> {
  const text = await store.readText(manifestKey(key));
  return text ? (JSON.parse(text) as Manifest) : undefined;
}

/**
 * Commits one ingest's outputs, retires the stale ones of `previous` and writes the manifest;
 * returns it.
 */
export async function commitIngest(
  store: ObjectStore,
  written: WrittenOutputs,
  previous: Manifest | undefined,
  facts: Omit<Manifest, 'outputs' | 'quarantineKey'>,
): Promise<Manifest> {
  // 1. commit the lake files, then the quarantine file;
  // 2. only then delete what the previous ingest of this key wrote and this one did not;
  // 3. record the outputs in the manifest.
  const outputs: string[] = [];
  for (const part of written.parts) {
    await part.commit();
    outputs.push(part.key);
  }
  const quarantineKey = written.quarantine?.key;
  await written.quarantine?.commit();
  const keep = new Set([...outputs, ...(quarantineKey ? [quarantineKey] : [])]);
  const stale = [
    ...(previous?.outputs ?? []),
    ...(previous?.quarantineKey ? [previous.quarantineKey] : []),
  ].filter((k) => !keep.has(k));
  if (stale.length > 0) await store.delete(stale);
  const manifest: Manifest = { ...facts, outputs, ...(quarantineKey ? { quarantineKey } : {}) };
  await store.put(manifestKey(facts.key), JSON.stringify(manifest, null, 2), 'application/json');
  return manifest;
}
