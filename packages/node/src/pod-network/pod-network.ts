// This node's share of the pod network: which pod IPs live here, who listens on which port, the
// routes to the other nodes' podCIDRs (from their Node objects), and the one path every
// connection takes: connect(tuple) → LOCAL_OUT or PREROUTING → route → POSTROUTING → deliver,
// locally through an in-memory socket pair or to the owning node over the overlay. Pod IPs exist
// only here; the overlay between nodes is real TCP and UDP on the nodes' addresses.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Duplex } from 'node:stream';
import { cidrContains, parseCIDR, parseIP, type CIDR, type NodeRoute } from '@kubemu/core';
import { podSocketPair, type PodSocket } from './duplex-pair.js';
import { ACCEPT_ALL, type ConnectionHooks, type Route } from './hooks.js';
import {
  decodeOverlayHeader,
  encodeOverlayHeader,
  OVERLAY_HEADER_BYTES,
  STREAM_ACCEPTED,
  STREAM_DROPPED,
  STREAM_REFUSED,
  STREAM_UNREACHABLE,
} from './overlay-header.js';
import { reverseTuple, type Protocol, type Tuple } from './tuple.js';

/** Open streams (local pairs and overlay streams, both directions) a node carries at once. */
export const MAX_STREAMS = 4096;
/** A UDP payload: IPv4's 65,507 less the overlay header. */
export const MAX_DATAGRAM_BYTES = 65_507 - OVERLAY_HEADER_BYTES;
/** Linux's default net.ipv4.ip_local_port_range. */
export const EPHEMERAL_PORTS = { first: 32768, last: 60999 } as const;
/** How long a peer has to send the overlay header or answer it. */
export const OVERLAY_HANDSHAKE_MS = 5_000;

export type ConnectError = 'ECONNREFUSED' | 'ETIMEDOUT' | 'EHOSTUNREACH';
export type ConnectResult = { ok: true; socket: Duplex; tuple: Tuple } | { ok: false; error: ConnectError; why: string };

/** Runs `then` with the result now when there is one, else once the promise settles. */
export function whenConnected(result: ConnectResult | Promise<ConnectResult>, then: (r: ConnectResult) => void): void {
  if (result instanceof Promise) void result.then(then);
  else then(result);
}

export type StreamListener = (socket: PodSocket) => void;
export type DatagramListener = (payload: Buffer, tuple: Tuple, reply: (payload: Buffer) => void) => void;
/** Sends a datagram out of the node's own sockets (a NodePort reply to a real client); false when none owns its source. */
export type ExternalDatagramSink = (tuple: Tuple, payload: Buffer) => boolean;

/** Where a connection comes from: a pod of this node, a peer node's overlay, or a real socket of this node. */
export type Origin = 'local' | 'peer' | 'external';

export interface PodNetworkOptions {
  nodeName: string;
  address: string;
  podCIDR: string;
  hooks?: ConnectionHooks;
  onEvent?: (event: { kind: string; tuple?: Tuple; detail?: string }) => void;
}

interface ParsedRoute extends NodeRoute {
  cidr: CIDR;
}

const listenerKey = (protocol: Protocol, ip: string, port: number): string => `${protocol}/${ip}/${port}`;

export class PodNetwork {
  readonly hooks: ConnectionHooks;
  private readonly podCIDR: CIDR;
  private routes: ParsedRoute[] = [];
  private readonly localPods = new Map<string, string>();
  private readonly listeners = new Map<string, StreamListener | DatagramListener>();
  private readonly ephemeral = new Map<string, Set<number>>();
  private nextEphemeral: number = EPHEMERAL_PORTS.first;
  private streams = 0;
  private tcpServer?: Server;
  private udpSocket?: UdpSocket;
  private readonly peerSockets = new Set<Socket>();
  private externalSink?: ExternalDatagramSink;

  constructor(private readonly options: PodNetworkOptions) {
    this.hooks = options.hooks ?? ACCEPT_ALL;
    const cidr = parseCIDR(options.podCIDR);
    if (!cidr) throw new RangeError(`podCIDR ${options.podCIDR}: not a CIDR`);
    this.podCIDR = cidr;
  }

  get openStreams(): number {
    return this.streams;
  }

  /** The other nodes' pod networks, from the Node objects in the log. */
  setRoutes(routes: readonly NodeRoute[]): void {
    const parsed: ParsedRoute[] = [];
    for (const r of routes) {
      if (r.node === this.options.nodeName) continue;
      const cidr = parseCIDR(r.podCIDR);
      if (cidr) parsed.push({ ...r, cidr });
    }
    this.routes = parsed;
  }

