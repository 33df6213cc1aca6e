// The node's HTTP endpoint on its address, the kubelet server's role: /healthz, /metrics, exec and
// the node's netfilter (netfilter/netfilter-api.ts), both behind the cluster's bearer token. Exec
// here is one request and one JSON answer rather than the kubelet's streamed
// SPDY/WebSocket session: the emulated commands have no terminal.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { podHostname, podResolvConf } from '@kubemu/core';
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
}

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
