// The pod network's hooks on the node's netfilter: a new flow is looked up in conntrack; on a
// miss its first packet walks the live tables (NodeNetfilter.walkNew: nat PREROUTING or OUTPUT,
// filter, nat POSTROUTING), DNAT rewrites the destination, and MASQUERADE rewrites the source to
// the address the packet leaves by: the pod gateway (cni0's 10.244.N.1) towards a pod of this
// node, the node's address towards another node. The translation is remembered in conntrack, so
// later datagrams of the flow, and its replies, follow it whatever the rules say by then.
import type { netfilter } from '@kubemu/core';
import type { ConnectionHooks, Route, Verdict } from '../pod-network/hooks.js';
import type { Tuple } from '../pod-network/tuple.js';
import type { NodeNetfilter } from './node-netfilter.js';

/** How many source ports MASQUERADE tries when the kept one would clash (nf_nat's port search, bounded). */
export const MASQUERADE_PORT_ATTEMPTS = 64;
/** The range nf_nat picks a remapped source port from (ports ≥ 1024 stay ≥ 1024). */
const NAT_PORTS = { first: 1024, last: 65535 } as const;

function ct(t: Tuple): netfilter.ConnTuple {
  return { proto: t.protocol === 'TCP' ? 'tcp' : 'udp', src: t.srcIP, sport: t.srcPort, dst: t.dstIP, dport: t.dstPort };
}

function fromCt(t: netfilter.ConnTuple, protocol: Tuple['protocol']): Tuple {
  return { protocol, srcIP: t.src, srcPort: t.sport, dstIP: t.dst, dstPort: t.dport };
}

/** What the first hook decided, for POSTROUTING of the same packet (the hooks run back to back). */
interface Pending {
  original: Tuple;
  routed: Tuple;
  tracked: boolean;
  masquerade: boolean;
}

export interface NetfilterHooksOptions {
  nodeAddress: string;
  /** The pod network's gateway on this node (10.244.N.1): the source a masqueraded packet to a local pod gets. */
  podGateway: string;
  onEvent?: (event: { kind: string; detail: string }) => void;
}

export class NetfilterHooks implements ConnectionHooks {
  private pending: Pending | undefined;

  constructor(
    private readonly nf: NodeNetfilter,
    private readonly o: NetfilterHooksOptions,
  ) {}

  localOut(tuple: Tuple): Verdict {
    return this.first(tuple);
  }

  preRouting(tuple: Tuple): Verdict {
    return this.first(tuple);
  }

  private first(tuple: Tuple): Verdict {
    this.pending = undefined;
    const now = this.nf.now();
    let hit = this.nf.conntrack.lookup(ct(tuple), now);
    // A new TCP connection on the tuple of one in TIME_WAIT starts afresh (tcp_conntrack's SYN in TIME_WAIT).
    if (hit?.entry.closing && hit.direction === 'original') {
      this.nf.conntrack.forget(hit.entry.original);
      hit = undefined;
    }
    if (hit) {
      this.nf.conntrack.seenHit(hit, now);
      const routed = fromCt(hit.translated, tuple.protocol);
      this.pending = { original: tuple, routed, tracked: true, masquerade: false };
      return { verdict: 'ACCEPT', tuple: routed };
    }
    const v = this.nf.walkNew({ proto: tuple.protocol === 'TCP' ? 'tcp' : 'udp', src: tuple.srcIP, sport: tuple.srcPort, dst: tuple.dstIP, dport: tuple.dstPort });
    if (v.verdict === 'DROP') return { verdict: 'DROP' };
    if (v.verdict === 'REJECT') return { verdict: 'REJECT' };
    const routed: Tuple = { ...tuple, dstIP: v.packet.dst, dstPort: v.packet.dport };
    this.pending = { original: tuple, routed, tracked: false, masquerade: v.masquerade };
    return { verdict: 'ACCEPT', tuple: routed };
  }

  postRouting(tuple: Tuple, route: Route): Verdict {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.routed.dstIP !== tuple.dstIP || p.routed.dstPort !== tuple.dstPort || p.routed.srcIP !== tuple.srcIP) {
      throw new Error(`netfilter: POSTROUTING for ${JSON.stringify(tuple)} without its first hook`);
    }
    if (p.tracked) return { verdict: 'ACCEPT', tuple };
    const now = this.nf.now();
    if (!p.masquerade) {
      const r = this.nf.conntrack.insert(ct(p.original), ct(tuple), now);
      if (!r.ok) return this.untracked(tuple, r.reason);
      return { verdict: 'ACCEPT', tuple };
    }
    const srcIP = route.via === 'local' ? this.o.podGateway : this.o.nodeAddress;
    // MASQUERADE keeps the source port unless the reply tuple is taken (nf_nat_used_tuple), then searches.
    for (let i = 0; i < MASQUERADE_PORT_ATTEMPTS; i++) {
      const srcPort = i === 0 ? tuple.srcPort : NAT_PORTS.first + this.nf.random.int(NAT_PORTS.last - NAT_PORTS.first + 1);
      const out: Tuple = { ...tuple, srcIP, srcPort };
      const r = this.nf.conntrack.insert(ct(p.original), ct(out), now);
      if (r.ok) return { verdict: 'ACCEPT', tuple: out };
      if (r.reason === 'table full') return this.untracked(out, r.reason);
    }
    this.o.onEvent?.({ kind: 'masquerade-ports-exhausted', detail: `${srcIP}: no free source port for ${tuple.dstIP}:${tuple.dstPort}` });
    return { verdict: 'DROP' };
  }

  /** nf_conntrack: table full, dropping packet. */
  private untracked(tuple: Tuple, reason: string): Verdict {
    this.o.onEvent?.({ kind: 'conntrack', detail: `${reason}: dropping ${tuple.protocol} ${tuple.srcIP}:${tuple.srcPort} -> ${tuple.dstIP}:${tuple.dstPort}` });
    return { verdict: 'DROP' };
  }

  reply(tuple: Tuple): Tuple {
    const now = this.nf.now();
    const hit = this.nf.conntrack.lookup(ct(tuple), now);
    if (!hit || hit.direction !== 'reply') return tuple;
    this.nf.conntrack.seenHit(hit, now);
    return fromCt(hit.translated, tuple.protocol);
  }

  established(original: Tuple): void {
    const now = this.nf.now();
    const hit = this.nf.conntrack.lookup(ct(original), now);
    if (hit) this.nf.conntrack.seenReplyOf(hit.entry, now);
  }

  closed(original: Tuple): void {
    this.nf.conntrack.close(ct(original), this.nf.now());
  }
}
