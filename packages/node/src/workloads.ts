// The emulated containers: each listener of a pod's workloads (core workload.ts decides which)
// answers on the pod network at the pod's IP, as agnhost or a plain HTTP server would.
import { podHostname, podWorkloads, type Pod, type WorkloadListener, type WorkloadProgram } from '@kubemu/core';
import { serveHttp, type HttpRequest, type HttpResponse } from './http-exchange.js';
import type { PodNetwork } from './pod-network/pod-network.js';

export interface RunningPod {
  ip: string;
  stop(): void;
  problems: string[];
}

interface PodIdentity {
  name: string;
  hostname: string;
  ip: string;
}

/** agnhost netexec's HTTP handlers (test/images/agnhost/netexec/netexec.go). */
function netexecHttp(id: PodIdentity, req: HttpRequest, client: string, now: Date): HttpResponse {
  const url = new URL(req.target, 'http://pod');
  switch (url.pathname) {
    case '/':
      return { status: 200, body: `NOW: ${now.toISOString()}` };
    case '/hostname':
      return { status: 200, body: id.hostname };
    case '/clientip':
      return { status: 200, body: client };
    case '/echo':
      return { status: 200, body: url.searchParams.get('msg') ?? '' };
    case '/healthz':
    case '/readyz':
      return { status: 200, body: 'ok' };
    default:
      return { status: 404, body: '404 page not found\n' };
  }
}

function httpHandler(program: WorkloadProgram, id: PodIdentity, client: string, req: HttpRequest): HttpResponse {
  if (program === 'serve-hostname') return { status: 200, body: id.hostname };
  if (program === 'netexec') return netexecHttp(id, req, client, new Date());
  return { status: 200, body: `pod: ${id.name}\npodIP: ${id.ip}\nclient: ${client}\n` };
}

/**
 * netexec's UDP commands (startUDPServer): the datagram trimmed and lower-cased; "hostname", "echo
 * MSG", "clientip" answer; anything else is only logged, so no datagram comes back.
 */
function netexecUdp(id: PodIdentity, payload: string, client: string): string | undefined {
  const text = payload.trim().toLowerCase();
  if (text === 'hostname') return id.hostname;
  if (text.startsWith('echo ')) return text.slice('echo '.length);
  if (text === 'clientip') return client;
  return undefined;
}

function startListener(net: PodNetwork, id: PodIdentity, program: WorkloadProgram, l: WorkloadListener): () => void {
  if (l.protocol === 'TCP') {
    return net.listenStream(id.ip, l.port, (socket) => {
      const client = `${socket.remoteAddress}:${socket.remotePort}`;
      if (l.serves === 'raw-hostname') {
        socket.on('error', () => socket.destroy());
        socket.end(id.hostname);
        return;
      }
      serveHttp(socket, (req) => httpHandler(program, id, client, req));
    });
  }
  return net.listenDatagram(id.ip, l.port, (payload, tuple, reply) => {
    const client = `${tuple.srcIP}:${tuple.srcPort}`;
    if (l.serves === 'udp-hostname') reply(Buffer.from(id.hostname));
    else if (l.serves === 'netexec-udp') {
      const answer = netexecUdp(id, payload.toString('utf8'), client);
      if (answer !== undefined) reply(Buffer.from(answer));
    }
    else reply(payload);
  });
}

export function startPodWorkloads(net: PodNetwork, pod: Pod, ip: string): RunningPod {
  const id: PodIdentity = { name: pod.metadata?.name ?? '', hostname: podHostname(pod), ip };
  const stops: (() => void)[] = [];
  const problems: string[] = [];
  for (const w of podWorkloads(pod)) {
    if (w.problem) problems.push(`container ${w.container}: ${w.problem}`);
    for (const l of w.listeners) {
      try {
        stops.push(startListener(net, id, w.program, l));
      } catch (err) {
        problems.push(`container ${w.container}: ${(err as Error).message}`);
      }
    }
  }
  return { ip, problems, stop: () => stops.forEach((s) => s()) };
}
