// What the kubelet writes into a pod's status as it runs it (pkg/kubelet/kubelet_pods.go
// generateAPIPodStatus; pkg/kubelet/status/generate.go), and when it finishes a graceful delete
// (pkg/kubelet/status/status_manager.go: once the containers stopped, delete with grace 0). Pure:
// time is an argument; the shell writes what `planPod` asks for and wakes at `wakeAtMs`.
import type { Condition, Pod, PodStatus } from '../api/types.js';
import { rfc3339Seconds } from './node-registration.js';

/** What the node knows of a pod it runs; rebuilt from status.podIP/startTime after a restart. */
export interface PodRuntime {
  podIP: string;
  hostIP: string;
  startedAtMs: number;
}

export type PodPlan =
  /** Nothing to write; wake at wakeAtMs (if set) to look again. */
  | { action: 'none'; wakeAtMs?: number }
  | { action: 'updateStatus'; status: PodStatus; wakeAtMs?: number }
  /** The grace period ended: the containers stop and the pod goes (DELETE with gracePeriodSeconds 0). */
  | { action: 'delete' };

export function podKeyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function isPodTerminated(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** When every container passes its readiness probe: start + the largest initialDelaySeconds (no probe: at start). */
export function podReadyAtMs(pod: Pod, startedAtMs: number): number {
  let delay = 0;
  for (const c of pod.spec?.containers ?? []) delay = Math.max(delay, c.readinessProbe?.initialDelaySeconds ?? 0);
  return startedAtMs + delay * 1000;
}

/** The deadline a graceful delete set (admission puts now + grace into deletionTimestamp). */
export function terminationDeadlineMs(pod: Pod): number | undefined {
  const ts = pod.metadata?.deletionTimestamp;
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? 0 : ms;
}

/** A condition keeps its lastTransitionTime while its status does not change. */
function condition(previous: readonly Condition[], type: string, status: string, at: string, reason?: string, message?: string): Condition {
  const prev = previous.find((c) => c.type === type);
  const c: Condition = { type, status, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function desiredPodStatus(pod: Pod, runtime: PodRuntime, nowMs: number): PodStatus {
  const previous = pod.status?.conditions ?? [];
  const started = rfc3339Seconds(runtime.startedAtMs);
  const readyAt = podReadyAtMs(pod, runtime.startedAtMs);
  const containers = pod.spec?.containers ?? [];
  const containerReady = (i: number): boolean => nowMs >= runtime.startedAtMs + (containers[i]?.readinessProbe?.initialDelaySeconds ?? 0) * 1000;
  const unready = containers.filter((_c, i) => !containerReady(i)).map((c) => c.name ?? '');
  const ready = unready.length === 0;
  const readyTime = rfc3339Seconds(ready ? readyAt : runtime.startedAtMs);
  // status/generate.go GeneratePodReadyCondition: reason ContainersNotReady, the names in brackets.
  const notReadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  return {
    phase: 'Running',
    conditions: [
      condition(previous, 'PodReadyToStartContainers', 'True', started),
      condition(previous, 'Initialized', 'True', started),
      ready ? condition(previous, 'Ready', 'True', readyTime) : condition(previous, 'Ready', 'False', readyTime, 'ContainersNotReady', notReadyMessage),
      ready
        ? condition(previous, 'ContainersReady', 'True', readyTime)
        : condition(previous, 'ContainersReady', 'False', readyTime, 'ContainersNotReady', notReadyMessage),
      condition(previous, 'PodScheduled', 'True', pod.metadata?.creationTimestamp ?? started),
    ],
    hostIP: runtime.hostIP,
    podIP: runtime.podIP,
    podIPs: [{ ip: runtime.podIP }],
    startTime: started,
    containerStatuses: containers.map((c, i) => ({
      name: c.name ?? '',
      image: c.image ?? '',
      ready: containerReady(i),
      started: true,
      restartCount: 0,
      state: { running: { startedAt: started } },
    })),
  };
}

/** The status a pod that cannot run gets (kubelet admission failure: phase Failed, reason and message). */
export function rejectedPodStatus(pod: Pod, reason: string, message: string): PodStatus {
  return { ...pod.status, phase: 'Failed', reason, message };
}

/** JSON with sorted keys: the log's decoder orders fields by schema, not as they were written. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The next step for a pod bound to this node that the node runs (`runtime` set) or has not
 * started (`runtime` undefined: the shell allocates an IP and starts it first).
 */
export function planPod(pod: Pod, runtime: PodRuntime | undefined, nowMs: number): PodPlan {
  if (isPodTerminated(pod)) return { action: 'none' };
  const deadline = terminationDeadlineMs(pod);
  if (deadline !== undefined) {
    // Terminating: the containers keep serving (Ready stays as the probes left it; the
    // EndpointSlice shows serving, not ready) until the grace period ends.
    if (runtime === undefined || nowMs >= deadline) return { action: 'delete' };
    return { action: 'none', wakeAtMs: deadline };
  }
  if (runtime === undefined) return { action: 'none' };
  const status = desiredPodStatus(pod, runtime, nowMs);
  const readyAt = podReadyAtMs(pod, runtime.startedAtMs);
  const wake = nowMs < readyAt ? { wakeAtMs: readyAt } : {};
  if (canonicalJSON(status) === canonicalJSON(pod.status ?? {})) return { action: 'none', ...wake };
  return { action: 'updateStatus', status, ...wake };
}

/** What the node can rebuild of a pod it ran before a restart: its IP and start time, from the log. */
export function runtimeFromStatus(pod: Pod, hostIP: string): PodRuntime | undefined {
  const ip = pod.status?.podIP;
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  if (!ip || Number.isNaN(start)) return undefined;
  return { podIP: ip, hostIP, startedAtMs: start };
}
