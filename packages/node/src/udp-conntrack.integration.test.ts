// UDP through the node's netfilter and conntrack, with kube-proxy's conntrack cleanup driven
// through the node's API as the proxy agent drives it: two node processes against a real
// nats-server and api-store, programmed with kube-proxy's full-sync payload (core renderFullSync)
// for a UDP NodePort Service. Real datagrams from this process to 127.0.6.2:NODEPORT, and `nc -u`
// inside a pod to the ClusterIP, keep one source port across an endpoint change: conntrack keeps
// the flow on its old endpoint until the stale entry is deleted (GET /netfilter/conntrack, core's
// staleUdpConntrackFilters, POST /netfilter/conntrack/delete), then it follows the new rules.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEndpointsMap,
  buildServicePortMap,
  defaultProxyConfig,
  jumpRules,
  netfilter,
  renderFullSync,
  type EndpointSlice,
  type Service,
} from '@kubemu/core';
import { eventually, startApiStore, startNats, startNode, type ApiStoreHandle, type NatsHandle, type NodeHandle } from '@kubemu/testkit';
import type { ConntrackListEntry } from './netfilter/node-netfilter.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** How long a datagram is given to be answered. */
const ANSWER_MS = 1500;
// 127.0.6.N: apart from the other suites' nodes.
const nodeAddress = (index: number): string => `127.0.6.${index}`;

let nats: NatsHandle;
let api: ApiStoreHandle;
const nodes: NodeHandle[] = [];
let service: Service;
let nodePort: number;
let clusterIP: string;
const ips: Record<string, string> = {};

