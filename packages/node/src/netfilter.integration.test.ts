// The node's netfilter carrying real traffic: three node processes against a real nats-server and
// api-store, programmed directly through the node's netfilter API with kube-proxy's full-sync
// payload (core renderFullSync) for the seed's my-nginx Service and EndpointSlices written here,
// as the proxy agent would. Real TCP from this process to 127.0.1.2:NODEPORT reaches the pods.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProxyConfig, jumpRules, netfilter, renderFullSync, type EndpointSlice, type Service } from '@kubemu/core';
import { startApiStore, startNats, startNode, type ApiStoreHandle, type NatsHandle, type NodeHandle } from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;
const nodes: NodeHandle[] = [];
let service: Service;
let nodePort: number;
let clusterIP: string;

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function createPod(name: string, nodeName: string, labels: Record<string, string>, args: string[]): Promise<void> {
  const res = await api.fetch('/api/v1/namespaces/default/pods', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName, containers: [{ name: 'agnhost', image: AGNHOST, args }] } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function waitRunning(name: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const pod = (await (await api.fetch(`/api/v1/namespaces/default/pods/${name}`)).json()) as { status?: { phase?: string; podIP?: string } };
    if (pod.status?.phase === 'Running' && pod.status.podIP) return pod.status.podIP;
    await sleep(100);
  }
  throw new Error(`${name} never ran`);
}

function node(name: string): NodeHandle {
  return nodes.find((n) => n.name === name)!;
}

async function nodeApi(n: NodeHandle, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${n.url}${path}`, { method, headers: { Authorization: `Bearer ${api.token}` }, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

/** my-nginx's EndpointSlice for the given (pod IP, node) endpoints, as the EndpointSlice controller writes it. */
function slice(endpoints: { ip: string; node: string }[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'my-nginx-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: e.node })),
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
    ],
  } as EndpointSlice;
}

/** What the proxy agent does on a full sync: EnsureChain/EnsureRule the jumps, then restore (stale chains deleted). */
async function program(svc: Service, endpoints: { ip: string; node: string }[]): Promise<void> {
  const ensure = jumpRules().map((j) => ({ table: j.table, position: 'prepend', chain: j.chain, args: netfilter.splitRestoreLine(j.rule).slice(2) }));
  for (const n of nodes) {
    expect((await nodeApi(n, 'POST', '/netfilter/ensure', JSON.stringify(ensure))).status).toBe(200);
    const saved = (await nodeApi(n, 'GET', '/netfilter/save?table=nat')).text;
    const existingNatChains = [...saved.matchAll(/^:(\S+) /gm)].map((m) => m[1]!);
    const payload = renderFullSync([svc], endpoints.length > 0 ? [slice(endpoints)] : [], { name: n.name, ips: [n.address], podCIDRs: [n.podCIDR] }, defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] }), {
      existingNatChains,
    });
    const restored = await nodeApi(n, 'POST', '/netfilter/restore', payload);
    expect(restored, payload).toEqual({ status: 200, text: '{"applied":true}' });
  }
  // The node opens and closes its NodePort sockets after the restore answers.
  await sleep(100);
}

type Exchange = { ok: true; bodies: string[] } | { ok: false; error: string };

/**
 * Real TCP from this process: the paths as pipelined HTTP/1.1 GETs on one connection, the last
 * with Connection: close; the bodies come back in order.
 */
function httpExchange(host: string, port: number, paths: string[], timeoutMs = 3000): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const done = (r: Exchange): void => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: 'timeout' }));
    socket.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => done({ ok: true, bodies: parseResponses(Buffer.concat(chunks).toString('latin1')) }));
    socket.on('connect', () => socket.write(paths.map((p, i) => `GET ${p} HTTP/1.1\r\nHost: ${host}:${port}\r\n${i === paths.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join('')));
  });
}

function parseResponses(text: string): string[] {
  const bodies: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const length = Number(/content-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
    bodies.push(rest.slice(end + 4, end + 4 + length));
    rest = rest.slice(end + 4 + length);
  }
  return bodies;
}

