// `kubectl exec` end to end, every process real: nats-server, the api-store (pods/exec over
// WebSocket, v5.channel.k8s.io), the controller-manager, two nodes (their exec API runs the
// command in the pod's network) and their proxy agents (the ClusterIP rules), and the real kubectl
// 1.32 with its default WebSocket executor.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@kubemu/core';
import {
  eventually,
  kubeconfigFor,
  runKubectl,
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  startProxyAgent,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type KubectlRun,
  type NatsHandle,
  type NodeHandle,
  type ProxyAgentHandle,
} from '@kubemu/testkit';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-exec-'));
// 127.0.10.N: no other suite uses it.
const nodeAddress = (i: number): string => `127.0.10.${i}`;

let nats: NatsHandle;
let api: ApiStoreHandle;
let cm: ControllerManagerHandle;
const nodes: NodeHandle[] = [];
const agents: ProxyAgentHandle[] = [];
let clusterIP = '';

function kubectl(args: string[], stdin = ''): Promise<KubectlRun> {
  return runKubectl(dir, args, { stdin });
}

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const MANIFESTS = `apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeSelector: {kubernetes.io/hostname: node-1}
  containers:
  - name: shell
    image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
  name: backend
  labels: {app: backend}
spec:
  nodeSelector: {kubernetes.io/hostname: node-2}
  containers:
  - name: a
    image: ${AGNHOST}
    args: [netexec, --http-port=8080, --udp-port=8081]
  - name: b
    image: ${AGNHOST}
    args: [pause]
---
apiVersion: v1
kind: Pod
metadata:
  name: nowhere
spec:
  nodeSelector: {kubernetes.io/hostname: no-such-node}
  containers:
  - name: c
    image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata:
  name: backend
spec:
  selector: {app: backend}
  ports:
  - {name: http, port: 8080, protocol: TCP}
  - {name: udp, port: 8081, protocol: UDP}
`;

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
  cm = await startControllerManager({ natsUrl: nats.url, apiStore: api });
  nodes.push(...(await Promise.all([1, 2].map((i) => startNode({ natsUrl: nats.url, apiStore: api, index: i, address: nodeAddress(i) })))));
  agents.push(...(await Promise.all([1, 2].map((i) => startProxyAgent({ natsUrl: nats.url, apiStore: api, node: `node-${i}` })))));
  writeFileSync(join(dir, 'app.yaml'), MANIFESTS);
  const applied = await kubectl(['apply', '-f', join(dir, 'app.yaml')]);
  expect(applied.code, applied.stderr).toBe(0);
  await eventually('client and backend running', async () => {
    const r = await kubectl(['get', 'pods', 'client', 'backend', '--no-headers']);
    return r.stdout.split('\n').filter((l) => /Running/.test(l)).length === 2 ? true : undefined;
  });
  const svc = (await (await api.fetch('/api/v1/namespaces/default/services/backend')).json()) as Service;
  clusterIP = svc.spec!.clusterIP!;
}, 90_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.process.stop()));
  await Promise.all(nodes.map((n) => n.process.stop()));
  await cm?.process.stop();
  await api?.process.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One exec session spoken by hand over TLS: the handshake, then each of `frames` (client frames),
 * and everything the api-store sends back until it ends the connection, split at the handshake.
 */
