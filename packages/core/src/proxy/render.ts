// The iptables-restore payload kube-proxy's iptables mode writes: pkg/proxy/iptables/proxier.go
// syncProxyRules and writeServiceToEndpointRules, line for line and in emission order (filter then
// nat; chain declarations, then rules). Partial syncs (KEP-3453) rewrite only the per-service chains
// of Services whose ports or endpoints changed; stale service chains are flushed (`:CHAIN - [0:0]`)
// and deleted (`-X CHAIN`). Pure: the caller supplies the previous state and the time.
import type { EndpointSlice, Service } from '../api/types.js';
import { parseCIDR, parseIP, cidrContains, formatIP } from '../allocation/ip-range.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  isServiceChainName,
  servicePortEndpointChainName,
} from './chain-names.js';
import { masqueradeMark, NODE_PORT_ADDRESSES_PRIMARY, type ProxyConfig } from './config.js';
import { buildServicePortMap, externallyAccessible, serviceNameOfKey, type ServicePortInfo } from './service-map.js';
import { buildEndpointsMap, categorizeEndpoints, type EndpointInfo } from './endpoints-map.js';

/** proxier.go largeClusterEndpointsThreshold. */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

export interface ProxyNode {
  name: string;
  /** Every address the node holds (its InternalIP first); the primary is ips[0]. */
  ips: string[];
  /** node.spec.podCIDRs, used when detectLocalMode is NodeCIDR. */
  podCIDRs?: string[];
}

/** What the node's netfilter supports; kube-proxy probes these at startup. */
export interface NetfilterFeatures {
  /** iptables.HasRandomFully(): MASQUERADE gets --random-fully. */
  randomFully: boolean;
  /** nfacct counters (ct_state_invalid_dropped_pkts, localhost_nps_accepted_pkts) could be created. */
  nfacct: boolean;
  /** net.netfilter.nf_conntrack_tcp_be_liberal != 0: no INVALID-drop rule. */
  conntrackTCPLiberal: boolean;
}

export const KUBEMU_NETFILTER_FEATURES: NetfilterFeatures = { randomFully: false, nfacct: false, conntrackTCPLiberal: false };

export interface ProxyInputs {
  services: readonly Service[];
  endpointSlices: readonly EndpointSlice[];
  node: ProxyNode;
  config: ProxyConfig;
  features?: Partial<NetfilterFeatures>;
}

export interface RenderFullSyncOptions {
  features?: Partial<NetfilterFeatures>;
  /** nat chains the node already holds (its iptables-save); stale service chains among them are deleted. */
  existingNatChains?: readonly string[];
}

/** The full-sync restore payload. */
export function renderFullSync(
  services: readonly Service[],
  endpointSlices: readonly EndpointSlice[],
  node: ProxyNode,
  config: ProxyConfig,
  options: RenderFullSyncOptions = {},
): string {
  const ctx = buildContext({ services, endpointSlices, node, config, features: options.features });
  return renderSync(ctx, undefined, options.existingNatChains ?? [], true).payload;
}

export interface ProxySyncState {
  /** Per Service (`ns/name`): its ServicePortInfos as kube-proxy's ServiceChangeTracker compares them. */
  serviceFingerprints: Record<string, string>;
  /** Per Service: its endpoints as the EndpointsChangeTracker compares them. */
  endpointFingerprints: Record<string, string>;
  /** Service chains (KUBE-SVC/SVL/EXT/FW/SEP) in the node's nat table once this payload is restored. */
  natChains: string[];
  lastFullSyncMs: number;
  lastCleanupMs: number;
}

export interface PartialSyncResult {
  payload: string;
  state: ProxySyncState;
  /** A full sync also (re)ensures the jump rules (jumpRules) before the restore. */
  fullSync: boolean;
}

export interface PartialSyncOptions {
  /** Injected clock, milliseconds. */
  nowMs: number;
  /** Force a full sync (periodic resync, node labels changed, a failed restore). */
  fullSync?: boolean;
  /** When there is no previous state: the nat chains the node holds (read back after a restart). */
  existingNatChains?: readonly string[];
}

/**
 * One sync as kube-proxy does it since KEP-3453: full when there is no previous state or the caller
 * asks for one, otherwise only the chains of Services whose ports or endpoints changed are written.
 * KUBE-SERVICES, KUBE-NODEPORTS and the filter table are always rewritten whole.
 */
