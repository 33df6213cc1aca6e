// Pod state predicates shared by the controllers (k8s.io/kubernetes/pkg/api/v1/pod/util.go).
import type { Pod } from '../api/types.js';

/** podutil.IsPodTerminal: phase Succeeded or Failed. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** podutil.IsPodReady: the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
