// The node as kube-proxy sees it: its name, the addresses it holds (InternalIP first, as
// cmd/kube-proxy's detectNodeIPs prefers it) and its podCIDRs (detectLocalMode NodeCIDR).
import type { Node } from '../api/types.js';
import type { ProxyNode } from '../proxy/render.js';

/** kube-proxy takes its primary IP from the Node's addresses: InternalIP, then ExternalIP (pkg/util/node GetNodeHostIPs). */
const ADDRESS_PREFERENCE = ['InternalIP', 'ExternalIP'];

/** The ProxyNode of `name`: `extraIPs` first when given (the --node-ip flags), else the Node object's addresses. */
export function proxyNodeOf(name: string, node: Node | undefined, extraIPs: readonly string[] = []): ProxyNode {
  const ips: string[] = [...extraIPs];
  if (ips.length === 0) {
    for (const type of ADDRESS_PREFERENCE) {
      for (const a of node?.status?.addresses ?? []) if (a.type === type && a.address && !ips.includes(a.address)) ips.push(a.address);
    }
  }
  const podCIDRs = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
  return { name, ips, ...(podCIDRs.length > 0 ? { podCIDRs: [...podCIDRs] } : {}) };
}

/**
 * What `-m addrtype --dst-type LOCAL` matches on the node: its addresses, and loopback, which
 * every Linux node holds (127.0.0.1 is always LOCAL).
 */
export function nodeLocalAddresses(node: ProxyNode): string[] {
  return [...new Set([...node.ips, '127.0.0.1'])];
}
