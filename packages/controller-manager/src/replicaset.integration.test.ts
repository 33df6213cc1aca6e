// ReplicaSets between Deployments and pods, with real processes and the real kubectl: nats-server,
// the api-store, the controller-manager (its deployment and replicaset controllers), and stand-in
// kubelets that make the pods Running and Ready. A missing kubectl fails the suite and says so.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '@kubemu/core';
import {
  eventually,
  kubeconfigFor,
  startApiStore,
  startControllerManager,
  startNats,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle, KUBECTL, runKubectl
} from '@kubemu/testkit';
import { apiCalls, StandInKubelets, type ApiCalls } from './stand-in-kubelets.test-data.js';

const NODES = ['node-1', 'node-2', 'node-3'];
let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
let calls: ApiCalls;
let kubelets: StandInKubelets;
let dir: string;
const must: ApiCalls['must'] = (...a) => calls.must(...a);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return runKubectl(dir, args, stdin !== undefined ? { stdin } : {});
}

/** Every output line matches its pattern as a whole line; no line more, none less. */
function expectLines(out: string, expected: readonly (string | RegExp)[]): void {
  const lines = out.replace(/\n$/, '').split('\n');
  const shown = lines.map((line, i) => {
    const want = expected[i];
    if (want instanceof RegExp) return new RegExp(`^(?:${want.source})$`).test(line) ? want : line;
    return line;
  });
  expect(shown).toEqual(expected);
}

const web = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

async function replicaSets(selector: string): Promise<ReplicaSet[]> {
  return (await must('GET', `/apis/apps/v1/namespaces/default/replicasets?labelSelector=${encodeURIComponent(selector)}`)).items;
}

