// The pod network's encapsulation between nodes, VXLAN's role in flannel: every TCP stream and UDP
// datagram from one node to another starts with the original tuple, so the receiving node
// delivers to the right pod and that pod sees the true source address.
//
//   0      2    3       4          8        10         14       16
//   | "KM" | v1 | proto | src IPv4 | srcPort | dst IPv4 | dstPort |
//
// A stream's receiver answers with one byte before any data: whether the pod accepted it.
import type { Protocol, Tuple } from './tuple.js';

export const OVERLAY_HEADER_BYTES = 16;
const MAGIC = 0x4b4d;
const VERSION = 1;
const PROTO_NUMBER: Record<Protocol, number> = { TCP: 6, UDP: 17 };

export const STREAM_ACCEPTED = 0;
/** No socket listens on the port: the pod's kernel answers with a RST. */
export const STREAM_REFUSED = 1;
/** The receiving node's rules dropped it, or no pod holds the address: the client times out. */
export const STREAM_DROPPED = 2;
/** No pod holds the address on the receiving node. */
export const STREAM_UNREACHABLE = 3;

export class OverlayHeaderError extends Error {
  override name = 'OverlayHeaderError';
}

function ipv4Bytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new OverlayHeaderError(`not an IPv4 address: ${ip}`);
  return parts;
}

export function encodeOverlayHeader(t: Tuple): Buffer {
  const b = Buffer.alloc(OVERLAY_HEADER_BYTES);
  b.writeUInt16BE(MAGIC, 0);
  b.writeUInt8(VERSION, 2);
  b.writeUInt8(PROTO_NUMBER[t.protocol], 3);
  Buffer.from(ipv4Bytes(t.srcIP)).copy(b, 4);
  b.writeUInt16BE(t.srcPort, 8);
  Buffer.from(ipv4Bytes(t.dstIP)).copy(b, 10);
  b.writeUInt16BE(t.dstPort, 14);
  return b;
}

export function decodeOverlayHeader(b: Buffer): Tuple {
  if (b.length < OVERLAY_HEADER_BYTES) throw new OverlayHeaderError(`overlay header is ${b.length} bytes, want ${OVERLAY_HEADER_BYTES}`);
  if (b.readUInt16BE(0) !== MAGIC || b.readUInt8(2) !== VERSION) throw new OverlayHeaderError('not a kubemu overlay header (magic or version)');
  const proto = b.readUInt8(3);
  const protocol: Protocol | undefined = proto === 6 ? 'TCP' : proto === 17 ? 'UDP' : undefined;
  if (!protocol) throw new OverlayHeaderError(`overlay header protocol ${proto}`);
  const ip = (at: number): string => [...b.subarray(at, at + 4)].join('.');
  return { protocol, srcIP: ip(4), srcPort: b.readUInt16BE(8), dstIP: ip(10), dstPort: b.readUInt16BE(14) };
}
