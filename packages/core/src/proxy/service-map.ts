// kube-proxy's view of Services: one ServicePortInfo per (Service, port), as
// pkg/proxy/servicechangetracker.go serviceToServiceMap and pkg/proxy/serviceport.go
// newBaseServiceInfo build it, plus the iptables chain names proxier.go newServiceInfo stores.
// kubemu's nodes are single-stack IPv4, so this is the IPv4 proxier's view.
import type { Service } from '../api/types.js';
import { parseIP, formatIP, parseCIDR, formatCIDR, type IPFamily } from '../allocation/ip-range.js';
import { servicePortNameString, servicePortChainName } from './chain-names.js';

export type ProxyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePortInfo {
  namespace: string;
  name: string;
  portName: string;
  protocol: ProxyProtocol;
  /** ServicePortName.String(): `ns/name[:port]`. */
  nameString: string;
  clusterIP: string;
  port: number;
  nodePort: number;
  /** Canonical, this family only, in spec order. */
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs in VIP mode, this family only. */
  loadBalancerVIPs: string[];
  /** Trimmed, host bits cleared, this family only. */
  loadBalancerSourceRanges: string[];
  sessionAffinityClientIP: boolean;
  stickyMaxAgeSeconds: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  healthCheckNodePort: number;
  clusterPolicyChainName: string;
  localPolicyChainName: string;
  firewallChainName: string;
  externalChainName: string;
}

/** Key of a ServicePortName (namespace, name, port name, protocol), as the Go map key compares it. */
export function servicePortKey(namespace: string, name: string, portName: string, protocol: string): string {
  return `${namespace}/${name}\u0000${portName}\u0000${protocol}`;
}

/** The NamespacedName a port key belongs to. */
export function serviceNameOfKey(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

/** DefaultClientIPServiceAffinitySeconds (the apiserver defaults sessionAffinityConfig to it). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** pkg/api/v1/service: ExternallyAccessible. */
function serviceExternallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type ?? 'ClusterIP';
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
}

/** proxyutil.ShouldSkipService: headless (clusterIP None or empty) and ExternalName are not proxied. */
export function shouldSkipService(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip === '' || ip === 'None' || svc.spec?.type === 'ExternalName';
}

/** proxyutil.GetClusterIPByFamily. */
function clusterIPByFamily(svc: Service, family: IPFamily): string {
  const ips = svc.spec?.clusterIPs ?? [];
  if (ips.length === 0) {
    const ip = svc.spec?.clusterIP ?? '';
    return parseIP(ip)?.family === family ? ip : '';
  }
  for (const ip of ips) if (parseIP(ip)?.family === family) return ip;
  return '';
}

/** Every proxied port of one Service, in spec order. */
export function servicePortInfos(svc: Service, family: IPFamily = 'IPv4'): ServicePortInfo[] {
  if (shouldSkipService(svc)) return [];
  const clusterIPText = clusterIPByFamily(svc, family);
  if (clusterIPText === '') return [];
  const clusterIP = formatIP(parseIP(clusterIPText)!);
  const spec = svc.spec ?? {};
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const accessible = serviceExternallyAccessible(svc);
  const externalPolicyLocal = accessible && spec.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const affinity = spec.sessionAffinity === 'ClientIP';
  const sticky = affinity ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS) : 0;

  // proxyutil.MapIPsByIPFamily / MapCIDRsByIPFamily: unparsable entries are dropped; CIDRs trimmed.
  const externalIPs: string[] = [];
  for (const s of spec.externalIPs ?? []) {
    const ip = parseIP(s);
    if (ip !== undefined && ip.family === family) externalIPs.push(formatIP(ip));
  }
  const sourceRanges: string[] = [];
  for (const s of spec.loadBalancerSourceRanges ?? []) {
    const c = parseCIDR(s.trim());
    if (c !== undefined && c.family === family) sourceRanges.push(formatCIDR(c));
  }
  const vips: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip === undefined || ing.ip === '') continue;
    // proxyutil.IsVIPMode: Proxy-mode load balancers are not captured by kube-proxy.
    if (ing.ipMode !== undefined && ing.ipMode !== 'VIP') continue;
    const ip = parseIP(ing.ip);
    if (ip !== undefined && ip.family === family) vips.push(formatIP(ip));
  }
  // apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local.
  const healthCheckNodePort = spec.type === 'LoadBalancer' && externalPolicyLocal ? (spec.healthCheckNodePort ?? 0) : 0;

  return (spec.ports ?? []).map((p) => {
    const portName = p.name ?? '';
    const protocol = (p.protocol ?? 'TCP') as ProxyProtocol;
    const nameString = servicePortNameString(namespace, name, portName);
    const proto = protocol.toLowerCase();
    return {
      namespace,
      name,
      portName,
      protocol,
      nameString,
      clusterIP,
      port: p.port ?? 0,
      nodePort: p.nodePort ?? 0,
      externalIPs,
      loadBalancerVIPs: vips,
      loadBalancerSourceRanges: sourceRanges,
      sessionAffinityClientIP: affinity,
      stickyMaxAgeSeconds: sticky,
      externalPolicyLocal,
      internalPolicyLocal,
      healthCheckNodePort,
      clusterPolicyChainName: servicePortChainName('SVC', nameString, proto),
      localPolicyChainName: servicePortChainName('SVL', nameString, proto),
      firewallChainName: servicePortChainName('FW', nameString, proto),
      externalChainName: servicePortChainName('EXT', nameString, proto),
    };
  });
}

/**
 * The ServicePortMap of all Services, keyed by servicePortKey. Iteration order is sorted by
 * (nameString, protocol) so renders are deterministic; upstream iterates a Go map (random order),
 * which is why its tests normalise before comparing.
 */
export function buildServicePortMap(services: readonly Service[], family: IPFamily = 'IPv4'): Map<string, ServicePortInfo> {
  const all: [string, ServicePortInfo][] = [];
  for (const svc of services) {
    for (const info of servicePortInfos(svc, family)) {
      all.push([servicePortKey(info.namespace, info.name, info.portName, info.protocol), info]);
    }
  }
  all.sort(([, a], [, b]) => cmp(a.nameString, b.nameString) || cmp(a.protocol, b.protocol));
  return new Map(all);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** BaseServicePortInfo.ExternallyAccessible: a NodePort, an LB VIP or an external IP. */
export function externallyAccessible(info: ServicePortInfo): boolean {
  return info.nodePort !== 0 || info.loadBalancerVIPs.length > 0 || info.externalIPs.length > 0;
}

/** UsesClusterEndpoints: internal policy Cluster, or any external traffic (for short-circuiting). */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || externallyAccessible(info);
}

/** UsesLocalEndpoints. */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info));
}
