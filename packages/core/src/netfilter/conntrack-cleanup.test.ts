import { describe, expect, it } from 'vitest';
import { ConntrackTable, type ConnTuple } from './conntrack.js';
import { staleUdpConntrackFilters, type ConntrackEndpoint, type ConntrackServicePort } from './conntrack-cleanup.js';

const NODE = '127.0.1.1';
const GATEWAY = '10.244.1.1';
const CLIENT_POD = '10.244.1.9';
const LIVE = '10.244.1.5';
const TERMINATING = '10.244.2.6';
const NOT_SERVING = '10.244.3.7';
const GONE = '10.244.9.9';

// kube-dns's shape: 53/UDP and 53/TCP, plus an externalIP and a LoadBalancer VIP, and a UDP Service without endpoints.
const svcPortMap = new Map<string, ConntrackServicePort>([
  ['kube-system/kube-dns\u0000dns\u0000UDP', { protocol: 'UDP', clusterIP: '10.96.0.10', port: 53, nodePort: 30053, externalIPs: ['192.0.2.10'], loadBalancerVIPs: ['198.51.100.1'] }],
  ['kube-system/kube-dns\u0000dns-tcp\u0000TCP', { protocol: 'TCP', clusterIP: '10.96.0.10', port: 53, nodePort: 30053, externalIPs: [], loadBalancerVIPs: [] }],
  ['default/empty\u0000\u0000UDP', { protocol: 'UDP', clusterIP: '10.96.0.20', port: 53, nodePort: 0, externalIPs: [], loadBalancerVIPs: [] }],
]);
const serving = (ip: string, s = true): ConntrackEndpoint => ({ ip, serving: s });
const endpointsMap = new Map<string, readonly ConntrackEndpoint[]>([
  ['kube-system/kube-dns\u0000dns\u0000UDP', [serving(LIVE), serving(TERMINATING), serving(NOT_SERVING, false)]],
  ['kube-system/kube-dns\u0000dns-tcp\u0000TCP', [serving(LIVE)]],
]);

const udp = (src: string, sport: number, dst: string, dport: number): ConnTuple => ({ proto: 'udp', src, sport, dst, dport });

/** [what it is, original tuple, the tuple the nat walk left]. */
const FLOWS: [string, ConnTuple, ConnTuple][] = [
  ['pod → ClusterIP, DNAT to a serving endpoint', udp(CLIENT_POD, 40001, '10.96.0.10', 53), udp(CLIENT_POD, 40001, LIVE, 8081)],
  ['pod → ClusterIP, DNAT to a terminating but serving endpoint', udp(CLIENT_POD, 40002, '10.96.0.10', 53), udp(CLIENT_POD, 40002, TERMINATING, 8081)],
  ['pod → ClusterIP, DNAT to a pod that is gone', udp(CLIENT_POD, 40003, '10.96.0.10', 53), udp(CLIENT_POD, 40003, GONE, 8081)],
  ['pod → ClusterIP, DNAT to an endpoint that no longer serves', udp(CLIENT_POD, 40004, '10.96.0.10', 53), udp(CLIENT_POD, 40004, NOT_SERVING, 8081)],
  ['host → NodePort, masqueraded, DNAT to a pod that is gone', udp('127.0.0.1', 50000, NODE, 30053), udp(GATEWAY, 50000, GONE, 8081)],
  ['host → NodePort, DNAT to a serving endpoint', udp('127.0.0.1', 50001, NODE, 30053), udp(GATEWAY, 50001, LIVE, 8081)],
  ['→ externalIP, DNAT to a pod that is gone', udp('203.0.113.7', 50002, '192.0.2.10', 53), udp('203.0.113.7', 50002, GONE, 8081)],
  ['→ LoadBalancer VIP, DNAT to a pod that is gone', udp('203.0.113.7', 50003, '198.51.100.1', 53), udp('203.0.113.7', 50003, GONE, 8081)],
  ['→ ClusterIP of a Service without endpoints', udp(CLIENT_POD, 40005, '10.96.0.20', 53), udp(CLIENT_POD, 40005, GONE, 8081)],
  ['→ the ClusterIP on a port the Service does not have', udp(CLIENT_POD, 40006, '10.96.0.10', 54), udp(CLIENT_POD, 40006, GONE, 54)],
  ['pod → pod, no NAT', udp(CLIENT_POD, 40007, GONE, 8081), udp(CLIENT_POD, 40007, GONE, 8081)],
  ['TCP to the ClusterIP, DNAT to a pod that is gone', { ...udp(CLIENT_POD, 40008, '10.96.0.10', 53), proto: 'tcp' }, { ...udp(CLIENT_POD, 40008, GONE, 8080), proto: 'tcp' }],
];

function table(): ConntrackTable {
  const ct = new ConntrackTable(64);
  for (const [what, original, translated] of FLOWS) expect(ct.insert(original, translated, 0).ok, what).toBe(true);
  return ct;
}

describe("kube-proxy's UDP conntrack cleanup (CleanStaleEntries)", () => {
  it('asks to delete the UDP entries of a Service IP:port or nodePort DNATed to no serving endpoint, and nothing else', () => {
    expect(staleUdpConntrackFilters(table().entries(0), svcPortMap, endpointsMap)).toEqual([
      { proto: 'udp', original: { dst: '10.96.0.10', dport: 53 }, reply: { src: GONE } },
      { proto: 'udp', original: { dst: '10.96.0.10', dport: 53 }, reply: { src: NOT_SERVING } },
      { proto: 'udp', original: { dport: 30053 }, reply: { src: GONE } },
      { proto: 'udp', original: { dst: '192.0.2.10', dport: 53 }, reply: { src: GONE } },
      { proto: 'udp', original: { dst: '198.51.100.1', dport: 53 }, reply: { src: GONE } },
    ]);
  });

  it('the table forgets exactly what the filters match; the next datagram of such a flow is NEW', () => {
    const ct = table();
    const filters = staleUdpConntrackFilters(ct.entries(0), svcPortMap, endpointsMap);
    expect(ct.clearEntries(filters)).toBe(5);
    const kept = new Set(ct.entries(0).map((e) => `${e.original.src}:${e.original.sport} ${e.original.dst}:${e.original.dport}`));
    expect(FLOWS.filter(([, o]) => kept.has(`${o.src}:${o.sport} ${o.dst}:${o.dport}`)).map(([what]) => what)).toEqual([
      'pod → ClusterIP, DNAT to a serving endpoint',
      'pod → ClusterIP, DNAT to a terminating but serving endpoint',
      'host → NodePort, DNAT to a serving endpoint',
      '→ ClusterIP of a Service without endpoints',
      '→ the ClusterIP on a port the Service does not have',
      'pod → pod, no NAT',
      'TCP to the ClusterIP, DNAT to a pod that is gone',
    ]);
    expect(ct.lookup(udp(CLIENT_POD, 40003, '10.96.0.10', 53), 0)).toBeUndefined();
    // The reply key went with it: a late reply from the gone pod is not un-DNATed.
    expect(ct.lookup(udp(GONE, 8081, CLIENT_POD, 40003), 0)).toBeUndefined();
    expect(ct.clearEntries([])).toBe(0);
  });

  it('a filter without an original port matches on the other fields (conntrack -D -p udp --reply-src IP)', () => {
    const ct = table();
    expect(ct.clearEntries([{ proto: 'udp', reply: { src: GONE } }])).toBe(7);
    expect(ct.clearEntries([{ proto: 'tcp', reply: { src: GONE } }])).toBe(1);
  });
});
