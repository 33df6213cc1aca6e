// The node lifecycle controller's health rules (pkg/controller/nodelifecycle/node_lifecycle_controller.go
// tryUpdateNodeHealth, monitorNodeHealth; pkg/controller/util/node/controller_utils.go MarkPodsNotReady).
// A node is healthy while its heartbeats (Lease renewTime in kube-node-lease, or the Ready condition's
// lastHeartbeatTime) keep changing. Like upstream, the time of a heartbeat is when the controller
// OBSERVED the change, on its own clock (probeTimestamp), never the timestamp the kubelet wrote: clocks of
// different machines do not have to agree.
import type { Condition, Lease, Node, NodeStatus, Pod, PodStatus } from '../api/types.js';
import { updatePodCondition } from '../scheduler/schedule.js';

/** kube-controller-manager --node-monitor-grace-period default (1.32). */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
/** --node-monitor-period default. */
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const REASON_NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_NODE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NODE_STATUS_NEVER_UPDATED = 'Kubelet never posted node status.';
/** tryUpdateNodeHealth: the conditions set to Unknown besides Ready. */
const REMAINING_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** nodeHealthData: the last heartbeat seen and when (controller clock). */
export interface NodeHealth {
  heartbeat: string;
  probeMs: number;
}

function readyCondition(node: Node): Condition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

/** What identifies the node's latest heartbeat: the Ready condition's lastHeartbeatTime and the Lease's renewTime. */
export function heartbeatOf(node: Node, lease: Lease | undefined): string {
  return `${readyCondition(node)?.lastHeartbeatTime ?? ''}|${lease?.spec?.renewTime ?? ''}`;
}

/**
 * The health record after looking at the node at nowMs. A new heartbeat moves probeMs to now; a node seen
 * for the first time (or after a controller restart) also starts at now, so every node gets a full grace period.
 */
export function observeNodeHealth(previous: NodeHealth | undefined, heartbeat: string, nowMs: number): NodeHealth {
  if (previous !== undefined && previous.heartbeat === heartbeat) return previous;
  return { heartbeat, probeMs: nowMs };
}

/** nc.now().After(probeTimestamp.Add(gracePeriod)). */
export function heartbeatsStopped(health: NodeHealth, nowMs: number, gracePeriodMs: number): boolean {
  return nowMs > health.probeMs + gracePeriodMs;
}

/**
 * tryUpdateNodeHealth for a node whose grace period has passed: Ready and the pressure conditions become
 * Unknown (lastHeartbeatTime kept, lastTransitionTime now). Undefined when they already are.
 */
export function nodeStatusUnknown(node: Node, now: string): NodeStatus | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of ['Ready', ...REMAINING_CONDITIONS]) {
    const index = conditions.findIndex((c) => c.type === type);
    const current = index >= 0 ? conditions[index] : undefined;
    if (current?.status === 'Unknown') continue;
    changed = true;
    const unknown: Condition =
      current === undefined
        ? { type, status: 'Unknown', lastHeartbeatTime: now, lastTransitionTime: now, reason: REASON_NODE_STATUS_NEVER_UPDATED, message: MESSAGE_NODE_STATUS_NEVER_UPDATED }
        : { ...current, status: 'Unknown', lastTransitionTime: now, reason: REASON_NODE_STATUS_UNKNOWN, message: MESSAGE_NODE_STATUS_UNKNOWN };
    if (index >= 0) conditions[index] = unknown;
    else conditions.push(unknown);
  }
  return changed ? { ...node.status, conditions } : undefined;
}

/**
 * monitorNodeHealth → MarkPodsNotReady: once the node's Ready condition is not True, the pods on it that
 * were Ready before it changed are marked not Ready, so their endpoints stop being ready. A pod whose
 * Ready condition changed after the node's (its kubelet is back and re-posted it) is left alone.
 */
export function podsToMarkNotReady(node: Node, pods: readonly Pod[]): Pod[] {
  const ready = readyCondition(node);
  if (ready === undefined || ready.status === 'True') return [];
  const since = Date.parse(ready.lastTransitionTime ?? '') || 0;
  const name = node.metadata?.name ?? '';
  return pods.filter((p) => {
    if (p.spec?.nodeName !== name) return false;
    const podReady = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (podReady?.status !== 'True') return false;
    return (Date.parse(podReady.lastTransitionTime ?? '') || 0) <= since;
  });
}

/** MarkPodsNotReady for one pod: its Ready condition becomes False. */
export function podNotReadyStatus(pod: Pod, now: string): PodStatus {
  return updatePodCondition(pod.status, { type: 'Ready', status: 'False' }, now);
}
