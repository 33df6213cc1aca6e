// The klog lines kube-proxy (iptables mode) writes for what kubemu's proxy agent does, with the
// verbosity each is logged at (klog.V(n)). Messages and keys are upstream's; the call sites
// (file:line) are those a released kube-proxy prints:
//   - servicechangetracker.go:103/202/204/225: unchanged from v1.30 (where the file appeared)
//     to v1.34 (103 and 202 seen in v1.34 CI logs; the stored source gives the same numbers);
//   - endpointslicecache.go:348, proxier.go:805/1494/799 and the start-up lines: a v1.30.9
//     kube-proxy's log (proxier.go:805 "Syncing iptables rules" is also what v1.32 prints).
// A line whose call site moved between v1.30 and v1.32 keeps the v1.30 number.
import { formatKlogLine, goDurationString, type KlogRecord, type KlogValue } from './klog.js';
import type { ProxyConfig } from './config.js';
import { formatGoDuration, masqueradeMark } from './config.js';
import type { ProxyView } from '../proxy-sync/proxy-changes.js';

export const KUBE_PROXY_VERSION = 'v1.32.0';
export const KUBE_PROXY_IMAGE = `registry.k8s.io/kube-proxy:${KUBE_PROXY_VERSION}`;
/** kube-proxy is PID 1 in its container; klog prints it as the thread id. */
export const KUBE_PROXY_PID = 1;

/** A line before its time is known: what klog.V(v).InfoS(msg, keys…) would print. */
export interface KubeProxyLogEntry {
  v: number;
  severity: KlogRecord['severity'];
  source: string;
  msg: string;
  keys?: readonly (readonly [string, KlogValue])[];
  structured?: boolean;
}

function info(v: number, source: string, msg: string, keys: readonly (readonly [string, KlogValue])[] = []): KubeProxyLogEntry {
  return { v, severity: 'I', source, msg, keys };
}

/** shared_informer.go's printf-style lines. */
function informer(source: string, msg: string): KubeProxyLogEntry {
  return { v: 0, severity: 'I', source, msg, structured: false };
}

const CONFIG_CONTROLLERS = [
  { start: ['config.go:192', 'Starting service config controller'], name: 'service config' },
  { start: ['config.go:101', 'Starting endpoint slice config controller'], name: 'endpoint slice config' },
  { start: ['config.go:319', 'Starting node config controller'], name: 'node config' },
] as const;

export interface KubeProxyStartup {
  nodeIPs: readonly string[];
  config: ProxyConfig;
  /** host:port the healthz server listens on. */
  healthzAddress: string;
}

/** cmd/kube-proxy/app: from the node IPs to the informers waiting for their caches. */
export function kubeProxyStartupEntries(s: KubeProxyStartup): KubeProxyLogEntry[] {
  const entries: KubeProxyLogEntry[] = [
    info(0, 'server.go:1062', 'Successfully retrieved node IP(s)', [['IPs', s.nodeIPs]]),
    info(0, 'server_linux.go:165', 'Using iptables Proxier'),
  ];
  // proxier.go NewProxier: localhostNodePorts needs route_localnet unless nodePortAddresses leaves loopback out.
  if (s.config.localhostNodePorts && s.config.nodePortAddresses.length === 0) {
    entries.push(
      info(
        0,
        'proxier.go:243',
        'Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses',
      ),
    );
  }
  entries.push(
    info(2, 'proxier.go:266', 'Using iptables mark for masquerade', [['ipFamily', 'IPv4'], ['mark', masqueradeMark(s.config.masqueradeBit)]]),
    info(2, 'proxier.go:302', 'Iptables sync params', [
      ['ipFamily', 'IPv4'],
      ['minSyncPeriod', formatGoDuration(s.config.minSyncPeriodMs)],
      ['syncPeriod', formatGoDuration(s.config.syncPeriodMs)],
      ['burstSyncs', 2],
    ]),
    info(0, 'server.go:872', 'Version info', [['version', KUBE_PROXY_VERSION]]),
    info(0, 'server.go:874', 'Golang settings', [['GOGC', ''], ['GOMAXPROCS', ''], ['GOTRACEBACK', '']]),
    info(0, 'proxier_health.go:176', 'Starting healthz HTTP server', [['address', s.healthzAddress]]),
  );
  for (const c of CONFIG_CONTROLLERS) {
    entries.push(info(0, c.start[0], c.start[1]), informer('shared_informer.go:313', `Waiting for caches to sync for ${c.name}`));
  }
  return entries;
}

/** The informers' caches are filled (the agent caught up with the log). */
export function kubeProxyCachesSyncedEntries(): KubeProxyLogEntry[] {
  return CONFIG_CONTROLLERS.map((c) => informer('shared_informer.go:320', `Caches are synced for ${c.name}`));
}

