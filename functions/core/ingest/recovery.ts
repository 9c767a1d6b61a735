/**
 * What a crashed ingest leaves, found and removed. An ingest writes a pending marker before its
 * first output and deletes it after its commit (commit.ts), so a marker still there means the
 * ingest stopped: its objects not listed in the owner's manifest (parts committed before the
 * crash, the previous generation when the crash came after the flip, temporary files) are
 * leftovers. Readers never saw them (they read the manifests), so removing them changes nothing
 * that any reader sees.
 *
 * Two callers: the next ingest of the same owner ({@link recoverOwner}) and `servicepulse doctor`
 * ({@link repairLake}), which also removes objects no manifest lists and reports manifests that
 * list objects that are gone.
 */
import type { ObjectStore } from '../ports.ts';
import type { Manifest, PendingMarker } from './manifest.ts';
import {
  isManifestKey,
  MANIFEST_PREFIX,
  manifestKey,
  type Owner,
  ownedBy,
  ownerId,
  PENDING_PREFIX,
  stagedKey,
} from './output-keys.ts';

/** Tells whether the writer named in a marker (`host:pid`) is still running; default: never. */
export type IsRunning = (writer: string) => boolean;

/** Thrown when another ingest of the same owner is still running. */
export class IngestBusyError extends Error {
  override name = 'IngestBusyError';
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

/** Every object under lake/ and quarantine/, with the temporary files of writers no longer running. */
async function outputObjects(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of ['lake/', 'quarantine/']) {
    keys.push(...(await collect(store.list(prefix))));
    if (store.listTemporary) keys.push(...(await collect(store.listTemporary(prefix))));
  }
  return keys.filter((k) => !k.startsWith(MANIFEST_PREFIX) && !k.startsWith(PENDING_PREFIX));
}

async function readMarker(store: ObjectStore, key: string): Promise<PendingMarker | undefined> {
  try {
    return JSON.parse((await store.readText(key)) ?? '') as PendingMarker;
  } catch {
    return undefined; // a marker cut short by the crash: still a marker
  }
}

/**
 * Rolls forward: a listed object that is missing while its staged copy is there was committed
 * (the manifest lists it) but not yet published when the ingest stopped; copies it into place.
 * Returns the objects published.
 */
async function publishStaged(
  store: ObjectStore,
  listed: Iterable<string>,
  present: Set<string>,
  dryRun = false,
): Promise<string[]> {
  const done: string[] = [];
  if (!store.copy) return done;
  for (const k of listed) {
    if (present.has(k) || !present.has(stagedKey(k))) continue;
    if (!dryRun) await store.copy(stagedKey(k), k);
    present.add(k);
    done.push(k);
  }
  return done;
}

const listedBy = (m: Manifest | undefined) => [
  ...(m?.outputs ?? []),
  ...(m?.quarantineKey ? [m.quarantineKey] : []),
];

/**
 * Before an ingest of `owner` begins: if an earlier one left its marker, removes that ingest's
 * leftovers and the marker; returns what was removed (empty when nothing had crashed).
 */
export async function recoverOwner(
  store: ObjectStore,
  owner: Owner,
  isRunning: IsRunning = () => false,
): Promise<string[]> {
  const id = ownerId(owner);
  const markers = await collect(store.list(`${PENDING_PREFIX}${id}-`));
  if (markers.length === 0) return [];
  for (const k of markers) {
    const writer = (await readMarker(store, k))?.writer;
    if (writer && isRunning(writer))
      throw new IngestBusyError(
        `${owner.key} is being ingested by another process (${writer}): wait for it to finish`,
      );
  }
  const text = await store.readText(manifestKey(owner));
  const keep = new Set(listedBy(text ? (JSON.parse(text) as Manifest) : undefined));
  const objects = await outputObjects(store);
  const published = await publishStaged(store, keep, new Set(objects));
  const leftovers = objects.filter((k) => ownedBy(k, id) && !keep.has(k));
  await store.delete([...leftovers, ...markers]);
  return [...published, ...leftovers, ...markers];
}

/** What `servicepulse doctor` found and did. */
export interface RepairReport {
  /** Objects removed: leftovers of crashed ingests and objects no manifest lists. */
  removed: string[];
  /** Objects a manifest lists that waited under their staged name (S3): copied into place. */
  published: string[];
  /** Markers of ingests that stopped before finishing, removed. */
  markers: string[];
  /** Objects a manifest lists that are gone: the source file must be ingested again. */
  missing: { source: string; object: string }[];
  /** Manifests that cannot be read (left in place, named so they can be looked at). */
  unreadable: string[];
  /** Ingests still running (their objects were left alone). */
  running: string[];
  /** Objects checked. */
  checked: number;
}

/** Reads every manifest; unreadable ones are named, not thrown. */
async function allManifests(store: ObjectStore, report: RepairReport): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const key of await collect(store.list(MANIFEST_PREFIX))) {
    if (!isManifestKey(key)) continue;
    try {
      out.push(JSON.parse((await store.readText(key)) ?? '') as Manifest);
    } catch {
      report.unreadable.push(key);
    }
  }
  return out;
}

/**
 * Use case `servicepulse doctor`: makes the lake hold exactly what its manifests list.
 *  1. read every manifest and every pending marker; markers of running ingests protect their owner;
 *  2. remove every output object (and temporary file) that no manifest lists, and the markers;
 *  3. report manifests that list objects that are gone (`dryRun`: report only, remove nothing).
 */
export async function repairLake(
  store: ObjectStore,
  options: { isRunning?: IsRunning; dryRun?: boolean } = {},
): Promise<RepairReport> {
  const isRunning = options.isRunning ?? (() => false);
  const report: RepairReport = {
    removed: [],
    published: [],
    markers: [],
    missing: [],
    unreadable: [],
    running: [],
    checked: 0,
  };
  const manifests = await allManifests(store, report);
  const listed = new Set(manifests.flatMap(listedBy));
  const busy = new Set<string>();
  for (const k of await collect(store.list(PENDING_PREFIX))) {
    const m = await readMarker(store, k);
    if (m?.writer && isRunning(m.writer)) {
      busy.add(ownerId(m));
      report.running.push(m.key);
    } else report.markers.push(k);
  }
  const objects = await outputObjects(store);
  report.checked = objects.length;
  const present = new Set(objects);
  const protectedBy = (k: string) => [...busy].some((id) => ownedBy(k, id));
  report.published = await publishStaged(store, listed, present, options.dryRun);
  report.removed = objects.filter((k) => !listed.has(k) && !protectedBy(k));
  for (const m of manifests)
    for (const o of listedBy(m)) if (!present.has(o)) report.missing.push({ source: m.key, object: o });
  if (!options.dryRun) await store.delete([...report.removed, ...report.markers]);
  return report;
}
