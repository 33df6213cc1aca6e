// The proxy agent as a process against a real nats-server and api-store, programming a node
// whose netfilter API is core's tables behind the contract's HTTP endpoints (netfilter-double):
// what it writes, what it reports on KUBEMU_STATUS, what survives kill -9, healthCheckNodePort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, headRevision, watchObservations, type Bus } from '@kubemu/bus';
import { netfilter, servicePortChainName, servicePortEndpointChainName } from '@kubemu/core';
import type { Observation } from '@kubemu/proto';
import { startApiStore, startNats, startProxyAgent, type ApiStoreHandle, type NatsHandle, type ProxyAgentHandle } from '@kubemu/testkit';
import { startNetfilterDouble, type NetfilterDouble } from './netfilter-double.test-data.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
let bus: Bus;
let node: NetfilterDouble;
let agent: ProxyAgentHandle;
const observations: Observation[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function post(path: string, body: unknown, method = 'POST'): Promise<any> {
  const res = await api.fetch(path, { method, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return JSON.parse(text);
}

function slice(name: string, service: string, endpoints: [string, string][], ports: { name: string; port: number }[]): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map(([ip, nodeName]) => ({ addresses: [ip], conditions: { ready: true }, nodeName })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
  };
}

const natSave = (): string => netfilter.iptablesSave(node.tables(), { table: 'nat' });
const natChains = (): string[] => natSave().split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!);
const chainRules = (chain: string): string[] => natSave().split('\n').filter((l) => l.startsWith(`-A ${chain} `));

async function programmedAtHead(): Promise<Observation> {
  const head = await headRevision(bus);
  return waitFor(`an observation at revision ${head}`, () => observations.find((o) => Number(o.revision) >= head));
}

function startAgent(): Promise<ProxyAgentHandle> {
  return startProxyAgent({ natsUrl: nats.url, apiStore: api, node: 'node-1' });
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  node = await startNetfilterDouble(api.token);
  bus = await connectBus({ servers: nats.url, name: 'test' });
  watchObservations(bus, { fromSequence: 1, agent: 'proxy-agent/node-1', onObservation: (o) => void observations.push(o) });
  await post('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', annotations: { 'kubemu.io/kubelet-port': String(node.port) } },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
  });
  const created = await (await api.fetch('/api/v1/nodes/node-1')).json();
  await post('/api/v1/nodes/node-1/status', { ...created, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-1' }] } }, 'PUT');
  agent = await startAgent();
}, 90_000);

afterAll(async () => {
  await agent?.process.stop();
  await bus?.close();
  await node?.close();
  await api?.process.stop();
  await nats?.stop();
});

