import { describe, expect, it } from 'vitest';
import { defaultProxyConfig } from './config.js';
import { formatKlogLine, goDurationString, type KlogRecord } from './klog.js';
import { kubeProxyCachesSyncedEntries, kubeProxyChangeEntries, kubeProxyReloadingEntry, kubeProxyStartupEntries, kubeProxySyncCompleteEntry, kubeProxySyncingEntry, renderKubeProxyLog } from './kube-proxy-log.js';
import type { ProxyView } from '../proxy-sync/proxy-changes.js';

const T = Date.UTC(2025, 2, 12, 17, 42, 27, 267);

describe('formatKlogLine', () => {
  it.each<[string, KlogRecord, string]>([
    ['structured, no keys', { severity: 'I', timeMs: T, micros: 150, pid: 1, source: 'proxier.go:805', msg: 'Syncing iptables rules' }, 'I0312 17:42:27.267150       1 proxier.go:805] "Syncing iptables rules"'],
    [
      'numbers, strings and a string slice',
      { severity: 'I', timeMs: T, pid: 1, source: 'endpointslicecache.go:348', msg: 'Setting endpoints for service port name', keys: [['portName', 'kube-system/kube-dns:dns'], ['endpoints', ['10.244.0.227:53', '10.244.0.65:53']]] },
      'I0312 17:42:27.267000       1 endpointslicecache.go:348] "Setting endpoints for service port name" portName="kube-system/kube-dns:dns" endpoints=["10.244.0.227:53","10.244.0.65:53"]',
    ],
    ['printf-style', { severity: 'I', timeMs: T, pid: 1, source: 'shared_informer.go:313', msg: 'Waiting for caches to sync for service config', structured: false }, 'I0312 17:42:27.267000       1 shared_informer.go:313] Waiting for caches to sync for service config'],
    ['an error, a wide pid, quotes in values', { severity: 'E', timeMs: T, pid: 5063, source: 'proxier.go:1511', msg: 'Failed', keys: [['err', 'line "3"\n'], ['ok', false], ['n', null]] }, 'E0312 17:42:27.267000    5063 proxier.go:1511] "Failed" err="line \\"3\\"\\n" ok=false n=null'],
  ])('%s', (_name, record, line) => expect(formatKlogLine(record)).toBe(line));

  it.each<[number, string]>([
    [0, '0s'],
    [850, '850ns'],
    [12_500, '12.5µs'],
    [40_087_239, '40.087239ms'],
    [222_935_396, '222.935396ms'],
    [1_500_000_000, '1.5s'],
    [21_444_424_042, '21.444424042s'],
    [62_000_000_000, '1m2s'],
  ])('time.Duration(%d).String() is %s', (ns, text) => expect(goDurationString(ns)).toBe(text));
});

const view = (services: [string, string, string][], endpoints: [string, string, string[]][]): ProxyView => ({
  services: new Map(services.map(([k, name, at]) => [k, { name, at }])),
  endpoints: new Map(endpoints.map(([k, name, eps]) => [k, { name, endpoints: eps }])),
});
const key = (svc: string, port: string) => `${svc}\u0000${port}\u0000TCP`;