function rawExec(query: string, protocol: string, frames: Buffer[]): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: api.port, ca: api.ca });
    const chunks: Buffer[] = [];
    let sent = false;
    socket.on('secureConnect', () =>
      socket.write(
        `GET /api/v1/namespaces/default/pods/client/exec?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${api.token}\r\n` +
          `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      ),
    );
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (!sent && Buffer.concat(chunks).includes('\r\n\r\n')) {
        sent = true;
        for (const f of frames) socket.write(f);
      }
    });
    socket.setTimeout(20_000, () => socket.destroy(new Error('no end of the session')));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const at = all.indexOf('\r\n\r\n') + 4;
      resolve({ head: all.subarray(0, at).toString('latin1'), body: all.subarray(at) });
    });
  });
}

/** A masked client frame with an all-zero key, which leaves the payload as it is. */
const clientFrame = (opcode: number, payload: number[]): Buffer => Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0, ...payload]);
/** An unmasked server frame of a short payload. */
const serverFrame = (opcode: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);

describe('the WebSocket session, byte for byte', { timeout: 60_000 }, () => {
  it('v5: a ping is answered, stdin ends with [255, 0], then stdout (no empty stderr), the Status and a normal close', async () => {
    const r = await rawExec('command=cat&stdin=true&stdout=true&stderr=true', 'v5.channel.k8s.io', [
      clientFrame(0x9, [0x70]),
      clientFrame(0x2, [0x00, 0x61, 0x62]),
      clientFrame(0x2, [0x00, 0x0a]),
      clientFrame(0x2, [0xff, 0x00]),
    ]);
    expect(r.head).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n',
    );
    expect(r.body).toEqual(
      Buffer.concat([
        serverFrame(0xa, Buffer.from([0x70])),
        serverFrame(0x2, Buffer.from([0x01, 0x61, 0x62, 0x0a])),
        serverFrame(0x2, Buffer.concat([Buffer.from([0x03]), Buffer.from('{"metadata":{},"status":"Success"}')])),
        serverFrame(0x8, Buffer.from([0x03, 0xe8])),
      ]),
    );
  });

  it('an unmasked frame ends the session with 1002, and the api-store serves on', async () => {
    const r = await rawExec('command=cat&stdin=true&stdout=true', 'v5.channel.k8s.io', [Buffer.from([0x82, 0x02, 0x00, 0x61])]);
    expect(r.body).toEqual(serverFrame(0x8, Buffer.concat([Buffer.from([0x03, 0xea]), Buffer.from('a client frame must be masked')])));
    expect(await kubectl(['exec', 'client', '--', 'hostname'])).toEqual({ code: 0, stdout: 'client\n', stderr: '' });
  });

  it('a subprotocol kubemu does not speak is refused before the upgrade', async () => {
    const r = await rawExec('command=ls&stdout=true', 'channel.k8s.io', []);
    expect(r.head.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(r.body.toString()).message).toBe('requested protocol(s) are not supported: [channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]');
  });
});

describe('kubectl exec', { timeout: 90_000 }, () => {
  it('curl through the ClusterIP, from node-1 to the pod on node-2', async () => {
    // Until node-1's proxy agent has programmed the Service, the ClusterIP is silent: curl gives up after -m 2.
    await eventually('the ClusterIP answers', async () => {
      const run = await kubectl(['exec', 'client', '--', 'curl', '-s', '-m', '2', `${clusterIP}:8080/hostname`]);
      return run.code === 0 ? run : undefined;
    });
    expect(await kubectl(['exec', 'client', '--', 'curl', '-s', `${clusterIP}:8080/hostname`])).toEqual({ code: 0, stdout: 'backend', stderr: '' });
  });

  it('cat /etc/resolv.conf', async () => {
    const r = await kubectl(['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
    expect(r).toEqual({ code: 0, stdout: 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n', stderr: '' });
  });

  it('stdin with -i: a UDP datagram to the ClusterIP through kube-proxy rules', async () => {
    const r = await eventually('the UDP ClusterIP answers', async () => {
      const run = await kubectl(['exec', '-i', 'client', '--', 'nc', '-u', '-w1', clusterIP, '8081'], 'hostname\n');
      return run.code === 0 && run.stdout !== '' ? run : undefined;
    });
    expect(r).toEqual({ code: 0, stdout: 'backend', stderr: '' });
    // stdin reaches the command whole, and ends it.
    expect(await kubectl(['exec', '-i', 'client', '--', 'cat'], 'one\ntwo\n')).toEqual({ code: 0, stdout: 'one\ntwo\n', stderr: '' });
  });

  it('stdout and stderr stay apart; a failing command gives kubectl its exit code', async () => {
    expect(await kubectl(['exec', 'client', '--', 'sh', '-c', 'echo out; cat /nope'])).toEqual({
      code: 1,
      stdout: 'out\n',
      stderr: 'cat: /nope: No such file or directory\ncommand terminated with exit code 1\n',
    });
    expect(await kubectl(['exec', 'client', '--', 'frobnicate'])).toEqual({
      code: 127,
      stdout: '',
      stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "frobnicate": executable file not found in $PATH: unknown\ncommand terminated with exit code 127\n',
    });
  });

  it('-c chooses the container; kube-apiserver\'s and kubectl\'s errors, whole', async () => {
    expect(await kubectl(['exec', 'backend', '-c', 'b', '--', 'hostname'])).toEqual({ code: 0, stdout: 'backend\n', stderr: '' });
    expect(await kubectl(['exec', 'missing', '--', 'hostname'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "missing" not found\n' });
    expect(await kubectl(['exec', 'backend', '-c', 'nope', '--', 'hostname'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): container nope is not valid for pod backend\n',
    });
    expect(await kubectl(['exec', 'nowhere', '--', 'hostname'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): pod nowhere does not have a host assigned\n',
    });
  });
});
