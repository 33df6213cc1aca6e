// UDP Services end to end, every process real: nats-server, the api-store, the controller-manager,
// three node processes and their proxy agents. agnhost netexec pods answer UDP commands
// ("hostname", "clientip") on 8081; clients are `kubemu exec POD -- nc -u …` inside a pod and real
// datagrams from this process to the nodes' NodePort sockets. What answers, which source address
// the pod saw and which address the reply comes from are decided only by the rules the proxy
// agents programmed and by each node's conntrack.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePortChainName, servicePortEndpointChainName, type Pod, type Service } from '@kubemu/core';
import { eventually } from '@kubemu/testkit';
import { E2ECluster } from './e2e-cluster.test-data.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const NODE_COUNT = 3;
/** How long a datagram is given to be answered; a DROP is told by no answer in this time. */
const ANSWER_MS = 1500;
/** Fresh flows per spread check: two pods, both seen with probability 1 − 2·(1/2)^30. */
const REQUESTS = 30;

// 127.0.5.N: apart from the other suites' nodes (127.0.1.N-127.0.4.N), which may run at the same time.
const nodeAddress = (index: number): string => `127.0.5.${index}`;
const podGateway = (index: number): string => `10.244.${index}.1`;
const indexOf = (nodeName: string | undefined): number => Number(nodeName?.split('-')[1]);

let cluster: E2ECluster;
const kubemu = (argv: string[], stdin?: string) => cluster.kubemu(argv, stdin);
const must = (method: string, path: string, body?: unknown, contentType?: string) => cluster.must(method, path, body, contentType);
const manifest = (name: string, text: string): string => cluster.manifest(name, text);
const readyPods = (selector: string, n: number, except?: readonly string[]): Promise<Pod[]> => cluster.readyPods(selector, n, except);
const endpointsOf = (service: string, want: readonly Pod[]): Promise<void> => cluster.endpointsOf(service, want);
const programmedAtHead = (): Promise<number> => cluster.programmedAtHead();
const pods = (selector: string): Promise<Pod[]> => cluster.pods(selector);

/** A UDP socket of this process on 127.0.0.1, as a client with one source port for all it sends. */
class UdpClient {
  private readonly inbox: { text: string; from: string }[] = [];
  private waiter: (() => void) | undefined;
  private constructor(readonly socket: UdpSocket) {
    socket.on('message', (msg, rinfo) => {
      this.inbox.push({ text: msg.toString('utf8'), from: `${rinfo.address}:${rinfo.port}` });
      this.waiter?.();
    });
  }

  static open(): Promise<UdpClient> {
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(new UdpClient(socket)));
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Send one datagram; the first answer, or undefined when none comes in `timeoutMs`. */
  async ask(host: string, port: number, text: string, timeoutMs = ANSWER_MS): Promise<{ text: string; from: string } | undefined> {
    this.inbox.length = 0;
    const answered = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.waiter = () => (clearTimeout(t), resolve());
    });
    this.socket.send(text, port, host);
    await answered;
    this.waiter = undefined;
    return this.inbox.shift();
  }

  close(): void {
    this.socket.close();
  }
}

/** One datagram from a fresh socket (a new flow): the answer, which must come from where it was sent. */
async function askOnce(host: string, port: number, text: string): Promise<string | undefined> {
  const client = await UdpClient.open();
  try {
    const a = await client.ask(host, port, text);
    if (a) expect(a.from).toBe(`${host}:${port}`);
    return a?.text;
  } finally {
    client.close();
  }
}

