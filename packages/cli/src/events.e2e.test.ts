// core/v1 Events end to end, with real kubectl: the scheduler, the deployment and replicaset
// controllers, the node controller and the kubelets record what they do; `kubectl get events`
// lists it, `kubectl describe` ends with it, a repeated event is one event with a count, and the
// api-store deletes the events older than --event-ttl.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  kubeconfigFor,
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  type NodeHandle, KUBECTL, runKubectl, type KubectlRun
} from '@kubemu/testkit';

// 127.0.9.N: apart from the other suites' nodes.
const nodeAddress = (index: number): string => `127.0.9.${index}`;
let dir: string;
let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
const nodes: NodeHandle[] = [];

function kubectl(args: string[], stdin?: string): Promise<KubectlRun> {
  return runKubectl(dir, args, stdin !== undefined ? { stdin } : {});
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{ containerPort: 80 }]
`;

/** The cells of `kubectl get events` rows (columns are split on runs of 2+ spaces; MESSAGE is last). */
function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s{2,}/));
}

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl is required for this suite and was not found at ${KUBECTL} (set KUBECTL=/path/to/kubectl)`);
  dir = mkdtempSync(join(tmpdir(), 'kubemu-events-'));
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  cm = await startControllerManager({ natsUrl: nats.url, apiStore: api });
  for (const index of [1, 2]) {
    nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, address: nodeAddress(index), podCIDR: `10.244.${index}.0/24` }));
  }
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.process.stop();
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

