// A connection's identity as netfilter and conntrack see it: protocol and both ends.
export type Protocol = 'TCP' | 'UDP';

export interface Tuple {
  protocol: Protocol;
  srcIP: string;
  srcPort: number;
  dstIP: string;
  dstPort: number;
}

export function formatTuple(t: Tuple): string {
  return `${t.protocol.toLowerCase()} ${t.srcIP}:${t.srcPort} -> ${t.dstIP}:${t.dstPort}`;
}

export function reverseTuple(t: Tuple): Tuple {
  return { protocol: t.protocol, srcIP: t.dstIP, srcPort: t.dstPort, dstIP: t.srcIP, dstPort: t.srcPort };
}
