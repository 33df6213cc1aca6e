// Hand-written kube-proxy payloads for the netfilter tests, in the syntax kube-proxy's full sync
// writes (pkg/proxy/iptables/proxier.go; reference KUBERNETES.md §a.2-a.3). The seed's my-nginx
// NodePort (clusterIP 10.96.107.207, 8080:31589/TCP and 443:30134/TCP, externalTrafficPolicy
// Cluster) with three endpoints, one per node, seen from node-1 (192.168.2.141, pods 10.244.1.0/24,
// cluster CIDR 10.244.0.0/16). Chain names by the hash rule of §a.1.
import { ensureChain, ensureRule } from './ensure.js';
import type { Tables } from './tables.js';

export const NODE_1_IP = '192.168.2.141';
export const NODE_1_LOCAL = [NODE_1_IP, '127.0.0.0/8'];

export const FIXED_FILTER = `*filter
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-FIREWALL - [0:0]
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
`;

export const MY_NGINX_PAYLOAD = `${FIXED_FILTER}COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-EXT-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-SEP-T3XCTAWNF2MSLOSC - [0:0]
:KUBE-SEP-UHOHG3NCCQS26D7F - [0:0]
:KUBE-SEP-KXEQLQ6V6BL25WN7 - [0:0]
:KUBE-SVC-WJQIRF6WKN5OOCTI - [0:0]
:KUBE-EXT-WJQIRF6WKN5OOCTI - [0:0]
:KUBE-SEP-4BMBAEIB6QK2A2QR - [0:0]
:KUBE-SEP-PLBTFZV2TA6SHQZV - [0:0]
:KUBE-SEP-LJILBMGWCIFOYNB4 - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-NODEPORTS -m comment --comment default/my-nginx:http -m tcp -p tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-T3XCTAWNF2MSLOSC
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -m comment --comment "default/my-nginx:https cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 443 -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-NODEPORTS -m comment --comment default/my-nginx:https -m tcp -p tcp --dport 30134 -j KUBE-EXT-WJQIRF6WKN5OOCTI
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.1.2:443" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-4BMBAEIB6QK2A2QR
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.2.2:443" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-PLBTFZV2TA6SHQZV
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.3.2:443" -j KUBE-SEP-LJILBMGWCIFOYNB4
-A KUBE-EXT-WJQIRF6WKN5OOCTI -m comment --comment "masquerade traffic for default/my-nginx:https external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-WJQIRF6WKN5OOCTI -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-SEP-4BMBAEIB6QK2A2QR -m comment --comment default/my-nginx:https -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-4BMBAEIB6QK2A2QR -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:443
-A KUBE-SEP-PLBTFZV2TA6SHQZV -m comment --comment default/my-nginx:https -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-PLBTFZV2TA6SHQZV -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:443
-A KUBE-SEP-LJILBMGWCIFOYNB4 -m comment --comment default/my-nginx:https -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-LJILBMGWCIFOYNB4 -m comment --comment default/my-nginx:https -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:443
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
COMMIT
`;

/** The jump rules kube-proxy installs with EnsureRule(Prepend, …) before a full sync (iptablesJumpChains), in its order. */
const JUMPS: readonly { table: 'filter' | 'nat'; chain: string; from: string; comment: string; extra: readonly string[] }[] = [
  { table: 'filter', chain: 'KUBE-EXTERNAL-SERVICES', from: 'INPUT', comment: 'kubernetes externally-visible service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-EXTERNAL-SERVICES', from: 'FORWARD', comment: 'kubernetes externally-visible service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-NODEPORTS', from: 'INPUT', comment: 'kubernetes health check service ports', extra: [] },
  { table: 'filter', chain: 'KUBE-SERVICES', from: 'FORWARD', comment: 'kubernetes service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-SERVICES', from: 'OUTPUT', comment: 'kubernetes service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-FORWARD', from: 'FORWARD', comment: 'kubernetes forwarding rules', extra: [] },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'INPUT', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'OUTPUT', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'FORWARD', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'nat', chain: 'KUBE-SERVICES', from: 'OUTPUT', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', chain: 'KUBE-SERVICES', from: 'PREROUTING', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', chain: 'KUBE-POSTROUTING', from: 'POSTROUTING', comment: 'kubernetes postrouting rules', extra: [] },
];

export function installJumps(tables: Tables): Tables {
  let t = tables;
  for (const j of JUMPS) {
    t = ensureChain(t, j.table, j.chain).tables;
    t = ensureRule(t, j.table, 'prepend', j.from, [...j.extra, '-m', 'comment', '--comment', j.comment, '-j', j.chain]).tables;
  }
  for (const from of ['INPUT', 'OUTPUT']) {
    t = ensureChain(t, 'filter', 'KUBE-FIREWALL').tables;
    t = ensureRule(t, 'filter', 'append', from, ['-j', 'KUBE-FIREWALL']).tables;
  }
  return t;
}

const NAT_HEADER = `*nat
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
`;

/**
 * node-1's full sync with four services:
 * - my-nginx:http, NodePort 31589, externalTrafficPolicy Cluster, endpoints on all three nodes;
 * - my-nginx-local:http (10.96.50.10:8080, NodePort 31590), externalTrafficPolicy Local, endpoints on node-2 and node-3 only;
 * - no-pods:http (10.96.0.50:80, NodePort 30050) without endpoints;
 * - sticky:http (10.96.0.60:80), sessionAffinity ClientIP (10800 s), endpoints on all three nodes.
 */
