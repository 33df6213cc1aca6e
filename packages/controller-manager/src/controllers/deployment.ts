// The Deployment controller (pkg/controller/deployment): one sync per Deployment; core's
// reconcileDeployment decides the ReplicaSets to create, update and delete and the Deployment's
// revision annotation and status; this file performs them in that order.
import {
  EVENT_TYPE_NORMAL,
  controllerOf,
  getObject,
  objectKey,
  reconcileDeployment,
  type Deployment,
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
import { sameStatus } from './workloads.js';

const deploymentKey = (namespace: string, name: string): string => objectKey('Deployment', namespace, name);

/** addReplicaSet/updateReplicaSet/deleteReplicaSet: its Deployment, or for an orphan every Deployment whose selector matches it. */
const keysForReplicaSet = (rs: ReplicaSet | undefined, store: ObjectStore): string[] => ownerKeysFor<Deployment>(rs, 'Deployment', store, (d) => d.spec?.selector);

/** deletePod: Recreate waits for the old pods to go. The pod's ReplicaSet's Deployment. */
function keysForDeletedPod(pod: Pod, store: ObjectStore): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const ref = controllerOf(pod);
  if (ref?.kind !== 'ReplicaSet' || !ref.name) return [];
  const rs = getObject(store, 'ReplicaSet', ns, ref.name)?.object as ReplicaSet | undefined;
  const owner = rs ? controllerOf(rs) : undefined;
  return owner?.kind === 'Deployment' && owner.name ? [deploymentKey(ns, owner.name)] : [];
}

const PROGRESSING_REASONS = new Set(['NewReplicaSetCreated', 'FoundNewReplicaSet', 'ReplicaSetUpdated', 'DeploymentResumed']);

export function deploymentController(): ControllerDefinition {
  return {
    name: 'deployment',
    keysFor(event: LogEvent, previous: KubeObject | undefined, store: ObjectStore) {
      const ns = event.object.metadata?.namespace ?? '';
      if (event.kind === 'Deployment') return [deploymentKey(ns, event.object.metadata?.name ?? '')];
      if (event.kind === 'ReplicaSet') return [...new Set([...keysForReplicaSet(event.object as ReplicaSet, store), ...keysForReplicaSet(previous as ReplicaSet | undefined, store)])];
      if (event.kind === 'Pod' && event.type === 'DELETED') return keysForDeletedPod(event.object as Pod, store);
      return [];
    },
    initialKeys: (store) => objectsOfKind<Deployment>(store, 'Deployment').map((d) => deploymentKey(d.metadata?.namespace ?? '', d.metadata?.name ?? '')),
    async sync(key, { store, api, now, log, events }) {
      const { namespace, name } = parseKey(key);
      const d = getObject(store, 'Deployment', namespace, name)?.object as Deployment | undefined;
      if (!d) return;
      const at = now();
      const decision = reconcileDeployment(d, objectsOfKind<ReplicaSet>(store, 'ReplicaSet', namespace), objectsOfKind<Pod>(store, 'Pod', namespace), at);
      for (const e of decision.events) log.info({ deployment: key, reason: 'ScalingReplicaSet' }, e);
      for (const rs of decision.create) await api.create(rs);
      for (const rs of decision.update) await api.update(rs);
      for (const rs of decision.delete) {
        await api.delete(rs).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
      // sync.go scaleReplicaSet records each scale once its ReplicaSet write succeeded.
      for (const e of decision.events) events('deployment-controller').event(d, EVENT_TYPE_NORMAL, 'ScalingReplicaSet', e);
      const annotationsChanged = decision.annotations !== undefined;
      if (annotationsChanged || !sameStatus(d.status, decision.status)) {
        const metadata = annotationsChanged ? { ...d.metadata, annotations: decision.annotations } : d.metadata;
        await api.updateStatus({ ...d, metadata, status: decision.status }).catch((err: unknown) => {
          // The ReplicaSets were written; a newer Deployment only means the status is recomputed on the next sync.
          if (!isConflict(err)) throw err;
        });
      }
      // requeueStuckDeployment: a rollout in progress is looked at again when its deadline passes.
      const progressing = (decision.status.conditions ?? []).find((c) => c.type === 'Progressing') as { reason?: string; lastUpdateTime?: string } | undefined;
      const deadline = d.spec?.progressDeadlineSeconds;
      if (deadline !== undefined && deadline !== 2147483647 && progressing && PROGRESSING_REASONS.has(progressing.reason ?? '') && progressing.lastUpdateTime) {
        const after = Date.parse(progressing.lastUpdateTime) + deadline * 1000 - at.getTime();
        return { requeueAfterMs: Math.max(1000, after + 1000) };
      }
      return undefined;
    },
  };
}
