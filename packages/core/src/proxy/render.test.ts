// Whole restore payloads for kubemu's own scenarios, written from KUBERNETES.md §a and proxier.go.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../api/types.js';
import { defaultProxyConfig, type ProxyConfig } from './config.js';
import { checkIPTablesRuleJumps } from './normalize.js';
import { computeProbability, jumpRules, renderFullSync, type ProxyNode } from './render.js';

const cfg = defaultProxyConfig({ clusterCIDRs: ['10.244.0.0/16'] });
const node2: ProxyNode = { name: 'node-2', ips: ['127.0.1.2'] };
const M = '0x00004000';

function myNginx(extra: Service['spec'] = {}): Service {
  return {
    metadata: { namespace: 'default', name: 'my-nginx' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.107.207',
      externalTrafficPolicy: 'Cluster',
      ports: [
        { name: 'http', port: 8080, targetPort: 80, protocol: 'TCP', nodePort: 31589 },
        { name: 'https', port: 443, targetPort: 443, protocol: 'TCP', nodePort: 30134 },
      ],
      ...extra,
    },
  };
}
function slice(ns: string, svc: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'], name = `${svc}-abcde`): EndpointSlice {
  return { metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4', endpoints, ports };
}
const nginxSlice = slice(
  'default',
  'my-nginx',
  [
    { addresses: ['10.244.1.2'], nodeName: 'node-1', conditions: { ready: true } },
    { addresses: ['10.244.2.2'], nodeName: 'node-2', conditions: { ready: true } },
    { addresses: ['10.244.3.2'], nodeName: 'node-3', conditions: { ready: true } },
  ],
  [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }],
);

/** The fixed frame of every payload around the per-service lines (proxier.go syncProxyRules). */
function frame(p: { filterRules?: string[]; natChains?: string[]; natRules?: string[]; tail?: string[]; localhostNodePorts?: boolean }): string {
  const lhnp = p.localhostNodePorts ?? true;
  return [
    '*filter',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-EXTERNAL-SERVICES - [0:0]',
    ':KUBE-FORWARD - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-PROXY-FIREWALL - [0:0]',
    ...(lhnp
      ? [
          ':KUBE-FIREWALL - [0:0]',
          '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
        ]
      : []),
    ...(p.filterRules ?? []),
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${M}/${M} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT',
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    ...(p.natChains ?? []).map((c) => `:${c} - [0:0]`),
    `-A KUBE-POSTROUTING -m mark ! --mark ${M}/${M} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${M}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${M}`,
    ...(p.natRules ?? []),
    ...(p.tail ?? [
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]),
    'COMMIT',
    '',
  ].join('\n');
}

function render(services: Service[], slices: EndpointSlice[], node: ProxyNode = node2, config: ProxyConfig = cfg): string {
  const out = renderFullSync(services, slices, node, config);
  expect(checkIPTablesRuleJumps(out)).toBeUndefined();
  return out;
}

const HTTP = 'SV7AMNAGZFKZEMQ4';
const HTTPS = 'WJQIRF6WKN5OOCTI';
const nginxSEPs = (port: 'http' | 'https', S: string, targetPort: number, seps: [string, string, string]) =>
  ['10.244.1.2', '10.244.2.2', '10.244.3.2'].flatMap((ip, i) => [
    `-A KUBE-SEP-${seps[i]} -m comment --comment ${S} -s ${ip} -j KUBE-MARK-MASQ`,
    `-A KUBE-SEP-${seps[i]} -m comment --comment ${S} -m tcp -p tcp -j DNAT --to-destination ${ip}:${targetPort}`,
  ]);
const HTTP_SEPS: [string, string, string] = ['T3XCTAWNF2MSLOSC', 'UHOHG3NCCQS26D7F', 'KXEQLQ6V6BL25WN7'];
const HTTPS_SEPS: [string, string, string] = ['4BMBAEIB6QK2A2QR', 'PLBTFZV2TA6SHQZV', 'LJILBMGWCIFOYNB4'];