export function renderPartialSync(previous: ProxySyncState | undefined, inputs: ProxyInputs, options: PartialSyncOptions): PartialSyncResult {
  const ctx = buildContext(inputs);
  const fullSync = previous === undefined || options.fullSync === true;
  const fingerprints = serviceFingerprints(ctx);
  let changed: Set<string> | undefined;
  if (!fullSync) {
    changed = new Set();
    for (const table of ['serviceFingerprints', 'endpointFingerprints'] as const) {
      const before = previous[table];
      const after = fingerprints[table];
      for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) if (before[k] !== after[k]) changed.add(k);
    }
  }
  const lastCleanupMs = previous?.lastCleanupMs ?? Number.NEGATIVE_INFINITY;
  // proxier.go: stale chains are only looked for every syncPeriod in large clusters.
  const cleanup = !ctx.largeClusterMode || options.nowMs - lastCleanupMs > ctx.config.syncPeriodMs;
  const existing = previous?.natChains ?? options.existingNatChains ?? [];
  const out = renderSync(ctx, changed, existing, cleanup);
  const natChains = cleanup
    ? [...out.activeNatChains].sort()
    : [...new Set([...existing.filter(isServiceChainName), ...out.activeNatChains])].sort();
  return {
    payload: out.payload,
    fullSync,
    state: {
      ...fingerprints,
      natChains,
      lastFullSyncMs: fullSync ? options.nowMs : previous!.lastFullSyncMs,
      lastCleanupMs: cleanup ? options.nowMs : lastCleanupMs,
    },
  };
}

export interface JumpRule {
  table: 'filter' | 'nat';
  /** The built-in chain the jump is inserted into (EnsureRule Prepend: `-I <chain>` at position 1). */
  chain: string;
  /** The chain jumped to; EnsureChain'd first. */
  target: string;
  /** The rule as iptables-save would list it, `-A` form. */
  rule: string;
}

/**
 * The jump rules kube-proxy ensures on every full sync (iptablesJumpChains then
 * iptablesKubeletJumpChains), in the order it ensures them. Each is inserted at the top of its
 * chain, so a later entry ends up above an earlier one in the same chain.
 */
