// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go, Kubernetes 1.32) as a pure
// decision: one syncReplicaSet over the cached pods of the namespace.
//
// claimPods (controller_ref_manager.go ClaimObject): an orphan active pod the selector matches is
// adopted; a pod this ReplicaSet controls that the selector no longer matches is released; pods of
// other controllers are left alone. manageReplicas: too few claimed active pods → create pods from the
// template named `<rs>-<5 chars>` with the ReplicaSet as controller; too many → delete the first ones
// in ActivePodsWithRanks order, ranked by the active pods of the ReplicaSets that share this one's
// controller (getIndirectlyRelatedPods: a Deployment's other ReplicaSets) on the same node. At most
// burstReplicas creates or deletes per sync. A ReplicaSet being deleted only reports status.
// calculateStatus counts the claimed active pods as they were when the sync began.

import type { OwnerReference, Pod, ReplicaSet, ReplicaSetStatus } from '../api/types.js';
import { labelSelectorMatches, labelSelectorIsEmpty } from '../api/object-meta-validation.js';
import { selectorMatches } from '../api/label-selector.js';
import type { Random } from '../random.js';
import { controllerRef, generateName, isPodActive, isPodAvailable, isPodReady, podFromTemplate, podsInDeletionOrder } from '../deployment/reconcile-pods.js';

/** replica_set.go BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetReconcile {
  /** Pods to create, fully named, with the ReplicaSet as controller. */
  create: Pod[];
  /** Claimed pods to delete, in deletion order. */
  delete: Pod[];
  /** Orphans to adopt: the pod with the controller reference added (an update from its resourceVersion). */
  adopt: Pod[];
  /** Pods to release: the pod without this ReplicaSet's reference. */
  release: Pod[];
  status: ReplicaSetStatus;
  /** More pods were wanted than one sync makes (burstReplicas): sync again at once. */
  more: boolean;
}

export function controllerOf(o: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The controller reference names `owner` (by uid when both have one, by kind and name otherwise). */
export function refersTo(ref: OwnerReference | undefined, owner: { metadata?: { name?: string; uid?: string } }, kind: string): boolean {
  if (!ref || ref.kind !== kind || ref.name !== owner.metadata?.name) return false;
  return ref.uid === undefined || owner.metadata?.uid === undefined || ref.uid === owner.metadata.uid;
}

function sameRef(a: OwnerReference, b: OwnerReference): boolean {
  return a.kind === b.kind && a.name === b.name && (a.uid === undefined || b.uid === undefined || a.uid === b.uid);
}

/** getIndirectlyRelatedPods: the pods selected by every ReplicaSet with the same controller (none for a standalone one). */
export function indirectlyRelatedPods(rs: ReplicaSet, replicaSets: readonly ReplicaSet[], pods: readonly Pod[]): Pod[] {
  const ref = controllerOf(rs);
  if (!ref) return [];
  const seen = new Set<string>();
  const out: Pod[] = [];
  for (const other of replicaSets) {
    const otherRef = controllerOf(other);
    if ((other.metadata?.namespace ?? '') !== (rs.metadata?.namespace ?? '') || !otherRef || !sameRef(otherRef, ref)) continue;
    if (labelSelectorIsEmpty(other.spec?.selector)) continue;
    for (const p of pods) {
      const key = p.metadata?.uid ?? p.metadata?.name ?? '';
      if (seen.has(key) || (p.metadata?.namespace ?? '') !== (rs.metadata?.namespace ?? '')) continue;
      if (!labelSelectorMatches(other.spec?.selector, p.metadata?.labels)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

/**
 * One sync of one ReplicaSet. `pods` are the namespace's pods; `replicaSets` the namespace's
 * ReplicaSets (for the related pods that rank deletions).
 */
export function reconcileReplicaSet(
  rs: ReplicaSet,
  pods: readonly Pod[],
  replicaSets: readonly ReplicaSet[],
  random: Random,
  now: Date,
  burstReplicas = BURST_REPLICAS,
): ReplicaSetReconcile {
  const namespace = rs.metadata?.namespace ?? '';
  const deleting = rs.metadata?.deletionTimestamp !== undefined;
  const selector = rs.spec?.selector;
  // An empty or missing selector matches nothing here (validation refuses one anyway).
  const matches = (p: Pod): boolean => !labelSelectorIsEmpty(selector) && labelSelectorMatches(selector, p.metadata?.labels);
  const ref = controllerRef(rs, 'ReplicaSet');

  const claimed: Pod[] = [];
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  for (const p of pods) {
    if ((p.metadata?.namespace ?? '') !== namespace || !isPodActive(p)) continue;
    const owner = controllerOf(p);
    if (owner) {
      if (!refersTo(owner, rs, 'ReplicaSet')) continue;
      if (matches(p)) claimed.push(p);
      else if (!deleting) {
        const released = structuredClone(p);
        released.metadata!.ownerReferences = (p.metadata?.ownerReferences ?? []).filter((r) => r !== owner);
        if (released.metadata!.ownerReferences.length === 0) delete released.metadata!.ownerReferences;
        release.push(released);
      }
      continue;
    }
    if (deleting || !matches(p)) continue;
    const adopted = structuredClone(p);
    adopted.metadata!.ownerReferences = [...(p.metadata?.ownerReferences ?? []), ref];
    adopt.push(adopted);
    claimed.push(adopted);
  }

  const replicas = rs.spec?.replicas ?? 1;
  const create: Pod[] = [];
  let toDelete: Pod[] = [];
  let more = false;
  if (!deleting) {
    const diff = claimed.length - replicas;
    if (diff < 0) {
      const want = -diff;
      const n = Math.min(want, burstReplicas);
      more = want > n;
      const taken = new Set(pods.map((p) => p.metadata?.name ?? ''));
      const base = `${rs.metadata?.name ?? ''}-`;
      for (let i = 0; i < n; i++) {
        const pod = podFromTemplate(rs.spec?.template, rs, ref);
        pod.metadata!.generateName = base;
        pod.metadata!.name = generateName(base, random, taken);
        create.push(pod);
      }
    } else if (diff > 0) {
      const n = Math.min(diff, burstReplicas);
      more = diff > n;
      // getPodsToDelete: no ranking needed when every pod goes.
      const ordered = n < claimed.length ? podsInDeletionOrder(claimed, indirectlyRelatedPods(rs, replicaSets, pods), now) : claimed;
      toDelete = ordered.slice(0, n);
    }
  }

  // calculateStatus.
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of claimed) {
    if (Object.keys(templateLabels).length === 0 || selectorMatches(templateLabels, p.metadata?.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReadySeconds, now)) available++;
    }
  }
  // Go's JSON drops the omitempty zeros; replicas has no omitempty.
  const status: ReplicaSetStatus = { replicas: claimed.length };
  if (fullyLabeled > 0) status.fullyLabeledReplicas = fullyLabeled;
  if (ready > 0) status.readyReplicas = ready;
  if (available > 0) status.availableReplicas = available;
  if ((rs.metadata?.generation ?? 0) > 0) status.observedGeneration = rs.metadata!.generation!;
  // ReplicaFailure is set only when a create or delete fails; kubemu keeps no such condition.
  const kept = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (kept.length > 0) status.conditions = kept;
  return { create, delete: toDelete, adopt, release, status, more };
}
