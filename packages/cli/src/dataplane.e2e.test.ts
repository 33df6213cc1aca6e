// Issue 5 end to end: every process real and together. nats-server, the api-store, the
// controller-manager, three node processes (they hold the live tables and the NodePort sockets)
// and a proxy agent per node (it renders kube-proxy's rules and programs its node). Traffic is real
// TCP from this process to the nodes' addresses; what answers, and the source address the pod saw,
// is decided only by the rules the agents programmed and the nodes walk.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePortChainName, servicePortEndpointChainName, sortIPTablesRules, type Pod, type Service } from '@kubemu/core';
import { SEED_MY_NGINX as SEED_SERVICE, NGINX_DEPLOYMENT } from '@kubemu/testkit';
import { E2ECluster } from './e2e-cluster.test-data.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const NODE_COUNT = 3;
/** A DROPped connection is accepted and never answered: the client gives up after this long. */
const DROP_TIMEOUT_MS = 1500;
/** Fresh connections per spread check: a pod of three is missed with probability 3·(2/3)^30 ≈ 2e-5. */
const REQUESTS = 30;

// 127.0.1.N: the nodes of the seed's `curl 127.0.1.2:<nodePort>`. The other suites of this package
// use 127.0.2.N-127.0.4.N; `kubemu up` in cli.integration also takes 127.0.1.N, and only a NodePort
// both clusters allocate at random could meet.
const nodeAddress = (index: number): string => `127.0.1.${index}`;
const podGateway = (index: number): string => `10.244.${index}.1`;

let cluster: E2ECluster;
const kubemu = (argv: string[]) => cluster.kubemu(argv);
const must = (method: string, path: string, body?: unknown, contentType?: string) => cluster.must(method, path, body, contentType);
const manifest = (name: string, text: string): string => cluster.manifest(name, text);
const readyPods = (selector: string, n: number): Promise<Pod[]> => cluster.readyPods(selector, n);
const endpointsOf = (service: string, want: readonly Pod[]): Promise<void> => cluster.endpointsOf(service, want);
/** The log head once the listed nodes' agents have programmed it (all three by default). */
const programmedAtHead = (indexes?: readonly number[]): Promise<number> => cluster.programmedAtHead(indexes);

type Answer = { ok: true; status: number; body: string } | { ok: false; error: string };

/** `curl http://HOST:PORT/PATH` from this process: a new TCP connection each time, no keep-alive. */
function httpGet(host: string, port: number, path = '/', timeoutMs = 5000): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, error: 'timeout' });
    });
    req.on('error', (err) => resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end();
  });
}

async function answered(host: string, port: number, path = '/'): Promise<string> {
  const a = await httpGet(host, port, path);
  if (!a.ok) throw new Error(`GET http://${host}:${port}${path}: ${a.error}`);
  expect(a.status).toBe(200);
  return a.body;
}

/** The nginx workload's answer: which pod, and the client address it saw. */
function nginxAnswer(body: string): { pod: string; client: string } {
  const m = /^pod: (\S+)\npodIP: \S+\nclient: (\S+):\d+\n$/.exec(body);
  if (!m) throw new Error(`not an nginx answer: ${JSON.stringify(body)}`);
  return { pod: m[1]!, client: m[2]! };
}

// agnhost netexec behind a NodePort Service, on node-1 and node-2 only: node-3 has no local endpoint.
const NETEXEC = `apiVersion: v1
kind: Service
metadata:
  name: netexec
spec:
  type: NodePort
  ports:
  - name: http
    port: 8080
  selector:
    app: netexec
${[1, 2]
  .map(
    (i) => `---
apiVersion: v1
kind: Pod
metadata:
  name: netexec-${i}
  labels:
    app: netexec
spec:
  nodeSelector:
    kubernetes.io/hostname: node-${i}
  containers:
  - name: agnhost
    image: ${AGNHOST}
    args: [netexec]
`,
  )
  .join('')}`;

