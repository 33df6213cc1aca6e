// kube-proxy's iptables chain names (pkg/proxy/iptables/proxier.go: portProtoHash,
// servicePortPolicyClusterChain, servicePortPolicyLocalChainName, serviceFirewallChainName,
// serviceExternalChainName, servicePortEndpointChainName, isServiceChainName) and the strings they
// hash (pkg/proxy/types.go ServicePortName.String, net.JoinHostPort).
//
// createHash is a pure computation (no I/O), so core may use it.
import { createHash } from 'node:crypto';
import { joinHostPort } from '../api/host-port.js';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';
/** kubelet's anti-martian chain, duplicated by kube-proxy. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';

/** The per-service-port chain kinds; all share one 16-character suffix. */
export type ServicePortChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW';

const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-'] as const;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** encoding/base32 StdEncoding.EncodeToString (RFC 4648, upper case, '=' padding). */
export function base32StdEncode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function hash16(s: string): string {
  const digest = createHash('sha256').update(s, 'utf8').digest();
  return base32StdEncode(digest).slice(0, 16);
}

/** ServicePortName.String(): `ns/name`, plus `:port` only when the port has a name. */
export function servicePortNameString(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

/** net.JoinHostPort: IPv6 hosts in brackets. */
export { joinHostPort };

/** portProtoHash: first 16 characters of base32(sha256(servicePortName + protocol)); protocol lower-case. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

/** KUBE-SVC-, KUBE-SVL-, KUBE-EXT- or KUBE-FW- chain of a service port. */
export function servicePortChainName(kind: ServicePortChainKind, servicePortName: string, protocol: string): string {
  return `KUBE-${kind}-${portProtoHash(servicePortName, protocol)}`;
}

/** KUBE-SEP- chain of one endpoint (`IP:port`) of a service port. */
export function servicePortEndpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(servicePortName + protocol + endpoint)}`;
}

/** Chains kube-proxy owns per service and deletes when stale. */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
