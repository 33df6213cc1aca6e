import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { emptyTables } from '../netfilter/tables.js';
import { iptablesRestore } from '../netfilter/restore.js';
import { iptablesSave } from '../netfilter/save.js';
import { defaultProxyConfig } from '../proxy/config.js';
import { renderPartialSync } from '../proxy/render.js';
import { programFullSync } from '../proxy-sync/node-rules.js';
import { proxyInputsFromObjects } from '../proxy-sync/proxy-inputs.js';
import { rulesDigest } from '../proxy-sync/rules-digest.js';
import { expectedNodeRulesDigest, proxyConvergence } from './oracle.js';

const config = defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] });

const node = (n: number): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}` }, spec: { podCIDR: `10.244.${n}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `127.0.1.${n}` }] } }) as KubeObject;

const myNginx = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', namespace: 'default' },
  spec: {
    type: 'NodePort',
    clusterIP: '10.96.107.207',
    clusterIPs: ['10.96.107.207'],
    selector: { app: 'nginx' },
    externalTrafficPolicy: 'Cluster',
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
    ],
  },
} as KubeObject;

const slice = (ips: string[]): KubeObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'my-nginx-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
    addressType: 'IPv4',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
    ],
    endpoints: ips.map((ip, i) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: `node-${i + 1}` })),
  }) as KubeObject;

/** What a node holds after a proxy agent synced `steps` in turn: a full sync, then partial ones. */
function liveDigestAfter(steps: KubeObject[][], nodeName: string): string {
  let state;
  let tables = emptyTables();
  for (const [i, objects] of steps.entries()) {
    const inputs = proxyInputsFromObjects(objects, nodeName, config);
    const r = renderPartialSync(state, inputs, { nowMs: i * 1000 });
    tables = r.fullSync ? programFullSync(tables, r.payload, config) : iptablesRestore(tables, r.payload);
    state = r.state;
  }
  return rulesDigest(iptablesSave(tables));
}

describe('the convergence oracle', () => {
  const nodes = [node(1), node(2), node(3)];
  const before = [...nodes, myNginx, slice(['10.244.1.2'])];
  const after = [...nodes, myNginx, slice(['10.244.1.2', '10.244.2.2', '10.244.3.2'])];

  it('expects, from the objects alone, what an agent holds after a full sync and then partial syncs', () => {
    expect(liveDigestAfter([before, after], 'node-2')).toBe(expectedNodeRulesDigest(after, 'node-2', config));
    expect(liveDigestAfter([before], 'node-2')).not.toBe(expectedNodeRulesDigest(after, 'node-2', config));
  });

  it('is converged only when every node has reported the rules the log implies', () => {
    const report = (n: number, objects: KubeObject[], revision: number) => ({
      agent: `proxy-agent/node-${n}`,
      node: `node-${n}`,
      revision,
      digest: liveDigestAfter([objects], `node-${n}`),
    });
    const behind = proxyConvergence(after, 12, [report(1, after, 12), report(2, before, 9)], config);
    expect([behind.converged, behind.silentNodes, behind.agents.map((a) => [a.node, a.converged])]).toEqual([
      false,
      ['node-3'],
      [
        ['node-1', true],
        ['node-2', false],
      ],
    ]);
    const done = proxyConvergence(after, 12, [report(1, after, 12), report(2, after, 11), report(3, after, 12)], config);
    expect(done.converged).toBe(true);
  });
});
