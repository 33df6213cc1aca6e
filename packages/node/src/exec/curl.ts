// curl URL: HTTP/1.1 GET from inside the pod, printed as curl 7.88 (Debian 12) prints it.
import type { Duplex } from 'node:stream';
import { readResponse } from '../http-exchange.js';
import { Output, silenceNote, sleep, type ExecContext, type ExecResult } from './context.js';
import { resolveHost } from './dns-client.js';

const USER_AGENT = 'curl/7.88.1';

function parseSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

export async function curl(ctx: ExecContext, args: string[]): Promise<ExecResult> {
  const o = new Output();
  let verbose = false;
  let silent = false;
  let showError = false;
  let includeHeaders = false;
  let maxTimeMs: number | undefined;
  let connectTimeoutMs: number | undefined;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-v' || a === '--verbose') verbose = true;
    else if (a === '-s' || a === '--silent') silent = true;
    else if (a === '-S' || a === '--show-error') showError = true;
    else if (a === '-sS' || a === '-Ss') silent = showError = true;
    else if (a === '-i' || a === '--include') includeHeaders = true;
    else if (a === '-m' || a === '--max-time') maxTimeMs = parseSeconds(args[++i]);
    else if (a.startsWith('--max-time=')) maxTimeMs = parseSeconds(a.slice(11));
    else if (a === '--connect-timeout') connectTimeoutMs = parseSeconds(args[++i]);
    else if (a.startsWith('-')) {
      o.err(`curl: option ${a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
      return o.result(2);
    } else url = a;
  }
  if (url === undefined) {
    o.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return o.result(2);
  }
  const fail = (code: number, message: string): ExecResult => {
    if (!silent || showError) o.err(`curl: (${code}) ${message}\n`);
    return o.result(code);
  };
  const started = Date.now();
  const deadline = Math.min(ctx.deadlineMs, maxTimeMs !== undefined ? started + maxTimeMs : Infinity);
  const connectDeadline = Math.min(deadline, connectTimeoutMs !== undefined ? started + connectTimeoutMs : Infinity);
  const elapsed = (): number => Date.now() - started;
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    return fail(3, 'URL using bad/illegal format or missing URL');
  }
  if (parsed.protocol !== 'http:') return fail(1, `Protocol "${parsed.protocol.replace(':', '')}" not supported or disabled in libcurl`);
  const host = parsed.hostname;
  const port = Number(parsed.port || 80);
  const resolution = await resolveHost(ctx, host, Math.min(5000, Math.max(0, connectDeadline - Date.now())), 2);
  if (!resolution.ok) {
    if (resolution.error === 'timeout') o.err(silenceNote(ctx, ctx.resolvConf.nameservers[0]!) ?? '');
    if (Date.now() >= deadline && maxTimeMs !== undefined) return fail(28, `Resolving timed out after ${elapsed()} milliseconds`);
    return fail(6, `Could not resolve host: ${host}`);
  }
  const ip = resolution.addresses[0]!;
  if (verbose) o.err(`*   Trying ${ip}:${port}...\n`);
  const connected = await ctx.net.connect({ protocol: 'TCP', srcIP: ctx.podIP, srcPort: 0, dstIP: ip, dstPort: port });
  if (!connected.ok) {
    if (connected.error === 'ETIMEDOUT') {
      o.err(silenceNote(ctx, ip) ?? '');
      await sleep(connectDeadline - Date.now());
      return fail(28, `Failed to connect to ${host} port ${port} after ${elapsed()} ms: Timeout was reached`);
    }
    return fail(7, `Failed to connect to ${host} port ${port} after ${elapsed()} ms: Couldn't connect to server`);
  }
  const socket: Duplex = connected.socket;
  if (verbose) o.err(`* Connected to ${host} (${ip}) port ${port} (#0)\n`);
  const hostHeader = port === 80 ? host : `${host}:${port}`;
  const path = `${parsed.pathname}${parsed.search}`;
  const request = [`GET ${path} HTTP/1.1`, `Host: ${hostHeader}`, `User-Agent: ${USER_AGENT}`, 'Accept: */*'];
  if (verbose) o.err(request.map((l) => `> ${l}\n`).join('') + '> \n');
  socket.write(request.join('\r\n') + '\r\n\r\n');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
  try {
    const response = await Promise.race([readResponse(socket), timedOut]);
    if (response === 'timeout') return fail(28, `Operation timed out after ${elapsed()} milliseconds with 0 bytes received`);
    if (verbose) o.err(`< ${response.statusLine}\n` + response.headerLines.map((l) => `< ${l}\n`).join('') + '< \n');
    if (includeHeaders) o.out(`${response.statusLine}\r\n${response.headerLines.map((l) => `${l}\r\n`).join('')}\r\n`);
    o.out(response.body.toString('utf8'));
    if (verbose) o.err(`* Connection #0 to host ${host} left intact\n`);
    return o.result(0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEMPTY') return fail(52, 'Empty reply from server');
    if (code === 'ECONNRESET') return fail(56, 'Recv failure: Connection reset by peer');
    return fail(56, `Failure when receiving data from the peer`);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
