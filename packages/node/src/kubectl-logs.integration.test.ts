// `kubectl logs` end to end, every process real: nats-server, the api-store (pods/log), the
// controller-manager, two nodes (container logs on their kubelet API) and their proxy agents
// (kube-proxy's klog lines, shown as the kube-proxy-<node> mirror pods), and the real kubectl.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from '@kubemu/core';
import {
  eventually,
  kubeconfigFor,
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  startProxyAgent,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  type NodeHandle,
  type ProxyAgentHandle, KUBECTL, runKubectl, type KubectlRun
} from '@kubemu/testkit';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-logs-'));
// 127.0.7.N: no other suite uses it. The client binds 127.0.7.100, so eTP Local shows that address.
const nodeAddress = (i: number): string => `127.0.7.${i}`;
const CLIENT = '127.0.7.100';

let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
const nodes: NodeHandle[] = [];
const agents: ProxyAgentHandle[] = [];

function kubectl(args: string[], stdin = ''): Promise<KubectlRun> {
  return runKubectl(dir, args, { stdin });
}

/** One GET from CLIENT: the answer's body. */
function curl(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, localAddress: CLIENT, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function getJson<T>(path: string): Promise<T> {
  const res = await api.fetch(path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const MANIFESTS = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  nodeSelector: {kubernetes.io/hostname: node-1}
  containers:
  - name: nginx
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  nodeSelector: {kubernetes.io/hostname: node-2}
  containers:
  - name: a
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [serve-hostname]
  - name: b
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [netexec, --http-port=8080, --udp-port=-1]
---
apiVersion: v1
kind: Service
metadata:
  name: web-cluster
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80}
---
apiVersion: v1
kind: Service
metadata:
  name: web-local
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports:
  - {name: http, port: 80}
`;

/** The whole lines after the header's time (klog) or the access log's [time] (nginx). */
const maskKlog = (line: string): string => line.replace(/^I\d{4} \d\d:\d\d:\d\d\.\d{6} /, 'I0000 00:00:00.000000 ');
const maskNginx = (line: string): string => line.replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\]/, '[TIME]');

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  const config = join(dir, 'kube-proxy.yaml');
  writeFileSync(config, 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16\nlogging:\n  verbosity: 4\n');
  cm = await startControllerManager({ natsUrl: nats.url, apiStore: api });
  nodes.push(...(await Promise.all([1, 2].map((i) => startNode({ natsUrl: nats.url, apiStore: api, index: i, address: nodeAddress(i) })))));
  agents.push(...(await Promise.all([1, 2].map((i) => startProxyAgent({ natsUrl: nats.url, apiStore: api, node: `node-${i}`, configFile: config })))));
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.process.stop()));
  await Promise.all(nodes.map((n) => n.process.stop()));
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl logs', { timeout: 90_000 }, () => {
  it('kubectl get pods -n kube-system lists kube-proxy-<node> Running on every node, with the node IP', async () => {
    const out = await eventually('kube-proxy pods Running and Ready', async () => {
      const r = await kubectl(['get', 'pods', '-n', 'kube-system', '-o', 'wide']);
      const rows = r.stdout.split('\n').filter((l) => l.startsWith('kube-proxy-'));
      return rows.length === 2 && rows.every((l) => /\s1\/1\s+Running\s+0\s/.test(l)) ? rows : undefined;
    });
    expect(out.map((l) => l.split(/\s+/).filter((_c, i) => [0, 1, 2, 5, 6].includes(i)))).toEqual([
      ['kube-proxy-node-1', '1/1', 'Running', nodeAddress(1), 'node-1'],
      ['kube-proxy-node-2', '1/1', 'Running', nodeAddress(2), 'node-2'],
    ]);
    const pod = await getJson<Pod>('/api/v1/namespaces/kube-system/pods/kube-proxy-node-1');
    expect(pod.metadata?.labels).toEqual({ 'k8s-app': 'kube-proxy' });
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'v1', kind: 'Node', name: 'node-1', controller: true });
    expect(pod.metadata?.annotations?.['kubernetes.io/config.mirror']).toBeDefined();
    expect(pod.spec?.hostNetwork).toBe(true);
    expect(pod.spec?.containers?.[0]?.image).toMatch(/^registry\.k8s\.io\/kube-proxy:v1\.32\./);
  });

  let clusterPort = 0;
  let localPort = 0;
  let svc: Service;

  it('nginx logs the address it saw: node-2 after SNAT (eTP Cluster), the client itself (eTP Local)', async () => {
    writeFileSync(join(dir, 'app.yaml'), MANIFESTS);
    expect((await kubectl(['apply', '-f', join(dir, 'app.yaml')])).code).toBe(0);
    await eventually('web and two running', async () => {
      const r = await kubectl(['get', 'pods', 'web', 'two', '--no-headers']);
      return r.stdout.split('\n').filter((l) => /Running/.test(l)).length === 2 ? true : undefined;
    });
    svc = await getJson<Service>('/api/v1/namespaces/default/services/web-cluster');
    clusterPort = svc.spec!.ports![0]!.nodePort!;
    localPort = (await getJson<Service>('/api/v1/namespaces/default/services/web-local')).spec!.ports![0]!.nodePort!;
    const viaNode2 = await eventually('node-2 forwards the Cluster NodePort', () => curl(nodeAddress(2), clusterPort).catch(() => undefined));
    const viaNode1 = await eventually('node-1 serves the Local NodePort', () => curl(nodeAddress(1), localPort).catch(() => undefined));
    const logs = await kubectl(['logs', 'web']);
    expect(logs.code).toBe(0);
    const access = logs.stdout.split('\n').filter((l) => l.includes('"GET / HTTP/1.1"')).map(maskNginx);
    expect(access.slice(-2)).toEqual([
      `${nodeAddress(2)} - - [TIME] "GET / HTTP/1.1" 200 ${Buffer.byteLength(viaNode2)} "-" "-" "-"`,
      `${CLIENT} - - [TIME] "GET / HTTP/1.1" 200 ${Buffer.byteLength(viaNode1)} "-" "-" "-"`,
    ]);
    expect(logs.stdout.startsWith('/docker-entrypoint.sh: ')).toBe(true);
  });

  it('--tail and --timestamps', async () => {
    const tail = await kubectl(['logs', 'web', '--tail=1']);
    expect(tail.stdout.split('\n').map((l) => maskNginx(l).replace(/ 200 \d+ /, ' 200 N '))).toEqual([`${CLIENT} - - [TIME] "GET / HTTP/1.1" 200 N "-" "-" "-"`, '']);
    const stamped = await kubectl(['logs', 'web', '--tail=2', '--timestamps']);
    const lines = stamped.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S+ - - \[/);
  });

  it('-f receives a new line, then ends when killed', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'logs', '-f', 'web', '--tail=0'], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    await eventually('a followed access line', async () => {
      await curl(nodeAddress(1), localPort);
      return out.includes(`${CLIENT} - - [`) ? true : undefined;
    });
    expect(out.trimEnd().split('\n').map(maskNginx)[0]).toMatch(new RegExp(`^${CLIENT.replace(/\./g, '\\.')} - - \\[TIME\\] "GET / HTTP/1.1" 200 \\d+ "-" "-" "-"$`));
    child.kill('SIGTERM');
    expect(await exited).not.toBeNull();
  });

  it("the errors kube-apiserver and the kubelet give, whole", async () => {
    // kubectl GETs the pod before its log: this is kubectl's own wording of that 404.
    expect(await kubectl(['logs', 'missing'])).toMatchObject({ code: 1, stdout: '', stderr: 'error: error from server (NotFound): pods "missing" not found in namespace "default"\n' });
    const missing = await api.fetch('/api/v1/namespaces/default/pods/missing/log');
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([404, 'pods "missing" not found']);
    // kubectl checks the name against the pod it fetched; the api-store answers the same words.
    expect(await kubectl(['logs', 'two', '-c', 'nope'])).toMatchObject({ code: 1, stderr: 'error: container nope is not valid for pod two\n' });
    const nope = await api.fetch('/api/v1/namespaces/default/pods/two/log?container=nope');
    expect([nope.status, ((await nope.json()) as { message: string }).message]).toEqual([400, 'container nope is not valid for pod two']);
    expect(await kubectl(['logs', 'web', '--previous'])).toMatchObject({ code: 1, stderr: 'Error from server (BadRequest): previous terminated container "nginx" in pod "web" not found\n' });
    const raw = await api.fetch('/api/v1/namespaces/default/pods/two/log');
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { message: string }).message).toBe('a container name must be specified for pod two, choose one of: [a b]');
    const b = await kubectl(['logs', 'two', '-c', 'b']);
    expect(b.stdout.split('\n').map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ''))).toEqual(['Started HTTP server on port 8080', '']);
  });

  it('kubectl logs -n kube-system kube-proxy-node-1 has kube-proxy\'s klog lines for the Service', async () => {
    const ip = svc.spec!.clusterIP!;
    const want = [
      `I0000 00:00:00.000000       1 servicechangetracker.go:202] "Adding new service port" portName="default/web-cluster:http" servicePort="${ip}:80/TCP"`,
      'I0000 00:00:00.000000       1 proxier.go:805] "Syncing iptables rules"',
    ];
    const lines = await eventually('the Service in kube-proxy\'s log', async () => {
      const r = await kubectl(['logs', '-n', 'kube-system', 'kube-proxy-node-1']);
      const masked = r.stdout.split('\n').map(maskKlog);
      return want.every((w) => masked.includes(w)) && masked.some((l) => l.includes('endpointslicecache.go:348') && l.includes('default/web-cluster:http')) ? masked : undefined;
    });
    const web = await getJson<Pod>('/api/v1/namespaces/default/pods/web');
    expect(lines).toContain(`I0000 00:00:00.000000       1 endpointslicecache.go:348] "Setting endpoints for service port name" portName="default/web-cluster:http" endpoints=["${web.status!.podIP}:80"]`);
    expect(lines).toContain('I0000 00:00:00.000000       1 server_linux.go:165] "Using iptables Proxier"');
    expect(lines).toContain(`I0000 00:00:00.000000       1 server.go:1062] "Successfully retrieved node IP(s)" IPs=["${nodeAddress(1)}"]`);
  });
});