function nginxPort(port: 'http' | 'https', local: boolean): { chains: string[]; rules: string[] } {
  const [H, svcPort, target, nodePort, seps] =
    port === 'http' ? [HTTP, 8080, 80, 31589, HTTP_SEPS] : [HTTPS, 443, 443, 30134, HTTPS_SEPS];
  const S = `default/my-nginx:${port}`;
  const ips = ['10.244.1.2', '10.244.2.2', '10.244.3.2'];
  return {
    chains: [`KUBE-EXT-${H}`, `KUBE-SVC-${H}`, ...(local ? [`KUBE-SVL-${H}`] : []), ...seps.map((s) => `KUBE-SEP-${s}`)],
    rules: [
      `-A KUBE-SERVICES -m comment --comment "${S} cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport ${svcPort} -j KUBE-SVC-${H}`,
      `-A KUBE-NODEPORTS -m comment --comment ${S} -m tcp -p tcp --dport ${nodePort} -j KUBE-EXT-${H}`,
      `-A KUBE-SVC-${H} -m comment --comment "${S} cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport ${svcPort} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
      ...(local
        ? [
            `-A KUBE-EXT-${H} -m comment --comment "pod traffic for ${S} external destinations" -s 10.244.0.0/16 -j KUBE-SVC-${H}`,
            `-A KUBE-EXT-${H} -m comment --comment "masquerade LOCAL traffic for ${S} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
            `-A KUBE-EXT-${H} -m comment --comment "route LOCAL traffic for ${S} external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-${H}`,
            `-A KUBE-EXT-${H} -j KUBE-SVL-${H}`,
          ]
        : [
            `-A KUBE-EXT-${H} -m comment --comment "masquerade traffic for ${S} external destinations" -j KUBE-MARK-MASQ`,
            `-A KUBE-EXT-${H} -j KUBE-SVC-${H}`,
          ]),
      `-A KUBE-SVC-${H} -m comment --comment "${S} -> ${ips[0]}:${target}" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-${seps[0]}`,
      `-A KUBE-SVC-${H} -m comment --comment "${S} -> ${ips[1]}:${target}" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-${seps[1]}`,
      `-A KUBE-SVC-${H} -m comment --comment "${S} -> ${ips[2]}:${target}" -j KUBE-SEP-${seps[2]}`,
      ...(local ? [`-A KUBE-SVL-${H} -m comment --comment "${S} -> 10.244.2.2:${target}" -j KUBE-SEP-${seps[1]}`] : []),
      ...nginxSEPs(port, S, target, seps),
    ],
  };
}

describe("the seed's my-nginx NodePort, 3 endpoints on 3 nodes, rendered on node-2", () => {
  it('externalTrafficPolicy Cluster: NodePort → EXT (masquerade) → SVC, probabilities 1/3 then 1/2', () => {
    const http = nginxPort('http', false);
    const https = nginxPort('https', false);
    expect(render([myNginx()], [nginxSlice])).toBe(
      frame({ natChains: [...http.chains, ...https.chains], natRules: [...http.rules, ...https.rules] }),
    );
  });

  it('externalTrafficPolicy Local: EXT short-circuits pods and the node to SVC, others to SVL (the local endpoint only)', () => {
    const http = nginxPort('http', true);
    const https = nginxPort('https', true);
    expect(render([myNginx({ externalTrafficPolicy: 'Local' })], [nginxSlice])).toBe(
      frame({ natChains: [...http.chains, ...https.chains], natRules: [...http.rules, ...https.rules] }),
    );
  });

  it('externalTrafficPolicy Local on a node without a local endpoint: EXT has no fall-through; filter DROPs external traffic', () => {
    const S = 'default/my-nginx:http';
    const svc = myNginx({ externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 8080, targetPort: 80, protocol: 'TCP', nodePort: 31589 }] });
    const onlyHttp = { ...nginxSlice, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };
    expect(render([svc], [onlyHttp], { name: 'node-4', ips: ['127.0.1.4'] })).toBe(
      frame({
        filterRules: [
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment "${S} has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 31589 -j DROP`,
        ],
        natChains: [`KUBE-EXT-${HTTP}`, `KUBE-SVC-${HTTP}`, ...HTTP_SEPS.map((s) => `KUBE-SEP-${s}`)],
        natRules: nginxPort('http', true).rules.filter((r) => !r.includes('KUBE-SVL-')),
      }),
    );
  });
});