async function exec(n: NodeHandle, pod: string, command: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await nodeApi(n, 'POST', `/exec/default/${pod}`, JSON.stringify({ command }));
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as { stdout: string; stderr: string; exitCode: number };
}

let nginx1: string;
let nginx2: string;
const endpointsOnNodes1And2 = (): { ip: string; node: string }[] => [
  { ip: nginx1, node: 'node-1' },
  { ip: nginx2, node: 'node-2' },
];

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  for (const index of [1, 2, 3]) nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, extraArgs: ['--random-seed', String(index)] }));
  await createPod('nginx-1', 'node-1', { app: 'nginx' }, ['netexec', '--http-port=80']);
  await createPod('nginx-2', 'node-2', { app: 'nginx' }, ['netexec', '--http-port=80']);
  await createPod('client', 'node-3', { app: 'client' }, ['netexec']);
  nginx1 = await waitRunning('nginx-1');
  nginx2 = await waitRunning('nginx-2');
  await waitRunning('client');
  // The seed's my-nginx Service (its nodePorts left to the allocator).
  const res = await api.fetch('/api/v1/namespaces/default/services', {
    method: 'POST',
    body: JSON.stringify({
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
    }),
  });
  expect(res.status).toBe(201);
  service = (await res.json()) as Service;
  nodePort = service.spec!.ports![0]!.nodePort!;
  clusterIP = service.spec!.clusterIP!;
}, 90_000);

afterAll(async () => {
  for (const n of nodes) await n.process.stop();
  await api?.process.stop();
  await nats?.stop();
});

const withPolicy = (policy: 'Cluster' | 'Local'): Service => ({ ...service, spec: { ...service.spec, externalTrafficPolicy: policy } });

describe('NodePort through the node netfilter, externalTrafficPolicy Cluster', () => {
  beforeAll(() => program(withPolicy('Cluster'), endpointsOnNodes1And2()));

  it('curl 127.0.1.2:NODEPORT answers from pods on any node; the pod sees the SNAT address', async () => {
    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < 30; i++) {
      const r = await httpExchange('127.0.1.2', nodePort, ['/hostname', '/clientip']);
      if (!r.ok) throw new Error(r.error);
      const [pod, client] = r.bodies as [string, string];
      // The masqueraded source: node-2's address towards node-1's pod, its pod gateway towards its own pod.
      expect([pod, client.split(':')[0]]).toEqual(pod === 'nginx-1' ? ['nginx-1', '127.0.1.2'] : ['nginx-2', '10.244.2.1']);
      (seen.get(pod) ?? seen.set(pod, new Set()).get(pod)!).add(client);
    }
    // 30 seeded draws of probability 1/2 reach both endpoints.
    expect([...seen.keys()].sort()).toEqual(['nginx-1', 'nginx-2']);
  });

  it('the trace of that curl walks PREROUTING to both endpoints, masqueraded', async () => {
    const trace = await nodeApi(node('node-2'), 'POST', '/netfilter/trace', JSON.stringify({ src: '127.0.0.1', dst: '127.0.1.2', dport: nodePort, proto: 'tcp' }));
    const json = JSON.parse(trace.text) as netfilter.TraceJson;
    expect([trace.status, json.verdict, json.targets, json.masquerade]).toEqual([200, 'DNAT', [`${nginx1}:80`, `${nginx2}:80`], true]);
    expect(json.rules).toEqual([
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport ${nodePort} -j KUBE-EXT-SV7AMNAGZFKZEMQ4`,
      '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ',
      '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
      '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-T3XCTAWNF2MSLOSC',
      '-A KUBE-SEP-T3XCTAWNF2MSLOSC -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.1.2:80',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -j KUBE-SEP-UHOHG3NCCQS26D7F',
      '-A KUBE-SEP-UHOHG3NCCQS26D7F -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.2.2:80',
    ]);
  });

  it('a ClusterIP answers from a pod (DNAT in PREROUTING of its node); the pod source is kept', async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await exec(node('node-3'), 'client', ['curl', '-s', `http://${clusterIP}:8080/hostname`]);
      expect(r.exitCode, r.stderr).toBe(0);
      answers.add(r.stdout);
    }
    expect([...answers].every((a) => a === 'nginx-1' || a === 'nginx-2')).toBe(true);
    expect(await exec(node('node-3'), 'client', ['curl', '-s', `http://${clusterIP}:8080/clientip`])).toMatchObject({ stdout: expect.stringMatching(/^10\.244\.3\.2:\d+$/), exitCode: 0 });
  });

  it('an established connection keeps its endpoint when the rules change (conntrack)', async () => {
    const socket = connect({ host: '127.0.1.2', port: nodePort });
    const responses: string[] = [];
    let buffered = '';
    socket.on('data', (c: Buffer) => {
      buffered += c.toString('latin1');
      const bodies = parseResponses(buffered);
      if (bodies.length > responses.length && buffered.length >= 0) responses.push(...bodies.slice(responses.length));
    });
    const ask = async (path: string): Promise<string> => {
      const want = responses.length + 1;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      for (let i = 0; i < 100 && responses.length < want; i++) await sleep(20);
      return responses[want - 1]!;
    };
    const first = await ask('/hostname');
    const other = first === 'nginx-1' ? { ip: nginx2, node: 'node-2' } : { ip: nginx1, node: 'node-1' };
    await program(withPolicy('Cluster'), [other]);
    const fresh = await httpExchange('127.0.1.2', nodePort, ['/hostname']);
    expect(fresh).toEqual({ ok: true, bodies: [other.ip === nginx1 ? 'nginx-1' : 'nginx-2'] });
    expect(await ask('/hostname')).toBe(first);
    socket.destroy();
    await program(withPolicy('Cluster'), endpointsOnNodes1And2());
  });
});

