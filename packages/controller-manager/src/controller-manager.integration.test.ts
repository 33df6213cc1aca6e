// The controller-manager as a process: real nats-server, real api-store, real controller-manager.
// The node process is not part of this test: Nodes are plain objects, and the test plays their
// kubelets (renews Leases, posts pod status Running/Ready with a pod IP, finishes graceful deletions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEndpoints, type Endpoints, type EndpointSlice, type Node, type Pod } from '@kubemu/core';
import {
  startApiStore,
  startControllerManager,
  startNats,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  eventually,
} from '@kubemu/testkit';
import { apiCalls, StandInKubelets, type ApiCalls } from './stand-in-kubelets.test-data.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
const NODES = ['node-1', 'node-2', 'node-3'];
const GRACE = '3s';
let calls: ApiCalls;
let kubelets: StandInKubelets;
const call: ApiCalls['call'] = (...a) => calls.call(...a);
const must: ApiCalls['must'] = (...a) => calls.must(...a);

async function pods(selector: string): Promise<Pod[]> {
  return (await must('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
}

async function slicesOf(service: string): Promise<EndpointSlice[]> {
  return (await must('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=${service}`)).items;
}

function startCM(): Promise<ControllerManagerHandle> {
  return startControllerManager({ natsUrl: nats.url, apiStore: api, nodeMonitorGracePeriod: GRACE, nodeMonitorPeriod: '250ms' });
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  calls = apiCalls(api);
  kubelets = new StandInKubelets(calls, NODES);
  await kubelets.register();
  await kubelets.tick();
  kubelets.start();
  cm = await startCM();
}, 60_000);

afterAll(async () => {
  kubelets?.stop();
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

const myNginx = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' } },
  spec: {
    type: 'NodePort',
    ports: [
      { port: 8080, targetPort: 80, protocol: 'TCP', name: 'http' },
      { port: 443, protocol: 'TCP', name: 'https' },
    ],
    selector: { app: 'nginx' },
  },
};

const nginxDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }, { containerPort: 443 }] }] },
    },
  },
};

