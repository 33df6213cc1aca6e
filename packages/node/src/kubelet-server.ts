// The node's HTTP endpoint on its address, the kubelet server's role: /healthz, /metrics, exec,
// container logs (GET /containerLogs/{namespace}/{pod}/{container}, the kubelet's route and
// query), the proxy agent's log lines (POST /kube-proxy/log) and the node's netfilter
// (netfilter/netfilter-api.ts), all but /healthz and /metrics behind the cluster's bearer token. Exec
// here is one request and one JSON answer rather than the kubelet's streamed
// SPDY/WebSocket session: the emulated commands have no terminal.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  formatContainerLogLine,
  KUBE_PROXY_CONTAINER,
  KUBE_PROXY_NAMESPACE,
  parsePodLogOptions,
  podHostname,
  podResolvConf,
  previousContainerNotFoundMessage,
  selectContainerLogLines,
  type ContainerLogLine,
} from '@kubemu/core';
import type { ContainerLogs } from './container-logs.js';
import { parseKubeProxyReport, type KubeProxyPod } from './kube-proxy-pod.js';
import { runInPod } from './exec/run.js';
import { handleNetfilter, netfilterRoute } from './netfilter/netfilter-api.js';
import type { NodeNetfilter } from './netfilter/node-netfilter.js';
import type { Metrics } from './metrics.js';
import type { NodeAgent } from './node-agent.js';
import type { PodNetwork } from './pod-network/pod-network.js';

export const MAX_EXEC_REQUEST_BYTES = 1024 * 1024;
export const MAX_CONCURRENT_EXECS = 64;
/** The longest an exec may run (kubelet's streaming-connection-idle-timeout is 4h; a bound matters more here). */
export const MAX_EXEC_SECONDS = 300;

export interface ExecRequest {
  command: string[];
  stdin?: string;
  timeoutSeconds?: number;
}

export interface KubeletServerOptions {
  token: string;
  agent: NodeAgent;
  net: PodNetwork;
  netfilter: NodeNetfilter;
  metrics: Metrics;
  healthy: () => boolean;
  logs: ContainerLogs;
  kubeProxy: KubeProxyPod;
}

/** A proxy agent's report of new lines is at most this large. */
export const MAX_KUBE_PROXY_REPORT_BYTES = 8 * 1024 * 1024;

