// The default scheduler (kube-scheduler 1.32, profile default-scheduler) for what kubemu models:
// which nodes a pod fits (Filter), which of them it prefers (Score), and the exact text of the
// PodScheduled=False condition when it fits nowhere.
//
// Filter, in the default profile's order (pkg/scheduler/apis/config/v1/default_plugins.go); the
// first plugin that rejects a node gives that node's reason (framework.RunFilterPlugins stops there):
//   NodeUnschedulable  spec.unschedulable                  "node(s) were unschedulable"
//   TaintToleration    the NoSchedule taints the node lifecycle controller puts on a node that is
//                      not Ready (kubemu's Node has no spec.taints; the taints are derived from the
//                      Ready condition, see readinessTaint)
//                                                         "node(s) had untolerated taint {key: value}"
//   NodeAffinity       spec.nodeSelector                   "node(s) didn't match Pod's node affinity/selector"
//   NodeResourcesFit   status.allocatable.pods, if the node reports it      "Too many pods"
//
// Score, simplified but in the same spirit as the default plugins: the node with the fewest pods of the
// same controller wins (PodTopologySpread's system-default constraint, topologyKey
// kubernetes.io/hostname, spreads the pods of one Service/ReplicaSet/StatefulSet; here "same owner" means
// the same controller ownerReference, so a Deployment's pods spread per ReplicaSet); then the node with
// the fewest pods in total (NodeResourcesFit LeastAllocated: every pod without requests counts the
// scheduler's non-zero defaults, 100m CPU and 200Mi, so fewer pods is more free); then a uniformly random
// one among the equals (schedule_one.go selectHost samples the top-scored nodes at random). Node
// capacities, ImageLocality, BalancedAllocation and the weights between plugins are not modelled.

import type { Condition, Node, Pod, PodStatus } from '../api/types.js';
import type { Random } from '../random.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** pkg/scheduler/framework/plugins/nodeunschedulable: ErrReasonUnschedulable. */
export const REASON_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
/** pkg/scheduler/framework/plugins/nodeaffinity: ErrReasonPod. */
export const REASON_NODE_SELECTOR_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
/** pkg/scheduler/framework/plugins/noderesources/fit.go: the pods resource's reason. */
export const REASON_TOO_MANY_PODS = 'Too many pods';
/** pkg/scheduler/schedule_one.go: ErrNoNodesAvailable. */
export const MESSAGE_NO_NODES = 'no nodes available to schedule pods';

/** pkg/scheduler/framework/preemption: what DefaultPreemption says per node when no pod has a lower priority. */
const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const PREEMPTION_NO_VICTIMS = 'No preemption victims found for incoming pod';

/** k8s.io/api/core/v1 well-known taints (the node lifecycle controller's NoSchedule taints, and the kubelet's at registration). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export type ScheduleResult = { nodeName: string } | { unschedulable: { reason: 'Unschedulable'; message: string } };

interface NodeRejection {
  reason: string;
  /** UnschedulableAndUnresolvable: preemption cannot help on this node. */
  unresolvable: boolean;
}

/** Whether the default scheduler is the one to place this pod (it ignores pods of other schedulers, bound pods and deleted pods). */
export function needsScheduling(pod: Pod): boolean {
  const schedulerName = pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  return schedulerName === DEFAULT_SCHEDULER_NAME && !pod.spec?.nodeName && pod.metadata?.deletionTimestamp === undefined;
}

/**
 * The taint the node lifecycle controller keeps on a node whose Ready condition is not True
 * (pkg/controller/nodelifecycle: Ready=False → not-ready, Ready=Unknown → unreachable). A node that
 * has not reported Ready at all still carries the not-ready taint the kubelet registers it with.
 */
export function readinessTaint(node: Node): string | undefined {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  if (ready?.status === 'Unknown') return TAINT_NODE_UNREACHABLE;
  return TAINT_NODE_NOT_READY;
}

/** Pods that occupy a node in the scheduler's cache: it watches pods with status.phase not Succeeded/Failed. */
function occupiesNode(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

function filterNode(pod: Pod, node: Node, podsOnNode: readonly Pod[]): NodeRejection | undefined {
  if (node.spec?.unschedulable) return { reason: REASON_NODE_UNSCHEDULABLE, unresolvable: true };
  const taint = readinessTaint(node);
  // Pods get tolerations for these taints only with effect NoExecute (DefaultTolerationSeconds), never NoSchedule.
  if (taint !== undefined) return { reason: `node(s) had untolerated taint {${taint}: }`, unresolvable: true };
  const labels = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return { reason: REASON_NODE_SELECTOR_MISMATCH, unresolvable: true };
  }
  const allowedPods = node.status?.allocatable?.['pods'];
  if (allowedPods !== undefined && podsOnNode.filter(occupiesNode).length + 1 > Number(allowedPods)) {
    return { reason: REASON_TOO_MANY_PODS, unresolvable: false };
  }
  return undefined;
}

