// Three node processes against a real nats-server and api-store: pods get IPs from their node's
// podCIDR, become Running and Ready, reach each other across nodes over the overlay, and keep their
// IPs when a node is killed and restarted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStore, startNats, startNode, type ApiStoreHandle, type NatsHandle, type NodeHandle } from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;
const nodes: NodeHandle[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

async function createPod(name: string, nodeName: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await api.fetch('/api/v1/namespaces/default/pods', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName, containers: [{ name: 'c', ...container }], ...extra } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function getPod(name: string): Promise<any> {
  return json(await api.fetch(`/api/v1/namespaces/default/pods/${name}`));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const condition = (pod: any, type: string): string | undefined => pod.status?.conditions?.find((c: any) => c.type === type)?.status;

async function exec(node: NodeHandle, pod: string, command: string[], stdin?: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await fetch(`${node.url}/exec/default/${pod}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ command, ...(stdin !== undefined ? { stdin } : {}) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  for (const index of [1, 2, 3]) nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, leaseRenewIntervalMs: 500 }));
}, 90_000);

afterAll(async () => {
  for (const n of nodes) await n.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

describe('node registration', () => {
  it('registers each Node with its address, podCIDR and Ready, and renews its Lease', async () => {
    const list = await json(await api.fetch('/api/v1/nodes'));
    expect(
      list.items.map((n: any) => [n.metadata.name, n.spec.podCIDR, n.status.addresses[0].address, condition(n, 'Ready'), n.status.capacity.pods]),
    ).toEqual([
      ['node-1', '10.244.1.0/24', '127.0.1.1', 'True', '110'],
      ['node-2', '10.244.2.0/24', '127.0.1.2', 'True', '110'],
      ['node-3', '10.244.3.0/24', '127.0.1.3', 'True', '110'],
    ]);
    const first = await json(await api.fetch('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2'));
    expect(first.spec.holderIdentity).toBe('node-2');
    const renewed = await waitFor('a renewal', async () => {
      const l = await json(await api.fetch('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2'));
      return l.spec.renewTime !== first.spec.renewTime ? l : undefined;
    });
    expect(Date.parse(renewed.spec.renewTime)).toBeGreaterThan(Date.parse(first.spec.renewTime));
    const health = await fetch(`${nodes[0]!.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
  });
});

describe('pods', () => {
  it('get IPs from their node and become Running and Ready, honouring the readiness delay', async () => {
    await createPod('client', 'node-1', { image: AGNHOST, args: ['netexec'] });
    await createPod('hostnames', 'node-2', { image: AGNHOST, args: ['serve-hostname'] });
    await createPod('echo', 'node-2', { image: AGNHOST, args: ['netexec', '--http-port=8080'] });
    await createPod('slow', 'node-3', { image: 'nginx', readinessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 2 } });
    const running = await waitFor('Running pods', async () => {
      const pods = await Promise.all(['client', 'hostnames', 'echo', 'slow'].map(getPod));
      return pods.every((p) => p.status?.phase === 'Running') ? pods : undefined;
    });
    expect(running.map((p) => [p.metadata.name, p.status.podIP, p.status.hostIP])).toEqual([
      ['client', '10.244.1.2', '127.0.1.1'],
      ['hostnames', '10.244.2.2', '127.0.1.2'],
      ['echo', '10.244.2.3', '127.0.1.2'],
      ['slow', '10.244.3.2', '127.0.1.3'],
    ]);
    expect(condition(running[0], 'Ready')).toBe('True');
    const slow = running[3];
    expect([condition(slow, 'Ready'), slow.status.conditions.find((c: any) => c.type === 'Ready').reason]).toEqual(['False', 'ContainersNotReady']);
    const ready = await waitFor('slow Ready', async () => {
      const p = await getPod('slow');
      return condition(p, 'Ready') === 'True' ? p : undefined;
    });
    const readyAt = Date.parse(ready.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
    expect(readyAt - Date.parse(ready.status.startTime)).toBe(2000);
  });

  it('reach a pod on another node, which sees the true source address', async () => {
    expect(await exec(nodes[0]!, 'client', ['curl', '-s', 'http://10.244.2.2:9376/'])).toEqual({ stdout: 'hostnames', stderr: '', exitCode: 0 });
    expect(await exec(nodes[0]!, 'client', ['curl', '-s', '10.244.2.3:8080/clientip'])).toMatchObject({ stdout: expect.stringMatching(/^10\.244\.1\.2:\d+$/), exitCode: 0 });
    expect(await exec(nodes[0]!, 'client', ['curl', '-s', 'http://10.244.2.3:8080/echo?msg=hi'])).toEqual({ stdout: 'hi', stderr: '', exitCode: 0 });
    expect(await exec(nodes[2]!, 'slow', ['curl', '-s', 'http://10.244.1.2:8080/hostname'])).toEqual({ stdout: 'client', stderr: '', exitCode: 0 });
    expect(await exec(nodes[1]!, 'echo', ['nc', '-u', '-w1', '10.244.1.2', '8081'], 'hostname')).toEqual({ stdout: 'client', stderr: '', exitCode: 0 });
    const slow = await exec(nodes[0]!, 'client', ['curl', '-s', 'http://10.244.3.2/']);
    expect(slow).toMatchObject({ stdout: expect.stringMatching(/^pod: slow\npodIP: 10\.244\.3\.2\nclient: 10\.244\.1\.2:\d+\n$/), exitCode: 0 });
  });

  it('a port nothing listens on refuses; a ClusterIP does not answer; names do not resolve yet', async () => {
    expect(await exec(nodes[0]!, 'client', ['curl', 'http://10.244.2.2:81/'])).toEqual({
      stdout: '',
      stderr: expect.stringMatching(/^curl: \(7\) Failed to connect to 10\.244\.2\.2 port 81 after \d+ ms: Couldn't connect to server\n$/),
      exitCode: 7,
    });
    expect(await exec(nodes[0]!, 'client', ['nc', '-zv', '10.244.2.2', '81'])).toEqual({
      stdout: '',
      stderr: 'nc: connect to 10.244.2.2 port 81 (tcp) failed: Connection refused\n',
      exitCode: 1,
    });
    expect(await exec(nodes[0]!, 'client', ['nc', '-zv', '10.244.2.2', '9376'])).toEqual({ stdout: '', stderr: 'Connection to 10.244.2.2 9376 port [tcp/*] succeeded!\n', exitCode: 0 });
    const clusterIP = await exec(nodes[0]!, 'client', ['curl', '--max-time', '1', 'http://10.96.0.1:443/']);
    expect(clusterIP.exitCode).toBe(28);
    expect(clusterIP.stderr).toMatch(/10\.96\.0\.1 is not a pod IP of any node.*\ncurl: \(28\) Failed to connect to 10\.96\.0\.1 port 443 after \d+ ms: Timeout was reached\n$/s);
    expect(await exec(nodes[0]!, 'client', ['nslookup', '-timeout=1', '-retry=1', 'kubernetes'])).toEqual({
      stdout: ';; connection timed out; no servers could be reached\n\n',
      stderr: 'kubemu: nothing answers at 10.96.0.10 (the pod\'s nameserver): the DNS agent is not part of kubemu yet\n',
      exitCode: 1,
    });
    expect(await exec(nodes[0]!, 'client', ['cat', '/etc/resolv.conf'])).toEqual({
      stdout: 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('a graceful delete keeps the pod serving until its grace period ends, then it goes', async () => {
    const res = await api.fetch('/api/v1/namespaces/default/pods/echo?gracePeriodSeconds=2', { method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(200);
    const terminating = await getPod('echo');
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect((await exec(nodes[0]!, 'client', ['curl', '-s', 'http://10.244.2.3:8080/hostname'])).stdout).toBe('echo');
    await waitFor('echo deleted', async () => ((await api.fetch('/api/v1/namespaces/default/pods/echo')).status === 404 ? true : undefined), 10_000).catch((err) => {
      console.log(JSON.stringify(nodes[1]!.process.logs.filter((l) => String(l.pod ?? '').includes('echo'))));
      throw err;
    });
    expect((await exec(nodes[0]!, 'client', ['curl', '-s', '--max-time', '1', 'http://10.244.2.3:8080/hostname'])).exitCode).not.toBe(0);
  });

  it('kill -9 a node and restart it: its pods keep their IPs and answer again', async () => {
    const before = (await getPod('hostnames')).status.podIP;
    await nodes[1]!.process.kill('SIGKILL');
    nodes[1] = await startNode({ natsUrl: nats.url, apiStore: api, index: 2, leaseRenewIntervalMs: 500 });
    await createPod('after-restart', 'node-2', { image: AGNHOST, args: ['serve-hostname'] });
    const fresh = await waitFor('a new pod on node-2', async () => {
      const p = await getPod('after-restart');
      return p.status?.podIP ? p : undefined;
    });
    expect([(await getPod('hostnames')).status.podIP, before]).toEqual(['10.244.2.2', '10.244.2.2']);
    // echo's 10.244.2.3 was released; the search restarts after the newest IP the log shows held.
    expect(fresh.status.podIP).toBe('10.244.2.3');
    expect(await exec(nodes[0]!, 'client', ['curl', '-s', 'http://10.244.2.2:9376/'])).toEqual({ stdout: 'hostnames', stderr: '', exitCode: 0 });
  });
});