function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new Error(`request body over ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createKubeletServer(o: KubeletServerOptions): Server {
  let running = 0;
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://node');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, o.healthy() ? 200 : 503, o.healthy() ? 'ok' : 'not ready', 'text/plain');
      if (req.method === 'GET' && url.pathname === '/metrics') {
        o.metrics.streams.set(o.net.openStreams);
        return send(res, 200, await o.metrics.registry.metrics(), o.metrics.registry.contentType);
      }
      const nf = netfilterRoute(req.method ?? '', url.pathname);
      if (nf) {
        if (!bearerMatches(req.headers.authorization, o.token)) return send(res, 401, { message: 'Unauthorized' });
        let text: string;
        try {
          text = nf.maxBodyBytes > 0 ? await readBody(req, nf.maxBodyBytes) : '';
        } catch (err) {
          return send(res, 413, `${(err as Error).message}\n`, 'text/plain; charset=utf-8');
        }
        const answer = handleNetfilter(o.netfilter, req.method ?? '', url, text);
        return send(res, answer.status, answer.body, answer.type);
      }
      const logPath = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (logPath && req.method === 'GET') {
        if (!bearerMatches(req.headers.authorization, o.token)) return send(res, 401, { message: 'Unauthorized' });
        return serveContainerLogs(o, req, res, decodeURIComponent(logPath[1]!), decodeURIComponent(logPath[2]!), decodeURIComponent(logPath[3]!), url.searchParams);
      }
      if (url.pathname === '/kube-proxy/log' && req.method === 'POST') {
        if (!bearerMatches(req.headers.authorization, o.token)) return send(res, 401, { message: 'Unauthorized' });
        let report;
        try {
          report = parseKubeProxyReport(await readBody(req, MAX_KUBE_PROXY_REPORT_BYTES));
        } catch (err) {
          return send(res, 413, `${(err as Error).message}\n`, 'text/plain; charset=utf-8');
        }
        if (typeof report === 'string') return send(res, 400, `${report}\n`, 'text/plain; charset=utf-8');
        o.kubeProxy.report(report);
        return send(res, 200, { lines: report.lines.length });
      }
      const m = /^\/exec\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || req.method !== 'POST') return send(res, 404, { message: `no such path: ${req.method} ${url.pathname}` });
      if (!bearerMatches(req.headers.authorization, o.token)) return send(res, 401, { message: 'Unauthorized' });
      if (running >= MAX_CONCURRENT_EXECS) return send(res, 429, { message: `${MAX_CONCURRENT_EXECS} execs already run on this node` });
      let body: ExecRequest;
      try {
        body = JSON.parse(await readBody(req, MAX_EXEC_REQUEST_BYTES)) as ExecRequest;
      } catch (err) {
        return send(res, 400, { message: `exec request: ${(err as Error).message}` });
      }
      if (!Array.isArray(body.command) || body.command.length === 0 || !body.command.every((c) => typeof c === 'string')) {
        return send(res, 400, { message: 'you must specify at least one command for the container' });
      }
      const namespace = decodeURIComponent(m[1]!);
      const name = decodeURIComponent(m[2]!);
      const found = o.agent.runningPod(namespace, name);
      if (!found) return send(res, 404, { message: `pod ${namespace}/${name} does not run on this node` });
      const seconds = Math.min(body.timeoutSeconds ?? MAX_EXEC_SECONDS, MAX_EXEC_SECONDS);
      running++;
      try {
        const result = await runInPod(
          {
            net: o.net,
            podIP: found.ip,
            podName: name,
            namespace,
            hostname: podHostname(found.pod),
            resolvConf: podResolvConf(namespace),
            stdin: typeof body.stdin === 'string' ? body.stdin : '',
            deadlineMs: Date.now() + seconds * 1000,
          },
          body.command,
        );
        o.metrics.execs.inc({ command: body.command[0]!.split('/').pop()!, code: String(result.exitCode) });
        send(res, 200, result);
      } finally {
        running--;
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { message: String(err) });
    });
  });
}

/**
 * The kubelet's getContainerLogs (pkg/kubelet/server/server.go) and ReadLogs: 404 for a pod or
 * container the node does not have, 400 while the container waits to start or for --previous,
 * else the selected lines (text/plain), and with follow every later line until the client goes
 * away or the pod stops.
 */
function serveContainerLogs(o: KubeletServerOptions, req: IncomingMessage, res: ServerResponse, namespace: string, podName: string, container: string, query: URLSearchParams): void {
  const text = (code: number, body: string): void => send(res, code, body, 'text/plain; charset=utf-8');
  const parsed = parsePodLogOptions(query);
  if (!parsed.ok) return text(400, parsed.message);
  const opts = parsed.options;
  const isKubeProxy = namespace === KUBE_PROXY_NAMESPACE && podName === o.kubeProxy.podName;
  const pod = o.agent.boundPod(namespace, podName);
  if (!isKubeProxy && !pod) return text(404, `pod "${podName}" does not exist`);
  const containers = isKubeProxy ? [KUBE_PROXY_CONTAINER] : (pod?.spec?.containers ?? []).map((c) => c.name ?? '');
  if (!containers.includes(container)) return text(404, `container "${container}" not found in pod "${podName}"`);
  if (opts.previous) return text(400, previousContainerNotFoundMessage(container, podName));
  if (!isKubeProxy && !o.agent.runningPod(namespace, podName)) return text(400, `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  const log = o.logs.get(namespace, podName, container);
  let budget = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  /** Writes one line within limitBytes; false once the limit is reached (the answer then ends). */
  const writeLine = (l: ContainerLogLine): boolean => {
    let chunk = Buffer.from(formatContainerLogLine(l, opts.timestamps));
    if (chunk.length > budget) chunk = chunk.subarray(0, budget);
    budget -= chunk.length;
    if (chunk.length > 0) res.write(chunk);
    return budget > 0;
  };
  const initial = log ? selectContainerLogLines(log, opts, Date.now()) : [];
  for (const l of initial) if (!writeLine(l)) return void res.end();
  if (!opts.follow) return void res.end();
  const stop = o.logs.follow(namespace, podName, container, (line) => {
    if (line === undefined || !writeLine(line)) {
      stop?.();
      res.end();
    }
  });
  if (!stop) return void res.end();
  res.on('close', () => stop());
  req.on('aborted', () => stop());
}
