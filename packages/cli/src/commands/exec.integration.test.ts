// `kubemu exec` against a real nats-server, api-store and two node processes: the command runs on
// the pod's node, inside the pod's network.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStore, startNats, startNode, type ApiStoreHandle, type NatsHandle, type NodeHandle } from '@kubemu/testkit';
import { runCli } from '../cli.js';
import { bufferIO } from '../io.js';
import { renderKubeconfig } from '../kubeconfig.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
const nodes: NodeHandle[] = [];
const dir = mkdtempSync(join(tmpdir(), 'kubemu-exec-'));
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

async function kubemu(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIO({ env: { KUBEMU_STATE_DIR: dir }, cwd: dir });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kubeconfig'), renderKubeconfig(api.url, api.token, api.ca));
  // 127.0.2.N: apart from other suites' nodes on 127.0.1.N.
  for (const index of [1, 2]) nodes.push(await startNode({ natsUrl: nats.url, apiStore: api, index, address: `127.0.2.${index}` }));
  for (const [name, node, args] of [
    ['client', 'node-1', ['netexec']],
    ['server', 'node-2', ['netexec', '--http-port=8080']],
  ] as const) {
    const res = await api.fetch('/api/v1/namespaces/default/pods', {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, containers: [{ name: 'agnhost', image: AGNHOST, args }] } }),
    });
    expect(res.status).toBe(201);
  }
  for (const name of ['client', 'server']) {
    for (let i = 0; i < 200; i++) {
      const pod = (await (await api.fetch(`/api/v1/namespaces/default/pods/${name}`)).json()) as { status?: { phase?: string } };
      if (pod.status?.phase === 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 90_000);

afterAll(async () => {
  for (const n of nodes) await n.process.stop();
  await api?.process.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubemu exec', { timeout: 30_000 }, () => {
  it("reaches a pod on another node, which sees the client pod's IP", async () => {
    expect(await kubemu(['exec', 'server', '--', 'hostname'])).toEqual({ code: 0, stdout: 'server\n', stderr: '' });
    expect(await kubemu(['exec', 'client', '--', 'curl', '-s', 'http://10.244.2.2:8080/hostname'])).toEqual({ code: 0, stdout: 'server', stderr: '' });
    const ip = await kubemu(['exec', 'client', '-n', 'default', '--', 'curl', '-s', '10.244.2.2:8080/clientip']);
    expect(ip.stdout).toMatch(/^10\.244\.1\.2:\d+$/);
  });

  it('passes a failing exit code through as kubectl exec does', async () => {
    const r = await kubemu(['exec', 'client', '--', 'curl', 'http://10.244.2.2:9999/']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^curl: \(7\) Failed to connect to 10\.244\.2\.2 port 9999 after \d+ ms: Couldn't connect to server\ncommand terminated with exit code 7\n$/);
    expect(await kubemu(['exec', 'client', '--', 'cat', '/etc/resolv.conf'])).toEqual({
      code: 0,
      stdout: 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
      stderr: '',
    });
  });

  it('says when the pod does not exist', async () => {
    expect(await kubemu(['exec', 'nope', '--', 'hostname'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });
});
