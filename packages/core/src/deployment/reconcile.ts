// The Deployment controller (pkg/controller/deployment, Kubernetes 1.32): one syncDeployment as a
// pure decision over the cached ReplicaSets (and, for Recreate, pods) of the namespace. The
// Deployment drives ReplicaSets only; the ReplicaSet controller (replicaset/reconcile.ts) makes
// their pods.
//
// Modelled as upstream: claiming ReplicaSets (adopt orphans the selector matches, release the ones
// it no longer matches); the new ReplicaSet `<deployment>-<pod-template-hash>` with the hash label
// on its selector, template and labels, the revision, desired-replicas and max-replicas annotations
// and the revision-history of a rolled-back-to ReplicaSet (getNewReplicaSet); collisionCount on a
// name taken by another template; checkPausedConditions; sync() for paused Deployments and scaling
// events, with proportional scaling of every active ReplicaSet during a rollout; rolloutRolling
// (reconcileNewReplicaSet, reconcileOldReplicaSets with cleanupUnhealthyReplicas and
// scaleDownOldReplicaSetsForRollingUpdate); rolloutRecreate; cleanupDeployment
// (revisionHistoryLimit); calculateStatus and syncRolloutStatus (Available, Progressing with
// NewReplicaSetCreated / FoundNewReplicaSet / ReplicaSetUpdated / NewReplicaSetAvailable /
// ProgressDeadlineExceeded). A rollback is `kubectl rollout undo`'s own patch of spec.template
// (apps/v1 has no spec.rollbackTo): the old ReplicaSet becomes the new one and gets the next revision.
//
// Upstream performs each write as it goes and later steps see the written objects; here every
// write is made to a working copy and the decision lists the final objects: the ReplicaSet to
// create, the ReplicaSets to update (each from the resourceVersion it was read at, so a stale
// decision is refused), the ReplicaSets to delete, and the Deployment's annotations and status.

import type { Condition, Deployment, DeploymentStatus, LabelSelector, Pod, ReplicaSet } from '../api/types.js';
import { labelSelectorIsEmpty, labelSelectorMatches, semanticDeepEqual } from '../api/object-meta-validation.js';
import { rfc3339 } from '../admission/admit.js';
import { computePodTemplateHash } from './reconcile-hash.js';
import { controllerRef } from './reconcile-pods.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  actualReplicaCount,
  activeReplicaSets,
  availableReplicaCount,
  byCreationTimestamp,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasOf,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  readyReplicaCount,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicaCount,
  REVISION_ANNOTATION,
} from './replica-sets.js';
import { controllerOf, refersTo } from '../replicaset/reconcile.js';

export { POD_TEMPLATE_HASH_LABEL, resolveFenceposts, scaledValue } from './replica-sets.js';

/** Deployment conditions carry lastUpdateTime besides Condition's fields. */
export type DeploymentCondition = Condition & { lastUpdateTime?: string };

export interface DeploymentReconcile {
  /** The new ReplicaSet to create (at most one). */
  create: ReplicaSet[];
  /** ReplicaSets scaled, annotated, adopted or released: the whole object, from its resourceVersion. */
  update: ReplicaSet[];
  /** Old ReplicaSets past revisionHistoryLimit. */
  delete: ReplicaSet[];
  /** The Deployment's annotations when they changed (the revision annotation), written with the status. */
  annotations?: Record<string, string>;
  status: DeploymentStatus;
  /** What upstream records as events ("Scaled up replica set web-7c5ddbdf54 from 0 to 3" on create, "Scaled down replica set web-7c5ddbdf54 to 1 from 3" on a scale). */
  events: string[];
}

// pkg/controller/deployment/util/deployment_util.go reasons.
const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';
const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
const REPLICA_SET_UPDATED_REASON = 'ReplicaSetUpdated';
const NEW_REPLICA_SET_REASON = 'NewReplicaSetCreated';
const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
const MAX_INT32 = 2147483647;

/** The name and pod-template-hash of the ReplicaSet the Deployment's template would get. */
export function newReplicaSetName(d: Deployment): { name: string; hash: string } {
  const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
  return { name: `${d.metadata?.name ?? ''}-${hash}`, hash };
}

