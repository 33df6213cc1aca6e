// What the kubelet records as events (pkg/kubelet/events/event.go reasons): at start and as the node's
// conditions are first set (kubelet.go "Starting kubelet."; nodestatus/setters.go "Node <name> status
// is now: <reason>"; cm "Updated Node Allocatable limit across pods"), and for each container it runs
// (images/image_manager.go, kuberuntime_container.go). Pure lists; the node's shell records them.
import type { Container, Node, Pod } from '../api/types.js';
import { EVENT_TYPE_NORMAL } from '../event/record.js';

export interface KubeletEvent {
  type: string;
  reason: string;
  message: string;
  /** `spec.containers{name}` for a container's events. */
  fieldPath?: string;
}

const statusIsNow = (node: string, reason: string): KubeletEvent => ({ type: EVENT_TYPE_NORMAL, reason, message: `Node ${node} status is now: ${reason}` });

/**
 * The node events of a kubelet start, in the kubelet's order. `registered` is the Node as it was
 * before this start (undefined: a new Node), whose conditions already set are not recorded again.
 */
export function kubeletStartEvents(nodeName: string, registered: Node | undefined): KubeletEvent[] {
  const condition = (type: string): string | undefined => (registered?.status?.conditions ?? []).find((c) => c.type === type)?.status;
  const events: KubeletEvent[] = [{ type: EVENT_TYPE_NORMAL, reason: 'Starting', message: 'Starting kubelet.' }];
  if (condition('MemoryPressure') !== 'False') events.push(statusIsNow(nodeName, 'NodeHasSufficientMemory'));
  if (condition('DiskPressure') !== 'False') events.push(statusIsNow(nodeName, 'NodeHasNoDiskPressure'));
  if (condition('PIDPressure') !== 'False') events.push(statusIsNow(nodeName, 'NodeHasSufficientPID'));
  events.push({ type: EVENT_TYPE_NORMAL, reason: 'NodeAllocatableEnforced', message: 'Updated Node Allocatable limit across pods' });
  if (condition('Ready') !== 'True') events.push(statusIsNow(nodeName, 'NodeReady'));
  return events;
}

const containerPath = (c: Container): string => `spec.containers{${c.name ?? ''}}`;

/**
 * Each container's Pulling/Pulled, Created and Started, in order. kubemu's images are built in, so
 * an image the kubelet would not pull is "already present on machine"; with imagePullPolicy Always
 * the kubelet pulls anyway, and the pull takes no time.
 */
export function containerStartEvents(pod: Pod): KubeletEvent[] {
  const events: KubeletEvent[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const fieldPath = containerPath(c);
    const image = JSON.stringify(c.image ?? '');
    if (c.imagePullPolicy === 'Always') {
      events.push({ type: EVENT_TYPE_NORMAL, reason: 'Pulling', message: `Pulling image ${image}`, fieldPath });
      events.push({ type: EVENT_TYPE_NORMAL, reason: 'Pulled', message: `Successfully pulled image ${image} in 0s (0s including waiting). Image size: 0 bytes.`, fieldPath });
    } else {
      events.push({ type: EVENT_TYPE_NORMAL, reason: 'Pulled', message: `Container image ${image} already present on machine`, fieldPath });
    }
    events.push({ type: EVENT_TYPE_NORMAL, reason: 'Created', message: `Created container ${c.name ?? ''}`, fieldPath });
    events.push({ type: EVENT_TYPE_NORMAL, reason: 'Started', message: `Started container ${c.name ?? ''}`, fieldPath });
  }
  return events;
}

/** kuberuntime_container.go killContainer: "Stopping container <name>" as a graceful delete begins. */
export function containerKillEvents(pod: Pod): KubeletEvent[] {
  return (pod.spec?.containers ?? []).map((c) => ({ type: EVENT_TYPE_NORMAL, reason: 'Killing', message: `Stopping container ${c.name ?? ''}`, fieldPath: containerPath(c) }));
}
