import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { FOUR_SERVICES_PAYLOAD, installJumps, NODE_1_IP, NODE_1_LOCAL } from './fixtures.test-data.js';
import { walkNewConnection, type Origin } from './path.js';
import { emptyRecentTable, type RecentTable } from './recent.js';
import { iptablesRestore } from './restore.js';
import { emptyTables } from './tables.js';
import { traceJson } from './trace.js';
import type { Packet } from './walk.js';

const tables = iptablesRestore(installJumps(emptyTables()), FOUR_SERVICES_PAYLOAD);

function packet(src: string, dst: string, dport: number): Packet {
  return { proto: 'tcp', src, sport: 40000, dst, dport, mark: 0, localAddresses: NODE_1_LOCAL, ctState: 'NEW' };
}

function connect(p: Packet, seed: number, origin: Origin = 'incoming', recent: RecentTable = emptyRecentTable(), now = 0) {
  const r = walkNewConnection(tables, p, origin, { random: seededRandom(seed), recent, now });
  return { verdict: r.verdict, to: `${r.packet.dst}:${r.packet.dport}`, masquerade: r.masquerade, recent: r.recent };
}

const CLIENT = '203.0.113.7';
const POD_ON_NODE_1 = '10.244.1.7';

describe('packet flows on node-1', () => {
  it('NodePort from outside, externalTrafficPolicy Cluster: DNAT to one of three endpoints, masqueraded; every rule walked', () => {
    const r = walkNewConnection(tables, packet(CLIENT, NODE_1_IP, 31589), 'incoming', { random: seededRandom(1), recent: emptyRecentTable(), now: 0 });
    expect({ verdict: r.verdict, dst: `${r.packet.dst}:${r.packet.dport}`, dnat: r.dnat, masquerade: r.masquerade, toLocal: r.toLocal }).toEqual({
      verdict: 'ACCEPT',
      dst: '10.244.2.2:80',
      dnat: true,
      masquerade: true,
      toLocal: false,
    });
    expect(r.walks.map((w) => `${w.table} ${w.hook}: ${w.result.verdict} by ${w.result.decidedBy}`)).toEqual([
      'nat PREROUTING: DNAT by rule',
      'filter FORWARD: ACCEPT by rule',
      'nat POSTROUTING: MASQUERADE by rule',
    ]);
    expect(r.trace.map((s) => `${s.table} ${s.chain}#${s.position}`)).toEqual([
      'nat PREROUTING#1',
      'nat KUBE-SERVICES#4',
      'nat KUBE-NODEPORTS#1',
      'nat KUBE-EXT-SV7AMNAGZFKZEMQ4#1',
      'nat KUBE-MARK-MASQ#1',
      'nat KUBE-EXT-SV7AMNAGZFKZEMQ4#2',
      'nat KUBE-SVC-SV7AMNAGZFKZEMQ4#3',
      'nat KUBE-SEP-UHOHG3NCCQS26D7F#2',
      'filter FORWARD#1',
      'filter FORWARD#2',
      'filter KUBE-FORWARD#2',
      'nat POSTROUTING#1',
      'nat KUBE-POSTROUTING#2',
      'nat KUBE-POSTROUTING#3',
    ]);
  });

  // Seeds chosen so that the draws reach the endpoint a row is about (mulberry32's first draw
  // for seed 1 is 0.627, for seed 7 is 0.012).
  it.each<[string, Packet, Origin, number, { verdict: string; to: string; masquerade: boolean }]>([
    ['NodePort, eTP Cluster, a draw below 1/3: first endpoint', packet(CLIENT, NODE_1_IP, 31589), 'incoming', 7, { verdict: 'ACCEPT', to: '10.244.1.2:80', masquerade: true }],
    ['NodePort, eTP Local, no local endpoint: filter KUBE-EXTERNAL-SERVICES drops', packet(CLIENT, NODE_1_IP, 31590), 'incoming', 1, { verdict: 'DROP', to: `${NODE_1_IP}:31590`, masquerade: false }],
    ['NodePort, eTP Local, from a pod: short-circuited to the cluster-wide chain', packet(POD_ON_NODE_1, NODE_1_IP, 31590), 'incoming', 7, { verdict: 'ACCEPT', to: '10.244.2.2:80', masquerade: false }],
    ['NodePort, eTP Local, from the node itself: masqueraded, cluster-wide', packet(NODE_1_IP, NODE_1_IP, 31590), 'local', 1, { verdict: 'ACCEPT', to: '10.244.3.2:80', masquerade: true }],
    ['ClusterIP from a pod: DNAT, source kept', packet(POD_ON_NODE_1, '10.96.107.207', 8080), 'incoming', 1, { verdict: 'ACCEPT', to: '10.244.2.2:80', masquerade: false }],
    ['ClusterIP from outside the pod network: masqueraded', packet('192.168.2.142', '10.96.107.207', 8080), 'incoming', 7, { verdict: 'ACCEPT', to: '10.244.1.2:80', masquerade: true }],
    ['ClusterIP hairpin: the endpoint reaching itself is masqueraded', packet('10.244.1.2', '10.96.107.207', 8080), 'incoming', 7, { verdict: 'ACCEPT', to: '10.244.1.2:80', masquerade: true }],
    ['ClusterIP, an endpoint reaching another: source kept', packet('10.244.1.2', '10.96.107.207', 8080), 'incoming', 1, { verdict: 'ACCEPT', to: '10.244.2.2:80', masquerade: false }],
    ['ClusterIP, wrong port: no rule, goes on unchanged', packet(POD_ON_NODE_1, '10.96.107.207', 9999), 'incoming', 1, { verdict: 'ACCEPT', to: '10.96.107.207:9999', masquerade: false }],
    ['ClusterIP without endpoints: REJECT', packet(POD_ON_NODE_1, '10.96.0.50', 80), 'incoming', 1, { verdict: 'REJECT', to: '10.96.0.50:80', masquerade: false }],
    ['NodePort without endpoints: REJECT', packet(CLIENT, NODE_1_IP, 30050), 'incoming', 1, { verdict: 'REJECT', to: `${NODE_1_IP}:30050`, masquerade: false }],
    ['NodePort on a non-local address: not captured', packet(CLIENT, '192.168.2.142', 31589), 'incoming', 1, { verdict: 'ACCEPT', to: '192.168.2.142:31589', masquerade: false }],
  ])('%s', (_name, p, origin, seed, want) => {
    const { recent: _recent, ...got } = connect(p, seed, origin);
    expect(got).toEqual(want);
  });

  it('trace: false (the data path) decides the same as a traced walk, with the same draws, and records no rules', () => {
    for (const [p, origin] of [
      [packet(CLIENT, NODE_1_IP, 31589), 'incoming'],
      [packet(CLIENT, NODE_1_IP, 31590), 'incoming'],
      [packet(NODE_1_IP, NODE_1_IP, 31590), 'local'],
      [packet(POD_ON_NODE_1, '10.96.0.50', 80), 'incoming'],
    ] as const) {
      for (const seed of [1, 7]) {
        const traced = walkNewConnection(tables, p, origin, { random: seededRandom(seed), recent: emptyRecentTable(), now: 0 });
        const untraced = walkNewConnection(tables, p, origin, { random: seededRandom(seed), recent: emptyRecentTable(), now: 0, trace: false });
        const { trace: _t, walks: tracedWalks, ...tracedRest } = traced;
        const { trace, walks, ...rest } = untraced;
        expect(rest).toEqual(tracedRest);
        expect(walks.map((w) => [w.hook, w.table, w.result.verdict, w.result.decidedBy])).toEqual(tracedWalks.map((w) => [w.hook, w.table, w.result.verdict, w.result.decidedBy]));
        expect(trace).toEqual([]);
        expect(traced.trace.length).toBeGreaterThan(0);
      }
    }
  });

  it('the REJECT carries the ICMP type kube-proxy gets by default', () => {
    const r = walkNewConnection(tables, packet(POD_ON_NODE_1, '10.96.0.50', 80), 'incoming', { random: seededRandom(1), recent: emptyRecentTable(), now: 0 });
    expect([r.verdict, r.rejectWith, r.trace.at(-1)?.rule]).toEqual([
      'REJECT',
      'icmp-port-unreachable',
      '-A KUBE-SERVICES -d 10.96.0.50/32 -p tcp -m comment --comment "default/no-pods:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });

  it('session affinity: a client sticks to its endpoint through the recent table until the timeout', () => {
    const p = packet(POD_ON_NODE_1, '10.96.0.60', 80);
    const first = connect(p, 1, 'incoming', emptyRecentTable(), 1_000);
    // Without the recent table every seed would draw freshly; seeds 1..20 reach every endpoint.
    const fresh = new Set(Array.from({ length: 20 }, (_, s) => connect(p, s + 1).to));
    expect([...fresh].sort()).toEqual(['10.244.1.2:80', '10.244.2.2:80', '10.244.3.2:80']);
    // With it, every later connection within 10800 s goes where the first went, whatever the draw.
    const later = Array.from({ length: 20 }, (_, s) => connect({ ...p, sport: 40001 + s }, s + 100, 'incoming', first.recent, 1_000 + 10_800_000).to);
    expect(new Set(later)).toEqual(new Set([first.to]));
    // Another client is not affected by it.
    const other = new Set(Array.from({ length: 20 }, (_, s) => connect({ ...p, src: '10.244.1.8' }, s + 1, 'incoming', first.recent, 2_000).to));
    expect(other.size).toBe(3);
    // After the timeout the entry no longer matches (and --reap removes it): draws again.
    const expired = new Set(Array.from({ length: 20 }, (_, s) => connect(p, s + 1, 'incoming', first.recent, 1_000 + 10_800_001).to));
    expect(expired.size).toBe(3);
    expect(first.recent.lists[`KUBE-SEP-${{ '10.244.1.2:80': 'EXQJNHOK3QTODG7C', '10.244.2.2:80': 'FI4OF7VRGQQCBPGV', '10.244.3.2:80': '3I23F77BDT7PXZRO' }[first.to]}`]).toEqual([
      { address: POD_ON_NODE_1, stamps: [1_000] },
    ]);
  });

  it('-m statistic spreads connections evenly over the endpoints (30,000 seeded draws)', () => {
    const random = seededRandom(42);
    const counts = new Map<string, number>();
    let recent = emptyRecentTable();
    for (let i = 0; i < 30_000; i++) {
      const r = walkNewConnection(tables, packet(POD_ON_NODE_1, '10.96.107.207', 8080), 'incoming', { random, recent, now: 0 });
      recent = r.recent;
      counts.set(r.packet.dst, (counts.get(r.packet.dst) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['10.244.1.2', '10.244.2.2', '10.244.3.2']);
    // 1/3 each; the standard deviation of one count is ~82, so ±500 is six of them.
    for (const n of counts.values()) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});

describe('kubemu proxy trace --json', () => {
  it.each<[string, Packet, Origin, object]>([
    [
      'NodePort, eTP Cluster',
      packet(CLIENT, NODE_1_IP, 31589),
      'incoming',
      {
        verdict: 'DNAT',
        targets: ['10.244.1.2:80', '10.244.2.2:80', '10.244.3.2:80'],
        masquerade: true,
        rules: [
          '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
          '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4',
          '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ',
          '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
          '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4',
          '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-T3XCTAWNF2MSLOSC',
          '-A KUBE-SEP-T3XCTAWNF2MSLOSC -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.1.2:80',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
          '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
          '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
          '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
          '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
          '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
          '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F',
          '-A KUBE-SEP-UHOHG3NCCQS26D7F -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.2.2:80',
          '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7',
          '-A KUBE-SEP-KXEQLQ6V6BL25WN7 -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.3.2:80',
        ],
      },
    ],
    [
      'NodePort, eTP Local without a local endpoint',
      packet(CLIENT, NODE_1_IP, 31590),
      'incoming',
      {
        verdict: 'DROP',
        targets: [],
        masquerade: false,
        rules: [
          '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
          '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx-local:http" -m tcp --dport 31590 -j KUBE-EXT-QQOWKPXDOMUWKR2N',
          '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
          '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
          '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
          '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/my-nginx-local:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31590 -j DROP',
        ],
      },
    ],
    [
      'ClusterIP from a pod',
      packet(POD_ON_NODE_1, '10.96.50.10', 8080),
      'incoming',
      {
        verdict: 'DNAT',
        targets: ['10.244.2.2:80', '10.244.3.2:80'],
        masquerade: false,
        rules: [
          '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A KUBE-SERVICES -d 10.96.50.10/32 -p tcp -m comment --comment "default/my-nginx-local:http cluster IP" -m tcp --dport 8080 -j KUBE-SVC-QQOWKPXDOMUWKR2N',
          '-A KUBE-SVC-QQOWKPXDOMUWKR2N -m comment --comment "default/my-nginx-local:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-TXONEM24UHYHLADM',
          '-A KUBE-SEP-TXONEM24UHYHLADM -p tcp -m comment --comment "default/my-nginx-local:http" -m tcp -j DNAT --to-destination 10.244.2.2:80',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
          '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
          '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
          '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
          '-A KUBE-SVC-QQOWKPXDOMUWKR2N -m comment --comment "default/my-nginx-local:http -> 10.244.3.2:80" -j KUBE-SEP-UGU6GF6CW5PFR2K4',
          '-A KUBE-SEP-UGU6GF6CW5PFR2K4 -p tcp -m comment --comment "default/my-nginx-local:http" -m tcp -j DNAT --to-destination 10.244.3.2:80',
        ],
      },
    ],
    [
      'ClusterIP without endpoints',
      packet(POD_ON_NODE_1, '10.96.0.50', 80),
      'incoming',
      {
        verdict: 'REJECT',
        targets: [],
        masquerade: false,
        rules: [
          '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
          '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
          '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A KUBE-SERVICES -d 10.96.0.50/32 -p tcp -m comment --comment "default/no-pods:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
        ],
      },
    ],
  ])('%s', (_name, p, origin, want) => {
    expect(traceJson(tables, p, { origin })).toEqual(want);
  });

  it('NONE when nothing decides: an address no rule knows', () => {
    const empty = emptyTables();
    expect(traceJson(empty, packet(CLIENT, '10.1.1.1', 80))).toEqual({ verdict: 'NONE', targets: [], masquerade: false, rules: [] });
  });
});
