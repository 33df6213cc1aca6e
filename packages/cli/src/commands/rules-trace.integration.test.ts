// `kubemu rules` and `kubemu trace` against a real nats-server, api-store and node process whose
// netfilter is programmed with kube-proxy's full-sync payload for the seed's my-nginx Service.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProxyConfig, jumpRules, netfilter, renderFullSync, type EndpointSlice, type Service } from '@kubemu/core';
import { startApiStore, startNats, startNode, type ApiStoreHandle, type NatsHandle, type NodeHandle } from '@kubemu/testkit';
import { runCli } from '../cli.js';
import { bufferIO } from '../io.js';
import { renderKubeconfig } from '../kubeconfig.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
let node: NodeHandle;
let service: Service;
const dir = mkdtempSync(join(tmpdir(), 'kubemu-rules-'));

async function kubemu(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIO({ env: { KUBEMU_STATE_DIR: dir }, cwd: dir });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function nodeApi(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${node.url}${path}`, { method, headers: { Authorization: `Bearer ${api.token}` }, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), renderKubeconfig(api.url, api.token, api.ca));
  // 127.0.4.1: apart from other suites' nodes.
  node = await startNode({ natsUrl: nats.url, apiStore: api, index: 1, address: '127.0.4.1' });
  const res = await api.fetch('/api/v1/namespaces/default/services', {
    method: 'POST',
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-nginx' },
      spec: { type: 'NodePort', ports: [{ port: 8080, targetPort: 80, protocol: 'TCP', name: 'http' }], selector: { app: 'nginx' } },
    }),
  });
  expect(res.status).toBe(201);
  service = (await res.json()) as Service;
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'my-nginx-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true }, nodeName: 'node-1' }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  } as EndpointSlice;
  const ensure = jumpRules().map((j) => ({ table: j.table, position: 'prepend', chain: j.chain, args: netfilter.splitRestoreLine(j.rule).slice(2) }));
  expect((await nodeApi('POST', '/netfilter/ensure', JSON.stringify(ensure))).status).toBe(200);
  const payload = renderFullSync([service], [slice], { name: 'node-1', ips: [node.address], podCIDRs: [node.podCIDR] }, defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] }));
  expect((await nodeApi('POST', '/netfilter/restore', payload)).status).toBe(200);
}, 90_000);

afterAll(async () => {
  await node?.process.stop();
  await api?.process.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubemu rules', { timeout: 30_000 }, () => {
  it("prints the node's iptables-save, whole or one table", async () => {
    const saved = (await nodeApi('GET', '/netfilter/save')).text;
    expect(saved).toContain('-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -j KUBE-SEP-T3XCTAWNF2MSLOSC\n');
    expect(await kubemu(['rules', 'node-1'])).toEqual({ code: 0, stdout: saved, stderr: '' });
    expect(await kubemu(['rules', 'node-1', '--table', 'nat'])).toEqual({ code: 0, stdout: (await nodeApi('GET', '/netfilter/save?table=nat')).text, stderr: '' });
    expect(await kubemu(['rules', 'node-9'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): nodes "node-9" not found\n' });
  });
});

describe('kubemu trace', { timeout: 30_000 }, () => {
  it('prints each matched rule and the verdict; --json the trace object', async () => {
    const nodePort = service.spec!.ports![0]!.nodePort!;
    const argv = ['trace', '--node', 'node-1', '--src', '203.0.113.7', '--dst', '127.0.4.1', '--dport', String(nodePort)];
    expect(await kubemu(argv)).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport ${nodePort} -j KUBE-EXT-SV7AMNAGZFKZEMQ4`,
        '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ',
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4',
        '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -j KUBE-SEP-T3XCTAWNF2MSLOSC',
        '-A KUBE-SEP-T3XCTAWNF2MSLOSC -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.1.2:80',
        '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
        '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
        'verdict: DNAT to 10.244.1.2:80 (masqueraded)',
        '',
      ].join('\n'),
    });
    const json = await kubemu([...argv, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'DNAT', targets: ['10.244.1.2:80'], masquerade: true });
    expect(await kubemu(['trace', '--node', 'node-1', '--src', '203.0.113.7', '--dst', '127.0.4.1'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: required flag \"dport\" not set\nSee 'kubemu trace --help' for usage.\n",
    });
  });
});