function controllerKey(pod: Pod): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return undefined;
  return `${pod.metadata?.namespace ?? ''}/${ref.kind ?? ''}/${ref.name ?? ''}/${ref.uid ?? ''}`;
}

/** The histogram framework.FitError.Error prints: "<count> <reason>" sorted as strings, joined by ", ". */
function reasonHistogram(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(', ');
}

/**
 * framework.FitError.Error() followed by DefaultPreemption's PostFilter message, as the scheduler writes
 * them into the PodScheduled condition: "0/N nodes are available: <filter reasons>. preemption: 0/N nodes
 * are available: <preemption reasons>." (kubemu has no priorities, so no node ever has a victim).
 */
export function fitErrorMessage(rejections: readonly { reason: string; unresolvable: boolean }[]): string {
  const n = rejections.length;
  const filter = reasonHistogram(rejections.map((r) => r.reason));
  const preemption = reasonHistogram(rejections.map((r) => (r.unresolvable ? PREEMPTION_NOT_HELPFUL : PREEMPTION_NO_VICTIMS)));
  return `0/${n} nodes are available: ${filter}. preemption: 0/${n} nodes are available: ${preemption}.`;
}

function sameName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One scheduling cycle for one pod. `podsByNode` holds the pods already bound to each node (by
 * spec.nodeName), including the ones this scheduler bound in earlier cycles of the same batch.
 */
export function schedulePod(pod: Pod, nodes: readonly Node[], podsByNode: ReadonlyMap<string, readonly Pod[]>, random: Random): ScheduleResult {
  if (pod.spec?.nodeName) return { nodeName: pod.spec.nodeName };
  if (nodes.length === 0) return { unschedulable: { reason: 'Unschedulable', message: MESSAGE_NO_NODES } };

  const feasible: Node[] = [];
  const rejections: NodeRejection[] = [];
  for (const node of nodes) {
    const rejection = filterNode(pod, node, podsByNode.get(node.metadata?.name ?? '') ?? []);
    if (rejection) rejections.push(rejection);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { unschedulable: { reason: 'Unschedulable', message: fitErrorMessage(rejections) } };

  const owner = controllerKey(pod);
  const scored = feasible
    .map((node) => {
      const onNode = (podsByNode.get(node.metadata?.name ?? '') ?? []).filter(occupiesNode);
      return {
        name: node.metadata?.name ?? '',
        sameOwner: owner === undefined ? 0 : onNode.filter((p) => controllerKey(p) === owner).length,
        total: onNode.length,
      };
    })
    .sort((a, b) => a.sameOwner - b.sameOwner || a.total - b.total || sameName(a.name, b.name));
  const best = scored.filter((s) => s.sameOwner === scored[0]!.sameOwner && s.total === scored[0]!.total);
  return { nodeName: best[best.length === 1 ? 0 : random.int(best.length)]!.name };
}

/**
 * podutil.UpdatePodCondition: replaces (or appends) the condition of the same type; lastTransitionTime
 * moves only when the status changes. Returns the status unchanged (same object) when nothing differs.
 */
export function updatePodCondition(status: PodStatus | undefined, condition: Condition, now: string): PodStatus {
  const conditions = status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === condition.type);
  const old = index >= 0 ? conditions[index]! : undefined;
  const next: Condition = { ...condition, lastTransitionTime: old && old.status === condition.status ? old.lastTransitionTime : now };
  if (old && old.status === next.status && old.reason === next.reason && old.message === next.message && old.lastTransitionTime === next.lastTransitionTime) {
    return status ?? {};
  }
  const updated = index >= 0 ? conditions.map((c, i) => (i === index ? next : c)) : [...conditions, next];
  return { ...status, conditions: updated };
}

/** The status the scheduler writes (handleSchedulingFailure → updatePod) for a pod that fits nowhere. */
export function unschedulablePodStatus(pod: Pod, message: string, now: string): PodStatus {
  return updatePodCondition(pod.status, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, now);
}