describe('other Service shapes', () => {
  const ep = (ip: string, nodeName?: string, conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }) => ({
    addresses: [ip],
    ...(nodeName === undefined ? {} : { nodeName }),
    ...(conditions === undefined ? {} : { conditions }),
  });
  const web = (spec: Service['spec'], status?: Service['status']): Service => ({
    metadata: { namespace: 'ns', name: 'web' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }], ...spec },
    status,
  });
  const webSlice = (...eps: ReturnType<typeof ep>[]) => slice('ns', 'web', eps, [{ name: '', port: 8080, protocol: 'TCP' }]);
  // Unnamed port: the service port name is "ns/web" (no trailing colon).
  const H = '2E3CGTP4Q4OVWDQZ'; // portProtoHash('ns/web', 'tcp')

  it('no endpoints: REJECT in filter for the cluster IP, external IPs, LB IPs and the NodePort; no nat chains', () => {
    const svc = web(
      { type: 'LoadBalancer', externalIPs: ['192.168.99.11'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    );
    const c = '"ns/web has no endpoints"';
    expect(render([svc], [])).toBe(
      frame({
        filterRules: [
          `-A KUBE-SERVICES -m comment --comment ${c} -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT`,
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${c} -m tcp -p tcp -d 192.168.99.11 --dport 80 -j REJECT`,
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${c} -m tcp -p tcp -d 1.2.3.4 --dport 80 -j REJECT`,
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${c} -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30001 -j REJECT`,
        ],
      }),
    );
  });

  it('not-ready endpoints only count as none', () => {
    const out = render([web({})], [webSlice(ep('10.244.1.5', 'node-1', { ready: false, serving: false, terminating: false }))]);
    expect(out).toContain('-A KUBE-SERVICES -m comment --comment "ns/web has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT\n');
    expect(out).not.toContain('KUBE-SVC-');
  });

  it('externalIPs on a ClusterIP Service, session affinity ClientIP, endpoints sorted as strings', () => {
    const svc = web({ externalIPs: ['80.11.12.10'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } });
    const out = render([svc], [webSlice(ep('10.0.0.2'), ep('10.0.0.10'))]);
    const [sepA, sepB] = ['10.0.0.10', '10.0.0.2'].map((ip) => /-j (KUBE-SEP-\S+)/.exec(out.split('\n').find((l) => l.includes(`"ns/web -> ${ip}:8080" -m statistic`) || l.includes(`"ns/web -> ${ip}:8080" -j`))!)![1]);
    expect(out).toBe(
      frame({
        natChains: [`KUBE-EXT-${H}`, `KUBE-SVC-${H}`, sepA!, sepB!],
        natRules: [
          `-A KUBE-SERVICES -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVC-${H}`,
          `-A KUBE-SERVICES -m comment --comment "ns/web external IP" -m tcp -p tcp -d 80.11.12.10 --dport 80 -j KUBE-EXT-${H}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
          `-A KUBE-EXT-${H} -m comment --comment "masquerade traffic for ns/web external destinations" -j KUBE-MARK-MASQ`,
          `-A KUBE-EXT-${H} -j KUBE-SVC-${H}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.0.0.10:8080" -m recent --name ${sepA} --rcheck --seconds 600 --reap -j ${sepA}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.0.0.2:8080" -m recent --name ${sepB} --rcheck --seconds 600 --reap -j ${sepB}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.0.0.10:8080" -m statistic --mode random --probability 0.5000000000 -j ${sepA}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.0.0.2:8080" -j ${sepB}`,
          `-A ${sepA} -m comment --comment ns/web -s 10.0.0.10 -j KUBE-MARK-MASQ`,
          `-A ${sepA} -m comment --comment ns/web -m recent --name ${sepA} --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.10:8080`,
          `-A ${sepB} -m comment --comment ns/web -s 10.0.0.2 -j KUBE-MARK-MASQ`,
          `-A ${sepB} -m comment --comment ns/web -m recent --name ${sepB} --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.2:8080`,
        ],
      }),
    );
  });

  it('LoadBalancer with loadBalancerSourceRanges: KUBE-FW per range, node-IP range also admits the LB IP as source, KUBE-PROXY-FIREWALL drop', () => {
    const svc = web(
      { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }], loadBalancerSourceRanges: ['203.0.113.0/25', ' 127.0.1.0/24 '] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example' }] } },
    );
    const out = render([svc], [webSlice(ep('10.244.1.5', 'node-1'))]);
    const sep = /:(KUBE-SEP-\S+) /.exec(out)![1]!;
    expect(out).toBe(
      frame({
        filterRules: [
          `-A KUBE-PROXY-FIREWALL -m comment --comment "ns/web traffic not accepted by KUBE-FW-${H}" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP`,
        ],
        natChains: [`KUBE-EXT-${H}`, `KUBE-FW-${H}`, `KUBE-SVC-${H}`, sep],
        natRules: [
          `-A KUBE-SERVICES -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVC-${H}`,
          `-A KUBE-SERVICES -m comment --comment "ns/web loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-FW-${H}`,
          `-A KUBE-NODEPORTS -m comment --comment ns/web -m tcp -p tcp --dport 30001 -j KUBE-EXT-${H}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
          `-A KUBE-EXT-${H} -m comment --comment "masquerade traffic for ns/web external destinations" -j KUBE-MARK-MASQ`,
          `-A KUBE-EXT-${H} -j KUBE-SVC-${H}`,
          `-A KUBE-FW-${H} -m comment --comment "ns/web loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-${H}`,
          `-A KUBE-FW-${H} -m comment --comment "ns/web loadbalancer IP" -s 127.0.1.0/24 -j KUBE-EXT-${H}`,
          `-A KUBE-FW-${H} -m comment --comment "ns/web loadbalancer IP" -s 1.2.3.4 -j KUBE-EXT-${H}`,
          `-A KUBE-FW-${H} -m comment --comment "other traffic to ns/web will be dropped by KUBE-PROXY-FIREWALL"`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.244.1.5:8080" -j ${sep}`,
          `-A ${sep} -m comment --comment ns/web -s 10.244.1.5 -j KUBE-MARK-MASQ`,
          `-A ${sep} -m comment --comment ns/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        ],
      }),
    );
  });

  it('LoadBalancer eTP Local: healthCheckNodePort ACCEPT in filter KUBE-NODEPORTS whether or not endpoints are local', () => {
    const svc = web(
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    );
    const out = render([svc], [webSlice(ep('10.244.1.5', 'node-1'))]);
    const filter = out.slice(0, out.indexOf('*nat'));
    expect(filter.split('\n').filter((l) => l.startsWith('-A KUBE-NODEPORTS') || l.startsWith('-A KUBE-EXTERNAL'))).toEqual([
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/web has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP',
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/web has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30001 -j DROP',
      '-A KUBE-NODEPORTS -m comment --comment "ns/web health check node port" -m tcp -p tcp --dport 32000 -j ACCEPT',
    ]);
  });

  it('internalTrafficPolicy Local: cluster IP → KUBE-SVL with the local endpoint; without one, filter DROP "has no local endpoints"', () => {
    const svc = web({ internalTrafficPolicy: 'Local' });
    const withLocal = render([svc], [webSlice(ep('10.244.1.5', 'node-1'), ep('10.244.2.5', 'node-2'))]);
    const sep = /:(KUBE-SEP-\S+) /.exec(withLocal)![1]!;
    expect(withLocal).toBe(
      frame({
        natChains: [`KUBE-SVL-${H}`, sep],
        natRules: [
          `-A KUBE-SERVICES -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVL-${H}`,
          `-A KUBE-SVL-${H} -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
          `-A KUBE-SVL-${H} -m comment --comment "ns/web -> 10.244.2.5:8080" -j ${sep}`,
          `-A ${sep} -m comment --comment ns/web -s 10.244.2.5 -j KUBE-MARK-MASQ`,
          `-A ${sep} -m comment --comment ns/web -m tcp -p tcp -j DNAT --to-destination 10.244.2.5:8080`,
        ],
      }),
    );
    expect(render([svc], [webSlice(ep('10.244.1.5', 'node-1'))])).toBe(
      frame({
        filterRules: ['-A KUBE-SERVICES -m comment --comment "ns/web has no local endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j DROP'],
      }),
    );
  });

  it('terminating fallback: with no ready endpoint, serving+terminating ones are used; not-serving ones never', () => {
    const out = render(
      [web({})],
      [
        webSlice(
          ep('10.244.1.5', 'node-1', { ready: false, serving: true, terminating: true }),
          ep('10.244.1.6', 'node-1', { ready: false, serving: false, terminating: true }),
        ),
      ],
    );
    const sep = /:(KUBE-SEP-\S+) /.exec(out)![1]!;
    expect(out).toBe(
      frame({
        natChains: [`KUBE-SVC-${H}`, sep],
        natRules: [
          `-A KUBE-SERVICES -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-SVC-${H}`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
          `-A KUBE-SVC-${H} -m comment --comment "ns/web -> 10.244.1.5:8080" -j ${sep}`,
          `-A ${sep} -m comment --comment ns/web -s 10.244.1.5 -j KUBE-MARK-MASQ`,
          `-A ${sep} -m comment --comment ns/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        ],
      }),
    );
    // A ready endpoint anywhere takes precedence over the terminating one.
    const mixed = render([web({})], [webSlice(ep('10.244.1.5', 'node-1', { ready: false, serving: true, terminating: true }), ep('10.244.3.1', 'node-3'))]);
    expect(mixed).toContain('--to-destination 10.244.3.1:8080');
    expect(mixed).not.toContain('--to-destination 10.244.1.5:8080');
  });

  it('headless and ExternalName Services produce no rules at all', () => {
    const headless = web({ clusterIP: 'None' });
    const external: Service = { metadata: { namespace: 'ns', name: 'db' }, spec: { type: 'ExternalName', externalName: 'my.database.example.com' } };
    expect(render([headless, external], [webSlice(ep('10.244.1.5'))])).toBe(frame({}));
  });

  it('masqueradeAll drops the "! -s podCIDR"; no clusterCIDR means no masquerade rule and no pod short-circuit', () => {
    const all = render([web({})], [webSlice(ep('10.244.1.5'))], node2, { ...cfg, masqueradeAll: true });
    expect(all).toContain(`-A KUBE-SVC-${H} -m comment --comment "ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-MARK-MASQ\n`);
    const none = render([web({})], [webSlice(ep('10.244.1.5'))], node2, defaultProxyConfig());
    expect(none).not.toContain('"ns/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s');
    expect(none.split('\n').filter((l) => l.startsWith(`-A KUBE-SVC-${H}`))).toHaveLength(1);
    const nodeCIDR = render([web({})], [webSlice(ep('10.244.1.5'))], { ...node2, podCIDRs: ['10.244.2.0/24'] }, { ...cfg, detectLocalMode: 'NodeCIDR' });
    expect(nodeCIDR).toContain('--dport 80 ! -s 10.244.2.0/24 -j KUBE-MARK-MASQ\n');
  });

  it('localhostNodePorts false: no KUBE-FIREWALL, tail rule excludes 127.0.0.0/8', () => {
    expect(render([], [], node2, { ...cfg, localhostNodePorts: false })).toBe(
      frame({
        localhostNodePorts: false,
        tail: [
          '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS',
        ],
      }),
    );
  });

  it('nodePortAddresses: one tail rule per matching node address; without 127.0.0.1 in range localhost NodePorts are off', () => {
    const node = { name: 'node-2', ips: ['192.168.0.2', '192.168.1.2', '10.1.2.3'] };
    expect(render([], [], node, { ...cfg, nodePortAddresses: ['192.168.0.0/16'] })).toBe(
      frame({
        localhostNodePorts: false,
        tail: ['192.168.0.2', '192.168.1.2'].map(
          (ip) => `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d ${ip} -j KUBE-NODEPORTS`,
        ),
      }),
    );
    expect(render([], [], node, { ...cfg, nodePortAddresses: ['127.0.0.0/8', '10.0.0.0/8'] })).toBe(
      frame({
        tail: ['10.1.2.3', '127.0.0.1'].map(
          (ip) => `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d ${ip} -j KUBE-NODEPORTS`,
        ),
      }),
    );
    const primary = render([], [], node, { ...cfg, nodePortAddresses: ['primary'] });
    expect(primary).toContain('-d 192.168.0.2 -j KUBE-NODEPORTS\nCOMMIT\n');
  });

  it('--random-fully and a liberal conntrack follow the node features', () => {
    const out = renderFullSync([], [], node2, cfg, { features: { randomFully: true, conntrackTCPLiberal: true } });
    expect(out).toContain('"kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully\n');
    expect(out).not.toContain('--ctstate INVALID');
  });

  it('stale service chains the node holds are flushed and deleted; foreign chains are left alone', () => {
    const out = renderFullSync([], [], node2, cfg, { existingNatChains: ['KUBE-SVC-OLD', 'KUBE-SEP-OLD', 'CNI-HOSTPORT-DNAT', 'KUBE-SERVICES'] });
    expect(out).toBe(
      frame({ natChains: ['KUBE-SEP-OLD', 'KUBE-SVC-OLD'], tail: ['-X KUBE-SEP-OLD', '-X KUBE-SVC-OLD', frame({}).split('\n').at(-3)!] }),
    );
  });
});

describe('computeProbability (TestComputeProbability)', () => {
  it.each([
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [10, '0.1000000000'],
    [100, '0.0100000000'],
    [1000, '0.0010000000'],
    [10000, '0.0001000000'],
    [100000, '0.0000100000'],
    [100001, '0.0000099999'],
  ])('%i → %s', (n, p) => expect(computeProbability(n)).toBe(p));
});

describe('jumpRules', () => {
  it('lists the EnsureRule(Prepend) jumps in the order kube-proxy ensures them', () => {
    expect(jumpRules().map((j) => `${j.table} ${j.rule}`)).toEqual([
      'filter -A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      'filter -A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      'filter -A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      'filter -A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      'filter -A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      'filter -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      'filter -A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      'filter -A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      'filter -A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      'nat -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      'nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      'nat -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      'filter -A INPUT -j KUBE-FIREWALL',
      'filter -A OUTPUT -j KUBE-FIREWALL',
    ]);
  });
});
