// kube-proxy's conntrack cleanup for UDP Services (pkg/proxy/conntrack/cleanup.go
// CleanStaleEntries, filter.go). UDP has no connection to close: a flow whose entry was DNATed to
// an endpoint that has gone keeps being sent there (every datagram refreshes the entry), so after
// each sync kube-proxy lists the UDP entries and deletes those that reach a Service's IP:port or
// its nodePort but were DNATed to no serving endpoint of it. The next datagram of such a flow is
// NEW and walks the current rules. Pure: the proxy agent lists the node's entries, computes the
// filters here, and asks the node to delete what they match (`conntrack -D` with these options).
import type { ConnTuple, ConntrackEntry } from './conntrack.js';
import type { Protocol } from './rule.js';

/** One side of a filter; a field left out matches anything (`--orig-dst`, `--orig-port-dst`, `--reply-src` …). */
export interface ConntrackFilterTuple {
  readonly src?: string;
  readonly sport?: number;
  readonly dst?: string;
  readonly dport?: number;
}

/** kube-proxy's conntrackFilter: protocol, and optionally the original and reply tuples. */
export interface ConntrackFilter {
  readonly proto: Protocol;
  readonly original?: ConntrackFilterTuple;
  readonly reply?: ConntrackFilterTuple;
}

/** What CleanStaleEntries reads of a ServicePortInfo (core proxy's buildServicePortMap values fit). */
export interface ConntrackServicePort {
  readonly protocol: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerVIPs: readonly string[];
}

/** What it reads of an endpoint (core proxy's buildEndpointsMap values fit). */
export interface ConntrackEndpoint {
  readonly ip: string;
  readonly serving: boolean;
}

function tupleMatches(f: ConntrackFilterTuple | undefined, t: ConnTuple): boolean {
  if (!f) return true;
  return (f.src === undefined || f.src === t.src) && (f.sport === undefined || f.sport === t.sport) && (f.dst === undefined || f.dst === t.dst) && (f.dport === undefined || f.dport === t.dport);
}

/** filter.go MatchConntrackFlow. */
export function conntrackFilterMatches(f: ConntrackFilter, e: Pick<ConntrackEntry, 'original' | 'reply'>): boolean {
  return f.proto === e.original.proto && tupleMatches(f.original, e.original) && tupleMatches(f.reply, e.reply);
}

/** The filters kube-proxy's CleanStaleEntries passes to ClearEntries, one per stale entry and frontend it reached. */
export function staleUdpConntrackFilters(
  entries: Iterable<Pick<ConntrackEntry, 'original' | 'reply'>>,
  svcPortMap: ReadonlyMap<string, ConntrackServicePort>,
  endpointsMap: ReadonlyMap<string, readonly ConntrackEndpoint[]>,
): ConntrackFilter[] {
  // Service IP:port (ClusterIP, LoadBalancer VIPs, externalIPs) → serving endpoint IPs; nodePort → the same.
  const byFrontend = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  for (const [key, svc] of svcPortMap) {
    if (svc.protocol !== 'UDP') continue;
    const serving = new Set((endpointsMap.get(key) ?? []).filter((e) => e.serving).map((e) => e.ip));
    // A Service without endpoints has nothing to be stale against (its traffic is rejected in filter).
    if (serving.size === 0) continue;
    for (const ip of [svc.clusterIP, ...svc.loadBalancerVIPs, ...svc.externalIPs]) byFrontend.set(`${ip}:${svc.port}`, serving);
    if (svc.nodePort !== 0) byNodePort.set(svc.nodePort, serving);
  }
  const filters: ConntrackFilter[] = [];
  for (const e of entries) {
    if (e.original.proto !== 'udp') continue;
    const replySrc = e.reply.src;
    const atFrontend = byFrontend.get(`${e.original.dst}:${e.original.dport}`);
    if (atFrontend && !atFrontend.has(replySrc)) filters.push({ proto: 'udp', original: { dst: e.original.dst, dport: e.original.dport }, reply: { src: replySrc } });
    const atNodePort = byNodePort.get(e.original.dport);
    if (atNodePort && !atNodePort.has(replySrc)) filters.push({ proto: 'udp', original: { dport: e.original.dport }, reply: { src: replySrc } });
  }
  return filters;
}
