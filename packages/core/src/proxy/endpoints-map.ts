// kube-proxy's view of endpoints: pkg/proxy/endpointslicecache.go (slices of a Service merged per
// ServicePortName, deduplicated by `IP:port` preferring a local copy, sorted as strings by
// `byEndpoint`) and pkg/proxy/topology.go CategorizeEndpoints (ready endpoints, else the
// serving+terminating fallback; Local policies use this node's endpoints).
// Topology-aware routing (hints / trafficDistribution) is not modelled: useTopology is always false.
import type { EndpointSlice } from '../api/types.js';
import { parseIP, type IPFamily } from '../allocation/ip-range.js';
import { joinHostPort } from './chain-names.js';
import { servicePortKey, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-map.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** BaseEndpointInfo.String(): `IP:port`. */
  endpoint: string;
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The EndpointsMap: servicePortKey → endpoints sorted by the string `IP:port`.
 * Slices are grouped by namespace and the kubernetes.io/service-name label (slices without it are
 * ignored); only slices of this address family count. Slices are visited in name order, so when two
 * slices disagree about one endpoint the first (or the local one) wins deterministically.
 */
export function buildEndpointsMap(
  slices: readonly EndpointSlice[],
  nodeName: string,
  family: IPFamily = 'IPv4',
): Map<string, EndpointInfo[]> {
  const sorted = [...slices].sort(
    (a, b) => cmp(a.metadata?.namespace ?? '', b.metadata?.namespace ?? '') || cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''),
  );
  const sets = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of sorted) {
    const svcName = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (svcName === undefined || svcName === '') continue;
    if (slice.addressType !== family) continue;
    const namespace = slice.metadata?.namespace ?? '';
    for (const port of slice.ports ?? []) {
      // endpointInfoByServicePort: ports without a number (or 0) are ignored. A missing name is the
      // defaulted "" (SetDefaults_EndpointPort), protocol defaults to TCP.
      if (port.port === undefined || port.port === 0) continue;
      const key = servicePortKey(namespace, svcName, port.name ?? '', port.protocol ?? 'TCP');
      let set = sets.get(key);
      if (set === undefined) {
        set = new Map();
        sets.set(key, set);
      }
      for (const ep of slice.endpoints ?? []) {
        const addr = ep.addresses?.[0];
        if (addr === undefined) continue;
        if (parseIP(addr)?.family !== family) continue;
        const isLocal = ep.nodeName !== undefined && ep.nodeName === nodeName;
        const info: EndpointInfo = {
          ip: addr,
          port: port.port,
          endpoint: joinHostPort(addr, port.port),
          isLocal,
          ready: ep.conditions?.ready === undefined || ep.conditions.ready === true,
          serving: ep.conditions?.serving === undefined || ep.conditions.serving === true,
          terminating: ep.conditions?.terminating === true,
          nodeName: ep.nodeName ?? '',
        };
        // addEndpoints: dedupe by IP:port; a local copy wins.
        if (!set.has(info.endpoint) || isLocal) set.set(info.endpoint, info);
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [key, set] of sets) {
    // kube-proxy: endpoints sorted as strings, pkg/proxy/endpointslicecache.go byEndpoint.
    out.set(key, [...set.values()].sort((a, b) => cmp(a.endpoint, b.endpoint)));
  }
  return out;
}

export interface CategorizedEndpoints {
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  allReachableEndpoints: EndpointInfo[];
  hasAnyEndpoints: boolean;
}

/** pkg/proxy/topology.go CategorizeEndpoints (without topology hints). */
export function categorizeEndpoints(endpoints: readonly EndpointInfo[], svc: ServicePortInfo): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] = [];
  let localEndpoints: EndpointInfo[] = [];
  let hasAnyEndpoints = false;
  let useServingTerminatingEndpoints = false;

  if (usesClusterEndpoints(svc)) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready);
    // No ready endpoint anywhere: fall back to serving, terminating ones.
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminatingEndpoints = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }
  if (!usesClusterEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  if (!useServingTerminatingEndpoints) {
    // localEndpoints are ready ones, all of which are in clusterEndpoints.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }
  // Upstream merges through a Go map (random order); kubemu keeps the string order.
  const merged = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints) merged.set(ep.endpoint, ep);
  for (const ep of localEndpoints) merged.set(ep.endpoint, ep);
  const allReachableEndpoints = [...merged.values()].sort((a, b) => cmp(a.endpoint, b.endpoint));
  return { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints };
}