function newCondition(type: string, status: string, reason: string, message: string, now: string): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return (status.conditions ?? []).find((c) => c.type === type);
}

/** deploymentutil.SetDeploymentCondition: same status and reason → no change; same status keeps lastTransitionTime. */
function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type!);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

function hasProgressDeadline(d: Deployment): boolean {
  return d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;
}

/** labelsutil.CloneSelectorAndAddLabel. */
function selectorWithHash(selector: LabelSelector | undefined, hash: string): LabelSelector {
  const out = structuredClone(selector ?? {});
  out.matchLabels = { ...(out.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  return out;
}

class DeploymentSync {
  readonly d: Deployment;
  /** The ReplicaSets as this sync has written them, by name. */
  private readonly working = new Map<string, ReplicaSet>();
  private readonly originals = new Map<string, string>();
  private readonly created = new Set<string>();
  private readonly deleted: ReplicaSet[] = [];
  readonly events: string[] = [];
  private readonly nowText: string;

  constructor(
    deployment: Deployment,
    private readonly allInNamespace: readonly ReplicaSet[],
    private readonly pods: readonly Pod[],
    private readonly now: Date,
  ) {
    this.d = structuredClone(deployment);
    this.d.status = structuredClone(deployment.status ?? {});
    this.nowText = rfc3339(now);
  }

  private track(rs: ReplicaSet): ReplicaSet {
    const name = rs.metadata?.name ?? '';
    if (!this.working.has(name)) {
      this.originals.set(name, JSON.stringify(rs));
      this.working.set(name, structuredClone(rs));
    }
    return this.working.get(name)!;
  }

  /** getReplicaSetsForDeployment: claim by the Deployment's selector (ClaimReplicaSets). */
  claimReplicaSets(): ReplicaSet[] {
    const d = this.d;
    const deleting = d.metadata?.deletionTimestamp !== undefined;
    const selector = d.spec?.selector;
    const matches = (rs: ReplicaSet): boolean => !labelSelectorIsEmpty(selector) && labelSelectorMatches(selector, rs.metadata?.labels);
    const claimed: ReplicaSet[] = [];
    for (const stored of this.allInNamespace) {
      if ((stored.metadata?.namespace ?? '') !== (d.metadata?.namespace ?? '')) continue;
      const owner = controllerOf(stored);
      if (owner) {
        if (!refersTo(owner, d, 'Deployment')) continue;
        if (matches(stored)) claimed.push(this.track(stored));
        else if (!deleting) {
          const rs = this.track(stored);
          rs.metadata!.ownerReferences = (rs.metadata!.ownerReferences ?? []).filter((r) => !(r.controller === true && refersTo(r, d, 'Deployment')));
          if (rs.metadata!.ownerReferences.length === 0) delete rs.metadata!.ownerReferences;
        }
        continue;
      }
      if (deleting || !matches(stored) || stored.metadata?.deletionTimestamp !== undefined) continue;
      const rs = this.track(stored);
      rs.metadata!.ownerReferences = [...(rs.metadata!.ownerReferences ?? []), controllerRef(d, 'Deployment')];
      claimed.push(rs);
    }
    return claimed;
  }

  /** getNewReplicaSet (and FindOldReplicaSets): the new ReplicaSet, created when asked and missing. */
  getAllReplicaSetsAndSyncRevision(rsList: ReplicaSet[], createIfNotExisted: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const d = this.d;
    const oldRSs = findOldReplicaSets(d, rsList).all;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyNeedsUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyNeedsUpdate) {
        rsCopy.spec = { ...rsCopy.spec };
        if ((d.spec?.minReadySeconds ?? 0) === 0) delete rsCopy.spec.minReadySeconds;
        else rsCopy.spec.minReadySeconds = d.spec!.minReadySeconds!;
        Object.assign(existing, rsCopy);
        return { newRS: existing, oldRSs };
      }
      this.setDeploymentRevision(rsCopy.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && getCondition(d.status!, 'Progressing') === undefined) {
        setCondition(d.status!, newCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${existing.metadata?.name}"`, this.nowText));
      }
      return { newRS: existing, oldRSs };
    }
    if (!createIfNotExisted) return { newRS: undefined, oldRSs };

    const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const taken = this.allInNamespace.find((rs) => rs.metadata?.name === name && (rs.metadata?.namespace ?? '') === (d.metadata?.namespace ?? ''));
    if (taken) {
      // AlreadyExists: ours with this template is the new one; otherwise a hash collision.
      if (refersTo(controllerOf(taken), d, 'Deployment') && equalIgnoreHash(d.spec?.template, taken.spec?.template)) {
        return { newRS: this.track(taken), oldRSs };
      }
      d.status!.collisionCount = (d.status!.collisionCount ?? 0) + 1;
      throw new CollisionError(name);
    }
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: d.metadata?.namespace ?? 'default', labels: { ...template.metadata.labels }, ownerReferences: [controllerRef(d, 'Deployment')] },
      spec: { replicas: 0, selector: selectorWithHash(d.spec?.selector, hash), template },
    };
    if ((d.spec?.minReadySeconds ?? 0) > 0) newRS.spec!.minReadySeconds = d.spec!.minReadySeconds!;
    newRS.spec!.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    this.working.set(name, newRS);
    this.created.add(name);
    if (replicasOf(newRS) > 0) this.events.push(`Scaled up replica set ${name} from 0 to ${replicasOf(newRS)}`); // getNewReplicaSet's create
    this.setDeploymentRevision(newRevision);
    if (hasProgressDeadline(d)) setCondition(d.status!, newCondition('Progressing', 'True', NEW_REPLICA_SET_REASON, `Created new replica set "${name}"`, this.nowText));
    return { newRS, oldRSs };
  }

  private setDeploymentRevision(revision: string): void {
    const annotations = (this.d.metadata!.annotations ??= {});
    if (annotations[REVISION_ANNOTATION] !== revision) annotations[REVISION_ANNOTATION] = revision;
  }

  /** scaleReplicaSet: the size and the replicas annotations. True when the size changed. */
  private scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): boolean {
    const d = this.d;
    const max = desiredReplicasOf(d) + maxSurge(d);
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desiredReplicasOf(d), max)) return false;
    const old = replicasOf(rs);
    rs.spec = { ...rs.spec, replicas: newScale };
    setReplicasAnnotations(rs, desiredReplicasOf(d), max);
    if (sizeNeedsUpdate) this.events.push(`Scaled ${operation} replica set ${rs.metadata?.name} to ${newScale} from ${old}`);
    return sizeNeedsUpdate;
  }

  /** scaleReplicaSetAndRecordEvent. */
  private scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    if (replicasOf(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** sync.go scale(). */
  private scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const d = this.d;
    const replicas = desiredReplicasOf(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicas) this.scaleAndRecord(activeOrLatest, replicas);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowedSize - specReplicaCount(all);
    let operation = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const proportion = replicaSetProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata!.name!, replicasOf(rs) + proportion);
        added += proportion;
      } else sizes.set(rs.metadata!.name!, replicasOf(rs));
    }
    all.forEach((rs, i) => {
      const name = rs.metadata!.name!;
      if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added));
      this.scaleReplicaSet(rs, sizes.get(name)!, operation);
    });
  }

  /** cleanupDeployment: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  private cleanup(oldRSs: ReplicaSet[]): void {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp === undefined && !this.created.has(rs.metadata?.name ?? ''));
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.deleted.push(rs);
    }
  }

  /** sync(): scale, clean up when paused, report status. */
  syncScale(rsList: ReplicaSet[]): DeploymentStatus {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) this.cleanup(oldRSs);
    return this.calculateStatus([...oldRSs, newRS], newRS);
  }

  statusOnly(rsList: ReplicaSet[]): DeploymentStatus {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    return this.calculateStatus([...oldRSs, newRS], newRS);
  }

  /** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
  isScalingEvent(rsList: ReplicaSet[]): boolean {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const v = rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'];
      if (v === undefined || !/^[+-]?\d+$/.test(v)) continue;
      if (Number(v) !== desiredReplicasOf(this.d)) return true;
    }
    return false;
  }

  /** rolling.go rolloutRolling. */
  rolloutRolling(rsList: ReplicaSet[]): DeploymentStatus {
    const d = this.d;
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, true);
    const newOne = newRS!;
    const allRSs = [...oldRSs, newOne];
    if (this.reconcileNewReplicaSet(allRSs, newOne)) return this.syncRolloutStatus(allRSs, newOne);
    if (this.reconcileOldReplicaSets(allRSs, activeReplicaSets(oldRSs), newOne)) return this.syncRolloutStatus(allRSs, newOne);
    if (deploymentComplete(d, d.status!)) this.cleanup(oldRSs);
    return this.syncRolloutStatus(allRSs, newOne);
  }

  private reconcileNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    const replicas = desiredReplicasOf(this.d);
    if (replicasOf(newRS) === replicas) return false;
    if (replicasOf(newRS) > replicas) return this.scaleAndRecord(newRS, replicas);
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, allRSs, newRS));
  }

  private reconcileOldReplicaSets(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    const d = this.d;
    if (specReplicaCount(oldRSs) === 0) return false;
    const minAvailable = desiredReplicasOf(d) - maxUnavailable(d);
    const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicaCount(allRSs) - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    // cleanupUnhealthyReplicas: unavailable old replicas first, or they block the rollout.
    const sorted = [...oldRSs].sort(byCreationTimestamp);
    let cleaned = 0;
    for (const rs of sorted) {
      if (cleaned >= maxScaledDown) break;
      const available = rs.status?.availableReplicas ?? 0;
      if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
      const by = Math.min(maxScaledDown - cleaned, replicasOf(rs) - available);
      this.scaleAndRecord(rs, replicasOf(rs) - by);
      cleaned += by;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: never below minAvailable available pods.
    let scaledDown = 0;
    const availableCount = availableReplicaCount([...sorted, newRS]);
    if (availableCount > minAvailable) {
      const total = availableCount - minAvailable;
      for (const rs of sorted) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const by = Math.min(replicasOf(rs), total - scaledDown);
        this.scaleAndRecord(rs, replicasOf(rs) - by);
        scaledDown += by;
      }
    }
    return cleaned + scaledDown > 0;
  }

  /** recreate.go rolloutRecreate. */
  rolloutRecreate(rsList: ReplicaSet[]): DeploymentStatus {
    const d = this.d;
    let { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    let allRSs = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(allRSs, newRS);
    if (this.oldPodsRunning(newRS, oldRSs, rsList)) return this.syncRolloutStatus(allRSs, newRS);
    if (newRS === undefined) {
      ({ newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    this.scaleAndRecord(newRS!, desiredReplicasOf(d));
    if (deploymentComplete(d, d.status!)) this.cleanup(oldRSs);
    return this.syncRolloutStatus(allRSs, newRS);
  }

  /** recreate.go oldPodsRunning over getPodMapForDeployment (pods of the claimed ReplicaSets). */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], rsList: ReplicaSet[]): boolean {
    if (actualReplicaCount(oldRSs) > 0) return true;
    const selector = this.d.spec?.selector;
    for (const p of this.pods) {
      if ((p.metadata?.namespace ?? '') !== (this.d.metadata?.namespace ?? '') || !labelSelectorMatches(selector, p.metadata?.labels)) continue;
      const owner = controllerOf(p);
      const rs = rsList.find((r) => refersTo(owner, r, 'ReplicaSet'));
      if (!rs || rs === newRS) continue;
      if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') continue;
      return true;
    }
    return false;
  }

  /** sync.go calculateStatus. */
  calculateStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const available = availableReplicaCount(allRSs);
    const status: DeploymentStatus = {};
    if (d.metadata?.generation !== undefined) status.observedGeneration = d.metadata.generation;
    status.replicas = actualReplicaCount(allRSs);
    status.updatedReplicas = actualReplicaCount([newRS]);
    status.readyReplicas = readyReplicaCount(allRSs);
    status.availableReplicas = available;
    status.unavailableReplicas = Math.max(0, specReplicaCount(allRSs) - available);
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    status.conditions = [...(d.status?.conditions ?? [])];
    if (available >= desiredReplicasOf(d) - maxUnavailable(d)) {
      setCondition(status, newCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', this.nowText));
    } else {
      setCondition(status, newCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', this.nowText));
    }
    return status;
  }

  /** progress.go syncRolloutStatus. */
  syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const status = this.calculateStatus(allRSs, newRS);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(d.status!, 'Progressing');
    const isComplete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
    if (hasProgressDeadline(d) && !isComplete) {
      const name = newRS?.metadata?.name;
      if (deploymentComplete(d, status)) {
        const msg = name !== undefined ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
        setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, msg, this.nowText));
      } else if (deploymentProgressing(d, status)) {
        const msg = name !== undefined ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
        const c = newCondition('Progressing', 'True', REPLICA_SET_UPDATED_REASON, msg, this.nowText);
        if (current) {
          if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, c);
      } else if (this.timedOut(status)) {
        const msg = name !== undefined ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        setCondition(status, newCondition('Progressing', 'False', TIMED_OUT_REASON, msg, this.nowText));
      }
    }
    removeCondition(status, 'ReplicaFailure');
    return status;
  }

  /** deploymentutil.DeploymentTimedOut. */
  private timedOut(status: DeploymentStatus): boolean {
    const c = getCondition(status, 'Progressing');
    if (!c || c.reason === NEW_RS_AVAILABLE_REASON) return false;
    if (c.reason === TIMED_OUT_REASON) return true;
    if (c.lastUpdateTime === undefined) return false;
    return Date.parse(c.lastUpdateTime) + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000 < this.now.getTime();
  }

  /** checkPausedConditions. */
  checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status!, 'Progressing');
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedCond = cond?.reason === PAUSED_DEPLOY_REASON;
    if (d.spec?.paused && !pausedCond) setCondition(d.status!, newCondition('Progressing', 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', this.nowText));
    else if (!d.spec?.paused && pausedCond) setCondition(d.status!, newCondition('Progressing', 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.nowText));
  }

  decision(status: DeploymentStatus, original: Deployment): DeploymentReconcile {
    const create: ReplicaSet[] = [];
    const update: ReplicaSet[] = [];
    for (const [name, rs] of this.working) {
      if (this.created.has(name)) create.push(rs);
      else if (JSON.stringify(rs) !== this.originals.get(name)) update.push(rs);
    }
    const out: DeploymentReconcile = { create, update, delete: this.deleted, status, events: this.events };
    if (!semanticDeepEqual(this.d.metadata?.annotations ?? {}, original.metadata?.annotations ?? {})) out.annotations = { ...(this.d.metadata?.annotations ?? {}) };
    return out;
  }
}