const serviceOf = (key: string): string => key.slice(0, key.indexOf('\u0000'));
const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * What the change trackers log between two syncs' views, in the order a sync prints them:
 * ServiceChangeTracker.Update ("Service updated ports", per Service whose ports changed), then
 * ServicePortMap.Update's merge/unmerge, then EndpointsMap.Update, which logs every non-empty
 * port of a changed Service's previous endpoints and then of its current ones
 * (endpointsMapFromEndpointInfo runs for both).
 */
export function kubeProxyChangeEntries(before: ProxyView | undefined, after: ProxyView): KubeProxyLogEntry[] {
  const out: KubeProxyLogEntry[] = [];
  const prevServices = before?.services ?? new Map<string, { name: string; at: string }>();
  const changedServices = new Set<string>();
  for (const key of new Set([...prevServices.keys(), ...after.services.keys()])) {
    if (prevServices.get(key)?.at !== after.services.get(key)?.at) changedServices.add(serviceOf(key));
  }
  const ports = (view: Map<string, { name: string; at: string }>, svc: string) => [...view].filter(([k]) => serviceOf(k) === svc).map(([k, p]) => ({ key: k, ...p })).sort(byName);
  for (const svc of [...changedServices].sort()) {
    out.push(info(4, 'servicechangetracker.go:103', 'Service updated ports', [['service', svc], ['portCount', ports(after.services, svc).length]]));
  }
  for (const svc of [...changedServices].sort()) {
    const current = ports(after.services, svc);
    for (const p of current) {
      const prev = prevServices.get(p.key);
      if (prev === undefined) out.push(info(4, 'servicechangetracker.go:202', 'Adding new service port', [['portName', p.name], ['servicePort', p.at]]));
      else if (prev.at !== p.at) out.push(info(4, 'servicechangetracker.go:204', 'Updating existing service port', [['portName', p.name], ['servicePort', p.at]]));
    }
    for (const p of ports(prevServices, svc)) {
      if (!after.services.has(p.key)) out.push(info(4, 'servicechangetracker.go:225', 'Removing service port', [['portName', p.name]]));
    }
  }
  const prevEndpoints = before?.endpoints ?? new Map<string, { name: string; endpoints: string[] }>();
  const changedEndpoints = new Set<string>();
  for (const key of new Set([...prevEndpoints.keys(), ...after.endpoints.keys()])) {
    if ((prevEndpoints.get(key)?.endpoints ?? []).join(' ') !== (after.endpoints.get(key)?.endpoints ?? []).join(' ')) changedEndpoints.add(serviceOf(key));
  }
  const setting = (view: Map<string, { name: string; endpoints: string[] }>, svc: string): KubeProxyLogEntry[] =>
    [...view]
      .filter(([k, e]) => serviceOf(k) === svc && e.endpoints.length > 0)
      .map(([, e]) => e)
      .sort(byName)
      .map((e) => info(3, 'endpointslicecache.go:348', 'Setting endpoints for service port name', [['portName', e.name], ['endpoints', e.endpoints]]));
  for (const svc of [...changedEndpoints].sort()) out.push(...setting(prevEndpoints, svc), ...setting(after.endpoints, svc));
  return out;
}

export function kubeProxySyncingEntry(): KubeProxyLogEntry {
  return info(2, 'proxier.go:805', 'Syncing iptables rules');
}

export interface ReloadCounts {
  numServices: number;
  numEndpoints: number;
  numFilterChains: number;
  numFilterRules: number;
  numNATChains: number;
  numNATRules: number;
}

export function kubeProxyReloadingEntry(c: ReloadCounts): KubeProxyLogEntry {
  return info(2, 'proxier.go:1494', 'Reloading service iptables data', [
    ['numServices', c.numServices],
    ['numEndpoints', c.numEndpoints],
    ['numFilterChains', c.numFilterChains],
    ['numFilterRules', c.numFilterRules],
    ['numNATChains', c.numNATChains],
    ['numNATRules', c.numNATRules],
  ]);
}

export function kubeProxySyncCompleteEntry(elapsedNs: number): KubeProxyLogEntry {
  return info(2, 'proxier.go:799', 'SyncProxyRules complete', [['elapsed', goDurationString(elapsedNs)]]);
}

/** The lines klog writes at `verbosity` (-v / logging.verbosity): V(n) for n ≤ verbosity, and every error. */
export function renderKubeProxyLog(entries: readonly KubeProxyLogEntry[], verbosity: number, timeMs: number, pid = KUBE_PROXY_PID): string[] {
  return entries
    .filter((e) => e.severity !== 'I' || e.v <= verbosity)
    .map((e) => formatKlogLine({ severity: e.severity, timeMs, pid, source: e.source, msg: e.msg, ...(e.keys ? { keys: e.keys } : {}), ...(e.structured === false ? { structured: false } : {}) }));
}
