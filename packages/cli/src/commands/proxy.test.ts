// `kubemu proxy render|trace` on the seed's my-nginx (three endpoints, one per node) seen from
// node-1, with whole expected outputs. Expected payloads follow proxier.go's emission order
// (reference KUBERNETES.md §a.2-a.3); trace rules are iptables-save's form of each matched rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { bufferIO } from '../io.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = `apiVersion: v1
kind: Service
metadata:
  name: my-nginx
spec:
  type: NodePort
  clusterIP: 10.96.107.207
  ports:
  - {name: http, port: 8080, targetPort: 80, nodePort: 31589, protocol: TCP}
  - {name: https, port: 443, nodePort: 30134, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: my-nginx-x7k2p
  labels: {kubernetes.io/service-name: my-nginx}
addressType: IPv4
ports:
- {name: http, port: 80, protocol: TCP}
- {name: https, port: 443, protocol: TCP}
endpoints:
- {addresses: [10.244.1.2], conditions: {ready: true}, nodeName: node-1}
- {addresses: [10.244.2.2], conditions: {ready: true}, nodeName: node-2}
- {addresses: [10.244.3.2], conditions: {ready: true}, nodeName: node-3}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24]}
status:
  addresses:
  - {type: InternalIP, address: 192.168.2.141}
  - {type: Hostname, address: node-1}