class CollisionError extends Error {}

/** deploymentutil.DeploymentComplete. */
function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = desiredReplicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** deploymentutil.DeploymentProgressing. */
function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * One syncDeployment. `replicaSets` and `pods` may be all of the namespace; only the ReplicaSets the
 * Deployment claims count, and pods only for Recreate's wait for old pods to go.
 */
export function reconcileDeployment(deployment: Deployment, replicaSets: readonly ReplicaSet[], pods: readonly Pod[], now: Date): DeploymentReconcile {
  const sync = new DeploymentSync(deployment, replicaSets, pods, now);
  const d = sync.d;
  if (labelSelectorIsEmpty(d.spec?.selector)) {
    // "This deployment will select all pods": upstream only records observedGeneration.
    const status = structuredClone(deployment.status ?? {});
    if ((status.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) status.observedGeneration = d.metadata!.generation!;
    return { create: [], update: [], delete: [], status, events: [] };
  }
  const rsList = sync.claimReplicaSets();
  try {
    let status: DeploymentStatus;
    if (d.metadata?.deletionTimestamp !== undefined) status = sync.statusOnly(rsList);
    else {
      sync.checkPausedConditions();
      if (d.spec?.paused || sync.isScalingEvent(rsList)) status = sync.syncScale(rsList);
      else if (!isRollingUpdate(d)) status = sync.rolloutRecreate(rsList);
      else status = sync.rolloutRolling(rsList);
    }
    return sync.decision(status, deployment);
  } catch (err) {
    if (!(err instanceof CollisionError)) throw err;
    // The new ReplicaSet's name is taken: write the bumped collisionCount and nothing else.
    return { create: [], update: [], delete: [], status: { ...structuredClone(deployment.status ?? {}), collisionCount: d.status!.collisionCount! }, events: [] };
  }
}
