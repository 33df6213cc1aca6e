// Pod IPs from the node's podCIDR, as the host-local IPAM plugin hands them out
// (containernetworking/plugins plugins/ipam/host-local/backend/allocator/allocator.go): the
// network address and the gateway (.1, the node's bridge address) are never given out, nor the
// broadcast address; the search starts after the last address handed out, so a released address
// is not reused at once. Pure: the node shell keeps the value and rebuilds it from the log.
import { cidrContains, formatIP, indexedIP, parseCIDR, parseIP, rangeSize, type CIDR } from '../allocation/ip-range.js';

/** kubelet --max-pods default. */
export const MAX_PODS_PER_NODE = 110;

export interface PodIPAllocation {
  podCIDR: string;
  /** pod key ("namespace/name") → IP */
  byPod: ReadonlyMap<string, string>;
  /** IP → pod key */
  byIP: ReadonlyMap<string, string>;
  /** Offset of the address handed out last (host-local's lastReservedIP); 1 (the gateway) at first. */
  lastOffset: number;
  maxPods: number;
}

export type AllocateResult = { ok: true; ip: string; allocation: PodIPAllocation } | { ok: false; reason: 'OutOfpods' | 'RangeFull'; message: string };

function mustCIDR(podCIDR: string): CIDR {
  const cidr = parseCIDR(podCIDR);
  if (!cidr || cidr.family !== 'IPv4') throw new RangeError(`podCIDR ${podCIDR}: not an IPv4 CIDR`);
  if (rangeSize(cidr) < 4n) throw new RangeError(`podCIDR ${podCIDR}: too small for a gateway and a pod`);
  return cidr;
}

export function emptyPodIPAllocation(podCIDR: string, maxPods = MAX_PODS_PER_NODE): PodIPAllocation {
  mustCIDR(podCIDR);
  return { podCIDR, byPod: new Map(), byIP: new Map(), lastOffset: 1, maxPods };
}

/** The pod network's gateway on this node: the first address of the podCIDR (cni0's address). */
export function podCIDRGateway(podCIDR: string): string {
  return formatIP(indexedIP(mustCIDR(podCIDR), 1));
}

/** Addresses host-local may hand out: offsets 2 .. size-2. */
function usableOffsets(cidr: CIDR): { first: number; last: number } {
  return { first: 2, last: Number(rangeSize(cidr) - 2n) };
}

/** The pod keeps the IP it has; otherwise the next free one after the last handed out. */
export function allocatePodIP(allocation: PodIPAllocation, podKey: string): AllocateResult {
  const held = allocation.byPod.get(podKey);
  if (held !== undefined) return { ok: true, ip: held, allocation };
  if (allocation.byPod.size >= allocation.maxPods) {
    // kubelet admission (pkg/kubelet/lifecycle/predicate.go): the pod fails with reason OutOfpods.
    const n = allocation.byPod.size;
    return { ok: false, reason: 'OutOfpods', message: `Pod Node didn't have enough resource: pods, requested: 1, used: ${n}, capacity: ${allocation.maxPods}` };
  }
  const cidr = mustCIDR(allocation.podCIDR);
  const { first, last } = usableOffsets(cidr);
  const span = last - first + 1;
  for (let i = 1; i <= span; i++) {
    const offset = first + ((allocation.lastOffset - first + i + span) % span);
    const ip = formatIP(indexedIP(cidr, offset));
    if (allocation.byIP.has(ip)) continue;
    const byPod = new Map(allocation.byPod).set(podKey, ip);
    const byIP = new Map(allocation.byIP).set(ip, podKey);
    return { ok: true, ip, allocation: { ...allocation, byPod, byIP, lastOffset: offset } };
  }
  return { ok: false, reason: 'RangeFull', message: `no IP addresses available in range set: ${allocation.podCIDR}` };
}

export function releasePodIP(allocation: PodIPAllocation, podKey: string): PodIPAllocation {
  const ip = allocation.byPod.get(podKey);
  if (ip === undefined) return allocation;
  const byPod = new Map(allocation.byPod);
  byPod.delete(podKey);
  const byIP = new Map(allocation.byIP);
  byIP.delete(ip);
  return { ...allocation, byPod, byIP };
}

export interface HeldPodIP {
  podKey: string;
  ip: string;
  /** The revision at which the pod's IP was seen; the most recent one is host-local's lastReservedIP. */
  revision: number;
}

/**
 * The allocation as the log shows it after a restart: every pod of this node that has a podIP keeps
 * it. An IP outside the podCIDR or held twice is a broken invariant (two pods would answer on one
 * address), reported rather than papered over.
 */
export function rebuildPodIPAllocation(podCIDR: string, held: readonly HeldPodIP[], maxPods = MAX_PODS_PER_NODE): { allocation: PodIPAllocation; conflicts: string[] } {
  const cidr = mustCIDR(podCIDR);
  const byPod = new Map<string, string>();
  const byIP = new Map<string, string>();
  const conflicts: string[] = [];
  let lastOffset = 1;
  let lastRevision = -1;
  for (const h of held) {
    const ip = parseIP(h.ip);
    if (!ip || !cidrContains(cidr, ip)) {
      conflicts.push(`pod ${h.podKey} has IP ${h.ip}, outside the podCIDR ${podCIDR}`);
      continue;
    }
    const other = byIP.get(h.ip);
    if (other !== undefined && other !== h.podKey) {
      conflicts.push(`pods ${other} and ${h.podKey} both hold ${h.ip}`);
      continue;
    }
    byPod.set(h.podKey, h.ip);
    byIP.set(h.ip, h.podKey);
    if (h.revision > lastRevision) {
      lastRevision = h.revision;
      lastOffset = Number(ip.value - cidr.ip);
    }
  }
  return { allocation: { podCIDR, byPod, byIP, lastOffset, maxPods }, conflicts };
}
