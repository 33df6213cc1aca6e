// The node's kube-proxy, shown as a pod the way a kubeadm cluster shows it (kube-system,
// k8s-app=kube-proxy, hostNetwork, the node's IP, registry.k8s.io/kube-proxy). kubeadm runs it
// as a DaemonSet; kubemu has no DaemonSets and its kube-proxy is the node's proxy agent, a
// process the node does not start. So the node publishes it as the kubelet publishes a static
// pod: a mirror pod named kube-proxy-<node> (a DaemonSet pod would be kube-proxy-<random>),
// annotated kubernetes.io/config.mirror and owned by the Node (pkg/kubelet/pod/mirror_client.go
// CreateMirrorPod). Its status follows the proxy agent: Running while the agent reports to the
// node, Ready while the agent's /healthz answers 200.
import type { Condition, Node, Pod, PodStatus } from '../api/types.js';
import { KUBE_PROXY_IMAGE } from '../proxy/kube-proxy-log.js';
import { rfc3339Seconds } from './node-registration.js';

export const KUBE_PROXY_NAMESPACE = 'kube-system';
export const KUBE_PROXY_CONTAINER = 'kube-proxy';
export const ANNOTATION_CONFIG_MIRROR = 'kubernetes.io/config.mirror';
export const ANNOTATION_CONFIG_HASH = 'kubernetes.io/config.hash';
export const ANNOTATION_CONFIG_SOURCE = 'kubernetes.io/config.source';
export const ANNOTATION_CONFIG_SEEN = 'kubernetes.io/config.seen';

export function kubeProxyPodName(nodeName: string): string {
  return `kube-proxy-${nodeName}`;
}

/** A mirror pod: the kubelet runs it from its own source; the API object only shows it. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[ANNOTATION_CONFIG_MIRROR] !== undefined;
}

/** kubelet's config hash is an md5 of the pod; a stable hex of the node name serves the same purpose here. */
function configHash(nodeName: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < nodeName.length; i++) {
    h1 = Math.imul(h1 ^ nodeName.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ nodeName.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`.repeat(2);
}

/** The mirror pod the node creates for its kube-proxy. */
export function kubeProxyMirrorPod(node: Node, nowMs: number): Pod {
  const nodeName = node.metadata?.name ?? '';
  const hash = configHash(nodeName);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: kubeProxyPodName(nodeName),
      namespace: KUBE_PROXY_NAMESPACE,
      labels: { 'k8s-app': 'kube-proxy' },
      annotations: {
        [ANNOTATION_CONFIG_HASH]: hash,
        [ANNOTATION_CONFIG_MIRROR]: hash,
        [ANNOTATION_CONFIG_SEEN]: new Date(nowMs).toISOString().replace('Z', '000000Z'),
        [ANNOTATION_CONFIG_SOURCE]: 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata?.uid ?? '', controller: true }],
    },
    spec: {
      nodeName,
      hostNetwork: true,
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: KUBE_PROXY_CONTAINER,
          image: KUBE_PROXY_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', `--hostname-override=${nodeName}`],
        },
      ],
    },
  } as Pod;
}

/** What the node knows of its proxy agent. */
export interface KubeProxyProcessState {
  /** The agent reports to the node (its last report is recent). */
  running: boolean;
  /** Its /healthz answered 200 at the last probe. */
  healthy: boolean;
  /** When the current (or last) agent process started. */
  startedAtMs?: number;
  /** Agent restarts the node has seen. */
  restartCount: number;
}

function condition(previous: readonly Condition[], type: string, status: string, at: string, reason?: string, message?: string): Condition {
  const prev = previous.find((c) => c.type === type);
  const c: Condition = { type, status, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** The status the kubelet would write for the mirror pod (a static pod's status is the running pod's). */
export function kubeProxyPodStatus(pod: Pod, nodeIP: string, state: KubeProxyProcessState, nowMs: number): PodStatus {
  const previous = pod.status?.conditions ?? [];
  const now = rfc3339Seconds(nowMs);
  const podStart = pod.status?.startTime ?? rfc3339Seconds(state.startedAtMs ?? nowMs);
  const ready = state.running && state.healthy;
  const notReady = `containers with unready status: [${KUBE_PROXY_CONTAINER}]`;
  const containerState =
    state.running && state.startedAtMs !== undefined
      ? { running: { startedAt: rfc3339Seconds(state.startedAtMs) } }
      : state.restartCount > 0 || state.startedAtMs !== undefined
        ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${KUBE_PROXY_CONTAINER} pod=${pod.metadata?.name ?? ''}_${KUBE_PROXY_NAMESPACE}(${pod.metadata?.uid ?? ''})` } }
        : { waiting: { reason: 'ContainerCreating' } };
  return {
    phase: 'Running',
    conditions: [
      condition(previous, 'PodReadyToStartContainers', 'True', podStart),
      condition(previous, 'Initialized', 'True', podStart),
      ready ? condition(previous, 'Ready', 'True', now) : condition(previous, 'Ready', 'False', now, 'ContainersNotReady', notReady),
      ready ? condition(previous, 'ContainersReady', 'True', now) : condition(previous, 'ContainersReady', 'False', now, 'ContainersNotReady', notReady),
      condition(previous, 'PodScheduled', 'True', podStart),
    ],
    hostIP: nodeIP,
    podIP: nodeIP,
    podIPs: [{ ip: nodeIP }],
    startTime: podStart,
    containerStatuses: [
      {
        name: KUBE_PROXY_CONTAINER,
        image: KUBE_PROXY_IMAGE,
        ready,
        started: state.running,
        restartCount: state.restartCount,
        state: containerState,
      },
    ],
  };
}
