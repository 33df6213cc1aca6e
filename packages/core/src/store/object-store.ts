// The api-store's view of the log: the latest version of every object, folded from ObjectEvents
// in revision order, as etcd's keyspace is the fold of its revisions. Pure; the shell feeds it.
import type { KubeObject } from '../api/types.js';
import { resourceByKind, type ResourceInfo } from '../api/resources.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One accepted write, as read back from the log (the stream sequence is its revision). */
export interface LogEvent {
  revision: number;
  type: WatchEventType;
  kind: string;
  object: KubeObject;
  timeUnixMilli: number;
  writer?: string;
  author?: string;
}

export interface StoredObject {
  kind: string;
  object: KubeObject; // metadata.resourceVersion === String(revision)
  revision: number;
}

export interface ObjectStore {
  /** The revision of the last event folded in. */
  revision: number;
  objects: Map<string, StoredObject>;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function emptyObjectStore(): ObjectStore {
  return { revision: 0, objects: new Map() };
}

/** The key an object is stored under: "<kind>/<namespace>/<name>", namespace empty for cluster scope. */
export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function keyOf(kind: string, object: KubeObject): string {
  const r = resourceByKind(kind);
  return objectKey(kind, r?.namespaced ? (object.metadata?.namespace ?? '') : '', object.metadata?.name ?? '');
}

/**
 * Folds one event in. Mutates and returns the store: it holds every object, so copying it per event
 * would be quadratic. Revisions must strictly increase; a gap is fine (other subjects, rejected
 * messages), going backwards is a broken log reader and stops the agent.
 */
export function applyLogEvent(store: ObjectStore, event: LogEvent): ObjectStore {
  if (event.revision <= store.revision) {
    throw new InvariantError(`event revision ${event.revision} is not after the store's revision ${store.revision}`);
  }
  const key = keyOf(event.kind, event.object);
  if (event.type === 'DELETED') store.objects.delete(key);
  else store.objects.set(key, { kind: event.kind, object: event.object, revision: event.revision });
  store.revision = event.revision;
  return store;
}

export function getObject(store: ObjectStore, kind: string, namespace: string, name: string): StoredObject | undefined {
  return store.objects.get(objectKey(kind, namespace, name));
}

/** Objects of a kind, optionally in one namespace, in etcd key order (namespace, then name). */
export function listObjects(store: ObjectStore, r: ResourceInfo, namespace?: string): StoredObject[] {
  const prefix = namespace === undefined || !r.namespaced ? `${r.kind}/` : `${r.kind}/${namespace}/`;
  const out: StoredObject[] = [];
  for (const [key, value] of store.objects) if (key.startsWith(prefix)) out.push(value);
  return out.sort((a, b) => compareKeys(a.object, b.object));
}

function compareKeys(a: KubeObject, b: KubeObject): number {
  const an = a.metadata?.namespace ?? '';
  const bn = b.metadata?.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a1 = a.metadata?.name ?? '';
  const b1 = b.metadata?.name ?? '';
  return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
}

/** Namespaced objects living in a namespace, any kind. */
export function countInNamespace(store: ObjectStore, namespace: string): number {
  let n = 0;
  for (const v of store.objects.values()) if (v.kind !== 'Namespace' && v.object.metadata?.namespace === namespace) n++;
  return n;
}
