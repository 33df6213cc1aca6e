// The Deployment controller (pkg/controller/deployment, Kubernetes 1.32) folded together with the
// ReplicaSet controller it drives: kubemu has no ReplicaSets, so a Deployment owns its pods directly.
// Each pod carries the pod-template-hash label of the template it was made from, is named
// `<deployment>-<hash>-<5 chars>` (the name a user sees under a real ReplicaSet `<deployment>-<hash>`),
// and has an ownerReference to the Deployment. "The ReplicaSet of hash H" below means the active pods
// labelled H; its size is their count, so scaling it is creating or deleting pods.
//
// Modelled: scale up/down; RollingUpdate (rolling.go: reconcileNewReplicaSet, then
// reconcileOldReplicaSets with cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate;
// one of the two per sync); Recreate; paused; status and the Available/Progressing conditions
// (sync.go calculateStatus, progress.go syncRolloutStatus). Not modelled: proportional scaling of
// several ReplicaSets during a rollout (the rolling rules alone bring the counts to spec.replicas),
// revisionHistoryLimit (no ReplicaSets to keep), collisionCount (no names to collide), rollback.

import type { Condition, Deployment, DeploymentStatus, IntOrString, Pod } from '../api/types.js';
import type { Random } from '../random.js';
import { rfc3339 } from '../admission/admit.js';
import { computePodTemplateHash } from './reconcile-hash.js';
import { controllerRef, generateName, isControlledBy, isPodActive, isPodAvailable, isPodReady, podFromTemplate, podsInDeletionOrder } from './reconcile-pods.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Deployment conditions carry lastUpdateTime, which api/types.ts Condition does not have yet. */
export type DeploymentCondition = Condition & { lastUpdateTime?: string };

export interface DeploymentReconcile {
  create: Pod[];
  delete: Pod[];
  status: DeploymentStatus;
}

// pkg/controller/deployment/util/deployment_util.go reasons.
const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';
const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
const REPLICA_SET_UPDATED_REASON = 'ReplicaSetUpdated';
const NEW_REPLICA_SET_REASON = 'NewReplicaSetCreated';
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
const MAX_INT32 = 2147483647;