describe('proxy agent', () => {
  it("programs the seed's my-nginx into its node and reports the revision and digest", async () => {
    await post('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-nginx' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.107.207',
        ports: [
          { name: 'http', port: 8080, targetPort: 80, nodePort: 31589 },
          { name: 'https', port: 443, nodePort: 30134 },
        ],
      },
    });
    await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice('my-nginx-abc', 'my-nginx', [['10.244.1.2', 'node-1'], ['10.244.2.2', 'node-2'], ['10.244.3.2', 'node-3']], [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]));
    const o = await programmedAtHead();
    expect(chainRules('KUBE-SVC-SV7AMNAGZFKZEMQ4')).toEqual([
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-T3XCTAWNF2MSLOSC',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7',
    ]);
    expect(chainRules('KUBE-NODEPORTS')).toEqual([
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4',
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:https" -m tcp --dport 30134 -j KUBE-EXT-WJQIRF6WKN5OOCTI',
    ]);
    expect(natChains()).toEqual([
      'PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING',
      'KUBE-EXT-SV7AMNAGZFKZEMQ4', 'KUBE-EXT-WJQIRF6WKN5OOCTI', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING',
      'KUBE-SEP-4BMBAEIB6QK2A2QR', 'KUBE-SEP-KXEQLQ6V6BL25WN7', 'KUBE-SEP-LJILBMGWCIFOYNB4', 'KUBE-SEP-PLBTFZV2TA6SHQZV', 'KUBE-SEP-T3XCTAWNF2MSLOSC', 'KUBE-SEP-UHOHG3NCCQS26D7F',
      'KUBE-SERVICES', 'KUBE-SVC-SV7AMNAGZFKZEMQ4', 'KUBE-SVC-WJQIRF6WKN5OOCTI',
    ]);
    expect(o.rulesProgrammed?.node).toBe('node-1');
    expect(o.rulesProgrammed?.digest).toBe(`sha256:${(await import('node:crypto')).createHash('sha256').update(netfilter.iptablesSave(node.tables())).digest('hex')}`);
    expect(o.rulesProgrammed?.ruleCount).toBe(netfilter.iptablesSave(node.tables()).split('\n').filter((l) => l.startsWith('-A ')).length);
    expect(o.agent).toBe('proxy-agent/node-1');
    const healthz = await fetch(`${agent.url}/healthz`);
    expect(healthz.status).toBe(200);
    const logs = agent.process.logs.map((l) => l.msg);
    expect(logs).toContain('Adding new service "default/my-nginx:http" at 10.96.107.207:8080/TCP');
    expect(logs).toContain('Setting endpoints for "default/my-nginx:http" to [10.244.1.2:80 10.244.2.2:80 10.244.3.2:80]');
  });

  it('reports a revision that changes none of its rules (a Namespace, another Node) with the same digest and no restore', async () => {
    const programmed = await programmedAtHead();
    const restores = node.restores.length;
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'unrelated' } });
    await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-9' } });
    const head = await headRevision(bus);
    // Well inside syncPeriod (30s), whose periodic full sync would otherwise be the next report.
    const o = await waitFor(`an observation at revision ${head}`, () => observations.find((x) => Number(x.revision) >= head), 5_000);
    expect(o.rulesProgrammed).toEqual({ ...programmed.rulesProgrammed, fullSync: false });
    expect(node.restores.length).toBe(restores);
  });

  it('after kill -9 the rules stay; a new Service waits for the restart, which also removes stale chains', async () => {
    const before = netfilter.iptablesSave(node.tables());
    await agent.process.kill('SIGKILL');
    await post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'late' }, spec: { clusterIP: '10.96.0.77', ports: [{ name: 'http', port: 80 }] } });
    await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice('late-abc', 'late', [['10.244.1.9', 'node-1']], [{ name: 'http', port: 80 }]));
    const del = await api.fetch('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/my-nginx-abc', { method: 'DELETE' });
    expect(del.status).toBe(200);
    await sleep(1500);
    expect(netfilter.iptablesSave(node.tables())).toBe(before);

    observations.length = 0;
    agent = await startAgent();
    await programmedAtHead();
    const sep = servicePortEndpointChainName('default/late:http', 'tcp', '10.244.1.9:80');
    const svc = servicePortChainName('SVC', 'default/late:http', 'tcp');
    expect(natChains().filter((c) => /^KUBE-(SEP|SVC|EXT)-/.test(c))).toEqual([sep, svc]);
    expect(chainRules(sep)).toEqual([
      `-A ${sep} -s 10.244.1.9/32 -m comment --comment "default/late:http" -j KUBE-MARK-MASQ`,
      `-A ${sep} -p tcp -m comment --comment "default/late:http" -m tcp -j DNAT --to-destination 10.244.1.9:80`,
    ]);
    // my-nginx lost its endpoints: REJECT in filter, its old chains flushed and deleted by the first full sync.
    expect(node.restores[node.restores.length - 1]).toContain('-X KUBE-SVC-SV7AMNAGZFKZEMQ4\n');
    expect(netfilter.iptablesSave(node.tables(), { table: 'filter' })).toContain('"default/my-nginx:http has no endpoints"');
  });

  it('serves healthCheckNodePort on the node address: 200 with local endpoints, 503 without', async () => {
    await post('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb-local' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32100, clusterIP: '10.96.0.88', ports: [{ name: 'http', port: 80 }] },
    });
    await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice('lb-local-abc', 'lb-local', [['10.244.1.20', 'node-1'], ['10.244.2.20', 'node-2']], [{ name: 'http', port: 80 }]));
    await programmedAtHead();
    const healthy = await fetch('http://127.0.0.1:32100/');
    expect([healthy.status, healthy.headers.get('content-type'), await healthy.text()]).toEqual([
      200,
      'application/json',
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb-local"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}',
    ]);
    const current = await (await api.fetch('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/lb-local-abc')).json();
    await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/lb-local-abc', { ...current, endpoints: [current.endpoints[1]] }, 'PUT');
    await programmedAtHead();
    const unhealthy = await fetch('http://127.0.0.1:32100/');
    expect([unhealthy.status, JSON.parse(await unhealthy.text())]).toEqual([
      503,
      { service: { namespace: 'default', name: 'lb-local' }, localEndpoints: 0, serviceProxyHealthy: true },
    ]);
  });
});