describe('NodePort, externalTrafficPolicy Local', () => {
  beforeAll(() => program(withPolicy('Local'), endpointsOnNodes1And2()));

  it("only the receiving node's endpoint answers, and it sees the client's own address", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await httpExchange('127.0.1.2', nodePort, ['/hostname', '/clientip']);
      expect(r).toEqual({ ok: true, bodies: ['nginx-2', expect.stringMatching(/^127\.0\.0\.1:\d+$/)] });
    }
  });

  it('a node without a local endpoint drops: the client times out', async () => {
    expect(await httpExchange('127.0.1.3', nodePort, ['/hostname'], 1000)).toEqual({ ok: false, error: 'timeout' });
    const trace = JSON.parse((await nodeApi(node('node-3'), 'POST', '/netfilter/trace', JSON.stringify({ src: '127.0.0.1', dst: '127.0.1.3', dport: nodePort, proto: 'tcp' }))).text);
    expect([trace.verdict, trace.rules.at(-1)]).toEqual(['DROP', expect.stringMatching(/^-A KUBE-EXTERNAL-SERVICES .*"default\/my-nginx:http has no local endpoints".* -j DROP$/)]);
  });
});

describe('no endpoints', () => {
  beforeAll(() => program(withPolicy('Cluster'), []));

  it('the NodePort refuses the connection, and so does the ClusterIP from a pod', async () => {
    expect(await httpExchange('127.0.1.2', nodePort, ['/hostname'])).toEqual({ ok: false, error: 'ECONNREFUSED' });
    const r = await exec(node('node-3'), 'client', ['curl', `http://${clusterIP}:8080/`]);
    expect([r.exitCode, r.stderr]).toEqual([7, expect.stringMatching(/Couldn't connect to server/)]);
  });
});

describe('the netfilter API', () => {
  it('a malformed restore is refused with its line number and applies nothing', async () => {
    const n = node('node-1');
    const before = (await nodeApi(n, 'GET', '/netfilter/save')).text;
    const bad = '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-NOWHERE\nCOMMIT\n';
    expect(await nodeApi(n, 'POST', '/netfilter/restore', bad)).toEqual({
      status: 400,
      text: "iptables-restore: line 3 failed: Couldn't load target `KUBE-NOWHERE':No such file or directory\n",
    });
    expect((await nodeApi(n, 'GET', '/netfilter/save')).text).toBe(before);
    expect(before).toContain(':KUBE-SERVICES - [0:0]');
  });

  it('needs the cluster token', async () => {
    const res = await fetch(`${node('node-1').url}/netfilter/save`);
    expect(res.status).toBe(401);
  });
});
