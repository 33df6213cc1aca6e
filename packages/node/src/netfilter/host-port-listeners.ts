// The node's real sockets for pods' hostPorts (containerPort.hostPort). In a real cluster the
// kubelet hands them to the CNI portmap plugin, which DNATs `node address:hostPort` to
// `pod IP:containerPort` in chains of its own (CNI-HOSTPORT-DNAT), not kube-proxy's. Here the
// node holds a listener on its address per hostPort of a pod it runs, and each connection goes
// straight to the pod (PodNetwork.connectHostPort): the same pod network and the same pod as a
// NodePort's, without the walk of kube-proxy's rules. TCP only; UDP and SCTP hostPorts are
// reported as not emulated.
import { createServer, type Server, type Socket } from 'node:net';
import type { HostPortMapping } from '@kubemu/core';
import { MAX_STREAMS, type PodNetwork } from '../pod-network/pod-network.js';
import { plainAddress, splice } from './node-port-listeners.js';

export interface HostPortSocketsOptions {
  address: string;
  net: PodNetwork;
}

export class HostPortSockets {
  /** podKey → that pod's listeners. */
  private readonly byPod = new Map<string, Server[]>();
  private readonly accepted = new Set<Socket>();

  constructor(private readonly o: HostPortSocketsOptions) {}

  /** `TCP/8080` style, sorted. */
  get open(): string[] {
    return [...this.byPod.values()].flat().map((s) => `TCP/${(s.address() as { port: number }).port}`).sort();
  }

  /** Opens the pod's hostPorts; resolves with what could not be opened, one line each. */
  async openPod(podKey: string, podIP: string, mappings: readonly HostPortMapping[]): Promise<string[]> {
    this.closePod(podKey);
    const servers: Server[] = [];
    const problems: string[] = [];
    this.byPod.set(podKey, servers);
    for (const m of mappings) {
      if (m.protocol !== 'TCP') {
        problems.push(`hostPort ${m.protocol}/${m.hostPort}: only TCP hostPorts are emulated`);
        continue;
      }
      if (m.hostIP !== '' && m.hostIP !== '0.0.0.0' && m.hostIP !== this.o.address) {
        problems.push(`hostPort ${m.hostPort}: hostIP ${m.hostIP} is not an address of this node (${this.o.address})`);
        continue;
      }
      try {
        const server = await this.listen(m.hostPort, podIP, m.containerPort);
        // The pod stopped while the socket was opening.
        if (this.byPod.get(podKey) !== servers) server.close();
        else servers.push(server);
      } catch (err) {
        problems.push(`hostPort ${m.hostPort}: cannot listen on ${this.o.address}: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  closePod(podKey: string): void {
    for (const s of this.byPod.get(podKey) ?? []) s.close();
    this.byPod.delete(podKey);
  }

  private listen(hostPort: number, podIP: string, containerPort: number): Promise<Server> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket, podIP, containerPort));
    server.maxConnections = MAX_STREAMS;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(hostPort, this.o.address, () => {
        server.removeListener('error', reject);
        resolve(server);
      });
    });
  }

  private accept(socket: Socket, podIP: string, containerPort: number): void {
    this.accepted.add(socket);
    socket.once('close', () => this.accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    // portmap's DNAT: only the destination changes; the pod sees the client's own address and port.
    const r = this.o.net.connectHostPort({ protocol: 'TCP', srcIP: plainAddress(socket.remoteAddress), srcPort: socket.remotePort ?? 0, dstIP: podIP, dstPort: containerPort });
    if (!r.ok) {
      // Nothing listens on the containerPort: the kernel would answer the DNATed SYN with a RST.
      socket.resetAndDestroy();
      return;
    }
    splice(socket, r.socket);
  }

  close(): void {
    for (const key of [...this.byPod.keys()]) this.closePod(key);
    for (const s of this.accepted) s.destroy();
  }
}
