// Issue 4 end to end: every process real and together. nats-server, the api-store, the
// controller-manager (it schedules and owns the workloads and endpoints) and three node processes
// (they run the pods, set them Running and Ready, and carry the pod network). Nothing is faked: no
// pod is pinned by the test except where a nodeSelector asks the scheduler for a node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Node, Pod } from '@kubemu/core';
import {
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  type NodeHandle,
  SEED_MY_NGINX as SEED_SERVICE,
  eventually,
  NGINX_DEPLOYMENT,
} from '@kubemu/testkit';
import { runCli } from './cli.js';
import { bufferIO } from './io.js';
import { renderKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-e2e-'));
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const NODE_COUNT = 3;
// Short enough for a test, long enough that a busy CI machine does not miss a 500 ms renewal for 4 s.
const GRACE = '4s';
const LEASE_RENEW_MS = 500;

let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
const nodes = new Map<number, NodeHandle>();

// 127.0.3.N: apart from the other suites' nodes (127.0.1.N, 127.0.2.N), which may run at the same time.
const nodeAddress = (index: number): string => `127.0.3.${index}`;

function startClusterNode(index: number): Promise<NodeHandle> {
  return startNode({ natsUrl: nats.url, apiStore: api, index, address: nodeAddress(index), leaseRenewIntervalMs: LEASE_RENEW_MS });
}

function startCM(): Promise<ControllerManagerHandle> {
  return startControllerManager({ natsUrl: nats.url, apiStore: api, nodeMonitorGracePeriod: GRACE, nodeMonitorPeriod: '250ms' });
}

async function kubemu(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIO({ env: { KUBEMU_STATE_DIR: dir }, cwd: dir });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function must(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
  const res = await api.fetch(path, { method, headers: { 'Content-Type': contentType }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const pods = async (selector: string): Promise<Pod[]> =>
  (await must('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
const slicesOf = async (service: string): Promise<EndpointSlice[]> =>
  (await must('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=${service}`)).items;
const isReady = (p: Pod): boolean => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const readyTime = (p: Pod): string => (p.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ?? '';
const endpointFor = (slices: EndpointSlice[], ip: string) => slices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses?.[0] === ip);
/** A pod runs on a real node when the node that runs it wrote its hostIP: the node process's own address. */
const onItsNode = (p: Pod): boolean => {
  const index = Number(p.spec?.nodeName?.split('-')[1]);
  return nodes.has(index) && p.status?.hostIP === nodeAddress(index);
};

/** Waits for n pods of the selector, all Running and Ready on the nodes that run them. */
function readyPods(selector: string, n: number, timeoutMs = 30_000): Promise<Pod[]> {
  return eventually(`${n} ready pods ${selector}`, async () => {
    const list = await pods(selector);
    return list.length === n && list.every((p) => isReady(p) && onItsNode(p)) ? list : undefined;
  }, timeoutMs);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// kubernetes.io/docs/concepts/workloads/controllers/statefulset: the headless Service and the StatefulSet.
// A readiness delay makes OrderedReady visible: web-N+1 may only be created once web-N is Ready.
const WEB = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  serviceName: nginx
  replicas: 3
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.8
        ports:
        - containerPort: 80
          name: web
        readinessProbe:
          tcpSocket:
            port: 80
          initialDelaySeconds: 1
`;

function manifest(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), renderKubeconfig(api.url, api.token, api.ca));
  cm = await startCM();
  const started = await Promise.all(Array.from({ length: NODE_COUNT }, (_v, i) => startClusterNode(i + 1)));
  started.forEach((n, i) => nodes.set(i + 1, n));
  await eventually('3 Ready nodes', async () => {
    const list: Node[] = (await must('GET', '/api/v1/nodes')).items;
    return list.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === NODE_COUNT ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([...nodes.values()].map((n) => n.process.stop()));
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a 3-node cluster, every process real', { timeout: 60_000 }, () => {
  let nginx: Pod[] = [];
  const onNode = (index: number): Pod => nginx.find((p) => p.spec?.nodeName === `node-${index}`)!;

  it('spreads a 3-replica Deployment over the nodes, which run its pods Ready; kubemu get endpoints lists them', async () => {
    expect(await kubemu(['apply', '-f', manifest('my-nginx.yaml', SEED_SERVICE)])).toEqual({ code: 0, stdout: 'service/my-nginx created\n', stderr: '' });
    expect(await kubemu(['apply', '-f', manifest('nginx.yaml', NGINX_DEPLOYMENT)])).toEqual({ code: 0, stdout: 'deployment.apps/nginx created\n', stderr: '' });
    nginx = await readyPods('app=nginx', 3);
    expect(nginx.map((p) => p.spec!.nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const p of nginx) expect(p.status!.podIP).toMatch(new RegExp(`^10\\.244\\.${p.spec!.nodeName!.split('-')[1]}\\.\\d+$`));

    const ips = nginx.map((p) => p.status!.podIP!).sort();
    await eventually('3 ready endpoints in the slice', async () => {
      const ready = (await slicesOf('my-nginx')).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      return ready.length === 3 ? true : undefined;
    });
    // kubectl's formatEndpoints: ports are the outer loop, three listed, the rest counted. Ports sort
    // http:80 before https:443 here and upstream alike (RepackSubsets orders ports by the MD5 of their
    // Go %#v dump, and "http"/80 hashes lower).
    const cell = `${ips.map((ip) => `${ip}:80`).join(',')} + 3 more...`;
    const printed = await eventually('kubemu get endpoints with 3 addresses', async () => {
      const r = await kubemu(['get', 'endpoints', 'my-nginx']);
      return r.stdout.includes(' + 3 more...') ? r : undefined;
    });
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(new RegExp(`^NAME {7}ENDPOINTS {${cell.length - 'ENDPOINTS'.length + 3}}AGE\\nmy-nginx {3}${escape(cell)} {3}\\d+s\\n$`));
  });

  it("kubemu exec: a pod on node-1 reaches a pod on node-2 by its IP, and netexec's /clientip shows the first pod's IP", async () => {
    const client = onNode(1);
    const server = onNode(2);
    const answer = await kubemu(['exec', client.metadata!.name!, '--', 'curl', '-s', `http://${server.status!.podIP}:80/`]);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toMatch(new RegExp(`^pod: ${escape(server.metadata!.name!)}\\npodIP: ${escape(server.status!.podIP!)}\\nclient: ${escape(client.status!.podIP!)}:\\d+\\n$`));

    // Scheduled by the controller-manager onto node-2 through its nodeSelector, run by node-2.
    await must('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'netexec', labels: { app: 'netexec' } },
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, containers: [{ name: 'agnhost', image: AGNHOST, args: ['netexec'] }] },
    });
    const [netexec] = await readyPods('app=netexec', 1);
    expect(netexec!.spec!.nodeName).toBe('node-2');
    const ip = await kubemu(['exec', client.metadata!.name!, '--', 'curl', '-s', `http://${netexec!.status!.podIP}:8080/clientip`]);
    expect(ip.code).toBe(0);
    expect(ip.stdout).toMatch(new RegExp(`^${escape(client.status!.podIP!)}:\\d+$`));
  });

  it('brings a StatefulSet up in order behind its headless Service; the EndpointSlice carries hostnames web-0…web-2', async () => {
    expect(await kubemu(['apply', '-f', manifest('web.yaml', WEB)])).toEqual({ code: 0, stdout: 'service/nginx created\nstatefulset.apps/web created\n', stderr: '' });
    const web = (await readyPods('app=web', 3)).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    expect(web.map((p) => [p.metadata!.name, p.spec!.hostname, p.spec!.subdomain])).toEqual([
      ['web-0', 'web-0', 'nginx'],
      ['web-1', 'web-1', 'nginx'],
      ['web-2', 'web-2', 'nginx'],
    ]);
    // OrderedReady: each pod was created no earlier than its predecessor became Ready (second precision).
    for (let i = 1; i < web.length; i++) expect(web[i]!.metadata!.creationTimestamp! >= readyTime(web[i - 1]!)).toBe(true);
    const slices = await eventually('web-0..2 ready in the headless Service\'s slice', async () => {
      const s = await slicesOf('nginx');
      const hostnames = s.flatMap((x) => (x.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.hostname)).sort();
      return hostnames.join(',') === 'web-0,web-1,web-2' ? s : undefined;
    });
    expect(slices[0]!.metadata!.labels).toMatchObject({ 'service.kubernetes.io/headless': '' });
    const byHostname = Object.fromEntries(slices.flatMap((s) => s.endpoints ?? []).map((e) => [e.hostname, [e.addresses?.[0], e.nodeName]]));
    expect(byHostname).toEqual(Object.fromEntries(web.map((p) => [p.metadata!.name, [p.status!.podIP, p.spec!.nodeName]])));
  });

  it("kill -9 a node: after the grace period its endpoints are not ready; restarted, it makes them ready again", async () => {
    const victim = onNode(2);
    const ip = victim.status!.podIP!;
    await nodes.get(2)!.process.kill('SIGKILL');
    const unknown = await eventually('node-2 Ready=Unknown', async () => {
      const n: Node = await must('GET', '/api/v1/nodes/node-2');
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'Unknown' ? ready : undefined;
    }, 20_000);
    expect(unknown).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await eventually("node-2's endpoint not ready", async () => {
      const e = endpointFor(await slicesOf('my-nginx'), ip);
      return e?.conditions?.ready === false ? true : undefined;
    });
    const others = nginx.filter((p) => p !== victim).map((p) => p.status!.podIP!);
    const slices = await slicesOf('my-nginx');
    for (const other of others) expect(endpointFor(slices, other)?.conditions?.ready).toBe(true);

    nodes.set(2, await startClusterNode(2));
    await eventually("node-2's endpoint ready again", async () => {
      const e = endpointFor(await slicesOf('my-nginx'), ip);
      return e?.conditions?.ready === true ? true : undefined;
    });
    const node: Node = await must('GET', '/api/v1/nodes/node-2');
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    // The same pod, the same IP, served again by the restarted node.
    const answer = await kubemu(['exec', onNode(1).metadata!.name!, '--', 'curl', '-s', `http://${ip}:80/`]);
    expect(answer.stdout).toMatch(new RegExp(`^pod: ${escape(victim.metadata!.name!)}\\n`));
  });

  it('a node paused past the grace period posts Ready again for itself and its pods once it runs', async () => {
    const ip = onNode(3).status!.podIP!;
    const pid = nodes.get(3)!.process.pid;
    process.kill(pid, 'SIGSTOP');
    try {
      await eventually("node-3's endpoint not ready", async () => {
        const n: Node = await must('GET', '/api/v1/nodes/node-3');
        const e = endpointFor(await slicesOf('my-nginx'), ip);
        return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && e?.conditions?.ready === false ? true : undefined;
      }, 20_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // No restart and no registration: the node sees the Unknown and the False and corrects them, as
    // the kubelet does on its next status update, well before its 5-minute report frequency.
    await eventually('node-3 Ready and its endpoint ready again', async () => {
      const n: Node = await must('GET', '/api/v1/nodes/node-3');
      const e = endpointFor(await slicesOf('my-nginx'), ip);
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && e?.conditions?.ready === true ? true : undefined;
    }, 10_000);
  });

  it('kill -9 the controller-manager during a scale from 3 to 30: restarted, exactly 30 pods, all Running and Ready on real nodes', async () => {
    const scaling = cm.process.waitForLog((l) => l.msg === 'Too few replicas' && l.need === 30, 20_000);
    await must('PATCH', '/apis/apps/v1/namespaces/default/deployments/nginx', { spec: { replicas: 30 } }, 'application/merge-patch+json');
    await scaling;
    await cm.process.kill('SIGKILL');
    const atKill = (await pods('app=nginx')).length;
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThanOrEqual(30);
    cm = await startCM();
    const all = await readyPods('app=nginx', 30, 45_000);
    expect(new Set(all.map((p) => p.status!.podIP)).size).toBe(30);
    // Spread over all three (the scheduler's exact balance is core's schedule.test.ts's business).
    expect(new Set(all.map((p) => p.spec!.nodeName))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    // Quiet for a while: nothing more is created.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await pods('app=nginx')).length).toBe(30);
    await eventually('30 ready endpoints', async () => {
      const ready = (await slicesOf('my-nginx')).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      return ready.length === 30 ? true : undefined;
    });
  });
});
