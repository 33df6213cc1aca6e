// Proxy agents programming real node processes (the node's netfilter API): Service + Deployment →
// the seed's chains in node-1's live tables; the status stream's revision; kill -9 of an agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, headRevision, watchObservations, type Bus } from '@kubemu/bus';
import { servicePortChainName } from '@kubemu/core';
import type { Observation } from '@kubemu/proto';
import {
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  startProxyAgent,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  type NodeHandle,
  type ProxyAgentHandle,
} from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
let bus: Bus;
const nodes: NodeHandle[] = [];
const agents: ProxyAgentHandle[] = [];
const observations: Observation[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function save(node: NodeHandle, table = 'nat'): Promise<string> {
  const res = await fetch(`${node.url}/netfilter/save?table=${table}`, { headers: { Authorization: `Bearer ${api.token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

async function create(path: string, body: unknown): Promise<void> {
  const res = await api.fetch(path, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
}

const HTTP_SVC = servicePortChainName('SVC', 'default/my-nginx:http', 'tcp');

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index: 1, leaseRenewIntervalMs: 1000 }));
  cm = await startControllerManager({ natsUrl: nats.url, apiStore: api });
  for (const index of [2, 3]) nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, leaseRenewIntervalMs: 1000 }));
  for (const n of nodes) agents.push(await startProxyAgent({ natsUrl: nats.url, apiStore: api, node: n.name }));
  bus = await connectBus({ servers: nats.url, name: 'test' });
  watchObservations(bus, { fromSequence: 1, agent: 'proxy-agent/node-1', onObservation: (o) => void observations.push(o) });
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.process.stop();
  await bus?.close();
  for (const n of nodes) await n.process.stop();
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

describe('proxy agents on real nodes', () => {
  it("program the seed's my-nginx and report the revision; kill -9 keeps the rules, a new Service waits for the restart", async () => {
    await create('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-nginx', labels: { run: 'my-nginx' } },
      spec: { type: 'NodePort', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 8080, targetPort: 80 }, { name: 'https', port: 443 }] },
    });
    await create('/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'my-nginx' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 443 }] }] } } },
    });
    const programmed = await waitFor('three endpoints in node-1', async () => {
      const nat = await save(nodes[0]!);
      return nat.split('\n').filter((l) => l.startsWith(`-A ${HTTP_SVC} `) && l.includes('KUBE-SEP-')).length === 3 ? nat : undefined;
    });
    expect(programmed).toContain(`:${HTTP_SVC} - [0:0]`);
    const head = await headRevision(bus);
    const o = await waitFor(`node-1 programmed revision ≥ ${head}`, () => observations.find((x) => Number(x.revision) >= head));
    expect(o.rulesProgrammed?.node).toBe('node-1');

    const before = await save(nodes[0]!);
    await agents[0]!.process.kill('SIGKILL');
    await create('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'late' }, spec: { selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80 }] } });
    const late = servicePortChainName('SVC', 'default/late:http', 'tcp');
    await waitFor('node-2 programs the new Service', async () => ((await save(nodes[1]!)).includes(`:${late} `) ? true : undefined));
    expect(await save(nodes[0]!)).toBe(before);

    agents[0] = await startProxyAgent({ natsUrl: nats.url, apiStore: api, node: 'node-1' });
    await waitFor('node-1 programs the new Service after the restart', async () => ((await save(nodes[0]!)).includes(`:${late} `) ? true : undefined));
    const latest = await headRevision(bus);
    await waitFor(`node-1 programmed revision ≥ ${latest}`, () => observations.find((x) => Number(x.revision) >= latest));
  });
});