async function createPod(name: string, nodeName: string, labels: Record<string, string>): Promise<void> {
  const res = await api.fetch('/api/v1/namespaces/default/pods', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName, containers: [{ name: 'agnhost', image: AGNHOST, args: ['netexec'] }] } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

const podIP = (name: string): Promise<string> =>
  eventually(`${name} running`, async () => {
    const pod = (await (await api.fetch(`/api/v1/namespaces/default/pods/${name}`)).json()) as { status?: { phase?: string; podIP?: string } };
    return pod.status?.phase === 'Running' ? pod.status.podIP : undefined;
  });

async function nodeApi(n: NodeHandle, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${n.url}${path}`, { method, headers: { Authorization: `Bearer ${api.token}` }, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

function slice(endpoints: { pod: string; node: string }[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'udp-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'udp' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [ips[e.pod]!], conditions: { ready: true, serving: true, terminating: false }, nodeName: e.node })),
    ports: [{ name: 'udp', port: 8081, protocol: 'UDP' }],
  } as EndpointSlice;
}

/** The proxy agent's full sync: EnsureChain/EnsureRule the jumps, then restore. */
async function program(endpoints: { pod: string; node: string }[]): Promise<void> {
  const ensure = jumpRules().map((j) => ({ table: j.table, position: 'prepend', chain: j.chain, args: netfilter.splitRestoreLine(j.rule).slice(2) }));
  for (const n of nodes) {
    expect((await nodeApi(n, 'POST', '/netfilter/ensure', JSON.stringify(ensure))).status).toBe(200);
    const saved = (await nodeApi(n, 'GET', '/netfilter/save?table=nat')).text;
    const existingNatChains = [...saved.matchAll(/^:(\S+) /gm)].map((m) => m[1]!);
    const payload = renderFullSync([service], [slice(endpoints)], { name: n.name, ips: [n.address], podCIDRs: [n.podCIDR] }, defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] }), {
      existingNatChains,
    });
    expect(await nodeApi(n, 'POST', '/netfilter/restore', payload)).toEqual({ status: 200, text: '{"applied":true}' });
  }
}

const conntrack = async (n: NodeHandle): Promise<ConntrackListEntry[]> => JSON.parse((await nodeApi(n, 'GET', '/netfilter/conntrack?proto=udp')).text) as ConntrackListEntry[];

/** kube-proxy's CleanStaleEntries against one node, for the endpoints it was just programmed with. */
async function cleanStale(n: NodeHandle, endpoints: { pod: string; node: string }[]): Promise<{ status: number; text: string }> {
  const filters = netfilter.staleUdpConntrackFilters(await conntrack(n), buildServicePortMap([service]), buildEndpointsMap([slice(endpoints)], n.name));
  return nodeApi(n, 'POST', '/netfilter/conntrack/delete', JSON.stringify(filters));
}

async function exec(n: NodeHandle, pod: string, command: string[], stdin: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await nodeApi(n, 'POST', `/exec/default/${pod}`, JSON.stringify({ command, stdin }));
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as { stdout: string; stderr: string; exitCode: number };
}

/** A socket of this process on 127.0.0.1 with one source port for everything it sends. */
function openClient(): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

function ask(socket: UdpSocket, host: string, port: number, text: string): Promise<{ text: string; from: string } | undefined> {
  return new Promise((resolve) => {
    const onMessage = (msg: Buffer, rinfo: { address: string; port: number }): void => {
      clearTimeout(t);
      socket.removeListener('message', onMessage);
      resolve({ text: msg.toString('utf8'), from: `${rinfo.address}:${rinfo.port}` });
    };
    const t = setTimeout(() => {
      socket.removeListener('message', onMessage);
      resolve(undefined);
    }, ANSWER_MS);
    socket.on('message', onMessage);
    socket.send(text, port, host);
  });
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  for (const index of [1, 2]) nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, address: nodeAddress(index), extraArgs: ['--random-seed', String(index)] }));
  await createPod('netexec-1', 'node-1', { app: 'udp' });
  await createPod('netexec-2', 'node-2', { app: 'udp' });
  await createPod('client', 'node-1', { app: 'client' });
  for (const name of ['netexec-1', 'netexec-2', 'client']) ips[name] = await podIP(name);
  const res = await api.fetch('/api/v1/namespaces/default/services', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'udp' }, spec: { type: 'NodePort', ports: [{ name: 'udp', protocol: 'UDP', port: 8081 }], selector: { app: 'udp' } } }),
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

describe('UDP conntrack on a node', () => {
  it('a NodePort flow stays on its endpoint when the rules change, until kube-proxy clears the stale entry', async () => {
    const [, node2] = nodes as [NodeHandle, NodeHandle];
    await program([{ pod: 'netexec-1', node: 'node-1' }]);
    const socket = await openClient();
    try {
      const port = socket.address().port;
      // The node opens its UDP socket once the restore is in.
      expect(await eventually('the NodePort answers', () => ask(socket, node2.address, nodePort, 'hostname'))).toEqual({ text: 'netexec-1', from: `${node2.address}:${nodePort}` });
      // conntrack -L on node-2: the client's flow, DNATed to netexec-1 and masqueraded to node-2's address (the pod is on node-1).
      expect((await conntrack(node2)).map(({ original, reply, seenReply }) => ({ original, reply, seenReply }))).toEqual([
        {
          original: { proto: 'udp', src: '127.0.0.1', sport: port, dst: node2.address, dport: nodePort },
          reply: { proto: 'udp', src: ips['netexec-1'], sport: 8081, dst: node2.address, dport: port },
          seenReply: true,
        },
      ]);

      await program([{ pod: 'netexec-2', node: 'node-2' }]);
      // A new flow follows the rules; the old one keeps its entry, as in the kernel.
      const fresh = await openClient();
      expect((await ask(fresh, node2.address, nodePort, 'hostname'))?.text).toBe('netexec-2');
      fresh.close();
      expect((await ask(socket, node2.address, nodePort, 'hostname'))?.text).toBe('netexec-1');

      expect(await cleanStale(node2, [{ pod: 'netexec-2', node: 'node-2' }])).toEqual({ status: 200, text: '{"deleted":1}' });
      expect(await ask(socket, node2.address, nodePort, 'clientip')).toEqual({ text: `${netfilterGateway(2)}:${port}`, from: `${node2.address}:${nodePort}` });
      expect((await ask(socket, node2.address, nodePort, 'hostname'))?.text).toBe('netexec-2');
    } finally {
      socket.close();
    }
  });

  it('a pod\'s flow to the ClusterIP (nc -u -p) likewise; the reply comes from the ClusterIP and the pod sees the client pod', async () => {
    const [node1] = nodes as [NodeHandle];
    await program([{ pod: 'netexec-2', node: 'node-2' }]);
    const nc = (stdin: string) => exec(node1, 'client', ['nc', '-u', '-w1', '-p', '43000', clusterIP, '8081'], stdin);
    expect(await nc('hostname')).toEqual({ stdout: 'netexec-2', stderr: '', exitCode: 0 });
    expect(await nc('clientip')).toEqual({ stdout: `${ips.client}:43000`, stderr: '', exitCode: 0 });
    await program([{ pod: 'netexec-1', node: 'node-1' }]);
    expect((await nc('hostname')).stdout).toBe('netexec-2');
    expect(await cleanStale(node1, [{ pod: 'netexec-1', node: 'node-1' }])).toEqual({ status: 200, text: '{"deleted":1}' });
    expect((await nc('hostname')).stdout).toBe('netexec-1');
    // Nothing stale is left: a second cleanup deletes nothing.
    expect(await cleanStale(node1, [{ pod: 'netexec-1', node: 'node-1' }])).toEqual({ status: 200, text: '{"deleted":0}' });
  });

  it('the conntrack API checks what it is given and needs the cluster token', async () => {
    const [node1] = nodes as [NodeHandle];
    expect(await nodeApi(node1, 'POST', '/netfilter/conntrack/delete', JSON.stringify([{ proto: 'icmp' }]))).toEqual({
      status: 400,
      text: 'conntrack: filter 1: proto: want tcp, udp or sctp, got "icmp"\n',
    });
    expect(await nodeApi(node1, 'POST', '/netfilter/conntrack/delete', JSON.stringify([{ proto: 'udp', reply: { src: '10.244.1' } }]))).toEqual({
      status: 400,
      text: 'conntrack: filter 1: reply.src: want an IPv4 address, got "10.244.1"\n',
    });
    expect((await nodeApi(node1, 'GET', '/netfilter/conntrack?proto=gre')).status).toBe(400);
    expect((await fetch(`${node1.url}/netfilter/conntrack`)).status).toBe(401);
  });
});

/** cni0's address on node N: the source a masqueraded packet to one of its own pods gets. */
function netfilterGateway(index: number): string {
  return `10.244.${index}.1`;
}
