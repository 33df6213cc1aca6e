// The points where the node's netfilter (kube-proxy's nat and filter tables walked by core's
// interpreter, with conntrack: netfilter/netfilter-hooks.ts) acts on a connection, named after the
// netfilter hooks a packet passes in the kernel. Without rules every hook accepts the tuple
// unchanged, so only pod IPs answer: a ClusterIP has no route and its connections time out.
//
//   from a pod on this node:   LOCAL_OUT (the pod's packet entering the node: nat PREROUTING …) → route → POSTROUTING → deliver
//   arriving from a peer node: PREROUTING (nat PREROUTING, filter FORWARD) → route → POSTROUTING → deliver
//   arriving on a node socket: PREROUTING, as above, and may be forwarded to a peer node
//   a reply (UDP) going back:  REPLY (conntrack's reverse translation of the original's NAT)
import type { Tuple } from './tuple.js';

export type Verdict = { verdict: 'ACCEPT'; tuple: Tuple } | { verdict: 'DROP' } | { verdict: 'REJECT' };

/** Where routing sends a tuple: a pod on this node, a peer node's pod network, or nowhere. */
export type Route = { via: 'local' } | { via: 'node'; node: string; address: string; tcpPort: number; udpPort: number } | { via: 'none'; why: string };

export interface ConnectionHooks {
  localOut(tuple: Tuple): Verdict;
  preRouting(tuple: Tuple): Verdict;
  postRouting(tuple: Tuple, route: Route): Verdict;
  reply(tuple: Tuple): Tuple;
  /** A stream whose first packet the hooks saw (`original`) was answered: conntrack's ESTABLISHED. */
  established?(original: Tuple): void;
  /** That stream closed. */
  closed?(original: Tuple): void;
}

export const ACCEPT_ALL: ConnectionHooks = {
  localOut: (tuple) => ({ verdict: 'ACCEPT', tuple }),
  preRouting: (tuple) => ({ verdict: 'ACCEPT', tuple }),
  postRouting: (tuple) => ({ verdict: 'ACCEPT', tuple }),
  reply: (tuple) => tuple,
};