  addPod(ip: string, podKey: string): void {
    const held = this.localPods.get(ip);
    if (held !== undefined && held !== podKey) throw new Error(`pod IP ${ip} is held by ${held}, not ${podKey}`);
    this.localPods.set(ip, podKey);
  }

  removePod(ip: string): void {
    this.localPods.delete(ip);
    for (const key of [...this.listeners.keys()]) if (key.split('/')[1] === ip) this.listeners.delete(key);
  }

  listenStream(ip: string, port: number, listener: StreamListener): () => void {
    return this.listen(listenerKey('TCP', ip, port), listener);
  }

  listenDatagram(ip: string, port: number, listener: DatagramListener): () => void {
    return this.listen(listenerKey('UDP', ip, port), listener);
  }

  private listen(key: string, listener: StreamListener | DatagramListener): () => void {
    if (this.listeners.has(key)) throw Object.assign(new Error(`listen ${key}: address already in use`), { code: 'EADDRINUSE' });
    this.listeners.set(key, listener);
    return () => {
      if (this.listeners.get(key) === listener) this.listeners.delete(key);
    };
  }

  setExternalDatagramSink(sink: ExternalDatagramSink | undefined): void {
    this.externalSink = sink;
  }

  route(ip: string): Route {
    const parsed = parseIP(ip);
    if (!parsed) return { via: 'none', why: `${ip} is not an IP address` };
    if (cidrContains(this.podCIDR, parsed)) return { via: 'local' };
    // A peer's own address too: replies to a flow that peer masqueraded go back to it.
    const r = this.routes.find((x) => cidrContains(x.cidr, parsed) || x.address === ip);
    if (r) return { via: 'node', node: r.node, address: r.address, tcpPort: r.overlayTcpPort, udpPort: r.overlayUdpPort };
    return { via: 'none', why: `${ip} is not a pod IP of any node` };
  }