describe('Events', () => {
  let rsName = '';
  let podName = '';

  it('kubectl get events lists Scheduled, SuccessfulCreate, ScalingReplicaSet, Pulled, Created and Started with their objects', async () => {
    expect((await kubectl(['apply', '-f', '-'], deployment)).stdout).toBe('deployment.apps/web created\n');
    const table = await eventually('the pods started', async () => {
      const r = await kubectl(['get', 'events']);
      return rows(r.stdout).filter((row) => row[2] === 'Started').length === 2 ? r.stdout : undefined;
    });
    expect(table.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    const got = rows(table);
    rsName = got.find((r) => r[2] === 'SuccessfulCreate')![3]!.replace('replicaset/', '');
    expect(rsName).toMatch(/^web-[a-z0-9]+$/);
    const pods = got.filter((r) => r[2] === 'Scheduled').map((r) => r[3]!.replace('pod/', '')).sort();
    expect(pods).toHaveLength(2);
    podName = pods[0]!;
    const byReason = (reason: string): string[] => got.filter((r) => r[2] === reason).map((r) => `${r[1]} ${r[3]} ${r[4]}`).sort();
    expect(byReason('ScalingReplicaSet')).toEqual([`Normal deployment/web Scaled up replica set ${rsName} from 0 to 2`]);
    expect(byReason('SuccessfulCreate')).toEqual(pods.map((p) => `Normal replicaset/${rsName} Created pod: ${p}`));
    expect(byReason('Scheduled').map((l) => l.replace(/node-[12]$/, 'node-N'))).toEqual(pods.map((p) => `Normal pod/${p} Successfully assigned default/${p} to node-N`));
    expect(byReason('Pulled')).toEqual(pods.map((p) => `Normal pod/${p} Container image "nginx:1.27" already present on machine`));
    expect(byReason('Created')).toEqual(pods.map((p) => `Normal pod/${p} Created container nginx`));
    expect(byReason('Started')).toEqual(pods.map((p) => `Normal pod/${p} Started container nginx`));

    const wide = await kubectl(['get', 'events', '-o', 'wide', '--field-selector', `involvedObject.name=${podName},reason=Pulled`]);
    expect(wide.stdout.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME$/);
    expect(rows(wide.stdout).map((r) => r.slice(1, 9).join('|'))).toEqual([
      expect.stringMatching(new RegExp(`^Normal\\|Pulled\\|pod/${podName}\\|spec\\.containers\\{nginx\\}\\|kubelet, node-[12]\\|Container image "nginx:1\\.27" already present on machine\\|\\d+s\\|1$`)),
    ]);
    expect(rows(wide.stdout)[0]![9]).toMatch(new RegExp(`^${podName}\\.[0-9a-f]{16}$`));
  }, 90_000);

  it('kubectl describe pod ends with its Events table', async () => {
    const out = (await kubectl(['describe', 'pod', podName])).stdout;
    const events = out.slice(out.indexOf('Events:')).trimEnd().split('\n');
    expect(events.slice(0, 3)).toEqual([
      'Events:',
      expect.stringMatching(/^ {2}Type {4}Reason {5}Age\s+From\s+Message$/),
      expect.stringMatching(/^ {2}---- {4}------ {5}----\s+----\s+-------$/),
    ]);
    expect(events.slice(3).map((l) => l.trim().split(/\s{2,}/).filter((_c, i) => i !== 2))).toEqual([
      ['Normal', 'Scheduled', 'default-scheduler', expect.stringMatching(new RegExp(`^Successfully assigned default/${podName} to node-[12]$`))],
      ['Normal', 'Pulled', 'kubelet', 'Container image "nginx:1.27" already present on machine'],
      ['Normal', 'Created', 'kubelet', 'Created container nginx'],
      ['Normal', 'Started', 'kubelet', 'Started container nginx'],
    ]);
  }, 30_000);

  it('scaling down shows Killing and SuccessfulDelete; the same scale again is one event counted twice', async () => {
    const scale = async (n: number, want: number): Promise<void> => {
      expect((await kubectl(['scale', 'deploy/web', `--replicas=${n}`])).stdout).toBe('deployment.apps/web scaled\n');
      await eventually(`${want} pods`, async () => {
        const r = await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name']);
        return r.stdout.trim().split('\n').filter(Boolean).length === want ? true : undefined;
      }, 60_000);
    };
    await scale(1, 1);
    const table = await eventually('Killing and SuccessfulDelete', async () => {
      const r = await kubectl(['get', 'events', '--field-selector', 'reason!=Scheduled']);
      return /\bKilling\b/.test(r.stdout) && /\bSuccessfulDelete\b/.test(r.stdout) ? r.stdout : undefined;
    });
    const got = rows(table);
    const deleted = got.find((r) => r[2] === 'SuccessfulDelete')!;
    expect(deleted.slice(1)).toEqual(['Normal', 'SuccessfulDelete', `replicaset/${rsName}`, expect.stringMatching(new RegExp(`^Deleted pod: ${rsName}-[a-z0-9]+$`))]);
    const victim = deleted[4]!.replace('Deleted pod: ', '');
    expect(got.find((r) => r[2] === 'Killing')!.slice(1)).toEqual(['Normal', 'Killing', `pod/${victim}`, 'Stopping container nginx']);
    expect(got.filter((r) => r[2] === 'ScalingReplicaSet').map((r) => r[4]).sort()).toEqual([`Scaled down replica set ${rsName} to 1 from 2`, `Scaled up replica set ${rsName} from 0 to 2`]);

    await scale(2, 2);
    await scale(1, 1);
    const described = await eventually('the repeated scale-down counted', async () => {
      const out = (await kubectl(['describe', 'deploy', 'web'])).stdout;
      return /\(x2 over /.test(out) ? out : undefined;
    });
    const lines = described.slice(described.indexOf('Events:')).trimEnd().split('\n').slice(3).map((l) => l.trim().split(/\s{2,}/));
    // Events of one second tie on their time, which kubectl's sort leaves in no particular order.
    expect(lines.map((c) => [c[1], c[2]!.replace(/^\d+s/, 'N').replace(/ \(x(\d) over \d+s\)$/, ' (x$1)'), c[3], c[4]]).sort((a, b) => a[3]!.localeCompare(b[3]!))).toEqual([
      ['ScalingReplicaSet', 'N (x2)', 'deployment-controller', `Scaled down replica set ${rsName} to 1 from 2`],
      ['ScalingReplicaSet', 'N', 'deployment-controller', `Scaled up replica set ${rsName} from 0 to 2`],
      ['ScalingReplicaSet', 'N', 'deployment-controller', `Scaled up replica set ${rsName} to 2 from 1`],
    ]);
    const count = await kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web', '-o', 'jsonpath={range .items[*]}{.count} {.message}{"\\n"}{end}']);
    expect(count.stdout.trim().split('\n').sort()).toEqual([`1 Scaled up replica set ${rsName} from 0 to 2`, `1 Scaled up replica set ${rsName} to 2 from 1`, `2 Scaled down replica set ${rsName} to 1 from 2`]);
  }, 180_000);

  it('kubectl describe node shows the kubelet\'s and the node controller\'s events', async () => {
    const out = (await kubectl(['describe', 'node', 'node-1'])).stdout;
    const lines = out.slice(out.indexOf('Events:')).trimEnd().split('\n').slice(3).map((l) => l.trim().split(/\s{2,}/));
    expect(lines.map((c) => `${c[1]} | ${c[3]} | ${c[4]}`).sort()).toEqual([
      'NodeAllocatableEnforced | kubelet | Updated Node Allocatable limit across pods',
      'NodeHasNoDiskPressure | kubelet | Node node-1 status is now: NodeHasNoDiskPressure',
      'NodeHasSufficientMemory | kubelet | Node node-1 status is now: NodeHasSufficientMemory',
      'NodeHasSufficientPID | kubelet | Node node-1 status is now: NodeHasSufficientPID',
      'NodeReady | kubelet | Node node-1 status is now: NodeReady',
      'RegisteredNode | node-controller | Node node-1 event: Registered Node node-1 in Controller',
      'Starting | kubelet | Starting kubelet.',
    ]);
  }, 30_000);

  it('the api-store deletes the events older than --event-ttl', async () => {
    const before = rows((await kubectl(['get', 'events', '-A'])).stdout).length;
    expect(before).toBeGreaterThan(10);
    // A second api-store on the same log with a short TTL sweeps them (it deletes through admission like any write).
    const sweeper = await startApiStore({ natsUrl: nats.url, instanceId: 'ttl', extraArgs: ['--event-ttl', '2s'] });
    try {
      const r = await eventually('every event expired', async () => {
        const got = await kubectl(['get', 'events', '-A']);
        return got.stdout === '' ? got : undefined;
      }, 60_000);
      expect(r).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
    } finally {
      await sweeper.process.stop();
    }
  }, 90_000);
});
