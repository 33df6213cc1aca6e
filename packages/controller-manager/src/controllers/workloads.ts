// The StatefulSet controller (pkg/controller/statefulset), and what the pod-owning controllers share:
// core's reconcileStatefulSet (reconcileReplicaSet for ReplicaSets, replicaset.ts) decides the pods to
// create and delete and the status; the shells perform them. Creates go out in slow-start batches
// (1, 2, 4, …) as controller_utils' slowStartBatch does, so a failing create does not become a burst
// of failures.
import {
  EVENT_TYPE_NORMAL,
  EVENT_TYPE_WARNING,
  getObject,
  isControlledBy,
  objectKey,
  reconcileStatefulSet,
  type KubeObject,
  type Pod,
  type StatefulSet,
} from '@kubemu/core';
import type { ControllerApi, ControllerDefinition } from '../controller.js';
import { isConflict, isNotFound } from '../controller.js';
import { objectsOfKind, parseKey } from './service-keys.js';

/** controller_utils.go SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;
/** What a pod-owning controller records of each create and delete (controller_utils.go RealPodControl). */
export interface PodEvents {
  created(pod: Pod): void;
  createFailed(pod: Pod, err: unknown): void;
  deleted(pod: Pod): void;
}

export async function slowStartCreate(api: ControllerApi, pods: readonly Pod[], events?: PodEvents): Promise<void> {
  let i = 0;
  for (let batch = SLOW_START_INITIAL_BATCH; i < pods.length; batch *= 2) {
    const slice = pods.slice(i, i + batch);
    i += slice.length;
    const results = await Promise.allSettled(
      slice.map((p) =>
        api.create(p).then(
          (created) => {
            events?.created(created);
            return created;
          },
          (err: unknown) => {
            events?.createFailed(p, err);
            throw err;
          },
        ),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    // A failed batch stops the rest; the next sync recomputes what is still missing.
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

export async function deleteAll(api: ControllerApi, pods: readonly Pod[], events?: PodEvents): Promise<void> {
  const results = await Promise.allSettled(pods.map((p) => api.delete({ ...p, kind: 'Pod', apiVersion: 'v1' }).then((r) => events?.deleted(p) ?? r)));
  const failed = results.find((r) => r.status === 'rejected' && !isNotFound((r as PromiseRejectedResult).reason));
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

export function sameStatus(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/** The workload a pod's controller ownerReference names, as a queue key. */
export function ownerKey(pod: Pod, kind: string): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === kind);
  return ref?.name ? objectKey(kind, pod.metadata?.namespace ?? '', ref.name) : undefined;
}

export function workloadKeys(kind: string) {
  return (event: { kind: string; object: KubeObject }, previous: KubeObject | undefined): string[] => {
    if (event.kind === kind) return [objectKey(kind, event.object.metadata?.namespace ?? '', event.object.metadata?.name ?? '')];
    if (event.kind !== 'Pod') return [];
    const keys = new Set<string>();
    for (const p of [event.object as Pod, previous as Pod | undefined]) {
      const k = p ? ownerKey(p, kind) : undefined;
      if (k) keys.add(k);
    }
    return [...keys];
  };
}

export function statefulSetController(): ControllerDefinition {
  return {
    name: 'statefulset',
    keysFor: workloadKeys('StatefulSet'),
    initialKeys: (store) => objectsOfKind<StatefulSet>(store, 'StatefulSet').map((s) => objectKey('StatefulSet', s.metadata?.namespace ?? '', s.metadata?.name ?? '')),
    async sync(key, { store, api, now, events }) {
      const { namespace, name } = parseKey(key);
      const set = getObject(store, 'StatefulSet', namespace, name)?.object as StatefulSet | undefined;
      if (!set) return;
      const pods = objectsOfKind<Pod>(store, 'Pod', namespace).filter((p) => isControlledBy(p, set, 'StatefulSet'));
      const decision = reconcileStatefulSet(set, pods, now());
      const recorder = events('statefulset-controller');
      // stateful_pod_control.go recordPodEvent: "<verb> Pod <pod> in StatefulSet <set> successful|failed error: <err>".
      const setEvents: PodEvents = {
        created: (p) => recorder.event(set, EVENT_TYPE_NORMAL, 'SuccessfulCreate', `create Pod ${p.metadata?.name} in StatefulSet ${name} successful`),
        createFailed: (p, err) =>
          recorder.event(set, EVENT_TYPE_WARNING, 'FailedCreate', `create Pod ${p.metadata?.name} in StatefulSet ${name} failed error: ${(err as Error)?.message ?? String(err)}`),
        deleted: (p) => recorder.event(set, EVENT_TYPE_NORMAL, 'SuccessfulDelete', `delete Pod ${p.metadata?.name} in StatefulSet ${name} successful`),
      };
      await slowStartCreate(api, decision.create, setEvents);
      await deleteAll(api, decision.delete, setEvents);
      if (!sameStatus(set.status, decision.status)) {
        await api.updateStatus({ ...set, status: decision.status }).catch((err: unknown) => {
          if (!isConflict(err)) throw err;
        });
      }
      return (set.spec?.minReadySeconds ?? 0) > 0 ? { requeueAfterMs: (set.spec!.minReadySeconds! * 1000) / 2 } : undefined;
    },
  };
}