async function pods(selector: string): Promise<Pod[]> {
  return (await must('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
}

const byRevision = (rss: ReplicaSet[]): ReplicaSet[] =>
  [...rss].sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']));

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl is required for this suite and was not found at ${KUBECTL} (set KUBECTL=/path/to/kubectl)`);
  dir = mkdtempSync(join(tmpdir(), 'kubemu-replicaset-'));
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  calls = apiCalls(api);
  kubelets = new StandInKubelets(calls, NODES);
  await kubelets.register();
  await kubelets.tick();
  kubelets.start();
  cm = await startControllerManager({ natsUrl: nats.url, apiStore: api, nodeMonitorGracePeriod: '30s', nodeMonitorPeriod: '1s' });
}, 60_000);

afterAll(async () => {
  kubelets?.stop();
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

describe('Deployments drive ReplicaSets', () => {
  let first: ReplicaSet;

  it('a Deployment gets one ReplicaSet <deployment>-<hash>, which owns its pods; kubectl get rs prints it', async () => {
    expect(await kubectl(['apply', '-f', '-'], web('nginx:1.27'))).toEqual({ code: 0, stdout: 'deployment.apps/web created\n', stderr: '' });
    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toMatch(/deployment "web" successfully rolled out\n$/);
    const [rs, ...more] = await replicaSets('app=web');
    expect(more).toEqual([]);
    first = rs!;
    const hash = rs!.metadata!.labels!['pod-template-hash']!;
    expect(rs!.metadata!.name).toBe(`web-${hash}`);
    expect(rs!.metadata!.ownerReferences).toMatchObject([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true }]);
    expect(rs!.metadata!.annotations).toEqual({
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'deployment.kubernetes.io/revision': '1',
    });
    expect(rs!.spec!.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    const ps = await eventually('3 pods of the ReplicaSet', async () => {
      const p = await pods('app=web');
      return p.length === 3 ? p : undefined;
    });
    for (const p of ps) {
      expect(p.metadata!.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata!.ownerReferences).toMatchObject([{ kind: 'ReplicaSet', name: `web-${hash}`, uid: rs!.metadata!.uid, controller: true }]);
    }
    const got = await kubectl(['get', 'rs']);
    expect(got.code).toBe(0);
    // The NAME column is as wide as the name (the hash has up to 10 characters) plus 3 spaces.
    const pad = ' '.repeat(Math.max(0, 'web-'.length + hash.length - 'NAME'.length) + 3);
    expectLines(got.stdout, [`NAME${pad}DESIRED   CURRENT   READY   AGE`, new RegExp(`web-${hash}   3         3         3       \\d+s`)]);
    const wide = await kubectl(['get', 'rs', '-o', 'wide']);
    expectLines(wide.stdout, [
      `NAME${pad}DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR`,
      new RegExp(`web-${hash}   3         3         3       \\d+s +nginx        nginx:1.27   app=web,pod-template-hash=${hash}`),
    ]);
    const d = (await must('GET', '/apis/apps/v1/namespaces/default/deployments/web')) as Deployment;
    expect(d.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('1');
  }, 90_000);

  it('a new image rolls out through a second ReplicaSet; the old one ends at 0; history lists both revisions', async () => {
    expect((await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.28'])).stdout).toBe('deployment.apps/web image updated\n');
    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toMatch(/deployment "web" successfully rolled out\n$/);
    const [old, current] = byRevision(await replicaSets('app=web'));
    expect(old!.metadata!.name).toBe(first.metadata!.name);
    expect(old!.spec!.replicas).toBe(0);
    expect(current!.spec!.replicas).toBe(3);
    expect(current!.spec!.template!.spec!.containers![0]!.image).toBe('nginx:1.28');
    expect(current!.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('2');
    await eventually('old pods gone, 3 new ones', async () => {
      const p = await pods('app=web');
      return p.length === 3 && p.every((x) => x.spec!.containers![0]!.image === 'nginx:1.28') ? true : undefined;
    });
    const history = await kubectl(['rollout', 'history', 'deployment/web']);
    expect(history).toEqual({ code: 0, stdout: 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n', stderr: '' });
    const describe = await kubectl(['describe', 'deployment', 'web']);
    expect(describe.stdout).toContain(`OldReplicaSets:  ${old!.metadata!.name} (0/0 replicas created)\nNewReplicaSet:   ${current!.metadata!.name} (3/3 replicas created)\n`);
  }, 120_000);

  it('kubectl rollout undo returns to the first template: the first ReplicaSet becomes revision 3', async () => {
    expect(await kubectl(['rollout', 'undo', 'deployment/web'])).toEqual({ code: 0, stdout: 'deployment.apps/web rolled back\n', stderr: '' });
    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(rollout.code).toBe(0);
    const rss = byRevision(await replicaSets('app=web'));
    expect(rss.map((rs) => [rs.metadata!.name, rs.spec!.replicas, rs.metadata!.annotations!['deployment.kubernetes.io/revision']])).toEqual([
      [rss[0]!.metadata!.name, 0, '2'],
      [first.metadata!.name, 3, '3'],
    ]);
    expect(rss[1]!.metadata!.annotations!['deployment.kubernetes.io/revision-history']).toBe('1');
    const d = (await must('GET', '/apis/apps/v1/namespaces/default/deployments/web')) as Deployment;
    expect(d.spec!.template!.spec!.containers![0]!.image).toBe('nginx:1.27');
    const history = await kubectl(['rollout', 'history', 'deployment/web']);
    expect(history.stdout).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
  }, 120_000);

  it('kubectl get all lists the deployment, its ReplicaSets and pods; kubectl scale rs is undone by the Deployment', async () => {
    const all = await kubectl(['get', 'all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\n(pod\/web-\S+ +\d\/1 +\w+ +0 +\S+\n){3,}\n/);
    expect(all.stdout).toMatch(/\nNAME +READY +UP-TO-DATE +AVAILABLE +AGE\ndeployment\.apps\/web +3\/3 +3 +3 +\S+\n/);
    expect(all.stdout).toMatch(new RegExp(`\\nNAME +DESIRED +CURRENT +READY +AGE\\n(replicaset\\.apps/web-\\S+ +\\d +\\d +\\d +\\S+\\n){2}$`));
    expect(all.stdout).toContain(`replicaset.apps/${first.metadata!.name}`);
    expect((await kubectl(['scale', 'rs', first.metadata!.name!, '--replicas=5'])).stdout).toBe(`replicaset.apps/${first.metadata!.name} scaled\n`);
    // The Deployment owns the ReplicaSet's size: it scales it back to spec.replicas.
    await eventually('the ReplicaSet back at 3 with 3 pods', async () => {
      const rs = (await must('GET', `/apis/apps/v1/namespaces/default/replicasets/${first.metadata!.name}`)) as ReplicaSet;
      const p = await pods('app=web');
      return rs.spec!.replicas === 3 && rs.status!.replicas === 3 && p.filter((x) => !x.metadata!.deletionTimestamp).length === 3 ? true : undefined;
    });
  }, 60_000);

  it('deleting the Deployment removes its ReplicaSets and their pods (garbage collection through the chain)', async () => {
    expect((await kubectl(['delete', 'deployment', 'web'])).stdout).toBe('deployment.apps "web" deleted\n');
    await eventually('no ReplicaSets and no pods left', async () => ((await replicaSets('app=web')).length === 0 && (await pods('app=web')).length === 0 ? true : undefined), 60_000);
  }, 90_000);
});

describe('a standalone ReplicaSet', () => {
  it('creates its pods, adopts a matching orphan, scales with kubectl scale rs, and takes its pods along when deleted', async () => {
    const manifest = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    tier: frontend
spec:
  replicas: 2
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
`;
    expect(await kubectl(['apply', '-f', '-'], manifest)).toEqual({ code: 0, stdout: 'replicaset.apps/frontend created\n', stderr: '' });
    const rs = (await must('GET', '/apis/apps/v1/namespaces/default/replicasets/frontend')) as ReplicaSet;
    await eventually('2 ready pods', async () => {
      const got = (await must('GET', '/apis/apps/v1/namespaces/default/replicasets/frontend')) as ReplicaSet;
      return got.status?.readyReplicas === 2 ? true : undefined;
    });
    const ps = await pods('tier=frontend');
    expect(ps.map((p) => p.metadata!.name!.replace(/-[bcdfghjklmnpqrstvwxz2456789]{5}$/, '-XXXXX'))).toEqual(['frontend-XXXXX', 'frontend-XXXXX']);
    for (const p of ps) expect(p.metadata!.ownerReferences).toMatchObject([{ kind: 'ReplicaSet', name: 'frontend', uid: rs.metadata!.uid, controller: true }]);
    expectLines((await kubectl(['get', 'rs', 'frontend'])).stdout, ['NAME       DESIRED   CURRENT   READY   AGE', /frontend   2         2         2       \d+s/]);
    expect((await kubectl(['get', 'rs', '--field-selector', 'status.replicas=2', '-o', 'name'])).stdout).toBe('replicaset.apps/frontend\n');

    // An orphan pod with the ReplicaSet's labels is adopted, and the ReplicaSet deletes one of three.
    await must('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod1', labels: { tier: 'frontend' } },
      spec: { containers: [{ name: 'hello', image: 'busybox' }] },
    });
    await eventually('2 pods, all owned by frontend', async () => {
      const p = (await pods('tier=frontend')).filter((x) => !x.metadata!.deletionTimestamp);
      return p.length === 2 && p.every((x) => x.metadata!.ownerReferences?.[0]?.name === 'frontend') ? true : undefined;
    });

    expect((await kubectl(['scale', 'rs', 'frontend', '--replicas=4'])).stdout).toBe('replicaset.apps/frontend scaled\n');
    await eventually('4 ready pods', async () => {
      const got = (await must('GET', '/apis/apps/v1/namespaces/default/replicasets/frontend')) as ReplicaSet;
      return got.status?.readyReplicas === 4 && got.status.replicas === 4 && got.status.observedGeneration === got.metadata!.generation ? true : undefined;
    });
    expect((await kubectl(['delete', 'rs', 'frontend'])).stdout).toBe('replicaset.apps "frontend" deleted\n');
    await eventually('its pods collected', async () => ((await pods('tier=frontend')).length === 0 ? true : undefined), 60_000);
  }, 120_000);
});
