// The per-pod rules the EndpointSlice and Endpoints controllers share: which pods are endpoints at
// all, readiness, the hostname rule, named targetPort resolution, and pod IPs by family.
// Upstream: staging/src/k8s.io/endpointslice/util/controller_utils.go and utils.go (FindPort).

import { isPodReady, isPodTerminal } from '../pod/pod-state.js';
import type { Pod, Service, ServicePort } from '../api/types.js';

export type AddressFamily = 'IPv4' | 'IPv6';

/** util.ShouldPodBeInEndpoints: not terminal, has an IP, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp !== undefined) return false;
  return true;
}

/**
 * util.ShouldSetHostname: the headless/StatefulSet rule. A pod with spec.hostname whose
 * spec.subdomain names this Service (same namespace) gets that hostname on its endpoint, which is
 * what makes `web-0.nginx.default.svc.cluster.local` resolve.
 */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  const hostname = pod.spec?.hostname ?? '';
  return hostname.length > 0 && (pod.spec?.subdomain ?? '') === (service.metadata?.name ?? '') && (service.metadata?.namespace ?? '') === (pod.metadata?.namespace ?? '');
}

/**
 * endpointslice.FindPort: a numeric targetPort is used as is; a named one is looked up in every
 * container's ports by name AND protocol. No match → undefined, and the caller leaves that port out
 * for this pod (upstream logs "Failed to find port for service" and continues).
 * Kubernetes' IntOrString keeps a quoted "8080" a string, so it is looked up as a name, as upstream.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (target === undefined) return undefined;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

export function ipFamilyOf(ip: string): AddressFamily {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * The pod's IPs in status order. Upstream reads status.podIPs only; kubemu falls back to
 * status.podIP when podIPs is empty, so a node that only fills podIP is not silently endpoint-less.
 */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip ?? '').filter((ip) => ip !== '');
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/** Service.spec.clusterIP is set and not None (helper.IsServiceIPSet). */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/**
 * A Service the endpoint controllers manage: not ExternalName and with a selector. Upstream skips
 * `spec.selector == nil`; an empty map never survives a JSON round trip (omitempty), so an empty
 * selector is treated as absent here too: such Services keep user-managed endpoints.
 */
export function hasManagedEndpoints(service: Service): boolean {
  if (service.spec?.type === 'ExternalName') return false;
  return Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** Pods in name order, so every output is independent of the order the caller collected them in. */
export function byPodName(a: Pod, b: Pod): number {
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export { isPodReady, isPodTerminal };
