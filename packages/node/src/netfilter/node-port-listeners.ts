// The node's real sockets for NodePorts: one TCP listener and one UDP socket on the node's
// address per port that nat KUBE-NODEPORTS captures, opened and closed as the live rules change.
// What arrives is handed to the pod network as the client made it (its real address and port to
// the node's address and the nodePort), so the node's rules decide everything from PREROUTING on.
// A NodePort whose Service has no endpoints is not in nat KUBE-NODEPORTS (kube-proxy REJECTs it in
// filter): no socket, so the host kernel refuses the connection, as the REJECT would.
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Duplex } from 'node:stream';
import { MAX_DATAGRAM_BYTES, MAX_STREAMS, whenConnected, type PodNetwork } from '../pod-network/pod-network.js';
import type { Tuple } from '../pod-network/tuple.js';

/** Every port of the default NodePort range (30000-32767), TCP and UDP. */
export const MAX_NODE_PORT_SOCKETS = 2 * 2768;
/**
 * How long a connection the rules DROP is held unanswered: Linux gives up a connect() after
 * tcp_syn_retries=6, about 127 s. A userspace accept has already completed the handshake, so the
 * client sees a connection on which nothing ever comes back, and times out.
 */
export const DROPPED_CONNECTION_HOLD_MS = 127_000;

export interface NodePortSocketsOptions {
  address: string;
  net: PodNetwork;
  onEvent?: (event: { kind: string; detail: string }) => void;
}

type Port = { protocol: 'TCP' | 'UDP'; port: number };
const keyOf = (p: Port): string => `${p.protocol}/${p.port}`;

export function plainAddress(a: string | undefined): string {
  return (a ?? '').replace(/^::ffff:/, '');
}

export class NodePortSockets {
  private readonly tcp = new Map<number, Server>();
  private readonly udp = new Map<number, UdpSocket>();
  private readonly accepted = new Set<Socket>();
  private queue: Promise<void> = Promise.resolve();
  private wanted: Port[] = [];

  constructor(private readonly o: NodePortSocketsOptions) {
    o.net.setExternalDatagramSink((t, payload) => this.sendOut(t, payload));
  }

  /** The ports open now, `TCP/30080` style, sorted. */
  get open(): string[] {
    return [...[...this.tcp.keys()].map((p) => `TCP/${p}`), ...[...this.udp.keys()].map((p) => `UDP/${p}`)].sort();
  }

  /** Follow the rules: open what they capture, close the rest. Serialised; the latest call wins. */
  sync(ports: readonly Port[]): Promise<void> {
    if (ports.length > MAX_NODE_PORT_SOCKETS) {
      this.o.onEvent?.({ kind: 'node-ports', detail: `${ports.length} NodePorts in the rules; opening the first ${MAX_NODE_PORT_SOCKETS}` });
    }
    this.wanted = ports.slice(0, MAX_NODE_PORT_SOCKETS);
    this.queue = this.queue.then(() => this.apply(this.wanted));
    return this.queue;
  }

  private async apply(ports: readonly Port[]): Promise<void> {
    const want = new Set(ports.map(keyOf));
    for (const [port, server] of this.tcp) {
      if (want.has(`TCP/${port}`)) continue;
      this.tcp.delete(port);
      server.close();
    }
    for (const [port, socket] of this.udp) {
      if (want.has(`UDP/${port}`)) continue;
      this.udp.delete(port);
      socket.close();
    }
    for (const p of ports) {
      try {
        if (p.protocol === 'TCP' && !this.tcp.has(p.port)) this.tcp.set(p.port, await this.listenTcp(p.port));
        if (p.protocol === 'UDP' && !this.udp.has(p.port)) this.udp.set(p.port, await this.bindUdp(p.port));
      } catch (err) {
        this.o.onEvent?.({ kind: 'node-ports', detail: `cannot open ${p.protocol} ${this.o.address}:${p.port}: ${(err as Error).message}` });
      }
    }
  }

  private listenTcp(port: number): Promise<Server> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket, port));
    server.maxConnections = MAX_STREAMS;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.address, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.o.onEvent?.({ kind: 'node-ports', detail: `TCP ${port}: ${err.message}` }));
        resolve(server);
      });
    });
  }

  private accept(socket: Socket, port: number): void {
    this.accepted.add(socket);
    socket.once('close', () => this.accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    const tuple: Tuple = { protocol: 'TCP', srcIP: plainAddress(socket.remoteAddress), srcPort: socket.remotePort ?? 0, dstIP: this.o.address, dstPort: port };
    whenConnected(this.o.net.connectExternal(tuple), (r) => {
      // Only after an overlay dial can the client have gone in the meantime.
      if (socket.destroyed) {
        if (r.ok) r.socket.destroy();
        return;
      }
      if (!r.ok) {
        if (r.error === 'ETIMEDOUT') {
          // DROP: never answered, never reset.
          socket.setTimeout(DROPPED_CONNECTION_HOLD_MS, () => socket.destroy());
          return;
        }
        // REJECT (tcp-reset or icmp port unreachable): the closest a completed accept gets is a RST.
        socket.resetAndDestroy();
        return;
      }
      splice(socket, r.socket);
    });
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      if (msg.length > MAX_DATAGRAM_BYTES) return;
      this.o.net.sendDatagram({ protocol: 'UDP', srcIP: rinfo.address, srcPort: rinfo.port, dstIP: this.o.address, dstPort: port }, msg, 'external');
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.o.address, () => {
        socket.removeListener('error', reject);
        socket.on('error', (err) => this.o.onEvent?.({ kind: 'node-ports', detail: `UDP ${port}: ${err.message}` }));
        resolve(socket);
      });
    });
  }

  /** A reply conntrack translated back to `node address:nodePort → client`: out of that port's socket. */
  private sendOut(t: Tuple, payload: Buffer): boolean {
    if (t.protocol !== 'UDP' || t.srcIP !== this.o.address) return false;
    const socket = this.udp.get(t.srcPort);
    if (!socket) return false;
    socket.send(payload, t.dstPort, t.dstIP);
    return true;
  }

  async close(): Promise<void> {
    this.wanted = [];
    await this.sync([]);
    for (const s of this.accepted) s.destroy();
  }
}

/** Both directions, half-closes passed on; backpressure through pipe keeps the buffers bounded. */
export function splice(outside: Socket, inside: Duplex): void {
  inside.on('error', () => outside.destroy());
  outside.pipe(inside);
  inside.pipe(outside);
  outside.once('close', () => inside.destroy());
  inside.once('close', () => outside.destroy());
  outside.resume();
}
