// The emulated containers: each listener of a pod's workloads (core workload.ts decides which)
// answers on the pod network at the pod's IP, as agnhost or a plain HTTP server would.
import {
  podHostname,
  podWorkloads,
  workloadDatagramLine,
  workloadRequestLine,
  workloadStartLines,
  type Container,
  type Pod,
  type Workload,
  type WorkloadListener,
  type WorkloadProgram,
} from '@kubemu/core';
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

/** What a container prints goes to its log on the node (container-logs.ts). */
export type ContainerPrinter = (container: string, text: string) => void;

interface ListenerContext {
  id: PodIdentity;
  container: Container;
  workload: Workload;
  print: (text: string | undefined) => void;
}

function startListener(net: PodNetwork, c: ListenerContext, l: WorkloadListener): () => void {
  const { id } = c;
  const program: WorkloadProgram = c.workload.program;
  if (l.protocol === 'TCP') {
    return net.listenStream(id.ip, l.port, (socket) => {
      const client = `${socket.remoteAddress}:${socket.remotePort}`;
      if (l.serves === 'raw-hostname') {
        c.print(workloadDatagramLine(c.container, c.workload, 'tcp-raw', '', client, Date.now()));
        socket.on('error', () => socket.destroy());
        socket.end(id.hostname);
        return;
      }
      serveHttp(socket, (req) => {
        const answer = httpHandler(program, id, client, req);
        c.print(workloadRequestLine(c.container, c.workload, { ...req, client, status: answer.status, bodyBytes: Buffer.byteLength(answer.body) }, Date.now()));
        return answer;
      });
    });
  }
  return net.listenDatagram(id.ip, l.port, (payload, tuple, reply) => {
    const client = `${tuple.srcIP}:${tuple.srcPort}`;
    c.print(workloadDatagramLine(c.container, c.workload, 'udp', payload.toString('utf8'), client, Date.now()));
    if (l.serves === 'udp-hostname') reply(Buffer.from(id.hostname));
    else if (l.serves === 'netexec-udp') {
      const answer = netexecUdp(id, payload.toString('utf8'), client);
      if (answer !== undefined) reply(Buffer.from(answer));
    }
    else reply(payload);
  });
}

export function startPodWorkloads(net: PodNetwork, pod: Pod, ip: string, printer: ContainerPrinter = () => undefined): RunningPod {
  const id: PodIdentity = { name: pod.metadata?.name ?? '', hostname: podHostname(pod), ip };
  const stops: (() => void)[] = [];
  const problems: string[] = [];
  const containers = pod.spec?.containers ?? [];
  podWorkloads(pod).forEach((w, i) => {
    const container = containers[i] ?? { name: w.container };
    const print = (text: string | undefined): void => {
      if (text !== undefined) printer(w.container, text);
    };
    for (const line of workloadStartLines(container, w, Date.now())) print(line);
    if (w.problem) problems.push(`container ${w.container}: ${w.problem}`);
    for (const l of w.listeners) {
      try {
        stops.push(startListener(net, { id, container, workload: w, print }, l));
      } catch (err) {
        problems.push(`container ${w.container}: ${(err as Error).message}`);
      }
    }
  });
  return { ip, problems, stop: () => stops.forEach((s) => s()) };
}
