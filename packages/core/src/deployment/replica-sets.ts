// What the Deployment controller asks of its ReplicaSets (pkg/controller/deployment/util/
// deployment_util.go and pkg/controller/controller_utils.go, Kubernetes 1.32): which one is new,
// revisions and the annotations that carry them, sizes, and the orders ReplicaSets are sorted in.

import type { Deployment, IntOrString, PodTemplateSpec, ReplicaSet } from '../api/types.js';
import { semanticDeepEqual } from '../api/object-meta-validation.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** apps.DeprecatedRollbackTo. */
const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** deployment_controller.go: the longest revision-history annotation kept. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

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

export function desiredReplicasOf(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function replicasOf(rs: ReplicaSet | undefined): number {
  return rs === undefined ? 0 : (rs.spec?.replicas ?? 1);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** deploymentutil.MaxUnavailable. */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** deploymentutil.MaxSurge. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicasOf(d)).surge;
}

/** Go's strconv.ParseInt(s, 10, 64) for the annotation values: undefined when it would fail. */
function parseInt64(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  return Number(s);
}

/** deploymentutil.Revision: 0 without the annotation, undefined when it does not parse. */
export function revisionOf(o: { metadata?: { annotations?: Record<string, string> } }): number | undefined {
  const v = o.metadata?.annotations?.[REVISION_ANNOTATION];
  return v === undefined ? 0 : parseInt64(v);
}

/** deploymentutil.MaxRevision: unparsable revisions are skipped. */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

function creationMs(rs: ReplicaSet): number {
  const t = rs.metadata?.creationTimestamp;
  // A ReplicaSet created in this very sync has no timestamp yet: it is the newest.
  return t === undefined ? Number.POSITIVE_INFINITY : Date.parse(t);
}

const byName = (a: ReplicaSet, b: ReplicaSet): number => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0);

/** controller.ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ta = creationMs(a);
  const tb = creationMs(b);
  return ta === tb ? byName(a, b) : ta < tb ? -1 : 1;
}

/** controller.ReplicaSetsBySizeNewer: larger first; equal sizes newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(b, a) : replicasOf(b) - replicasOf(a);
}

/** controller.ReplicaSetsBySizeOlder: larger first; equal sizes older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(a, b) : replicasOf(b) - replicasOf(a);
}

/** deploymentutil.ReplicaSetsByRevision: lowest revision first, then by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra === rb ? byCreationTimestamp(a, b) : ra - rb;
}

/** deploymentutil.EqualIgnoreHash: templates equal but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return c;
  };
  return semanticDeepEqual(strip(a), strip(b));
}

/** deploymentutil.FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** deploymentutil.FindOldReplicaSets: every other ReplicaSet (all), and those with replicas (required). */
export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rss);
  const all = rss.filter((rs) => rs !== newRS);
  return { required: all.filter((rs) => replicasOf(rs) !== 0), all };
}

/** controller.FilterActiveReplicaSets. */
export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && replicasOf(rs) > 0);
}

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number =>
  rss.reduce((a, rs) => a + (rs === undefined ? 0 : f(rs)), 0);
/** GetReplicaCountForReplicaSets: spec.replicas. */
export const specReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, replicasOf);
/** GetActualReplicaCountForReplicaSets: status.replicas. */
export const actualReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

function skipCopyAnnotation(key: string): boolean {
  return [LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, ROLLBACK_TO_ANNOTATION].includes(key);
}

/** copyDeploymentAnnotationsToReplicaSet. Mutates rs; true when something changed. */
function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const annotations = (rs.metadata!.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** deploymentutil.SetReplicasAnnotations. Mutates rs; true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = (rs.metadata!.annotations ??= {});
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** deploymentutil.ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** deploymentutil.SetNewReplicaSetAnnotations. Mutates rs; true when something changed. */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const annotations = (rs.metadata!.annotations ??= {});
  const hadRevision = Object.prototype.hasOwnProperty.call(annotations, REVISION_ANNOTATION);
  const oldRevision = annotations[REVISION_ANNOTATION] ?? '';
  let oldRevisionInt = parseInt64(oldRevision);
  if (oldRevisionInt === undefined) {
    if (oldRevision !== '') return false;
    oldRevisionInt = 0;
  }
  const newRevisionInt = parseInt64(newRevision) ?? 0;
  if (oldRevisionInt < newRevisionInt) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  // A ReplicaSet that had a revision and gets a newer one is rolled back to: keep its old revisions.
  if (hadRevision && oldRevisionInt < newRevisionInt) {
    const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
    const oldRevisions = history.split(',');
    if (oldRevisions[0]!.length === 0) {
      annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < oldRevisions.length) {
        totalLen = totalLen - oldRevisions[start]!.length - 1;
        start++;
      }
      if (totalLen <= MAX_REV_HISTORY_LENGTH_IN_CHARS) annotations[REVISION_HISTORY_ANNOTATION] = [...oldRevisions.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicasOf(d), desiredReplicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** deploymentutil.NewRSNewReplicas: the new ReplicaSet's next size. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const replicas = desiredReplicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, replicas, true);
  const current = specReplicaCount(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicas - replicasOf(newRS));
}

/** deploymentutil.IsSaturated. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const desired = parseInt64(rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
  if (desired === undefined) return false;
  const replicas = desiredReplicasOf(d);
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** deploymentutil.FindActiveOrLatest: the one active ReplicaSet, or the newest when none is active. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Go's math.Round: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** deploymentutil.getReplicaSetFraction. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMaxReplicas = desiredReplicasOf(d) + maxSurge(d);
  let before = parseInt64(rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION]);
  if (before === undefined || before === 0) before = d.status?.replicas ?? 0;
  if (before === 0) return 0;
  return roundHalfAway((replicasOf(rs) * deploymentMaxReplicas) / before) - replicasOf(rs);
}

/** deploymentutil.GetReplicaSetProportion. */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
