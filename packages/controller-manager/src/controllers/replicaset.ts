// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): one sync per ReplicaSet; core's
// reconcileReplicaSet decides the adoptions, releases, pods to create and delete, and the status; this
// file performs them, creates in slow-start batches.
import {
  EVENT_TYPE_NORMAL,
  EVENT_TYPE_WARNING,
  getObject,
  objectKey,
  reconcileReplicaSet,
  type KubeObject,
  type LogEvent,
  type ObjectStore,
  type Pod,
  type ReplicaSet,
} from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isConflict, isNotFound } from '../controller.js';
import { ownerKeysFor } from './owner-keys.js';
import { objectsOfKind, parseKey } from './service-keys.js';
import { deleteAll, sameStatus, slowStartCreate, type PodEvents } from './workloads.js';

const rsKey = (namespace: string, name: string): string => objectKey('ReplicaSet', namespace, name);

/** addPod/updatePod/deletePod: the pod's ReplicaSet, or for an orphan every ReplicaSet whose selector matches it. */
const keysForPod = (pod: Pod | undefined, store: ObjectStore): string[] => ownerKeysFor<ReplicaSet>(pod, 'ReplicaSet', store, (rs) => rs.spec?.selector);

export function replicaSetController(): ControllerDefinition {
  return {
    name: 'replicaset',
    keysFor(event: LogEvent, previous: KubeObject | undefined, store: ObjectStore) {
      if (event.kind === 'ReplicaSet') return [rsKey(event.object.metadata?.namespace ?? '', event.object.metadata?.name ?? '')];
      if (event.kind !== 'Pod') return [];
      return [...new Set([...keysForPod(event.object as Pod, store), ...keysForPod(previous as Pod | undefined, store)])];
    },
    initialKeys: (store) => objectsOfKind<ReplicaSet>(store, 'ReplicaSet').map((rs) => rsKey(rs.metadata?.namespace ?? '', rs.metadata?.name ?? '')),
    async sync(key, { store, api, now, random, log, events }) {
      const { namespace, name } = parseKey(key);
      const rs = getObject(store, 'ReplicaSet', namespace, name)?.object as ReplicaSet | undefined;
      if (!rs) return;
      const decision = reconcileReplicaSet(rs, objectsOfKind<Pod>(store, 'Pod', namespace), objectsOfKind<ReplicaSet>(store, 'ReplicaSet', namespace), random, now());
      for (const p of decision.adopt) await api.update(p);
      for (const p of decision.release) {
        await api.update(p).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
      // manageReplicas logs these two lines.
      if (decision.create.length > 0) log.info({ replicaSet: key, need: rs.spec?.replicas ?? 1, creating: decision.create.length }, 'Too few replicas');
      if (decision.delete.length > 0) log.info({ replicaSet: key, need: rs.spec?.replicas ?? 1, deleting: decision.delete.length }, 'Too many replicas');
      const recorder = events('replicaset-controller');
      // controller_utils.go RealPodControl: "Created pod: <name>", "Error creating: <err>", "Deleted pod: <name>".
      const podEvents: PodEvents = {
        created: (p) => recorder.event(rs, EVENT_TYPE_NORMAL, 'SuccessfulCreate', `Created pod: ${p.metadata?.name}`),
        createFailed: (_p, err) => recorder.event(rs, EVENT_TYPE_WARNING, 'FailedCreate', `Error creating: ${(err as Error)?.message ?? String(err)}`),
        deleted: (p) => recorder.event(rs, EVENT_TYPE_NORMAL, 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`),
      };
      await slowStartCreate(api, decision.create, podEvents);
      await deleteAll(api, decision.delete, podEvents);
      if (!sameStatus(rs.status, decision.status)) {
        await api.updateStatus({ ...rs, status: decision.status }).catch((err: unknown) => {
          // The pods were written; a newer ReplicaSet only means the status is recomputed on the next sync.
          if (!isConflict(err)) throw err;
        });
      }
      if (decision.more) return { requeueAfterMs: 0 };
      // minReadySeconds: availability changes with time alone.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      const replicas = rs.spec?.replicas ?? 1;
      if (minReady > 0 && (decision.status.readyReplicas ?? 0) === replicas && (decision.status.availableReplicas ?? 0) !== replicas) return { requeueAfterMs: minReady * 1000 };
      return undefined;
    },
  };
}
