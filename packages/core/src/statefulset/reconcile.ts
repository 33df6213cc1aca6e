// The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go, Kubernetes 1.32):
// pods `<name>-0 … <name>-(N-1)` with stable identity (hostname = pod name, subdomain =
// spec.serviceName, labels statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and
// controller-revision-hash), created and deleted in ordinal order under OrderedReady (monotonic) or
// all at once under Parallel; RollingUpdate deletes the highest-ordinal pod not at the update
// revision, one at a time, down to the partition; OnDelete leaves pods alone.
//
// kubemu keeps no ControllerRevisions: the update revision is computed from spec.template and the
// current revision is status.currentRevision. So a pod re-created below the partition gets the update
// revision's template (upstream re-creates it from the stored current revision), and identity repair
// of existing pods (updateIdentity on relabelled pods), PVCs and spec.ordinals are not modelled.

import type { Pod, StatefulSet, StatefulSetStatus } from '../api/types.js';
import { computeControllerRevisionHash } from '../deployment/reconcile-hash.js';
import { controllerRef, isControlledBy, isPodAvailable, isPodReady, isPodTerminating, podFromTemplate } from '../deployment/reconcile-pods.js';

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface StatefulSetReconcile {
  create: Pod[];
  delete: Pod[];
  status: StatefulSetStatus;
}

/** controllerRevisionName(set.Name, hash): the value of the controller-revision-hash label. */
export function updateRevisionName(set: StatefulSet): string {
  const prefix = (set.metadata?.name ?? '').slice(0, 223);
  return `${prefix}-${computeControllerRevisionHash(set.spec?.template)}`;
}

/** getParentNameAndOrdinal: `<set>-<ordinal>`, or undefined for a pod that is not one of the set's. */
export function podOrdinal(set: StatefulSet, pod: Pod): number | undefined {
  const name = pod.metadata?.name ?? '';
  const prefix = `${set.metadata?.name ?? ''}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** newStatefulSetPod + initIdentity + setPodRevision. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const pod = podFromTemplate(set.spec?.template, set, controllerRef(set, 'StatefulSet'));
  const name = `${set.metadata?.name ?? ''}-${ordinal}`;
  pod.metadata!.generateName = `${set.metadata?.name ?? ''}-`;
  pod.metadata!.name = name;
  pod.metadata!.labels = {
    ...pod.metadata!.labels,
    [STATEFULSET_POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [CONTROLLER_REVISION_HASH_LABEL]: revision,
  };
  pod.spec = { ...pod.spec, hostname: name };
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  return pod;
}

const isFinished = (p: Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isPodTerminating(p);

/**
 * One sync of one StatefulSet (updateStatefulSet). `pods` may be all pods of the namespace; only the
 * set's own `<name>-<ordinal>` pods count. Creates carry their final names; deletes are graceful.
 */
export function reconcileStatefulSet(set: StatefulSet, pods: readonly Pod[], now: Date): StatefulSetReconcile {
  const replicaCount = set.spec?.replicas ?? 1;
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const updateRevision = updateRevisionName(set);
  const currentRevision = set.status?.currentRevision || updateRevision;
  const runningAndAvailable = (p: Pod): boolean => p.status?.phase === 'Running' && isPodAvailable(p, minReadySeconds, now);

  const replicas: (Pod | undefined)[] = new Array<Pod | undefined>(replicaCount).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    if (!isControlledBy(pod, set, 'StatefulSet')) continue;
    const ordinal = podOrdinal(set, pod);
    if (ordinal === undefined) continue;
    if (ordinal < replicaCount) replicas[ordinal] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => podOrdinal(set, b)! - podOrdinal(set, a)!);

  const create: Pod[] = [];
  const del: Pod[] = [];
  const observed = [...replicas.filter((p): p is Pod => p !== undefined), ...condemned];
  const finish = (): StatefulSetReconcile => ({ create, delete: del, status: computeStatus(set, observed, currentRevision, updateRevision, runningAndAvailable) });

  if (set.metadata?.deletionTimestamp !== undefined) return finish();

  // firstUnhealthyPod: the lowest unhealthy replica, else the lowest-ordinal unhealthy condemned pod.
  const firstUnhealthy = replicas.find((p) => p !== undefined && !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));

  // processReplica for each ordinal; monotonic mode stops at the first pod that is not yet Running and Available.
  for (let i = 0; i < replicaCount; i++) {
    const pod = replicas[i];
    if (pod !== undefined && isFinished(pod)) {
      if (!isPodTerminating(pod)) del.push(pod);
      if (monotonic) return finish();
      continue;
    }
    if (pod === undefined) {
      create.push(newStatefulSetPod(set, i, updateRevision));
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && (isPodTerminating(pod) || !runningAndAvailable(pod))) return finish();
  }

  // processCondemned: from the highest ordinal; monotonic mode one at a time, after its predecessors are healthy.
  for (const pod of condemned) {
    if (isPodTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && !runningAndAvailable(pod) && pod !== firstUnhealthy) return finish();
    del.push(pod);
    if (monotonic) return finish();
  }

  if (set.spec?.updateStrategy?.type === 'OnDelete') return finish();

  // Rolling update: delete the highest-ordinal pod not at the update revision; wait for unhealthy pods.
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicaCount - 1; target >= partition; target--) {
    const pod = replicas[target];
    if (pod === undefined) continue; // just created in this sync (upstream's local copy is at the update revision)
    if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== updateRevision && !isPodTerminating(pod)) {
      del.push(pod);
      return finish();
    }
    if (!isHealthy(pod)) return finish();
  }
  return finish();
}

/** updateStatus / computeReplicaStatus, then completeRollingUpdate. */
function computeStatus(
  set: StatefulSet,
  pods: readonly Pod[],
  currentRevision: string,
  updateRevision: string,
  runningAndAvailable: (p: Pod) => boolean,
): StatefulSetStatus {
  const status: StatefulSetStatus = {};
  if (set.metadata?.generation !== undefined) status.observedGeneration = set.metadata.generation;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const p of pods) {
    replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (runningAndAvailable(p)) available++;
    }
    if (!isPodTerminating(p)) {
      const revision = p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (revision === currentRevision) current++;
      if (revision === updateRevision) updated++;
    }
  }
  status.replicas = replicas;
  status.readyReplicas = ready;
  status.currentReplicas = current;
  status.updatedReplicas = updated;
  status.availableReplicas = available;
  status.currentRevision = currentRevision;
  status.updateRevision = updateRevision;
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && updated === replicas && ready === replicas) {
    status.currentReplicas = updated;
    status.currentRevision = updateRevision;
  }
  return status;
}
