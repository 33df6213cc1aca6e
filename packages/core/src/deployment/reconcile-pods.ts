// What the workload controllers ask of a pod (pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go):
// is it active, ready, available, whose is it, which to delete first, and how a new one is named.

import { isPodReady } from '../pod/pod-state.js';
import type { KubeObject, OwnerReference, Pod, PodTemplateSpec } from '../api/types.js';
import type { Random } from '../random.js';
import { SAFE_ALPHABET } from './reconcile-hash.js';

/** names.SimpleNameGenerator: 5 random characters after a base cut to 63 - 5. */
const GENERATED_SUFFIX_LENGTH = 5;
const MAX_GENERATED_BASE_LENGTH = 63 - GENERATED_SUFFIX_LENGTH;
/** Attempts at a fresh generated name before giving up loudly (27^5 names; a clash is already rare). */
const MAX_NAME_ATTEMPTS = 100;

/** controller.IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata?.deletionTimestamp === undefined;
}

export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

/** podutil.IsPodReady: the Ready condition is True. */

function readySinceMs(pod: Pod): number | undefined {
  const t = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  return t === undefined ? undefined : Date.parse(t);
}

/** podutil.IsPodAvailable: ready, and for minReadySeconds already (strictly before now). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = readySinceMs(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now.getTime();
}

/** metav1.NewControllerRef. */
export function controllerRef(owner: KubeObject, kind: string, apiVersion = 'apps/v1'): OwnerReference {
  const ref: OwnerReference = { apiVersion, kind, name: owner.metadata?.name ?? '' };
  if (owner.metadata?.uid !== undefined) ref.uid = owner.metadata.uid;
  ref.controller = true;
  ref.blockOwnerDeletion = true;
  return ref;
}

/** metav1.IsControlledBy, by uid when both sides have one, by kind and name otherwise. */
export function isControlledBy(pod: Pod, owner: KubeObject, kind: string): boolean {
  if ((pod.metadata?.namespace ?? '') !== (owner.metadata?.namespace ?? '')) return false;
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref || ref.kind !== kind || ref.name !== owner.metadata?.name) return false;
  return ref.uid === undefined || owner.metadata?.uid === undefined || ref.uid === owner.metadata.uid;
}

/** controller.GetPodFromTemplate: labels, annotations and finalizers of the template, the controller's ownerReference, the spec. */
export function podFromTemplate(template: PodTemplateSpec | undefined, owner: KubeObject, ref: OwnerReference): Pod {
  const metadata: NonNullable<Pod['metadata']> = { namespace: owner.metadata?.namespace ?? 'default' };
  if (template?.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  if (template?.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (template?.metadata?.finalizers) metadata.finalizers = [...template.metadata.finalizers];
  metadata.ownerReferences = [ref];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? {}) };
}

/** A name as generateName gives it: base (cut to 58) + 5 characters from the safe alphabet, not in `taken`. */
export function generateName(base: string, random: Random, taken: Set<string>): string {
  const prefix = base.length > MAX_GENERATED_BASE_LENGTH ? base.slice(0, MAX_GENERATED_BASE_LENGTH) : base;
  for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
    let suffix = '';
    for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) suffix += SAFE_ALPHABET[random.int(SAFE_ALPHABET.length)];
    const name = prefix + suffix;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
  throw new Error(`generateName: no free name for ${base} after ${MAX_NAME_ATTEMPTS} attempts`);
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: Pod): number {
  const v = Number.parseInt(pod.metadata?.annotations?.[POD_DELETION_COST] ?? '', 10);
  return Number.isNaN(v) ? 0 : v;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** afterOrZero: a zero time is "newest". Returns <0 when a is preferred for deletion. */
function compareAfterOrZero(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : -1) : 1;
  return b - a;
}

/** logarithmicRankDiff: floor(log2(age in ns)); -1 for no age. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function compareTimes(a: number | undefined, b: number | undefined, pa: Pod, pb: Pod, now: number): number {
  // LogarithmicScaleDown (GA): ages compared on a log2 scale, ties broken by uid.
  if (a === undefined || b === undefined) return compareAfterOrZero(a, b);
  const diff = logRank(a, now) - logRank(b, now);
  if (diff !== 0) return diff;
  const ua = pa.metadata?.uid ?? '';
  const ub = pb.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function timeOf(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Date.parse(s);
}

/**
 * The pods of `pods` in the order a ReplicaSet deletes them (controller.ActivePodsWithRanks.Less with
 * ranks from getPodsRankedByRelatedPodsOnSameNode): unassigned < assigned; Pending < Unknown < Running;
 * not ready < ready; lower pod-deletion-cost; more active related pods on the same node; ready for less
 * time; more restarts; created more recently. `related` are all pods of the same owner.
 */
export function podsInDeletionOrder(pods: readonly Pod[], related: readonly Pod[], now: Date): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  }
  const rank = (p: Pod): number => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  const nowMs = now.getTime();
  const less = (a: Pod, b: Pod): number => {
    const na = a.spec?.nodeName ?? '';
    const nb = b.spec?.nodeName ?? '';
    if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
    const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
    const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
    if (pa !== pb) return pa - pb;
    if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (isPodReady(a) && isPodReady(b)) {
      const ra = readySinceMs(a);
      const rb = readySinceMs(b);
      if (ra !== rb) {
        const c = compareTimes(ra, rb, a, b, nowMs);
        if (c !== 0) return c;
      }
    }
    if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
    const ca = timeOf(a.metadata?.creationTimestamp);
    const cb = timeOf(b.metadata?.creationTimestamp);
    if (ca !== cb) return compareTimes(ca, cb, a, b, nowMs);
    return 0;
  };
  // sort.Sort is not stable; a stable sort with a name tiebreak keeps replay exact.
  return [...pods].sort((a, b) => less(a, b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

export { isPodReady };