export const FOUR_SERVICES_PAYLOAD = `${FIXED_FILTER}-A KUBE-SERVICES -m comment --comment "default/no-pods:http has no endpoints" -m tcp -p tcp -d 10.96.0.50 --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/no-pods:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30050 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/my-nginx-local:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 31590 -j DROP
COMMIT
${NAT_HEADER}:KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-EXT-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-SEP-T3XCTAWNF2MSLOSC - [0:0]
:KUBE-SEP-UHOHG3NCCQS26D7F - [0:0]
:KUBE-SEP-KXEQLQ6V6BL25WN7 - [0:0]
:KUBE-SVC-QQOWKPXDOMUWKR2N - [0:0]
:KUBE-EXT-QQOWKPXDOMUWKR2N - [0:0]
:KUBE-SEP-TXONEM24UHYHLADM - [0:0]
:KUBE-SEP-UGU6GF6CW5PFR2K4 - [0:0]
:KUBE-SVC-T2ECBIYT2WDZZK45 - [0:0]
:KUBE-SEP-EXQJNHOK3QTODG7C - [0:0]
:KUBE-SEP-FI4OF7VRGQQCBPGV - [0:0]
:KUBE-SEP-3I23F77BDT7PXZRO - [0:0]
-A KUBE-SERVICES -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-NODEPORTS -m comment --comment default/my-nginx:http -m tcp -p tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http cluster IP" -m tcp -p tcp -d 10.96.107.207 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-T3XCTAWNF2MSLOSC
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-T3XCTAWNF2MSLOSC -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-UHOHG3NCCQS26D7F -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -m comment --comment default/my-nginx:http -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -m comment --comment "default/my-nginx-local:http cluster IP" -m tcp -p tcp -d 10.96.50.10 --dport 8080 -j KUBE-SVC-QQOWKPXDOMUWKR2N
-A KUBE-NODEPORTS -m comment --comment default/my-nginx-local:http -m tcp -p tcp --dport 31590 -j KUBE-EXT-QQOWKPXDOMUWKR2N
-A KUBE-SVC-QQOWKPXDOMUWKR2N -m comment --comment "default/my-nginx-local:http cluster IP" -m tcp -p tcp -d 10.96.50.10 --dport 8080 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-QQOWKPXDOMUWKR2N -m comment --comment "default/my-nginx-local:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-TXONEM24UHYHLADM
-A KUBE-SVC-QQOWKPXDOMUWKR2N -m comment --comment "default/my-nginx-local:http -> 10.244.3.2:80" -j KUBE-SEP-UGU6GF6CW5PFR2K4
-A KUBE-EXT-QQOWKPXDOMUWKR2N -m comment --comment "pod traffic for default/my-nginx-local:http external destinations" -s 10.244.0.0/16 -j KUBE-SVC-QQOWKPXDOMUWKR2N
-A KUBE-EXT-QQOWKPXDOMUWKR2N -m comment --comment "masquerade LOCAL traffic for default/my-nginx-local:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-QQOWKPXDOMUWKR2N -m comment --comment "route LOCAL traffic for default/my-nginx-local:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-QQOWKPXDOMUWKR2N
-A KUBE-SEP-TXONEM24UHYHLADM -m comment --comment default/my-nginx-local:http -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-TXONEM24UHYHLADM -m comment --comment default/my-nginx-local:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-UGU6GF6CW5PFR2K4 -m comment --comment default/my-nginx-local:http -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-UGU6GF6CW5PFR2K4 -m comment --comment default/my-nginx-local:http -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -m comment --comment "default/sticky:http cluster IP" -m tcp -p tcp -d 10.96.0.60 --dport 80 -j KUBE-SVC-T2ECBIYT2WDZZK45
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http cluster IP" -m tcp -p tcp -d 10.96.0.60 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.1.2:80" -m recent --name KUBE-SEP-EXQJNHOK3QTODG7C --rcheck --seconds 10800 --reap -j KUBE-SEP-EXQJNHOK3QTODG7C
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.2.2:80" -m recent --name KUBE-SEP-FI4OF7VRGQQCBPGV --rcheck --seconds 10800 --reap -j KUBE-SEP-FI4OF7VRGQQCBPGV
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.3.2:80" -m recent --name KUBE-SEP-3I23F77BDT7PXZRO --rcheck --seconds 10800 --reap -j KUBE-SEP-3I23F77BDT7PXZRO
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-EXQJNHOK3QTODG7C
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-FI4OF7VRGQQCBPGV
-A KUBE-SVC-T2ECBIYT2WDZZK45 -m comment --comment "default/sticky:http -> 10.244.3.2:80" -j KUBE-SEP-3I23F77BDT7PXZRO
-A KUBE-SEP-EXQJNHOK3QTODG7C -m comment --comment default/sticky:http -s 10.244.1.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-EXQJNHOK3QTODG7C -m comment --comment default/sticky:http -m recent --name KUBE-SEP-EXQJNHOK3QTODG7C --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-FI4OF7VRGQQCBPGV -m comment --comment default/sticky:http -s 10.244.2.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-FI4OF7VRGQQCBPGV -m comment --comment default/sticky:http -m recent --name KUBE-SEP-FI4OF7VRGQQCBPGV --set -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-3I23F77BDT7PXZRO -m comment --comment default/sticky:http -s 10.244.3.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-3I23F77BDT7PXZRO -m comment --comment default/sticky:http -m recent --name KUBE-SEP-3I23F77BDT7PXZRO --set -m tcp -p tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
COMMIT
`;
