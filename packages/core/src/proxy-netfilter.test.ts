// One interpreter: kube-proxy's full-sync payload as core renders it for the seed's my-nginx
// Service, restored into core's netfilter tables after the jump rules are ensured (as the proxy
// agent programs a node), then packets walked. What `kubemu rules` would print is what decides.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from './api/types.js';
import * as netfilter from './netfilter/index.js';
import { defaultProxyConfig } from './proxy/config.js';
import { jumpRules, renderFullSync } from './proxy/render.js';

const NODE_1_IP = '192.168.2.141';

function myNginx(externalTrafficPolicy: 'Cluster' | 'Local'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-nginx', namespace: 'default' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.107.207',
      clusterIPs: ['10.96.107.207'],
      ipFamilies: ['IPv4'],
      externalTrafficPolicy,
      selector: { app: 'nginx' },
      ports: [
        { name: 'http', port: 8080, targetPort: 80, protocol: 'TCP', nodePort: 31589 },
        { name: 'https', port: 443, targetPort: 443, protocol: 'TCP', nodePort: 30134 },
      ],
    },
  } as Service;
}

function slice(nodes: number[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'my-nginx-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
    addressType: 'IPv4',
    endpoints: nodes.map((n) => ({ addresses: [`10.244.${n}.2`], conditions: { ready: true }, nodeName: `node-${n}` })),
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
    ],
  } as EndpointSlice;
}

/** A node programmed as the proxy agent does it: EnsureChain + EnsureRule for every jump, then the restore. */
function programmedNode1(service: Service, endpointNodes: number[]): netfilter.Tables {
  let tables = netfilter.emptyTables();
  for (const j of jumpRules()) {
    tables = netfilter.ensureChain(tables, j.table, j.target).tables;
    tables = netfilter.ensureRule(tables, j.table, 'prepend', j.chain, netfilter.splitRestoreLine(j.rule).slice(2)).tables;
  }
  const payload = renderFullSync([service], [slice(endpointNodes)], { name: 'node-1', ips: [NODE_1_IP], podCIDRs: ['10.244.1.0/24'] }, defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] }));
  return netfilter.iptablesRestore(tables, payload);
}

const LOCAL = [NODE_1_IP, '10.244.1.1'];

function trace(tables: netfilter.Tables, src: string, dst: string, dport: number): Omit<netfilter.TraceJson, 'rules'> {
  const packet: netfilter.Packet = { proto: 'tcp', src, sport: 40000, dst, dport, mark: 0, localAddresses: LOCAL, ctState: 'NEW' };
  const { rules: _rules, ...rest } = netfilter.traceJson(tables, packet, { origin: LOCAL.includes(src) ? 'local' : 'incoming' });
  return rest;
}

const ALL = ['10.244.1.2:80', '10.244.2.2:80', '10.244.3.2:80'];

describe("the seed's flows through core's rendering and core's interpreter", () => {
  const cluster = programmedNode1(myNginx('Cluster'), [1, 2, 3]);
  const local = programmedNode1(myNginx('Local'), [1, 2, 3]);
  const localElsewhere = programmedNode1(myNginx('Local'), [2, 3]);
  const none = programmedNode1(myNginx('Cluster'), []);

  it.each<[string, netfilter.Tables, string, string, number, Omit<netfilter.TraceJson, 'rules'>]>([
    ['NodePort, eTP Cluster, external client', cluster, '203.0.113.7', NODE_1_IP, 31589, { verdict: 'DNAT', targets: ALL, masquerade: true }],
    ['NodePort https, eTP Cluster', cluster, '203.0.113.7', NODE_1_IP, 30134, { verdict: 'DNAT', targets: ['10.244.1.2:443', '10.244.2.2:443', '10.244.3.2:443'], masquerade: true }],
    ['NodePort, eTP Local, external client: the local endpoint, source kept', local, '203.0.113.7', NODE_1_IP, 31589, { verdict: 'DNAT', targets: ['10.244.1.2:80'], masquerade: false }],
    ['NodePort, eTP Local, no local endpoint: dropped', localElsewhere, '203.0.113.7', NODE_1_IP, 31589, { verdict: 'DROP', targets: [], masquerade: false }],
    ['NodePort, eTP Local, from a pod: every endpoint, source kept', localElsewhere, '10.244.1.5', NODE_1_IP, 31589, { verdict: 'DNAT', targets: ['10.244.2.2:80', '10.244.3.2:80'], masquerade: false }],
    ['NodePort, eTP Local, from the node itself: every endpoint, masqueraded', localElsewhere, NODE_1_IP, NODE_1_IP, 31589, { verdict: 'DNAT', targets: ['10.244.2.2:80', '10.244.3.2:80'], masquerade: true }],
    ['ClusterIP from a pod: source kept', cluster, '10.244.1.5', '10.96.107.207', 8080, { verdict: 'DNAT', targets: ALL, masquerade: false }],
    ['ClusterIP from outside the cluster CIDR: masqueraded', cluster, '192.168.2.142', '10.96.107.207', 8080, { verdict: 'DNAT', targets: ALL, masquerade: true }],
    ['ClusterIP hairpin: the endpoint itself is masqueraded on its own branch', cluster, '10.244.1.2', '10.96.107.207', 8080, { verdict: 'DNAT', targets: ALL, masquerade: true }],
    ['ClusterIP without endpoints: rejected', none, '10.244.1.5', '10.96.107.207', 8080, { verdict: 'REJECT', targets: [], masquerade: false }],
    ['NodePort without endpoints: rejected', none, '203.0.113.7', NODE_1_IP, 31589, { verdict: 'REJECT', targets: [], masquerade: false }],
    ['another port of the node: no rule decides', cluster, '203.0.113.7', NODE_1_IP, 31000, { verdict: 'NONE', targets: [], masquerade: false }],
  ])('%s', (_name, tables, src, dst, dport, want) => {
    expect(trace(tables, src, dst, dport)).toEqual(want);
  });

  it('the tables print back as the restored rules (iptables-save of the programmed node)', () => {
    const saved = netfilter.iptablesSave(cluster, { table: 'nat' });
    expect(saved.split('\n').filter((l) => l.includes('KUBE-SVC-SV7AMNAGZFKZEMQ4') && l.startsWith('-A KUBE-SVC'))).toEqual([
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 ! -s 10.244.0.0/16 -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:http cluster IP" -m tcp --dport 8080 -j KUBE-MARK-MASQ',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-T3XCTAWNF2MSLOSC',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7',
    ]);
    // iptables-restore (flushing) of what was saved rebuilds the same tables: the save is a faithful dump of what is walked.
    const saveAll = netfilter.iptablesSave(cluster);
    expect(netfilter.iptablesSave(netfilter.iptablesRestore(netfilter.emptyTables(), saveAll, { noflush: false }))).toBe(saveAll);
  });
});