  /** A source port for a client in a pod, like the kernel's ephemeral range. */
  private allocateEphemeral(ip: string): number {
    let used = this.ephemeral.get(ip);
    if (!used) this.ephemeral.set(ip, (used = new Set()));
    const span = EPHEMERAL_PORTS.last - EPHEMERAL_PORTS.first + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_PORTS.last ? EPHEMERAL_PORTS.first : port + 1;
      if (!used.has(port) && !this.listeners.has(listenerKey('UDP', ip, port))) {
        used.add(port);
        return port;
      }
    }
    throw Object.assign(new Error(`no ephemeral port free for ${ip}`), { code: 'EADDRNOTAVAIL' });
  }

  private releaseEphemeral(ip: string, port: number): void {
    this.ephemeral.get(ip)?.delete(port);
  }

  /** A TCP connection from a pod on this node (srcPort 0: an ephemeral one). */
  async connect(tuple: Tuple): Promise<ConnectResult> {
    const t = tuple.srcPort === 0 ? { ...tuple, srcPort: this.allocateEphemeral(tuple.srcIP) } : tuple;
    const result = await this.connectFrom('local', t);
    if (!result.ok || tuple.srcPort !== 0) {
      if (tuple.srcPort === 0) this.releaseEphemeral(t.srcIP, t.srcPort);
      return result;
    }
    result.socket.once('close', () => this.releaseEphemeral(t.srcIP, t.srcPort));
    return result;
  }

  /**
   * A TCP connection that arrived on one of the node's real sockets (a NodePort), as the client made
   * it. The result is there at once when the rules send it to a pod of this node; a promise only
   * when it has to be dialled over the overlay (see whenConnected).
   */
  connectExternal(tuple: Tuple): ConnectResult | Promise<ConnectResult> {
    return this.connectFrom('external', tuple);
  }

  /**
   * A TCP connection that arrived on a hostPort socket of this node, already translated to the
   * pod's IP and containerPort the way the CNI portmap plugin's DNAT does. It goes straight to the
   * local pod: kube-proxy's chains (KUBE-SERVICES, KUBE-NODEPORTS) and conntrack are not walked,
   * and the pod sees the client's own address (portmap masquerades only hairpin traffic).
   */
  connectHostPort(translated: Tuple): ConnectResult {
    return this.deliverStream(translated);
  }

  // Synchronous unless the connection goes over the overlay: a promise hop per accepted
  // connection is a measurable share of a NodePort's cost next to a hostPort's.
  private connectFrom(origin: Origin, tuple: Tuple): ConnectResult | Promise<ConnectResult> {
    const result = this.walkAndConnect(origin, tuple);
    return result instanceof Promise ? result.then((r) => this.tracked(tuple, r)) : this.tracked(tuple, result);
  }

  private tracked(tuple: Tuple, result: ConnectResult): ConnectResult {
    if (result.ok && this.hooks.closed) {
      this.hooks.established?.(tuple);
      result.socket.once('close', () => this.hooks.closed?.(tuple));
    } else if (!result.ok) this.hooks.closed?.(tuple);
    return result;
  }

  private walkAndConnect(origin: Origin, tuple: Tuple): ConnectResult | Promise<ConnectResult> {
    const first = origin === 'local' ? this.hooks.localOut(tuple) : this.hooks.preRouting(tuple);
    if (first.verdict === 'DROP') return { ok: false, error: 'ETIMEDOUT', why: 'dropped by the node rules' };
    if (first.verdict === 'REJECT') return { ok: false, error: 'ECONNREFUSED', why: 'rejected by the node rules' };
    const route = this.route(first.tuple.dstIP);
    if (route.via === 'none') return { ok: false, error: 'ETIMEDOUT', why: route.why };
    const post = this.hooks.postRouting(first.tuple, route);
    if (post.verdict === 'DROP') return { ok: false, error: 'ETIMEDOUT', why: 'dropped by the node rules' };
    if (post.verdict === 'REJECT') return { ok: false, error: 'ECONNREFUSED', why: 'rejected by the node rules' };
    const t = post.tuple;
    if (route.via === 'local') return this.deliverStream(t);
    if (origin === 'peer') return { ok: false, error: 'ETIMEDOUT', why: `${t.dstIP} is not on ${this.options.nodeName}` };
    return this.dialPeer(route, t);
  }

  private deliverStream(t: Tuple): ConnectResult {
    if (!this.localPods.has(t.dstIP)) return { ok: false, error: 'EHOSTUNREACH', why: `no pod holds ${t.dstIP} on ${this.options.nodeName}` };
    const listener = this.listeners.get(listenerKey('TCP', t.dstIP, t.dstPort)) as StreamListener | undefined;
    if (!listener) return { ok: false, error: 'ECONNREFUSED', why: `nothing listens on ${t.dstIP}:${t.dstPort}` };
    if (this.streams >= MAX_STREAMS) return { ok: false, error: 'ECONNREFUSED', why: `${this.options.nodeName} carries ${MAX_STREAMS} streams already` };
    const [client, server] = podSocketPair({ localAddress: t.srcIP, localPort: t.srcPort, remoteAddress: t.dstIP, remotePort: t.dstPort });
    this.streams++;
    let counted = true;
    const done = (): void => {
      if (counted) this.streams--;
      counted = false;
    };
    client.once('close', done);
    listener(server);
    return { ok: true, socket: client, tuple: t };
  }

  private dialPeer(route: Extract<Route, { via: 'node' }>, t: Tuple): Promise<ConnectResult> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: route.address, port: route.tcpPort, localAddress: this.options.address });
      let settled = false;
      const settle = (r: ConnectResult): void => {
        if (settled) return;
        settled = true;
        socket.setTimeout(0);
        socket.removeListener('data', onData);
        if (!r.ok) socket.destroy();
        resolve(r);
      };
      const onData = (chunk: Buffer): void => {
        const answer = chunk[0];
        if (chunk.length > 1) socket.unshift(chunk.subarray(1));
        if (answer === STREAM_ACCEPTED) settle({ ok: true, socket, tuple: t });
        else if (answer === STREAM_REFUSED) settle({ ok: false, error: 'ECONNREFUSED', why: `nothing listens on ${t.dstIP}:${t.dstPort}` });
        else if (answer === STREAM_UNREACHABLE) settle({ ok: false, error: 'EHOSTUNREACH', why: `no pod holds ${t.dstIP} on ${route.node}` });
        else settle({ ok: false, error: 'ETIMEDOUT', why: `dropped on ${route.node}` });
      };
      socket.setTimeout(OVERLAY_HANDSHAKE_MS, () => settle({ ok: false, error: 'ETIMEDOUT', why: `${route.node} did not answer` }));
      socket.once('error', (err) => settle({ ok: false, error: 'ETIMEDOUT', why: `${route.node} (${route.address}:${route.tcpPort}) is unreachable: ${err.message}` }));
      socket.on('data', onData);
      socket.once('connect', () => socket.write(encodeOverlayHeader(t)));
    });
  }

  /** A datagram from a pod on this node ('local'), a peer node ('peer'), a node socket ('external'), or a workload's reply ('reply'). */
  sendDatagram(tuple: Tuple, payload: Buffer, origin: Origin | 'reply'): void {
    if (payload.length > MAX_DATAGRAM_BYTES) {
      this.options.onEvent?.({ kind: 'datagram-too-large', tuple, detail: `${payload.length} bytes` });
      return;
    }
    let t = tuple;
    if (origin === 'reply') t = this.hooks.reply(tuple);
    else {
      const v = origin === 'local' ? this.hooks.localOut(tuple) : this.hooks.preRouting(tuple);
      if (v.verdict !== 'ACCEPT') return;
      t = v.tuple;
    }
    const route = this.route(t.dstIP);
    if (route.via === 'none') {
      // Not a pod and not a node: a real client, if one of this node's sockets owns the source.
      if (origin === 'reply' || origin === 'peer') this.externalSink?.(t, payload);
      return;
    }
    if (origin !== 'reply') {
      const post = this.hooks.postRouting(t, route);
      if (post.verdict !== 'ACCEPT') return;
      t = post.tuple;
    }
    if (route.via === 'node') {
      if (origin === 'peer') return;
      this.udpSocket?.send(Buffer.concat([encodeOverlayHeader(t), payload]), route.udpPort, route.address);
      return;
    }
    // An unbound port would make the kernel send ICMP port unreachable; the datagram is just gone here.
    const listener = this.listeners.get(listenerKey('UDP', t.dstIP, t.dstPort)) as DatagramListener | undefined;
    if (!listener || !this.localPods.has(t.dstIP)) return;
    const delivered = t;
    queueMicrotask(() => listener(payload, delivered, (reply) => this.sendDatagram(reverseTuple(delivered), reply, 'reply')));
  }

  /** A UDP socket for a client in a pod: on `port` (nc -p; EADDRINUSE when taken), else an ephemeral one. */
  bindDatagram(ip: string, onMessage: (payload: Buffer, tuple: Tuple) => void, port?: number): { port: number; close: () => void } {
    if (port !== undefined) {
      if (this.ephemeral.get(ip)?.has(port)) throw Object.assign(new Error(`bind ${ip}:${port}: address already in use`), { code: 'EADDRINUSE' });
      const unlisten = this.listenDatagram(ip, port, (payload, tuple) => onMessage(payload, tuple));
      return { port, close: unlisten };
    }
    const bound = this.allocateEphemeral(ip);
    const unlisten = this.listenDatagram(ip, bound, (payload, tuple) => onMessage(payload, tuple));
    return {
      port: bound,
      close: () => {
        unlisten();
        this.releaseEphemeral(ip, bound);
      },
    };
  }

  /** Listens for the other nodes' streams and datagrams on this node's address. */
  async startOverlay(tcpPort: number, udpPort: number): Promise<{ tcpPort: number; udpPort: number }> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.acceptPeerStream(socket));
    server.maxConnections = MAX_STREAMS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tcpPort, this.options.address, () => resolve());
    });
    this.tcpServer = server;
    const udp = createSocket('udp4');
    udp.on('message', (msg) => {
      let t: Tuple;
      try {
        t = decodeOverlayHeader(msg);
      } catch (err) {
        this.options.onEvent?.({ kind: 'bad-overlay-datagram', detail: (err as Error).message });
        return;
      }
      this.sendDatagram(t, msg.subarray(OVERLAY_HEADER_BYTES), 'peer');
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(udpPort, this.options.address, () => resolve());
    });
    this.udpSocket = udp;
    const tcp = server.address();
    return { tcpPort: typeof tcp === 'object' && tcp ? tcp.port : tcpPort, udpPort: udp.address().port };
  }

  private acceptPeerStream(socket: Socket): void {
    this.peerSockets.add(socket);
    socket.once('close', () => this.peerSockets.delete(socket));
    let header = Buffer.alloc(0);
    socket.setTimeout(OVERLAY_HANDSHAKE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      header = Buffer.concat([header, chunk]);
      if (header.length < OVERLAY_HEADER_BYTES) return;
      socket.removeListener('data', onData);
      socket.pause();
      socket.setTimeout(0);
      const rest = header.subarray(OVERLAY_HEADER_BYTES);
      let t: Tuple;
      try {
        t = decodeOverlayHeader(header);
      } catch (err) {
        this.options.onEvent?.({ kind: 'bad-overlay-stream', detail: (err as Error).message });
        socket.destroy();
        return;
      }
      whenConnected(this.connectFrom('peer', t), (r) => {
        if (!r.ok) {
          const code = r.error === 'ECONNREFUSED' ? STREAM_REFUSED : r.error === 'EHOSTUNREACH' ? STREAM_UNREACHABLE : STREAM_DROPPED;
          socket.end(Buffer.from([code]));
          return;
        }
        socket.write(Buffer.from([STREAM_ACCEPTED]));
        if (rest.length > 0) r.socket.write(rest);
        socket.pipe(r.socket);
        r.socket.pipe(socket);
        socket.once('close', () => r.socket.destroy());
        r.socket.once('close', () => socket.destroy());
        r.socket.on('error', () => socket.destroy());
        socket.resume();
      });
    };
    socket.on('data', onData);
  }

  async close(): Promise<void> {
    this.udpSocket?.close();
    const server = this.tcpServer;
    for (const s of this.peerSockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
