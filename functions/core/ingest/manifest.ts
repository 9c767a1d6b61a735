/**
 * The manifest of an owner (its committed outputs) and the marker of a running ingest: the two
 * small JSON objects the commit protocol (commit.ts) and recovery (recovery.ts) share.
 */
import type { ObjectStore } from '../ports.ts';
import { manifestKey, type Owner } from './output-keys.ts';
import type { SourceName } from './sources.ts';

/** What the last committed ingest of an owner read and wrote (`lake/_manifests/<owner id>.json`). */
export interface Manifest {
  key: string;
  source: SourceName;
  /** The owner's scope (`generic:<entity>` or the vendor); absent in manifests of older versions. */
  scope?: string;
  /** The generation whose names the outputs carry; absent in manifests of older versions. */
  generation?: string;
  contentSha256: string;
  ingestedAt: string;
  read: number;
  accepted: number;
  quarantined: number;
  outputs: string[];
  quarantineKey?: string;
}

/** The marker a running ingest leaves (`lake/_pending/…`). */
export interface PendingMarker {
  key: string;
  scope: string;
  generation: string;
  startedAt: string;
  /** Who writes (`host:pid` locally), so a repair can leave a running ingest alone. */
  writer?: string;
}

export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const text = await store.readText(key);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${store.locate(key)} is not valid JSON: run \`servicepulse doctor\``);
  }
}

/** The owner's committed manifest; undefined if it never committed. */
export function readManifest(store: ObjectStore, owner: Owner): Promise<Manifest | undefined> {
  return readJson<Manifest>(store, manifestKey(owner));
}