describe("kube-proxy's lines", () => {
  it('start-up and caches synced, at verbosity 2', () => {
    const entries = [...kubeProxyStartupEntries({ nodeIPs: ['127.0.1.1'], config: defaultProxyConfig(), healthzAddress: '127.0.1.1:10256' }), ...kubeProxyCachesSyncedEntries()];
    expect(renderKubeProxyLog(entries, 2, T)).toEqual([
      'I0312 17:42:27.267000       1 server.go:1062] "Successfully retrieved node IP(s)" IPs=["127.0.1.1"]',
      'I0312 17:42:27.267000       1 server_linux.go:165] "Using iptables Proxier"',
      'I0312 17:42:27.267000       1 proxier.go:243] "Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses"',
      'I0312 17:42:27.267000       1 proxier.go:266] "Using iptables mark for masquerade" ipFamily="IPv4" mark="0x00004000"',
      'I0312 17:42:27.267000       1 proxier.go:302] "Iptables sync params" ipFamily="IPv4" minSyncPeriod="1s" syncPeriod="30s" burstSyncs=2',
      'I0312 17:42:27.267000       1 server.go:872] "Version info" version="v1.32.0"',
      'I0312 17:42:27.267000       1 server.go:874] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""',
      'I0312 17:42:27.267000       1 proxier_health.go:176] "Starting healthz HTTP server" address="127.0.1.1:10256"',
      'I0312 17:42:27.267000       1 config.go:192] "Starting service config controller"',
      'I0312 17:42:27.267000       1 shared_informer.go:313] Waiting for caches to sync for service config',
      'I0312 17:42:27.267000       1 config.go:101] "Starting endpoint slice config controller"',
      'I0312 17:42:27.267000       1 shared_informer.go:313] Waiting for caches to sync for endpoint slice config',
      'I0312 17:42:27.267000       1 config.go:319] "Starting node config controller"',
      'I0312 17:42:27.267000       1 shared_informer.go:313] Waiting for caches to sync for node config',
      'I0312 17:42:27.267000       1 shared_informer.go:320] Caches are synced for service config',
      'I0312 17:42:27.267000       1 shared_informer.go:320] Caches are synced for endpoint slice config',
      'I0312 17:42:27.267000       1 shared_informer.go:320] Caches are synced for node config',
    ]);
  });

  it('a sync that adds a Service, moves its endpoints and removes another, at each verbosity', () => {
    const before = view([[key('default/old', 'http'), 'default/old:http', '10.96.0.5:80/TCP']], [[key('default/my-nginx', 'http'), 'default/my-nginx:http', ['10.244.1.2:80']]]);
    const after = view(
      [
        [key('default/my-nginx', 'http'), 'default/my-nginx:http', '10.96.107.207:8080/TCP'],
        [key('default/my-nginx', 'https'), 'default/my-nginx:https', '10.96.107.207:443/TCP'],
      ],
      [
        [key('default/my-nginx', 'http'), 'default/my-nginx:http', ['10.244.1.2:80', '10.244.2.2:80']],
        [key('default/my-nginx', 'https'), 'default/my-nginx:https', ['10.244.1.2:443', '10.244.2.2:443']],
      ],
    );
    const entries = [
      ...kubeProxyChangeEntries(before, after),
      kubeProxySyncingEntry(),
      kubeProxyReloadingEntry({ numServices: 2, numEndpoints: 4, numFilterChains: 5, numFilterRules: 3, numNATChains: 10, numNATRules: 22 }),
      kubeProxySyncCompleteEntry(9_561_408),
    ];
    expect(renderKubeProxyLog(entries, 4, T)).toEqual([
      'I0312 17:42:27.267000       1 servicechangetracker.go:103] "Service updated ports" service="default/my-nginx" portCount=2',
      'I0312 17:42:27.267000       1 servicechangetracker.go:103] "Service updated ports" service="default/old" portCount=0',
      'I0312 17:42:27.267000       1 servicechangetracker.go:202] "Adding new service port" portName="default/my-nginx:http" servicePort="10.96.107.207:8080/TCP"',
      'I0312 17:42:27.267000       1 servicechangetracker.go:202] "Adding new service port" portName="default/my-nginx:https" servicePort="10.96.107.207:443/TCP"',
      'I0312 17:42:27.267000       1 servicechangetracker.go:225] "Removing service port" portName="default/old:http"',
      'I0312 17:42:27.267000       1 endpointslicecache.go:348] "Setting endpoints for service port name" portName="default/my-nginx:http" endpoints=["10.244.1.2:80"]',
      'I0312 17:42:27.267000       1 endpointslicecache.go:348] "Setting endpoints for service port name" portName="default/my-nginx:http" endpoints=["10.244.1.2:80","10.244.2.2:80"]',
      'I0312 17:42:27.267000       1 endpointslicecache.go:348] "Setting endpoints for service port name" portName="default/my-nginx:https" endpoints=["10.244.1.2:443","10.244.2.2:443"]',
      'I0312 17:42:27.267000       1 proxier.go:805] "Syncing iptables rules"',
      'I0312 17:42:27.267000       1 proxier.go:1494] "Reloading service iptables data" numServices=2 numEndpoints=4 numFilterChains=5 numFilterRules=3 numNATChains=10 numNATRules=22',
      'I0312 17:42:27.267000       1 proxier.go:799] "SyncProxyRules complete" elapsed="9.561408ms"',
    ]);
    expect(renderKubeProxyLog(entries, 3, T).length).toBe(6);
    expect(renderKubeProxyLog(entries, 0, T)).toEqual([]);
    expect(kubeProxyChangeEntries(after, after)).toEqual([]);
  });
});