beforeAll(async () => {
  cluster = await E2ECluster.start({ name: 'dataplane-e2e', nodes: NODE_COUNT, nodeAddress });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("the seed's NodePort Service in a 3-node cluster, every process real", { timeout: 60_000 }, () => {
  let nginx: Pod[] = [];
  let svc: Service;
  let httpNodePort = 0;
  let httpsNodePort = 0;
  const onNode = (index: number): Pod => nginx.find((p) => p.spec?.nodeName === `node-${index}`)!;

  it('curl 127.0.1.2:<nodePort> answers from the pods of every node; a remote pod sees node-2, the local one its gateway', async () => {
    expect(await kubemu(['apply', '-f', manifest('my-nginx.yaml', SEED_SERVICE)])).toEqual({ code: 0, stdout: 'service/my-nginx created\n', stderr: '' });
    expect(await kubemu(['apply', '-f', manifest('nginx.yaml', NGINX_DEPLOYMENT)])).toEqual({ code: 0, stdout: 'deployment.apps/nginx created\n', stderr: '' });
    nginx = await readyPods('app=nginx', 3);
    expect(nginx.map((p) => p.spec!.nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    await endpointsOf('my-nginx', nginx);
    await programmedAtHead();
    svc = await must('GET', '/api/v1/namespaces/default/services/my-nginx');
    httpNodePort = svc.spec!.ports![0]!.nodePort!;
    httpsNodePort = svc.spec!.ports![1]!.nodePort!;

    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < REQUESTS; i++) {
      const { pod, client } = nginxAnswer(await answered(nodeAddress(2), httpNodePort));
      seen.set(pod, (seen.get(pod) ?? new Set()).add(client));
    }
    // externalTrafficPolicy Cluster: KUBE-MARK-MASQ, then MASQUERADE to the address the packet
    // leaves node-2 by: cni0's 10.244.2.1 towards its own pod, its InternalIP towards another node.
    expect(Object.fromEntries([...seen].map(([pod, clients]) => [pod, [...clients]]))).toEqual(
      Object.fromEntries(nginx.map((p) => [p.metadata!.name!, [p.spec!.nodeName === 'node-2' ? podGateway(2) : nodeAddress(2)]])),
    );
    // The second port of the seed's Service reaches the pods' 443 the same way.
    expect(nginxAnswer(await answered(nodeAddress(2), httpsNodePort)).pod).toMatch(/^nginx-/);
  });

  it("kubemu rules node-1 shows the seed's chains: whole nat lines after upstream's normalisation", async () => {
    const r = await kubemu(['rules', 'node-1', '--table', 'nat']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // iptables-save declares a built-in chain with its policy; upstream's ParseIPTablesDump reads
    // restore input, where every chain is "-". The policies are checked here, the rest normalised.
    const policies = r.stdout.split('\n').filter((l) => /^:[A-Z]+ (ACCEPT|DROP) \[/.test(l));
    expect(policies).toEqual([':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]']);
    const nat = sortIPTablesRules(r.stdout.replace(/^:([A-Z]+) (?:ACCEPT|DROP) \[/gm, ':$1 - ['));

    const clusterIP = svc.spec!.clusterIP!;
    expect(clusterIP).toMatch(/^10\.(9[6-9]|1[01][0-9])\.\d+\.\d+$/);
    const podIPs = nginx.map((p) => p.status!.podIP!).sort();
    // Chain names by kube-proxy's hash of "namespace/name:port" + protocol (servicePortChainName);
    // a KUBE-SEP- name also hashes the endpoint, whose IP was allocated.
    const SVC_HTTP = 'KUBE-SVC-SV7AMNAGZFKZEMQ4';
    const SVC_HTTPS = 'KUBE-SVC-WJQIRF6WKN5OOCTI';
    const EXT_HTTP = 'KUBE-EXT-SV7AMNAGZFKZEMQ4';
    const EXT_HTTPS = 'KUBE-EXT-WJQIRF6WKN5OOCTI';
    expect([SVC_HTTP, SVC_HTTPS, EXT_HTTP, EXT_HTTPS]).toEqual([
      servicePortChainName('SVC', 'default/my-nginx:http', 'tcp'),
      servicePortChainName('SVC', 'default/my-nginx:https', 'tcp'),
      servicePortChainName('EXT', 'default/my-nginx:http', 'tcp'),
      servicePortChainName('EXT', 'default/my-nginx:https', 'tcp'),
    ]);
    const sep = (port: string, ip: string, target: number): string => servicePortEndpointChainName(`default/my-nginx:${port}`, 'tcp', `${ip}:${target}`);
    const seps = [...podIPs.map((ip) => ({ port: 'https', ip, target: 443 })), ...podIPs.map((ip) => ({ port: 'http', ip, target: 80 }))]
      .map((e) => ({ ...e, chain: sep(e.port, e.ip, e.target) }))
      .sort((a, b) => (a.chain < b.chain ? -1 : 1));
    // kube-proxy: endpoints in string order; probability 1/(n-i), printed as iptables prints it.
    const svcRules = (port: string, chain: string, target: number): string[] =>
      podIPs.map((ip, i) => {
        const statistic = i === 0 ? ' -m statistic --mode random --probability 0.33333333349' : i === 1 ? ' -m statistic --mode random --probability 0.50000000000' : '';
        return `-A ${chain} -m comment --comment "default/my-nginx:${port} -> ${ip}:${target}"${statistic} -j ${sep(port, ip, target)}`;
      });
    expect(nat).toBe(
      [
        '*nat',
        ':KUBE-NODEPORTS - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        `:${EXT_HTTP} - [0:0]`,
        `:${EXT_HTTPS} - [0:0]`,
        ':KUBE-MARK-MASQ - [0:0]',
        ':KUBE-POSTROUTING - [0:0]',
        ...seps.map((e) => `:${e.chain} - [0:0]`),
        `:${SVC_HTTP} - [0:0]`,
        `:${SVC_HTTPS} - [0:0]`,
        ':INPUT - [0:0]',
        ':OUTPUT - [0:0]',
        ':POSTROUTING - [0:0]',
        ':PREROUTING - [0:0]',
        `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport ${httpNodePort} -j ${EXT_HTTP}`,
        `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:https" -m tcp --dport ${httpsNodePort} -j ${EXT_HTTPS}`,
        `-A KUBE-SERVICES -d ${clusterIP}/32 -p tcp -m comment --comment "default/my-nginx:http cluster IP" -m tcp --dport 8080 -j ${SVC_HTTP}`,
        `-A KUBE-SERVICES -d ${clusterIP}/32 -p tcp -m comment --comment "default/my-nginx:https cluster IP" -m tcp --dport 443 -j ${SVC_HTTPS}`,
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        `-A ${EXT_HTTP} -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ`,
        `-A ${EXT_HTTP} -j ${SVC_HTTP}`,
        `-A ${EXT_HTTPS} -m comment --comment "masquerade traffic for default/my-nginx:https external destinations" -j KUBE-MARK-MASQ`,
        `-A ${EXT_HTTPS} -j ${SVC_HTTPS}`,
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
        '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
        ...seps.flatMap((e) => [
          `-A ${e.chain} -s ${e.ip}/32 -m comment --comment "default/my-nginx:${e.port}" -j KUBE-MARK-MASQ`,
          `-A ${e.chain} -p tcp -m comment --comment "default/my-nginx:${e.port}" -m tcp -j DNAT --to-destination ${e.ip}:${e.target}`,
        ]),
        ...svcRules('http', SVC_HTTP, 80),
        ...svcRules('https', SVC_HTTPS, 443),
        '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it("netexec's /clientip through node-2: SNAT with externalTrafficPolicy Cluster; with Local the client's own address, and node-3, without a local endpoint, drops", async () => {
    expect((await kubemu(['apply', '-f', manifest('netexec.yaml', NETEXEC)])).stdout).toBe('service/netexec created\npod/netexec-1 created\npod/netexec-2 created\n');
    const netexec = await readyPods('app=netexec', 2);
    expect(netexec.map((p) => p.spec!.nodeName).sort()).toEqual(['node-1', 'node-2']);
    await endpointsOf('netexec', netexec);
    await programmedAtHead();
    const service: Service = await must('GET', '/api/v1/namespaces/default/services/netexec');
    const nodePort = service.spec!.ports![0]!.nodePort!;

    const clientsThrough = async (index: number): Promise<string[]> => {
      const seen = new Set<string>();
      for (let i = 0; i < REQUESTS; i++) seen.add((await answered(nodeAddress(index), nodePort, '/clientip')).replace(/:\d+$/, ''));
      return [...seen].sort();
    };
    // Cluster: netexec-2 on node-2 sees cni0's address, netexec-1 on node-1 sees node-2's.
    expect(await clientsThrough(2)).toEqual([podGateway(2), nodeAddress(2)].sort());
    // Every node forwards, node-3 too, though it runs no netexec pod.
    expect(await clientsThrough(3)).toEqual([nodeAddress(3)]);

    // kubectl patch svc netexec -p '{"spec":{"externalTrafficPolicy":"Local"}}'
    await must('PATCH', '/api/v1/namespaces/default/services/netexec', { spec: { externalTrafficPolicy: 'Local' } }, 'application/strategic-merge-patch+json');
    await programmedAtHead();
    // This process connects to 127.0.1.N from 127.0.0.1 (the loopback route's source address), an
    // address no node counts as its own: an outside client, not `--src-type LOCAL`.
    expect(await clientsThrough(2)).toEqual(['127.0.0.1']);
    expect(await clientsThrough(1)).toEqual(['127.0.0.1']);
    // kube-proxy drops a Local Service's nodePort in filter where no endpoint is local; the node
    // holds the accepted connection and never answers, so the client times out.
    const filter = await kubemu(['rules', 'node-3', '--table', 'filter']);
    expect(filter.stdout.split('\n')).toContain(
      `-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/netexec:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport ${nodePort} -j DROP`,
    );
    expect(await httpGet(nodeAddress(3), nodePort, '/clientip', DROP_TIMEOUT_MS)).toEqual({ ok: false, error: 'timeout' });
  });

  it('kill -9 node-1\'s proxy agent: node-1 keeps serving what it had; a new Service answers on node-2 only, and on node-1 once the agent is back', async () => {
    await cluster.agents.get(1)!.process.kill('SIGKILL');
    cluster.agents.delete(1);
    for (let i = 0; i < 5; i++) expect(nginxAnswer(await answered(nodeAddress(1), httpNodePort)).pod).toMatch(/^nginx-/);

    await must('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'late' },
      spec: { type: 'NodePort', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80 }] },
    });
    await endpointsOf('late', nginx);
    await programmedAtHead([2, 3]);
    const late: Service = await must('GET', '/api/v1/namespaces/default/services/late');
    const latePort = late.spec!.ports![0]!.nodePort!;
    expect(nginxAnswer(await answered(nodeAddress(2), latePort)).pod).toMatch(/^nginx-/);
    // node-1 holds no socket for the port its rules do not capture: the host refuses.
    expect(await httpGet(nodeAddress(1), latePort, '/', DROP_TIMEOUT_MS)).toEqual({ ok: false, error: 'ECONNREFUSED' });
    expect(cluster.programmed.filter((o) => o.node === 'node-1').every((o) => o.revision < (Number(late.metadata!.resourceVersion)))).toBe(true);

    cluster.agents.set(1, await cluster.startAgent(1));
    await programmedAtHead([1]);
    expect(nginxAnswer(await answered(nodeAddress(1), latePort)).pod).toMatch(/^nginx-/);
  });

  it('a ClusterIP answers from a pod: kubemu exec <pod> -- curl -s http://<clusterIP>:8080/', async () => {
    const client = onNode(3);
    const r = await kubemu(['exec', client.metadata!.name!, '--', 'curl', '-s', `http://${svc.spec!.clusterIP}:8080/`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { pod } = nginxAnswer(r.stdout);
    expect(nginx.map((p) => p.metadata!.name)).toContain(pod);
  });
});
