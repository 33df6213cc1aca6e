// The garbage collector (pkg/controller/garbagecollector attemptToDeleteItem): an object whose every
// ownerReference names an owner that no longer exists (no object of that kind and name with that uid) is
// deleted. The cache is a prefix of the log, and an owner is always written before what it owns, so an
// owner absent from the cache has been deleted. Owners of kinds kubemu does not store are left alone.
import { objectKey, resourceByKind, type KubeObject, type ObjectStore, type OwnerReference } from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isConflict, isNotFound } from '../controller.js';

function ownerExists(store: ObjectStore, namespace: string, ref: OwnerReference): boolean | undefined {
  const r = resourceByKind(ref.kind ?? '');
  if (!r) return undefined;
  const owner = store.objects.get(objectKey(r.kind, r.namespaced ? namespace : '', ref.name ?? ''))?.object;
  return owner !== undefined && (ref.uid === undefined || owner.metadata?.uid === ref.uid);
}

/** True when every owner is known to be gone. */
export function orphaned(store: ObjectStore, object: KubeObject): boolean {
  const refs = object.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return false;
  return refs.every((ref) => ownerExists(store, object.metadata?.namespace ?? '', ref) === false);
}

export function garbageCollector(): ControllerDefinition {
  // uid → keys of the objects that name it as owner: an owner's deletion finds its dependents without a scan.
  const dependents = new Map<string, Set<string>>();
  const keyOfObject = (kind: string, o: KubeObject): string => {
    const r = resourceByKind(kind);
    return objectKey(kind, r?.namespaced ? (o.metadata?.namespace ?? '') : '', o.metadata?.name ?? '');
  };
  const index = (key: string, o: KubeObject | undefined, add: boolean): void => {
    for (const ref of o?.metadata?.ownerReferences ?? []) {
      if (!ref.uid) continue;
      const set = dependents.get(ref.uid) ?? new Set<string>();
      if (add) set.add(key);
      else set.delete(key);
      if (set.size === 0) dependents.delete(ref.uid);
      else dependents.set(ref.uid, set);
    }
  };
  return {
    name: 'garbagecollector',
    keysFor(event, previous) {
      const key = keyOfObject(event.kind, event.object);
      index(key, previous, false);
      if (event.type !== 'DELETED') index(key, event.object, true);
      const keys: string[] = [];
      if (event.type !== 'DELETED' && (event.object.metadata?.ownerReferences ?? []).length > 0) keys.push(key);
      if (event.type === 'DELETED' && event.object.metadata?.uid) keys.push(...(dependents.get(event.object.metadata.uid) ?? []));
      return keys;
    },
    initialKeys(store) {
      const keys: string[] = [];
      for (const [key, stored] of store.objects) if ((stored.object.metadata?.ownerReferences ?? []).length > 0) keys.push(key);
      return keys;
    },
    async sync(key, { store, api, log }) {
      const stored = store.objects.get(key);
      if (!stored || stored.object.metadata?.deletionTimestamp !== undefined) return;
      if (!orphaned(store, stored.object)) return;
      log.info({ object: key }, 'deleting object whose owners are gone');
      await api.delete({ ...stored.object, kind: stored.kind }).catch((err: unknown) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
    },
  };
}