export function jumpRules(_config?: ProxyConfig): JumpRule[] {
  const ctNew = ['-m', 'conntrack', '--ctstate', 'NEW'];
  const spec: [JumpRule['table'], string, string, string, string[]][] = [
    ['filter', 'INPUT', KUBE_EXTERNAL_SERVICES, 'kubernetes externally-visible service portals', ctNew],
    ['filter', 'FORWARD', KUBE_EXTERNAL_SERVICES, 'kubernetes externally-visible service portals', ctNew],
    ['filter', 'INPUT', KUBE_NODEPORTS, 'kubernetes health check service ports', []],
    ['filter', 'FORWARD', KUBE_SERVICES, 'kubernetes service portals', ctNew],
    ['filter', 'OUTPUT', KUBE_SERVICES, 'kubernetes service portals', ctNew],
    ['filter', 'FORWARD', KUBE_FORWARD, 'kubernetes forwarding rules', []],
    ['filter', 'INPUT', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', ctNew],
    ['filter', 'OUTPUT', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', ctNew],
    ['filter', 'FORWARD', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', ctNew],
    ['nat', 'OUTPUT', KUBE_SERVICES, 'kubernetes service portals', []],
    ['nat', 'PREROUTING', KUBE_SERVICES, 'kubernetes service portals', []],
    ['nat', 'POSTROUTING', KUBE_POSTROUTING, 'kubernetes postrouting rules', []],
    ['filter', 'INPUT', KUBE_FIREWALL, '', []],
    ['filter', 'OUTPUT', KUBE_FIREWALL, '', []],
  ];
  return spec.map(([table, chain, target, comment, extra]) => ({
    table,
    chain,
    target,
    rule: ['-A', chain, ...extra, ...(comment === '' ? [] : ['-m', 'comment', '--comment', quoteComment(comment)]), '-j', target].join(' '),
  }));
}

/** computeProbability: `fmt.Sprintf("%0.10f", 1.0/float64(n))`. */
export function computeProbability(n: number): string {
  return (1 / n).toFixed(10);
}

// ---------------------------------------------------------------------------------------------

interface LocalDetector {
  ifLocal: string[];
  ifNotLocal: string[];
}

interface SyncContext {
  config: ProxyConfig;
  features: NetfilterFeatures;
  svcPortMap: Map<string, ServicePortInfo>;
  endpointsMap: Map<string, EndpointInfo[]>;
  mark: string;
  localDetector: LocalDetector | undefined;
  localhostNodePorts: boolean;
  /** undefined: NodePorts on every local address; otherwise the node IPs --nodeport-addresses selects. */
  nodePortIPs: string[] | undefined;
  nodeIP: string;
  largeClusterMode: boolean;
}

function buildContext(inputs: ProxyInputs): SyncContext {
  const { config, node } = inputs;
  const svcPortMap = buildServicePortMap(inputs.services);
  const endpointsMap = buildEndpointsMap(inputs.endpointSlices, node.name);
  let totalEndpoints = 0;
  for (const key of svcPortMap.keys()) totalEndpoints += endpointsMap.get(key)?.length ?? 0;

  // proxyutil.NewNodePortAddresses(IPv4, nodePortAddresses, primaryIP).
  const nodeIP = node.ips[0] ?? '';
  let cidrTexts = config.nodePortAddresses;
  if (cidrTexts.length === 1 && cidrTexts[0] === NODE_PORT_ADDRESSES_PRIMARY) cidrTexts = nodeIP === '' ? [] : [`${nodeIP}/32`];
  const cidrs = cidrTexts.map((c) => parseCIDR(c)).filter((c) => c !== undefined && c.family === 'IPv4');
  const matchAll = cidrs.length === 0;
  const loopback = parseIP('127.0.0.1')!;
  // NewProxier: localhost NodePorts only if the selected addresses include 127.0.0.1.
  const containsIPv4Loopback = matchAll || cidrs.some((c) => cidrContains(c!, loopback));
  let nodePortIPs: string[] | undefined;
  if (!matchAll) {
    // GetNodeIPs over the node's interface addresses (its IPs and lo's 127.0.0.1), deduplicated.
    const addrs = new Set<string>();
    for (const text of [...node.ips, '127.0.0.1']) {
      const ip = parseIP(text);
      if (ip !== undefined && cidrs.some((c) => cidrContains(c!, ip))) addrs.add(formatIP(ip));
    }
    nodePortIPs = [...addrs].sort();
  }

  return {
    config,
    features: { ...KUBEMU_NETFILTER_FEATURES, ...inputs.features },
    svcPortMap,
    endpointsMap,
    mark: masqueradeMark(config.masqueradeBit),
    localDetector: localDetector(config, node),
    localhostNodePorts: config.localhostNodePorts && containsIPv4Loopback,
    nodePortIPs,
    nodeIP,
    largeClusterMode: totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
  };
}

/** pkg/proxy/util/localdetector.go, as cmd/kube-proxy picks it for the IPv4 proxier. */
function localDetector(config: ProxyConfig, node: ProxyNode): LocalDetector | undefined {
  const byCIDR = (cidrs: readonly string[]): LocalDetector | undefined => {
    const cidr = cidrs.find((c) => parseCIDR(c)?.family === 'IPv4');
    return cidr === undefined ? undefined : { ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr] };
  };
  switch (config.detectLocalMode) {
    case 'ClusterCIDR':
      return byCIDR(config.clusterCIDRs);
    case 'NodeCIDR':
      return byCIDR(node.podCIDRs ?? []);
    case 'BridgeInterface':
      return { ifLocal: ['-i', config.bridgeInterface], ifNotLocal: ['!', '-i', config.bridgeInterface] };
    case 'InterfaceNamePrefix':
      return { ifLocal: ['-i', `${config.interfaceNamePrefix}+`], ifNotLocal: ['!', '-i', `${config.interfaceNamePrefix}+`] };
  }
}

/** kube-proxy writes `"..."` literally around comments with spaces; one-word comments stay bare. */
function quoteComment(text: string): string {
  return `"${text}"`;
}

function serviceFingerprints(ctx: SyncContext): Pick<ProxySyncState, 'serviceFingerprints' | 'endpointFingerprints'> {
  const svc: Record<string, unknown[]> = {};
  const eps: Record<string, unknown[]> = {};
  for (const [key, info] of ctx.svcPortMap) (svc[serviceNameOfKey(key)] ??= []).push([key, info]);
  for (const [key, list] of ctx.endpointsMap) (eps[serviceNameOfKey(key)] ??= []).push([key, list]);
  const str = (r: Record<string, unknown[]>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, JSON.stringify(v)]));
  return { serviceFingerprints: str(svc), endpointFingerprints: str(eps) };
}

