// What the emulated containers print to stdout/stderr, i.e. what `kubectl logs` shows of them:
// - nginx (the image's nginx.conf, log_format main, access_log to stdout):
//     $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"
//   $remote_addr is the address the connection came from: the node's after SNAT, the client's
//   without. Before the first request the image's entrypoint and nginx's start-up notices.
// - agnhost (test/images/agnhost, Go's log package: "2006/01/02 15:04:05 message"):
//   serve-hostname: "Serving on port N." and "HTTP|TCP|UDP request from ADDR";
//   netexec: "Started HTTP server on port N", "Started UDP server on port  N" (no listen
//   address: two spaces) and "GET /path" per handler.
// Any other image prints nothing kubemu could know.
import type { Container } from '../api/types.js';
import { AGNHOST_IMAGE, type Workload } from './workload.js';

export type WorkloadLogStyle = 'nginx' | 'agnhost' | 'silent';

function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** nginx, library/nginx, docker.io/library/nginx, nginx:1.27-alpine … */
export function workloadLogStyle(container: Container): WorkloadLogStyle {
  const repo = imageRepository(container.image ?? '');
  if (repo === AGNHOST_IMAGE) return 'agnhost';
  if (/^((docker\.io|index\.docker\.io)\/)?(library\/)?nginx$/.test(repo)) return 'nginx';
  return 'silent';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Go's log.LstdFlags prefix in UTC: "2006/01/02 15:04:05". nginx's error log uses the same shape. */
export function goLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** nginx's $time_local in UTC: 27/Nov/2024:10:00:00 +0000. */
export function nginxTimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** What a container prints as it starts. */
export function workloadStartLines(container: Container, workload: Workload, nowMs: number): string[] {
  const style = workloadLogStyle(container);
  if (style === 'nginx') {
    const t = goLogTime(nowMs);
    return [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
      '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
      '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${t} [notice] 1#1: using the "epoll" event method`,
      `${t} [notice] 1#1: start worker processes`,
      `${t} [notice] 1#1: start worker process 29`,
    ];
  }
  if (style !== 'agnhost') return [];
  const t = goLogTime(nowMs);
  if (workload.problem !== undefined) return [`${t} ${workload.problem}`];
  if (workload.program === 'serve-hostname') {
    const port = workload.listeners[0]?.port;
    return port === undefined ? [] : [`${t} Serving on port ${port}.`];
  }
  if (workload.program === 'netexec') {
    const lines: string[] = [];
    const http = workload.listeners.find((l) => l.protocol === 'TCP');
    const udp = workload.listeners.find((l) => l.protocol === 'UDP');
    // startUDPServer runs in a goroutine: its line usually comes first.
    if (udp) lines.push(`${t} Started UDP server on port  ${udp.port}`);
    if (http) lines.push(`${t} Started HTTP server on port ${http.port}`);
    return lines;
  }
  return [];
}

export interface ServedHttpRequest {
  method: string;
  target: string;
  version: string;
  headers: ReadonlyMap<string, string>;
  /** host:port the container saw the connection come from. */
  client: string;
  status: number;
  bodyBytes: number;
}

function clientHost(client: string): string {
  const i = client.lastIndexOf(':');
  return i < 0 ? client : client.slice(0, i).replace(/^\[(.*)\]$/, '$1');
}

/** nginx's escaping of variables in log_format (escape=default): ", \ and bytes < 0x20 or ≥ 0x7f as \xHH. */
function nginxEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c || b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

const dash = (v: string | undefined): string => (v === undefined || v === '' ? '-' : nginxEscape(v));

/** The line a container prints for one HTTP request, if it prints one. */
export function workloadRequestLine(container: Container, workload: Workload, r: ServedHttpRequest, nowMs: number): string | undefined {
  const style = workloadLogStyle(container);
  if (style === 'nginx') {
    const request = `${r.method} ${r.target} ${r.version}`;
    return `${clientHost(r.client)} - - [${nginxTimeLocal(nowMs)}] "${nginxEscape(request)}" ${r.status} ${r.bodyBytes} "${dash(r.headers.get('referer'))}" "${dash(r.headers.get('user-agent'))}" "${dash(r.headers.get('x-forwarded-for'))}"`;
  }
  if (style !== 'agnhost') return undefined;
  const t = goLogTime(nowMs);
  if (workload.program === 'serve-hostname') return `${t} HTTP request from ${r.client}`;
  if (workload.program === 'netexec') {
    const url = new URL(r.target, 'http://pod');
    switch (url.pathname) {
      case '/':
      case '/clientip':
      case '/hostname':
      case '/healthz':
        return `${t} GET ${url.pathname}`;
      case '/echo':
        return `${t} GET /echo?msg=${url.searchParams.get('msg') ?? ''}&code=${url.searchParams.get('code') ?? ''}`;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** serve-hostname's raw TCP/UDP modes and netexec's UDP commands. */
export function workloadDatagramLine(container: Container, workload: Workload, kind: 'tcp-raw' | 'udp', payload: string, client: string, nowMs: number): string | undefined {
  if (workloadLogStyle(container) !== 'agnhost') return undefined;
  const t = goLogTime(nowMs);
  if (workload.program === 'serve-hostname') return `${t} ${kind === 'udp' ? 'UDP' : 'TCP'} request from ${client}`;
  if (workload.program !== 'netexec' || kind !== 'udp') return undefined;
  const text = payload.trim().toLowerCase();
  if (text === 'hostname') return `${t} Sending udp hostName response`;
  if (text.startsWith('echo ')) return `${t} Echoing ${text.slice('echo '.length)} to UDP client ${client}`;
  if (text === 'clientip') return `${t} Sending clientip back to UDP client ${client}`;
  if (text.length > 0) return `${t} Unknown UDP command received from ${client}: ${text}`;
  return undefined;
}