`;

const MORE = `apiVersion: v1
kind: Service
metadata: {name: my-nginx-local}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  clusterIP: 10.96.50.10
  ports:
  - {name: http, port: 8080, targetPort: 80, nodePort: 31590, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: my-nginx-local-abcde
  labels: {kubernetes.io/service-name: my-nginx-local}
addressType: IPv4
ports:
- {name: http, port: 80, protocol: TCP}
endpoints:
- {addresses: [10.244.2.2], conditions: {ready: true}, nodeName: node-2}
- {addresses: [10.244.3.2], conditions: {ready: true}, nodeName: node-3}
---
apiVersion: v1
kind: Service
metadata: {name: no-pods}
spec:
  clusterIP: 10.96.0.50
  ports:
  - {name: http, port: 80, protocol: TCP}
`;

const CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clusterCIDR: 10.244.0.0/16
`;

for (const [name, text] of [['seed.yaml', SEED], ['more.yaml', MORE], ['kube-proxy.yaml', CONFIG]]) writeFileSync(join(dir, name), text);

async function kubemu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIO({ cwd: dir });
  const code = await runCli(['proxy', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const NODE_1 = ['-f', join(dir, 'seed.yaml'), '-f', join(dir, 'more.yaml'), '--node', 'node-1', '--config', join(dir, 'kube-proxy.yaml')];

async function trace(src: string, dst: string, dport: number): Promise<unknown> {
  const r = await kubemu(['trace', ...NODE_1, '--src', src, '--dst', dst, '--dport', String(dport), '--json']);
  expect([r.code, r.stderr, r.stdout.split('\n').length]).toEqual([0, '', 2]);
  return JSON.parse(r.stdout);
}

describe('kubemu proxy render', () => {
  it("prints node-1's full-sync restore payload for the seed", async () => {
    const r = await kubemu(['render', '-f', join(dir, 'seed.yaml'), '--node', 'node-1', '--config', join(dir, 'kube-proxy.yaml')]);
    expect(r).toEqual({ code: 0, stderr: '', stdout: RENDERED });
  });

  it('--node-ip stands in for a Node manifest; without either the node has no address', async () => {
    const withIP = await kubemu(['render', '-f', join(dir, 'seed.yaml'), '--node', 'node-9', '--node-ip', '192.168.2.141', '--config', join(dir, 'kube-proxy.yaml')]);
    expect(withIP.code).toBe(0);
    const without = await kubemu(['render', '-f', join(dir, 'seed.yaml'), '--node', 'node-9']);
    expect(without).toEqual({ code: 1, stdout: '', stderr: 'error: node "node-9" has no address: give --node-ip or a Node manifest with status.addresses\n' });
  });
});

describe('kubemu proxy trace --json', () => {
  it('NodePort from outside, externalTrafficPolicy Cluster: every endpoint in rule order, masqueraded', async () => {
    expect(await trace('203.0.113.7', '192.168.2.141', 31589)).toEqual({
      verdict: 'DNAT',
      targets: ['10.244.1.2:80', '10.244.2.2:80', '10.244.3.2:80'],
      masquerade: true,
      rules: [
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4',
        '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ',
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4',
        '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-T3XCTAWNF2MSLOSC',
        '-A KUBE-SEP-T3XCTAWNF2MSLOSC -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.1.2:80',
        '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
        '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
        '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F',
        '-A KUBE-SEP-UHOHG3NCCQS26D7F -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.2.2:80',
        '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7',
        '-A KUBE-SEP-KXEQLQ6V6BL25WN7 -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.3.2:80',
      ],
    });
  });

  it('NodePort, externalTrafficPolicy Local, no endpoint on this node: DROP', async () => {
    expect(await trace('203.0.113.7', '192.168.2.141', 31590)).toEqual({
      verdict: 'DROP',
      targets: [],
      masquerade: false,
      rules: [
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx-local:http" -m tcp --dport 31590 -j KUBE-EXT-QQOWKPXDOMUWKR2N',
        '-A INPUT -j KUBE-FIREWALL',
        '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
        '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
        '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/my-nginx-local:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31590 -j DROP',
      ],
    });
  });

  it('ClusterIP of a Service without endpoints: REJECT', async () => {
    expect(await trace('10.244.1.7', '10.96.0.50', 80)).toEqual({
      verdict: 'REJECT',
      targets: [],
      masquerade: false,
      rules: [
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
        '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
        '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A KUBE-SERVICES -d 10.96.0.50/32 -p tcp -m comment --comment "default/no-pods:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
      ],
    });
  });
});

const RENDERED = `*filter
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-FIREWALL - [0:0]
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x00004000/0x00004000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-EXT-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-SEP-T3XCTAWNF2MSLOSC - [0:0]
:KUBE-SEP-UHOHG3NCCQS26D7F - [0:0]
:KUBE-SEP-KXEQLQ6V6BL25WN7 - [0:0]
:KUBE-EXT-WJQIRF6WKN5OOCTI - [0:0]
:KUBE-SVC-WJQIRF6WKN5OOCTI - [0:0]
:KUBE-SEP-4BMBAEIB6QK2A2QR - [0:0]
:KUBE-SEP-PLBTFZV2TA6SHQZV - [0:0]
:KUBE-SEP-LJILBMGWCIFOYNB4 - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000
-A KUBE-SERVICES -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-NODEPORTS -m comment --comment default/my-nginx:http -m tcp -p tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-T3XCTAWNF2MSLOSC
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -m comment --comment "default/my-nginx:https cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 443 -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-NODEPORTS -m comment --comment default/my-nginx:https -m tcp -p tcp --dport 30134 -j KUBE-EXT-WJQIRF6WKN5OOCTI
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-WJQIRF6WKN5OOCTI -m comment --comment "masquerade traffic for default/my-nginx:https external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-WJQIRF6WKN5OOCTI -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.1.2:443" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-4BMBAEIB6QK2A2QR
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.2.2:443" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-PLBTFZV2TA6SHQZV
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.3.2:443" -j KUBE-SEP-LJILBMGWCIFOYNB4
-A KUBE-SEP-4BMBAEIB6QK2A2QR -m comment --comment default/my-nginx:https -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-4BMBAEIB6QK2A2QR -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:443
-A KUBE-SEP-PLBTFZV2TA6SHQZV -m comment --comment default/my-nginx:https -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-PLBTFZV2TA6SHQZV -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:443
-A KUBE-SEP-LJILBMGWCIFOYNB4 -m comment --comment default/my-nginx:https -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-LJILBMGWCIFOYNB4 -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:443
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
COMMIT
`;