class LineBuffer {
  readonly lines: string[] = [];
  write(...parts: (string | readonly string[])[]): void {
    this.lines.push(parts.flat().join(' '));
  }
}

interface SyncOutput {
  payload: string;
  activeNatChains: Set<string>;
}

/**
 * syncProxyRules. `changed` undefined means a full sync; otherwise the Services (`ns/name`) whose
 * per-service chains are written. `existingNatChains` is what iptables-save would list.
 */
function renderSync(ctx: SyncContext, changed: Set<string> | undefined, existingNatChains: readonly string[], cleanup: boolean): SyncOutput {
  const { mark, features, localDetector } = ctx;
  const filterChains = new LineBuffer();
  const filterRules = new LineBuffer();
  const natChainsBuf = new LineBuffer();
  const natRulesBuf = new LineBuffer();
  const skipped = new LineBuffer();
  const activeNatChains = new Set<string>();

  for (const c of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL]) filterChains.write(chainLine(c));
  for (const c of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) natChainsBuf.write(chainLine(c));

  natRulesBuf.write('-A', KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
  natRulesBuf.write('-A', KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', mark);
  natRulesBuf.write(
    '-A', KUBE_POSTROUTING, '-m', 'comment', '--comment', quoteComment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE',
    features.randomFully ? ['--random-fully'] : [],
  );
  natRulesBuf.write('-A', KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', mark);

  if (ctx.localhostNodePorts) {
    // Mitigates the route_localnet hole (https://issue.k8s.io/90259); IPv4 only.
    filterChains.write(chainLine(KUBE_FIREWALL));
    filterRules.write(
      '-A', KUBE_FIREWALL, '-m', 'comment', '--comment', quoteComment('block incoming localnet connections'),
      '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP',
    );
  }

  const serviceComment = (args: string[], comment: string): string[] =>
    ctx.largeClusterMode ? args : [...args, '-m', 'comment', '--comment', comment];

  for (const [svcKey, svc] of ctx.svcPortMap) {
    const protocol = svc.protocol.toLowerCase();
    const S = svc.nameString;
    const port = String(svc.port);
    const allEndpoints = ctx.endpointsMap.get(svcKey) ?? [];
    const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(allEndpoints, svc);

    const clusterPolicyChain = svc.clusterPolicyChainName;
    const usesClusterPolicyChain = clusterEndpoints.length > 0 && (!svc.internalPolicyLocal || externallyAccessible(svc));
    const localPolicyChain = svc.localPolicyChainName;
    const usesLocalPolicyChain =
      localEndpoints.length > 0 && (svc.internalPolicyLocal || (svc.externalPolicyLocal && externallyAccessible(svc)));

    let internalTrafficChain = clusterPolicyChain;
    let hasInternalEndpoints = hasEndpoints;
    if (svc.internalPolicyLocal) {
      internalTrafficChain = localPolicyChain;
      if (localEndpoints.length === 0) hasInternalEndpoints = false;
    }
    let externalPolicyChain = clusterPolicyChain;
    let hasExternalEndpoints = hasEndpoints;
    if (svc.externalPolicyLocal) {
      externalPolicyChain = localPolicyChain;
      if (localEndpoints.length === 0) hasExternalEndpoints = false;
    }
    const externalTrafficChain = svc.externalChainName;
    // Based on hasEndpoints, not hasExternalEndpoints: the short-circuit rules for local traffic are
    // needed even when no endpoint is usable by external traffic.
    const usesExternalTrafficChain = hasEndpoints && externallyAccessible(svc);
    const fwChain = svc.firewallChainName;
    const usesFWChain = hasEndpoints && svc.loadBalancerVIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
    const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

    let internalFilterTarget = '';
    let internalFilterComment = '';
    let externalFilterTarget = '';
    let externalFilterComment = '';
    if (!hasEndpoints) {
      internalFilterTarget = 'REJECT';
      internalFilterComment = quoteComment(`${S} has no endpoints`);
      externalFilterTarget = 'REJECT';
      externalFilterComment = internalFilterComment;
    } else {
      if (!hasInternalEndpoints) {
        internalFilterTarget = 'DROP';
        internalFilterComment = quoteComment(`${S} has no local endpoints`);
      }
      if (!hasExternalEndpoints) {
        externalFilterTarget = 'DROP';
        externalFilterComment = quoteComment(`${S} has no local endpoints`);
      }
    }

    // Capture the clusterIP.
    if (hasInternalEndpoints) {
      natRulesBuf.write(
        '-A', KUBE_SERVICES, '-m', 'comment', '--comment', quoteComment(`${S} cluster IP`),
        '-m', protocol, '-p', protocol, '-d', svc.clusterIP, '--dport', port, '-j', internalTrafficChain,
      );
    } else {
      filterRules.write(
        '-A', KUBE_SERVICES, '-m', 'comment', '--comment', internalFilterComment,
        '-m', protocol, '-p', protocol, '-d', svc.clusterIP, '--dport', port, '-j', internalFilterTarget,
      );
    }

    // Capture externalIPs.
    for (const externalIP of svc.externalIPs) {
      if (hasEndpoints) {
        natRulesBuf.write(
          '-A', KUBE_SERVICES, '-m', 'comment', '--comment', quoteComment(`${S} external IP`),
          '-m', protocol, '-p', protocol, '-d', externalIP, '--dport', port, '-j', externalTrafficChain,
        );
      }
      if (!hasExternalEndpoints) {
        filterRules.write(
          '-A', KUBE_EXTERNAL_SERVICES, '-m', 'comment', '--comment', externalFilterComment,
          '-m', protocol, '-p', protocol, '-d', externalIP, '--dport', port, '-j', externalFilterTarget,
        );
      }
    }

    // Capture load-balancer ingress.
    for (const lbip of svc.loadBalancerVIPs) {
      if (hasEndpoints) {
        natRulesBuf.write(
          '-A', KUBE_SERVICES, '-m', 'comment', '--comment', quoteComment(`${S} loadbalancer IP`),
          '-m', protocol, '-p', protocol, '-d', lbip, '--dport', port, '-j', loadBalancerTrafficChain,
        );
      }
      if (usesFWChain) {
        filterRules.write(
          '-A', KUBE_PROXY_FIREWALL, '-m', 'comment', '--comment', quoteComment(`${S} traffic not accepted by ${fwChain}`),
          '-m', protocol, '-p', protocol, '-d', lbip, '--dport', port, '-j', 'DROP',
        );
      }
    }
    if (!hasExternalEndpoints) {
      for (const lbip of svc.loadBalancerVIPs) {
        filterRules.write(
          '-A', KUBE_EXTERNAL_SERVICES, '-m', 'comment', '--comment', externalFilterComment,
          '-m', protocol, '-p', protocol, '-d', lbip, '--dport', port, '-j', externalFilterTarget,
        );
      }
    }

    // Capture nodeports. NodePorts are not subject to loadBalancerSourceRanges.
    if (svc.nodePort !== 0) {
      const nodePort = String(svc.nodePort);
      if (hasEndpoints) {
        if (ctx.localhostNodePorts && features.nfacct) {
          natRulesBuf.write(
            '-A', KUBE_NODEPORTS, '-m', 'comment', '--comment', S, '-m', protocol, '-p', protocol,
            '-d', '127.0.0.0/8', '--dport', nodePort, '-m', 'nfacct', '--nfacct-name', 'localhost_nps_accepted_pkts',
            '-j', externalTrafficChain,
          );
        }
        natRulesBuf.write(
          '-A', KUBE_NODEPORTS, '-m', 'comment', '--comment', S, '-m', protocol, '-p', protocol,
          '--dport', nodePort, '-j', externalTrafficChain,
        );
      }
      if (!hasExternalEndpoints) {
        filterRules.write(
          '-A', KUBE_EXTERNAL_SERVICES, '-m', 'comment', '--comment', externalFilterComment,
          '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', protocol, '-p', protocol, '--dport', nodePort, '-j', externalFilterTarget,
        );
      }
    }

    // Capture healthCheckNodePorts, whether or not this node has local endpoints.
    if (svc.healthCheckNodePort !== 0) {
      filterRules.write(
        '-A', KUBE_NODEPORTS, '-m', 'comment', '--comment', quoteComment(`${S} health check node port`),
        '-m', 'tcp', '-p', 'tcp', '--dport', String(svc.healthCheckNodePort), '-j', 'ACCEPT',
      );
    }

    // Unchanged Services in a partial sync: the chains are computed (they stay active) but not written.
    const writeChains = changed === undefined || changed.has(serviceNameOfKey(svcKey));
    const natChains = writeChains ? natChainsBuf : skipped;
    const natRules = writeChains ? natRulesBuf : skipped;

    // Set up internal traffic handling.
    if (hasInternalEndpoints) {
      const args = [
        '-m', 'comment', '--comment', quoteComment(`${S} cluster IP`),
        '-m', protocol, '-p', protocol, '-d', svc.clusterIP, '--dport', port,
      ];
      if (ctx.config.masqueradeAll) {
        natRules.write('-A', internalTrafficChain, args, '-j', KUBE_MARK_MASQ);
      } else if (localDetector !== undefined) {
        // Masquerade off-cluster traffic to a Service VIP (it may bounce off-node).
        natRules.write('-A', internalTrafficChain, args, localDetector.ifNotLocal, '-j', KUBE_MARK_MASQ);
      }
    }

    // Set up external traffic handling.
    if (usesExternalTrafficChain) {
      natChains.write(chainLine(externalTrafficChain));
      activeNatChains.add(externalTrafficChain);
      if (!svc.externalPolicyLocal) {
        natRules.write(
          '-A', externalTrafficChain, '-m', 'comment', '--comment', quoteComment(`masquerade traffic for ${S} external destinations`),
          '-j', KUBE_MARK_MASQ,
        );
      } else {
        if (localDetector !== undefined) {
          natRules.write(
            '-A', externalTrafficChain, '-m', 'comment', '--comment', quoteComment(`pod traffic for ${S} external destinations`),
            localDetector.ifLocal, '-j', clusterPolicyChain,
          );
        }
        natRules.write(
          '-A', externalTrafficChain, '-m', 'comment', '--comment', quoteComment(`masquerade LOCAL traffic for ${S} external destinations`),
          '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ,
        );
        natRules.write(
          '-A', externalTrafficChain, '-m', 'comment', '--comment', quoteComment(`route LOCAL traffic for ${S} external destinations`),
          '-m', 'addrtype', '--src-type', 'LOCAL', '-j', clusterPolicyChain,
        );
      }
      if (hasExternalEndpoints) natRules.write('-A', externalTrafficChain, '-j', externalPolicyChain);
    }

    // Set up the firewall chain (loadBalancerSourceRanges).
    if (usesFWChain) {
      natChains.write(chainLine(fwChain));
      activeNatChains.add(fwChain);
      const args = ['-A', fwChain, '-m', 'comment', '--comment', quoteComment(`${S} loadbalancer IP`)];
      let allowFromNode = false;
      const nodeIP = parseIP(ctx.nodeIP);
      for (const cidr of svc.loadBalancerSourceRanges) {
        natRules.write(args, '-s', cidr, '-j', externalTrafficChain);
        if (nodeIP !== undefined && cidrContains(parseCIDR(cidr)!, nodeIP)) allowFromNode = true;
      }
      // A VIP-like LB often loops node → VIP traffic back with the VIP as source.
      if (allowFromNode) {
        for (const lbip of svc.loadBalancerVIPs) natRules.write(args, '-s', lbip, '-j', externalTrafficChain);
      }
      natRules.write('-A', fwChain, '-m', 'comment', '--comment', quoteComment(`other traffic to ${S} will be dropped by KUBE-PROXY-FIREWALL`));
    }

    if (usesClusterPolicyChain) {
      natChains.write(chainLine(clusterPolicyChain));
      activeNatChains.add(clusterPolicyChain);
      writeServiceToEndpointRules(natRules, svc, clusterPolicyChain, clusterEndpoints, serviceComment);
    }
    if (usesLocalPolicyChain) {
      natChains.write(chainLine(localPolicyChain));
      activeNatChains.add(localPolicyChain);
      writeServiceToEndpointRules(natRules, svc, localPolicyChain, localEndpoints, serviceComment);
    }

    // The per-endpoint chains.
    for (const ep of allReachableEndpoints) {
      const endpointChain = endpointChainName(svc, ep);
      natChains.write(chainLine(endpointChain));
      activeNatChains.add(endpointChain);
      const args = serviceComment(['-A', endpointChain], S);
      // Hairpin: traffic that loops back to its originator is masqueraded.
      natRules.write(args, '-s', ep.ip, '-j', KUBE_MARK_MASQ);
      const affinity = svc.sessionAffinityClientIP ? ['-m', 'recent', '--name', endpointChain, '--set'] : [];
      natRules.write(args, affinity, '-m', protocol, '-p', protocol, '-j', 'DNAT', '--to-destination', ep.endpoint);
    }
  }

  // Delete service chains no longer in use.
  if (cleanup) {
    const stale = [...new Set(existingNatChains)].filter((c) => !activeNatChains.has(c) && isServiceChainName(c)).sort();
    for (const chain of stale) {
      natChainsBuf.write(chainLine(chain));
      natRulesBuf.write('-X', chain);
    }
  }

  // Finally, tail-call to the nodePorts chain: after every other service portal rule.
  const lastRuleComment = quoteComment('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  if (ctx.nodePortIPs === undefined) {
    const destinations = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    // Without route_localnet, localhost NodePorts cannot work: exclude them.
    if (!ctx.localhostNodePorts) destinations.push('!', '-d', '127.0.0.0/8');
    natRulesBuf.write('-A', KUBE_SERVICES, '-m', 'comment', '--comment', lastRuleComment, destinations, '-j', KUBE_NODEPORTS);
  } else {
    for (const ip of ctx.nodePortIPs) {
      // --nodeport-addresses includes localhost but --iptables-localhost-nodeports=false: skipped.
      if (parseIP(ip)!.value >> 24n === 127n && !ctx.localhostNodePorts) continue;
      natRulesBuf.write('-A', KUBE_SERVICES, '-m', 'comment', '--comment', lastRuleComment, '-d', ip, '-j', KUBE_NODEPORTS);
    }
  }

  // Drop INVALID packets unless nf_conntrack_tcp_be_liberal is set (issues 74839, 117924).
  if (!features.conntrackTCPLiberal) {
    filterRules.write(
      '-A', KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID',
      features.nfacct ? ['-m', 'nfacct', '--nfacct-name', 'ct_state_invalid_dropped_pkts'] : [], '-j', 'DROP',
    );
  }
  filterRules.write(
    '-A', KUBE_FORWARD, '-m', 'comment', '--comment', quoteComment('kubernetes forwarding rules'),
    '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT',
  );
  filterRules.write(
    '-A', KUBE_FORWARD, '-m', 'comment', '--comment', quoteComment('kubernetes forwarding conntrack rule'),
    '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT',
  );

  const lines = [
    '*filter', ...filterChains.lines, ...filterRules.lines, 'COMMIT',
    '*nat', ...natChainsBuf.lines, ...natRulesBuf.lines, 'COMMIT',
  ];
  return { payload: lines.join('\n') + '\n', activeNatChains };
}

function chainLine(chain: string): string {
  return `:${chain} - [0:0]`;
}

function endpointChainName(svc: ServicePortInfo, ep: EndpointInfo): string {
  return servicePortEndpointChainName(svc.nameString, svc.protocol.toLowerCase(), ep.endpoint);
}

function writeServiceToEndpointRules(
  natRules: LineBuffer,
  svc: ServicePortInfo,
  svcChain: string,
  endpoints: readonly EndpointInfo[],
  serviceComment: (args: string[], comment: string) => string[],
): void {
  if (svc.sessionAffinityClientIP) {
    for (const ep of endpoints) {
      const epChain = endpointChainName(svc, ep);
      natRules.write(
        serviceComment(['-A', svcChain], quoteComment(`${svc.nameString} -> ${ep.endpoint}`)),
        '-m', 'recent', '--name', epChain, '--rcheck', '--seconds', String(svc.stickyMaxAgeSeconds), '--reap', '-j', epChain,
      );
    }
  }
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    const args = serviceComment(['-A', svcChain], quoteComment(`${svc.nameString} -> ${ep.endpoint}`));
    // Each rule but the last is a probabilistic match; the last always matches.
    const statistic = i < n - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', computeProbability(n - i)] : [];
    natRules.write(args, statistic, '-j', endpointChainName(svc, ep));
  });
}
