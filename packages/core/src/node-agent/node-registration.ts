// The Node object and Lease a kubelet writes (pkg/kubelet/kubelet_node_status.go initialNode and
// setNodeStatus; pkg/kubelet/nodestatus/setters.go; component-helpers/apimachinery/lease). Pure:
// time arrives as an argument.
import type { Condition, Lease, Node } from '../api/types.js';
import { NODE_LEASE_NAMESPACE } from '../node/lifecycle.js';

/** kubelet --node-lease-duration-seconds default. */
export const NODE_LEASE_DURATION_SECONDS = 40;
/** kubelet: the lease is renewed every leaseDuration × 0.25 (pkg/kubelet/kubelet.go renewInterval). */
export const NODE_LEASE_RENEW_INTERVAL_MS = 10_000;
export const KUBELET_VERSION = 'v1.32.0-kubemu';

/**
 * Node annotations for what peers need to reach this node's emulated pod network and kubelet API.
 * flannel keeps its backend's endpoint in Node annotations the same way
 * (flannel.alpha.coreos.com/public-ip, …/backend-data); kubemu's proto has no
 * status.daemonEndpoints, so the kubelet port rides along here too.
 */
export const ANNOTATION_OVERLAY_TCP_PORT = 'kubemu.io/overlay-tcp-port';
export const ANNOTATION_OVERLAY_UDP_PORT = 'kubemu.io/overlay-udp-port';
export const ANNOTATION_KUBELET_PORT = 'kubemu.io/kubelet-port';

export interface NodeIdentity {
  name: string;
  address: string;
  podCIDR: string;
  hostname: string;
  maxPods: number;
  kubeletPort: number;
  overlayTcpPort: number;
  overlayUdpPort: number;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: RFC 3339 with six fractional digits. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** nodestatus.MemoryPressureCondition & co. and ReadyCondition, in the order the kubelet sets them. */
export function nodeConditions(nowMs: number, previous: readonly Condition[] = []): Condition[] {
  const now = rfc3339Seconds(nowMs);
  const want: [string, string, string, string][] = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = previous.find((c) => c.type === type);
    const transition = prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: transition, reason, message };
  });
}

function nodeLabels(id: NodeIdentity): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': id.hostname,
    'kubernetes.io/os': 'linux',
  };
}

function nodeAnnotations(id: NodeIdentity): Record<string, string> {
  return {
    [ANNOTATION_KUBELET_PORT]: String(id.kubeletPort),
    [ANNOTATION_OVERLAY_TCP_PORT]: String(id.overlayTcpPort),
    [ANNOTATION_OVERLAY_UDP_PORT]: String(id.overlayUdpPort),
  };
}

function nodeStatus(id: NodeIdentity, nowMs: number, previous: readonly Condition[]): NonNullable<Node['status']> {
  const capacity = { cpu: '2', memory: '4Gi', 'ephemeral-storage': '20Gi', pods: String(id.maxPods) };
  return {
    addresses: [
      { type: 'InternalIP', address: id.address },
      { type: 'Hostname', address: id.hostname },
    ],
    conditions: nodeConditions(nowMs, previous),
    nodeInfo: {
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      osImage: 'kubemu',
      kernelVersion: 'kubemu',
      containerRuntimeVersion: 'kubemu://0.1.0',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    capacity,
    allocatable: { ...capacity },
  };
}

/** What the kubelet creates when it registers (initialNode), status included. */
export function registrationNode(id: NodeIdentity, nowMs: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels: nodeLabels(id), annotations: nodeAnnotations(id) },
    spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] },
    status: nodeStatus(id, nowMs, []),
  };
}

export type RegistrationProblem = { kind: 'podCIDR'; message: string };

/**
 * An existing Node (a restart) brought up to date: labels and annotations merged in, status
 * rewritten. A podCIDR that differs is refused: validation forbids changing it, and pods already
 * hold addresses from the old one.
 */
export function reconcileExistingNode(existing: Node, id: NodeIdentity, nowMs: number): { node: Node } | { problem: RegistrationProblem } {
  const have = existing.spec?.podCIDR;
  if (have && have !== id.podCIDR) {
    return { problem: { kind: 'podCIDR', message: `Node ${id.name} has podCIDR ${have}, this node was started with --pod-cidr ${id.podCIDR}` } };
  }
  const node = structuredClone(existing);
  node.metadata = {
    ...node.metadata,
    labels: { ...node.metadata?.labels, ...nodeLabels(id) },
    annotations: { ...node.metadata?.annotations, ...nodeAnnotations(id) },
  };
  node.spec = { ...node.spec, podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] };
  node.status = nodeStatus(id, nowMs, existing.status?.conditions ?? []);
  return { node };
}

/** The node's status with fresh heartbeats (the periodic nodeStatusReportFrequency update). */
export function nodeStatusUpdate(existing: Node, id: NodeIdentity, nowMs: number): Node {
  return { ...structuredClone(existing), status: nodeStatus(id, nowMs, existing.status?.conditions ?? []) };
}

/**
 * Whether the kubelet posts its Node status now (kubelet_node_status.go tryUpdateNodeStatus): when
 * nodeStatusReportFrequency has passed, or at once when a condition's status differs from what it
 * would post. That is how a node recovers from the node lifecycle controller's Ready=Unknown after
 * it was paused or cut off: the controller never sets Ready back, the kubelet must.
 */
export function nodeStatusDue(stored: Node | undefined, nowMs: number, lastPostMs: number, reportFrequencyMs: number): boolean {
  if (stored === undefined) return false;
  if (nowMs - lastPostMs >= reportFrequencyMs) return true;
  const have = stored.status?.conditions ?? [];
  return nodeConditions(nowMs).some((want) => have.find((c) => c.type === want.type)?.status !== want.status);
}

/** The node's Lease in kube-node-lease (component-helpers/apimachinery/lease/controller.go newLease). */
export function nodeLease(name: string, nowMs: number, existing?: Lease, nodeUid?: string, durationSeconds = NODE_LEASE_DURATION_SECONDS): Lease {
  const renewTime = rfc3339Micro(nowMs);
  if (existing) return { ...structuredClone(existing), spec: { ...existing.spec, holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime } };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime },
  };
}

/** Where a peer reaches a node's pod network, from its Node object; undefined until it registered. */
export interface NodeRoute {
  node: string;
  podCIDR: string;
  address: string;
  overlayTcpPort: number;
  overlayUdpPort: number;
  kubeletPort: number;
}

export function nodeRoute(node: Node): NodeRoute | undefined {
  const podCIDR = node.spec?.podCIDR;
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const ann = node.metadata?.annotations ?? {};
  const port = (key: string): number => {
    const n = Number(ann[key]);
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : 0;
  };
  if (!podCIDR || !address || !node.metadata?.name) return undefined;
  return {
    node: node.metadata.name,
    podCIDR,
    address,
    overlayTcpPort: port(ANNOTATION_OVERLAY_TCP_PORT),
    overlayUdpPort: port(ANNOTATION_OVERLAY_UDP_PORT),
    kubeletPort: port(ANNOTATION_KUBELET_PORT),
  };
}
