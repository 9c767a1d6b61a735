/**
 * What readers read: the lake files the manifests list, per entity. A file in the lake that no
 * manifest lists (an ingest still writing, or one that crashed before its commit) is not read;
 * a file an ingest retired is no longer listed. The version changes whenever a manifest does, so
 * a reader can tell that the lake changed under it.
 */
import { createHash } from 'node:crypto';
import { ENTITIES, type Entity } from '../contracts.ts';
import type { ObjectStore } from '../ports.ts';
import type { Manifest } from './manifest.ts';
import { isManifestKey, MANIFEST_PREFIX } from './output-keys.ts';

export interface LakeSnapshot {
  /** Store keys of the committed lake files, per entity, sorted. */
  files: Record<Entity, string[]>;
  /** A hash of every manifest: equal versions list the same files. */
  version: string;
}

export async function committedLakeFiles(store: ObjectStore): Promise<LakeSnapshot> {
  const keys: string[] = [];
  for await (const k of store.list(MANIFEST_PREFIX)) if (isManifestKey(k)) keys.push(k);
  keys.sort();
  const files = Object.fromEntries(ENTITIES.map((e) => [e, [] as string[]])) as Record<Entity, string[]>;
  const hash = createHash('sha256');
  for (const key of keys) {
    const text = await store.readText(key);
    if (text === undefined) continue; // retired between the listing and the read
    hash.update(`${key}\n${text}\n`);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(text) as Manifest;
    } catch {
      throw new Error(`${store.locate(key)} is not valid JSON: run \`servicepulse doctor\``);
    }
    for (const o of manifest.outputs) {
      const entity = o.split('/')[1] as Entity;
      files[entity]?.push(o);
    }
  }
  for (const e of ENTITIES) files[e].sort();
  return { files, version: hash.digest('hex') };
}