describe('controller-manager', () => {
  it('schedules a 3-replica Deployment over 3 nodes and publishes its pods as endpoints of my-nginx', async () => {
    await must('POST', '/api/v1/namespaces/default/services', myNginx);
    await must('POST', '/apis/apps/v1/namespaces/default/deployments', nginxDeployment);

    const running = await eventually('3 running pods', async () => {
      const list = await pods('app=nginx');
      return list.length === 3 && list.every((p) => p.status?.podIP && p.spec?.nodeName) ? list : undefined;
    });
    expect(new Set(running.map((p) => p.spec!.nodeName)).size).toBe(3);
    for (const p of running) expect(p.metadata!.name).toMatch(/^nginx-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);

    const ips = running.map((p) => p.status!.podIP!).sort();
    const endpoints = await eventually('Endpoints with 3 ready addresses', async () => {
      const r = await call('GET', '/api/v1/namespaces/default/endpoints/my-nginx');
      const ep = r.body as Endpoints;
      return r.code === 200 && (ep.subsets ?? []).flatMap((s) => s.addresses ?? []).length === 3 ? ep : undefined;
    });
    // kubectl get endpoints: ports are the outer loop, three listed, the rest counted.
    expect(formatEndpoints(endpoints)).toBe(`${ips.map((ip) => `${ip}:80`).join(',')} + 3 more...`);
    expect(endpoints.subsets).toEqual([
      {
        addresses: ips.map((ip) => expect.objectContaining({ ip, nodeName: expect.stringMatching(/^node-[123]$/) })),
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'https', port: 443, protocol: 'TCP' },
        ],
      },
    ]);

    const slices = await eventually('an EndpointSlice with 3 ready endpoints', async () => {
      const s = await slicesOf('my-nginx');
      return s.length === 1 && (s[0]!.endpoints ?? []).filter((e) => e.conditions?.ready).length === 3 ? s : undefined;
    });
    const slice = slices[0]!;
    expect(slice.metadata!.labels).toMatchObject({ 'kubernetes.io/service-name': 'my-nginx', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints!.map((e) => e.addresses![0]).sort()).toEqual(ips);
    expect(slice.endpoints!.map((e) => [e.nodeName, e.targetRef?.kind]).every(([n, k]) => /^node-[123]$/.test(n!) && k === 'Pod')).toBe(true);
    expect(slice.ports!.map((p) => [p.name, p.port]).sort()).toEqual([['http', 80], ['https', 443]]);

    const deployment = await eventually('Deployment status', async () => {
      const d = await must('GET', '/apis/apps/v1/namespaces/default/deployments/nginx');
      return d.status?.readyReplicas === 3 ? d : undefined;
    });
    expect(deployment.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('gives a StatefulSet behind a headless Service hostnames web-0..2 in its EndpointSlice', async () => {
    await must('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', labels: { app: 'nginx' } },
      spec: { clusterIP: 'None', ports: [{ port: 80, name: 'web' }], selector: { app: 'web' } },
    });
    await must('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'nginx',
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8', ports: [{ containerPort: 80, name: 'web' }] }] } },
      },
    });
    const slices = await eventually('web-0..2 in the headless Service\'s slice', async () => {
      const s = await slicesOf('nginx');
      const hostnames = s.flatMap((x) => (x.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.hostname)).sort();
      return hostnames.join(',') === 'web-0,web-1,web-2' ? s : undefined;
    });
    expect(slices[0]!.metadata!.labels).toMatchObject({ 'service.kubernetes.io/headless': '' });
    const web = await pods('app=web');
    expect(web.map((p) => [p.metadata!.name, p.spec!.hostname, p.spec!.subdomain]).sort()).toEqual([
      ['web-0', 'web-0', 'nginx'],
      ['web-1', 'web-1', 'nginx'],
      ['web-2', 'web-2', 'nginx'],
    ]);
  });

  it('marks a node whose Lease stops being renewed Unknown and its endpoints not ready, and back when it returns', async () => {
    const victim = (await pods('app=nginx')).find((p) => p.spec?.nodeName === 'node-2')!;
    expect(victim).toBeDefined();
    const ip = victim.status!.podIP!;
    kubelets.silent.add('node-2');

    const node = await eventually('node-2 Ready=Unknown', async () => {
      const n: Node = await must('GET', '/api/v1/nodes/node-2');
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'Unknown' ? ready : undefined;
    }, 20_000);
    expect(node).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await eventually('node-2 endpoint not ready', async () => {
      const s = await slicesOf('my-nginx');
      const e = s.flatMap((x) => x.endpoints ?? []).find((x) => x.addresses?.[0] === ip);
      const ep: Endpoints = await must('GET', '/api/v1/namespaces/default/endpoints/my-nginx');
      const notReady = (ep.subsets ?? []).flatMap((x) => x.notReadyAddresses ?? []).map((a) => a.ip);
      return e?.conditions?.ready === false && notReady.includes(ip) ? true : undefined;
    });

    kubelets.silent.delete('node-2');
    await eventually('node-2 endpoint ready again', async () => {
      const s = await slicesOf('my-nginx');
      const e = s.flatMap((x) => x.endpoints ?? []).find((x) => x.addresses?.[0] === ip);
      return e?.conditions?.ready === true ? true : undefined;
    });
    const n: Node = await must('GET', '/api/v1/nodes/node-2');
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('deletes the pods of a deleted StatefulSet and the slices and Endpoints of a deleted Service', async () => {
    await must('DELETE', '/apis/apps/v1/namespaces/default/statefulsets/web');
    await must('DELETE', '/api/v1/namespaces/default/services/nginx');
    await eventually('web pods, nginx slices and Endpoints gone', async () => {
      const gone = (await pods('app=web')).length === 0 && (await slicesOf('nginx')).length === 0;
      return gone && (await call('GET', '/api/v1/namespaces/default/endpoints/nginx')).code === 404 ? true : undefined;
    });
  });

  it('empties a terminating namespace, then finalizes it so it is deleted', async () => {
    await must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    await must('POST', '/api/v1/namespaces/scratch/services', { ...myNginx, spec: { ...myNginx.spec, type: 'ClusterIP' } });
    await must('POST', '/apis/apps/v1/namespaces/scratch/deployments', { ...nginxDeployment, spec: { ...nginxDeployment.spec, replicas: 1 } });
    await eventually('a running pod in scratch', async () => {
      const list: Pod[] = (await must('GET', '/api/v1/namespaces/scratch/pods')).items;
      return list.length === 1 && list[0]!.status?.podIP ? true : undefined;
    });
    const terminating = await must('DELETE', '/api/v1/namespaces/scratch');
    expect(terminating.status.phase).toBe('Terminating');
    await eventually('namespace scratch deleted', async () => ((await call('GET', '/api/v1/namespaces/scratch')).code === 404 ? true : undefined));
    const left = (await must('GET', '/api/v1/pods')).items.filter((p: Pod) => p.metadata?.namespace === 'scratch');
    expect(left).toEqual([]);
  });

  it('creates exactly 30 pods when killed -9 during a scale from 3 to 30 and restarted', async () => {
    const scaling = cm.process.waitForLog((l) => l.msg === 'Too few replicas' && l.need === 30, 20_000);
    await must('PATCH', '/apis/apps/v1/namespaces/default/deployments/nginx', { spec: { replicas: 30 } }, 'application/merge-patch+json');
    await scaling;
    await cm.process.kill('SIGKILL');
    const atKill = (await pods('app=nginx')).length;
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThanOrEqual(30);
    console.log(`pods when the controller-manager was killed: ${atKill}`);
    cm = await startCM();
    await eventually('30 ready pods', async () => {
      const list = await pods('app=nginx');
      return list.length === 30 && list.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? true : undefined;
    }, 60_000);
    // Quiet for a while: nothing more is created.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await pods('app=nginx')).length).toBe(30);
    await eventually('30 ready endpoints', async () => {
      const s = await slicesOf('my-nginx');
      return s.flatMap((x) => x.endpoints ?? []).filter((e) => e.conditions?.ready).length === 30 ? true : undefined;
    });
  });
});