function httpGet(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const UDP_APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: udp-netexec
spec:
  replicas: 2
  selector:
    matchLabels:
      app: udp-netexec
  template:
    metadata:
      labels:
        app: udp-netexec
    spec:
      containers:
      - name: agnhost
        image: ${AGNHOST}
        args: [netexec, --http-port=8080, --udp-port=8081]
        ports:
        - containerPort: 8080
        - containerPort: 8081
          protocol: UDP
---
apiVersion: v1
kind: Service
metadata:
  name: udp-netexec
spec:
  type: NodePort
  selector:
    app: udp-netexec
  ports:
  - name: udp
    protocol: UDP
    port: 8081
---
apiVersion: v1
kind: Service
metadata:
  name: dns
spec:
  type: NodePort
  selector:
    app: udp-netexec
  ports:
  - name: dns
    protocol: UDP
    port: 53
    targetPort: 8081
  - name: dns-tcp
    protocol: TCP
    port: 53
    targetPort: 8080
`;

const clientPod = (node: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: udp-client
  labels:
    app: udp-client
spec:
  nodeSelector:
    kubernetes.io/hostname: ${node}
  containers:
  - name: agnhost
    image: ${AGNHOST}
    args: [netexec]
`;

beforeAll(async () => {
  cluster = await E2ECluster.start({ name: 'udp-e2e', nodes: NODE_COUNT, nodeAddress });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('UDP Services in a 3-node cluster, every process real', { timeout: 120_000 }, () => {
  let backends: Pod[] = [];
  let client: Pod;
  let svc: Service;
  let dns: Service;
  let nodePort = 0;
  /** The node running no udp-netexec pod, and one that runs one (the client's). */
  let empty = 0;
  let local = 0;
  const names = (): string[] => backends.map((p) => p.metadata!.name!).sort();
  const nodeOfPod = (name: string): number => indexOf(backends.find((p) => p.metadata!.name === name)?.spec?.nodeName);
  const nc = (args: string[], stdin: string) => kubemu(['exec', '-i', 'udp-client', '--', 'nc', ...args], stdin);

  it('kube-proxy renders -p udp rules for the UDP ports; a port number on both protocols gets one nodePort and both sockets', async () => {
    const applied = await kubemu(['apply', '-f', manifest('udp.yaml', UDP_APP)]);
    expect(applied).toEqual({ code: 0, stdout: 'deployment.apps/udp-netexec created\nservice/udp-netexec created\nservice/dns created\n', stderr: '' });
    backends = await readyPods('app=udp-netexec', 2);
    const used = backends.map((p) => indexOf(p.spec?.nodeName)).sort();
    expect(new Set(used).size).toBe(2);
    empty = [1, 2, 3].find((i) => !used.includes(i))!;
    local = used[0]!;
    await kubemu(['apply', '-f', manifest('client.yaml', clientPod(`node-${local}`))]);
    [client] = await readyPods('app=udp-client', 1);
    await endpointsOf('udp-netexec', backends);
    await endpointsOf('dns', backends);
    await programmedAtHead();
    svc = await must('GET', '/api/v1/namespaces/default/services/udp-netexec');
    dns = await must('GET', '/api/v1/namespaces/default/services/dns');
    nodePort = svc.spec!.ports![0]!.nodePort!;
    const [dnsUdp, dnsTcp] = dns.spec!.ports!;
    // kube-apiserver gives 53/UDP and 53/TCP of one Service the same nodePort.
    expect(dnsUdp!.nodePort).toBe(dnsTcp!.nodePort);

    const nat = (await kubemu(['rules', `node-${empty}`, '--table', 'nat'])).stdout.split('\n');
    const SVC = servicePortChainName('SVC', 'default/udp-netexec:udp', 'udp');
    const EXT = servicePortChainName('EXT', 'default/udp-netexec:udp', 'udp');
    const DNS_UDP = servicePortChainName('SVC', 'default/dns:dns', 'udp');
    const DNS_TCP = servicePortChainName('SVC', 'default/dns:dns-tcp', 'tcp');
    expect(nat.filter((l) => l.startsWith('-A KUBE-SERVICES -d ') || l.startsWith('-A KUBE-NODEPORTS ')).sort()).toEqual(
      [
        `-A KUBE-SERVICES -d ${svc.spec!.clusterIP}/32 -p udp -m comment --comment "default/udp-netexec:udp cluster IP" -m udp --dport 8081 -j ${SVC}`,
        `-A KUBE-SERVICES -d ${dns.spec!.clusterIP}/32 -p udp -m comment --comment "default/dns:dns cluster IP" -m udp --dport 53 -j ${DNS_UDP}`,
        `-A KUBE-SERVICES -d ${dns.spec!.clusterIP}/32 -p tcp -m comment --comment "default/dns:dns-tcp cluster IP" -m tcp --dport 53 -j ${DNS_TCP}`,
        `-A KUBE-NODEPORTS -p udp -m comment --comment "default/udp-netexec:udp" -m udp --dport ${nodePort} -j ${EXT}`,
        `-A KUBE-NODEPORTS -p udp -m comment --comment "default/dns:dns" -m udp --dport ${dnsUdp!.nodePort} -j ${servicePortChainName('EXT', 'default/dns:dns', 'udp')}`,
        `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/dns:dns-tcp" -m tcp --dport ${dnsTcp!.nodePort} -j ${servicePortChainName('EXT', 'default/dns:dns-tcp', 'tcp')}`,
      ].sort(),
    );
    for (const ip of backends.map((p) => p.status!.podIP!)) {
      expect(nat).toContain(
        `-A ${servicePortEndpointChainName('default/udp-netexec:udp', 'udp', `${ip}:8081`)} -p udp -m comment --comment "default/udp-netexec:udp" -m udp -j DNAT --to-destination ${ip}:8081`,
      );
    }

    // Both sockets of the shared nodePort answer, each with its own protocol's backend port.
    const shared = dnsUdp!.nodePort!;
    expect(names()).toContain(await eventually('UDP on the shared nodePort', () => askOnce(nodeAddress(empty), shared, 'hostname')));
    expect(names()).toContain(await httpGet(nodeAddress(empty), shared, '/hostname'));
  });

  it('kubemu exec udp-client -- nc -u -w1 <clusterIP> 8081: "hostname" names a pod, and new flows reach both', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < REQUESTS && seen.size < 2; i++) {
      const r = await nc(['-u', '-w1', svc.spec!.clusterIP!, '8081'], 'hostname\n');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(names()).toContain(r.stdout);
      seen.add(r.stdout);
    }
    expect([...seen].sort()).toEqual(names());
  });

  it('a 53/UDP + 53/TCP ClusterIP (kube-dns\'s shape) answers each protocol from its own targetPort', async () => {
    const ip = dns.spec!.clusterIP!;
    // The way Kubernetes' own e2e tests probe UDP: through the container's shell.
    const udp = await kubemu(['exec', 'udp-client', '--', 'sh', '-c', `echo hostname | nc -u -w1 ${ip} 53`]);
    expect(udp.stderr).toBe('');
    expect(names()).toContain(udp.stdout);
    const tcp = await kubemu(['exec', 'udp-client', '--', 'curl', '-s', `http://${ip}:53/hostname`]);
    expect(tcp.stderr).toBe('');
    expect(names()).toContain(tcp.stdout);
  });

  it('"clientip" shows the client pod\'s own address on the same node and across nodes; one source port stays on one pod (conntrack)', async () => {
    const podIP = client.status!.podIP!;
    const reached = new Map<string, string>();
    for (let port = 41000; port < 41000 + REQUESTS && reached.size < 2; port++) {
      const first = await nc(['-u', '-w1', '-p', String(port), svc.spec!.clusterIP!, '8081'], 'hostname\n');
      const clientIP = await nc(['-u', '-w1', '-p', String(port), svc.spec!.clusterIP!, '8081'], 'clientip\n');
      const again = await nc(['-u', '-w1', '-p', String(port), svc.spec!.clusterIP!, '8081'], 'hostname\n');
      expect(names()).toContain(first.stdout);
      // No SNAT from pod to ClusterIP: kube-proxy only masquerades what comes from outside the pod network.
      expect(clientIP.stdout).toBe(`${podIP}:${port}`);
      expect(again.stdout).toBe(first.stdout);
      reached.set(nodeOfPod(first.stdout) === local ? 'same node' : 'other node', first.stdout);
    }
    expect([...reached.keys()].sort()).toEqual(['other node', 'same node']);
  });

  it('a datagram to 127.0.5.N:<nodePort> is answered from that address by a pod of any node; with externalTrafficPolicy Cluster the pod sees the node', async () => {
    for (const index of [1, 2, 3]) {
      const seen = new Set<string>();
      for (let i = 0; i < REQUESTS && seen.size < 2; i++) {
        const name = await askOnce(nodeAddress(index), nodePort, 'hostname');
        expect(names()).toContain(name);
        seen.add(name!);
      }
      expect([...seen].sort()).toEqual(names());
    }
    // One source port is one flow: "hostname" then "clientip" reach the same pod, so each answer
    // tells which address that pod saw.
    const sawByPod = new Map<string, string>();
    for (let i = 0; i < REQUESTS && sawByPod.size < 2; i++) {
      const c = await UdpClient.open();
      try {
        const name = (await c.ask(nodeAddress(local), nodePort, 'hostname'))!;
        const saw = (await c.ask(nodeAddress(local), nodePort, 'clientip'))!;
        expect(name.from).toBe(`${nodeAddress(local)}:${nodePort}`);
        expect(saw.from).toBe(`${nodeAddress(local)}:${nodePort}`);
        sawByPod.set(name.text, saw.text.replace(/:\d+$/, ''));
      } finally {
        c.close();
      }
    }
    // MASQUERADE to the address the datagram leaves by: cni0's gateway to the local pod, the node's own address to the other node.
    expect(Object.fromEntries(sawByPod)).toEqual(Object.fromEntries(backends.map((p) => [p.metadata!.name!, nodeOfPod(p.metadata!.name!) === local ? podGateway(local) : nodeAddress(local)])));
  });

  it('externalTrafficPolicy Local: the pod sees the client\'s own address; a node without a local endpoint drops', async () => {
    await must('PATCH', '/api/v1/namespaces/default/services/udp-netexec', { spec: { externalTrafficPolicy: 'Local' } }, 'application/strategic-merge-patch+json');
    await programmedAtHead();
    const filter = (await kubemu(['rules', `node-${empty}`, '--table', 'filter'])).stdout.split('\n');
    expect(filter).toContain(
      `-A KUBE-EXTERNAL-SERVICES -p udp -m comment --comment "default/udp-netexec:udp has no local endpoints" -m addrtype --dst-type LOCAL -m udp --dport ${nodePort} -j DROP`,
    );
    for (const index of backends.map((p) => indexOf(p.spec?.nodeName))) {
      const c = await UdpClient.open();
      try {
        const saw = await c.ask(nodeAddress(index), nodePort, 'clientip');
        expect(saw).toEqual({ text: `127.0.0.1:${c.port}`, from: `${nodeAddress(index)}:${nodePort}` });
        const name = await c.ask(nodeAddress(index), nodePort, 'hostname');
        expect(nodeOfPod(name!.text)).toBe(index);
      } finally {
        c.close();
      }
    }
    expect(await askOnce(nodeAddress(empty), nodePort, 'hostname')).toBeUndefined();
  });

  // kube-proxy's CleanStaleEntries after each sync (pkg/proxy/conntrack/cleanup.go): without it the
  // stale entry would keep each datagram on the deleted pod, as on a Linux node without kube-proxy.
  it('pods replaced: a flow that keeps its source port reaches the new pods (kube-proxy clears the stale UDP conntrack entries)', async () => {
    await must('PATCH', '/api/v1/namespaces/default/services/udp-netexec', { spec: { externalTrafficPolicy: 'Cluster' } }, 'application/strategic-merge-patch+json');
    await programmedAtHead();
    const host = await UdpClient.open();
    const PORT = 42000;
    try {
      const before = (await host.ask(nodeAddress(empty), nodePort, 'hostname'))!.text;
      expect(names()).toContain(before);
      expect(names()).toContain((await nc(['-u', '-w1', '-p', String(PORT), svc.spec!.clusterIP!, '8081'], 'hostname')).stdout);
      const old = names();
      // kubectl delete pod --grace-period=0: gone at once, as netexec is on SIGTERM (no --delay-shutdown).
      // A terminating pod still serving keeps its flows: kube-proxy clears only entries to endpoints that no longer serve.
      for (const name of old) await must('DELETE', `/api/v1/namespaces/default/pods/${name}?gracePeriodSeconds=0`);
      await eventually('the old pods gone', async () => ((await pods('app=udp-netexec')).some((p) => old.includes(p.metadata!.name!)) ? undefined : true));
      backends = await readyPods('app=udp-netexec', 2, old);
      await endpointsOf('udp-netexec', backends);
      await programmedAtHead();
      expect(names().some((n) => old.includes(n))).toBe(false);
      // The same source port each time: without the cleanup every datagram would refresh the entry
      // that still points at a deleted pod, and never reach a new one.
      const after = await eventually('the host flow reaches a new pod', async () => (await host.ask(nodeAddress(empty), nodePort, 'hostname'))?.text);
      expect(names()).toContain(after);
      const fromPod = await eventually('the pod flow reaches a new pod', async () => (await nc(['-u', '-w1', '-p', String(PORT), svc.spec!.clusterIP!, '8081'], 'hostname')).stdout || undefined);
      expect(names()).toContain(fromPod);
    } finally {
      host.close();
    }
  });
});