/** intstr.GetScaledValueFromIntOrPercent: a percentage of total, rounded up or down. */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** deploymentutil.ResolveFenceposts: surge rounds up, unavailable down; both zero means one unavailable. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** deploymentutil.MaxUnavailable. */
function maxUnavailable(d: Deployment, replicas: number): number {
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** The ReplicaSet kubemu stands in for: its name and the pod-template-hash of spec.template. */
export function newReplicaSetName(d: Deployment): { name: string; hash: string } {
  const hash = computePodTemplateHash(d.spec?.template);
  return { name: `${d.metadata?.name ?? ''}-${hash}`, hash };
}

interface PodGroup {
  hash: string;
  pods: Pod[];
  createdMs: number;
}

function newCondition(type: string, status: string, reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** deploymentutil.SetDeploymentCondition: same status and reason → no change; same status keeps lastTransitionTime. */
function setCondition(conditions: DeploymentCondition[], condition: DeploymentCondition): DeploymentCondition[] {
  const current = conditions.find((c) => c.type === condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return conditions;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  return [...conditions.filter((c) => c.type !== condition.type), next];
}

/**
 * One sync of one Deployment. `pods` may be all pods of the namespace; only those the Deployment
 * controls count. Returns the pods to create (fully named), the pods to delete and the status to write.
 */
export function reconcileDeployment(deployment: Deployment, pods: readonly Pod[], random: Random, now: Date): DeploymentReconcile {
  const nowText = rfc3339(now);
  const d = deployment;
  const replicas = d.spec?.replicas ?? 1;
  const minReadySeconds = d.spec?.minReadySeconds ?? 0;
  const owned = pods.filter((p) => isControlledBy(p, d, 'Deployment'));
  const active = owned.filter(isPodActive);
  const { name: rsName, hash } = newReplicaSetName(d);

  const byHash = new Map<string, PodGroup>();
  for (const p of active) {
    const h = p.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
    const g = byHash.get(h) ?? { hash: h, pods: [], createdMs: Number.POSITIVE_INFINITY };
    g.pods.push(p);
    g.createdMs = Math.min(g.createdMs, Date.parse(p.metadata?.creationTimestamp ?? '') || 0);
    byHash.set(h, g);
  }
  const newGroup = byHash.get(hash) ?? { hash, pods: [], createdMs: Number.POSITIVE_INFINITY };
  // controller.ReplicaSetsByCreationTimestamp: oldest first, then by name.
  const oldGroups = [...byHash.values()].filter((g) => g.hash !== hash).sort((a, b) => a.createdMs - b.createdMs || (a.hash < b.hash ? -1 : 1));
  const available = (p: Pod): boolean => isPodAvailable(p, minReadySeconds, now);

  const toCreate: Pod[] = [];
  const toDelete: Pod[] = [];
  const counts = new Map<string, number>([...byHash.values()].map((g) => [g.hash, g.pods.length]));
  counts.set(hash, newGroup.pods.length);
  const countOf = (h: string): number => counts.get(h) ?? 0;
  const total = (): number => [...counts.values()].reduce((a, b) => a + b, 0);

  const taken = new Set(pods.map((p) => p.metadata?.name ?? ''));
  const scaleNew = (target: number): void => {
    const current = countOf(hash);
    if (target > current) {
      for (let i = current; i < target; i++) {
        const pod = podFromTemplate(d.spec?.template, d, controllerRef(d, 'Deployment'));
        pod.metadata!.labels = { ...pod.metadata!.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
        pod.metadata!.generateName = `${rsName}-`;
        pod.metadata!.name = generateName(`${rsName}-`, random, taken);
        toCreate.push(pod);
      }
    } else if (target < current) {
      toDelete.push(...podsInDeletionOrder(newGroup.pods, active, now).slice(0, current - target));
    }
    counts.set(hash, target);
  };
  const scaleDownOld = (g: PodGroup, by: number): void => {
    if (by <= 0) return;
    toDelete.push(...podsInDeletionOrder(g.pods, active, now).slice(0, by));
    counts.set(g.hash, countOf(g.hash) - by);
  };

  // The ReplicaSet "exists" once it has pods or the Progressing condition already names it.
  const oldProgressing = (d.status?.conditions ?? []).find((c) => c.type === 'Progressing') as DeploymentCondition | undefined;
  const newRSExisted = owned.some((p) => p.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash) || (oldProgressing?.message ?? '').includes(`"${rsName}"`);
  const hasProgressDeadline = d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;
  let conditions: DeploymentCondition[] = [...((d.status?.conditions ?? []) as DeploymentCondition[])];

  // checkPausedConditions.
  if (hasProgressDeadline && oldProgressing?.reason !== TIMED_OUT_REASON) {
    const pausedCond = oldProgressing?.reason === PAUSED_DEPLOY_REASON;
    if (d.spec?.paused && !pausedCond) conditions = setCondition(conditions, newCondition('Progressing', 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', nowText));
    else if (!d.spec?.paused && pausedCond) conditions = setCondition(conditions, newCondition('Progressing', 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', nowText));
  }

  const deleting = d.metadata?.deletionTimestamp !== undefined;
  const rollingOut = !deleting && !d.spec?.paused;
  if (rollingOut && !newRSExisted && hasProgressDeadline) {
    conditions = setCondition(conditions, newCondition('Progressing', 'True', NEW_REPLICA_SET_REASON, `Created new replica set "${rsName}"`, nowText));
  }

  if (deleting) {
    // Nothing to do but report status while the garbage collector removes the pods.
  } else if (d.spec?.paused) {
    // sync(): a paused Deployment is only scaled; without old pods that is the new set's size.
    if (oldGroups.length === 0) scaleNew(replicas);
  } else if (!isRollingUpdate(d)) {
    // recreate.go: scale the old sets to zero, wait until no old pod runs, then scale the new one up.
    for (const g of oldGroups) scaleDownOld(g, g.pods.length);
    const oldPodsRunning =
      oldGroups.some((g) => g.pods.length > 0) ||
      owned.some((p) => p.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] !== hash && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    if (!oldPodsRunning) scaleNew(replicas);
  } else {
    const ru = d.spec?.strategy?.rollingUpdate;
    // reconcileNewReplicaSet.
    let scaled = false;
    const newCount = countOf(hash);
    if (newCount > replicas) {
      scaleNew(replicas);
      scaled = true;
    } else if (newCount < replicas) {
      const maxTotal = replicas + scaledValue(ru?.maxSurge ?? '25%', replicas, true);
      const target = total() >= maxTotal ? newCount : newCount + Math.min(maxTotal - total(), replicas - newCount);
      if (target !== newCount) {
        scaleNew(target);
        scaled = true;
      }
    }
    // reconcileOldReplicaSets.
    const oldCount = oldGroups.reduce((a, g) => a + countOf(g.hash), 0);
    if (!scaled && oldCount > 0) {
      const minAvailable = replicas - maxUnavailable(d, replicas);
      const newUnavailable = countOf(hash) - newGroup.pods.filter(available).length;
      const maxScaledDown = total() - minAvailable - newUnavailable;
      if (maxScaledDown > 0) {
        // cleanupUnhealthyReplicas: unavailable old pods go first, up to maxScaledDown.
        let cleaned = 0;
        for (const g of oldGroups) {
          if (cleaned >= maxScaledDown) break;
          const unhealthy = g.pods.filter((p) => !available(p));
          const by = Math.min(maxScaledDown - cleaned, unhealthy.length);
          if (by <= 0) continue;
          scaleDownOld(g, by);
          g.pods = g.pods.filter((p) => !toDelete.includes(p));
          cleaned += by;
        }
        // scaleDownOldReplicaSetsForRollingUpdate: never below minAvailable available pods.
        const availableCount = active.filter(available).length;
        if (availableCount > minAvailable) {
          let remaining = availableCount - minAvailable;
          for (const g of oldGroups) {
            if (remaining <= 0) break;
            const by = Math.min(countOf(g.hash), remaining);
            if (by <= 0) continue;
            scaleDownOld(g, by);
            remaining -= by;
          }
        }
      }
    }
  }

  // calculateStatus: counts as observed; unavailable against the sizes just decided.
  const availableReplicas = active.filter(available).length;
  const status: DeploymentStatus = {};
  if (d.metadata?.generation !== undefined) status.observedGeneration = d.metadata.generation;
  status.replicas = active.length;
  status.updatedReplicas = newGroup.pods.length;
  status.readyReplicas = active.filter(isPodReady).length;
  status.availableReplicas = availableReplicas;
  status.unavailableReplicas = Math.max(0, total() - availableReplicas);
  if (availableReplicas >= replicas - maxUnavailable(d, replicas)) {
    conditions = setCondition(conditions, newCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', nowText));
  } else {
    conditions = setCondition(conditions, newCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', nowText));
  }

  // syncRolloutStatus (not for a paused Deployment: sync() only calls syncDeploymentStatus).
  if (!hasProgressDeadline) conditions = conditions.filter((c) => c.type !== 'Progressing');
  if (rollingOut && hasProgressDeadline) {
    const current = conditions.find((c) => c.type === 'Progressing');
    const isComplete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
    if (!isComplete) {
      const old = d.status ?? {};
      const complete =
        status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas && (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      const progressing =
        status.updatedReplicas! > (old.updatedReplicas ?? 0) ||
        status.replicas! - status.updatedReplicas! < (old.replicas ?? 0) - (old.updatedReplicas ?? 0) ||
        status.readyReplicas! > (old.readyReplicas ?? 0) ||
        availableReplicas > (old.availableReplicas ?? 0);
      if (complete) {
        conditions = setCondition(conditions, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, `ReplicaSet "${rsName}" has successfully progressed.`, nowText));
      } else if (progressing) {
        const c = newCondition('Progressing', 'True', REPLICA_SET_UPDATED_REASON, `ReplicaSet "${rsName}" is progressing.`, nowText);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        conditions = [...conditions.filter((x) => x.type !== 'Progressing'), c];
      } else if (current && current.reason !== NEW_RS_AVAILABLE_REASON) {
        const timedOut =
          current.reason === TIMED_OUT_REASON ||
          (current.lastUpdateTime !== undefined && Date.parse(current.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now.getTime());
        if (timedOut) {
          conditions = setCondition(conditions, newCondition('Progressing', 'False', TIMED_OUT_REASON, `ReplicaSet "${rsName}" has timed out progressing.`, nowText));
        }
      }
    }
  }
  status.conditions = conditions;
  return { create: toCreate, delete: toDelete, status };
}
