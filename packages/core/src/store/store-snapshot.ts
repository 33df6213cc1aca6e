// An agent's folded log as a value it can persist and start from again (DESIGN "The event log": an
// agent restarts from its snapshot and resumes the stream at its revision + 1). Pure: the shell
// encodes the value (bus's snapshot file) and decides where to read from with resumePoint.
//
// Restoring checks what it reads as strictly as a decoded event is checked: a snapshot that does
// not hold together is refused with the reason, and the agent replays the log from 1 instead.
import type { KubeObject } from '../api/types.js';
import { resourceByKind } from '../api/resources.js';
import { InvariantError, keyOf, type ObjectStore, type StoredObject } from './object-store.js';

/** Objects one snapshot may hold. The log's size bound (1 GiB) over ~4 KiB objects, with room. */
export const MAX_SNAPSHOT_OBJECTS = 500_000;

export interface StoreSnapshot {
  /**
   * The agent's revision: every event up to it has been looked at, folded in or (a kind the agent
   * does not keep, a malformed message) passed over. At least the revision of every object.
   */
  revision: number;
  /** Every stored object, in key order. */
  objects: readonly StoredObject[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** The store as a snapshot at `revision` (default: the store's own). Shares the objects; encode it before folding more. */
export function takeStoreSnapshot(store: ObjectStore, revision: number = store.revision, maxObjects: number = MAX_SNAPSHOT_OBJECTS): StoreSnapshot {
  if (!Number.isSafeInteger(revision) || revision < store.revision) {
    throw new InvariantError(`a snapshot at revision ${revision} cannot hold a store folded up to revision ${store.revision}`);
  }
  if (store.objects.size > maxObjects) throw new SnapshotError(`the store holds ${store.objects.size} objects; a snapshot holds at most ${maxObjects}`);
  const keys = [...store.objects.keys()].sort();
  return { revision, objects: keys.map((k) => ({ ...store.objects.get(k)! })) };
}

export interface RestoreOptions {
  /** Whether the agent keeps this object at all (the proxy agent: Services, EndpointSlices, its own Node). */
  keeps?: (kind: string, object: KubeObject) => boolean;
  maxObjects?: number;
}

function describeObject(kind: string, object: KubeObject | undefined): string {
  const ns = object?.metadata?.namespace;
  return `${kind} ${ns ? `${ns}/` : ''}${String(object?.metadata?.name)}`;
}

/** The store a snapshot describes, or SnapshotError saying why the snapshot cannot be one. */
export function restoreStoreSnapshot(snapshot: StoreSnapshot, options: RestoreOptions = {}): ObjectStore {
  const maxObjects = options.maxObjects ?? MAX_SNAPSHOT_OBJECTS;
  const { revision, objects } = snapshot;
  if (!Number.isSafeInteger(revision) || revision < 0) throw new SnapshotError(`snapshot revision ${String(revision)} is not a revision`);
  if (!Array.isArray(objects)) throw new SnapshotError('snapshot holds no object list');
  if (objects.length > maxObjects) throw new SnapshotError(`snapshot holds ${objects.length} objects; the limit is ${maxObjects}`);
  const store: ObjectStore = { revision, objects: new Map() };
  for (const stored of objects) {
    const { kind, object } = stored;
    const what = describeObject(kind, object);
    const r = resourceByKind(kind);
    if (!r) throw new SnapshotError(`snapshot holds a ${JSON.stringify(kind)}, which is no kind the log carries`);
    if (object?.kind !== kind) throw new SnapshotError(`snapshot holds ${what} whose object says kind ${JSON.stringify(object?.kind)}`);
    const name = object.metadata?.name;
    if (typeof name !== 'string' || name === '') throw new SnapshotError(`snapshot holds a ${kind} without a name`);
    const namespace = object.metadata?.namespace ?? '';
    if (r.namespaced === (namespace === '')) {
      throw new SnapshotError(`snapshot holds ${what}, ${r.namespaced ? 'without a namespace' : 'with a namespace'}; ${kind} is ${r.namespaced ? 'namespaced' : 'cluster-scoped'}`);
    }
    if (!Number.isSafeInteger(stored.revision) || stored.revision < 1) throw new SnapshotError(`snapshot holds ${what} at revision ${String(stored.revision)}`);
    if (stored.revision > revision) throw new SnapshotError(`snapshot at revision ${revision} holds ${what} at the later revision ${stored.revision}`);
    if (object.metadata?.resourceVersion !== String(stored.revision)) {
      throw new SnapshotError(`snapshot holds ${what} at revision ${stored.revision} with resourceVersion ${JSON.stringify(object.metadata?.resourceVersion)}`);
    }
    if (options.keeps && !options.keeps(kind, object)) throw new SnapshotError(`snapshot holds ${what}, which this agent does not keep`);
    const key = keyOf(kind, object);
    if (store.objects.has(key)) throw new SnapshotError(`snapshot holds ${what} twice`);
    store.objects.set(key, { kind, object, revision: stored.revision });
  }
  return store;
}

/** Where the log stands: JetStream's stream state and identity, in the log's words. */
export interface LogExtent {
  /** The first revision the log still holds; 0 when it holds none. */
  firstRevision: number;
  /** The revision of the last write; 0 for an empty log. */
  lastRevision: number;
  /** When the log (the stream) was created: a log made again since the snapshot is another log. */
  createdAt: string;
}

export type ResumePoint = { fromRevision: number; refused?: undefined } | { fromRevision: 1; refused: string };

/**
 * Where an agent holding a snapshot at `revision`, taken of the log created at `createdAt`, reads
 * from: revision + 1 when the log is the same one and still holds every revision after the
 * snapshot; otherwise from 1, with the reason.
 */
export function resumePoint(snapshot: { revision: number; createdAt: string }, log: LogExtent): ResumePoint {
  const r = snapshot.revision;
  if (snapshot.createdAt !== log.createdAt) {
    return { fromRevision: 1, refused: `the snapshot is of a log created at ${snapshot.createdAt}; this log was created at ${log.createdAt}` };
  }
  if (log.lastRevision < r) return { fromRevision: 1, refused: `the log ends at revision ${log.lastRevision}, before the snapshot's revision ${r}` };
  if (log.lastRevision > r && log.firstRevision > r + 1) {
    return { fromRevision: 1, refused: `the log starts at revision ${log.firstRevision}; revision ${r + 1} is gone` };
  }
  return { fromRevision: r + 1 };
}
