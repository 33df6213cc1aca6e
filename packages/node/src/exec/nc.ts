// nc (netcat-openbsd 1.219, as in Debian and agnhost's image) for probing ports: -z, -u, -v, -n,
// -4, -w timeout, -q seconds, -p source_port. Options may be grouped (`-vzu`, `-uw1`) as getopt
// allows.
import { Output, silenceNote, sleep, type ExecContext, type ExecResult } from './context.js';
import { resolveHost } from './dns-client.js';
import type { Tuple } from '../pod-network/tuple.js';

const USAGE = 'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n';
/** Flags taken and ignored: they change nothing the emulated network shows. */
const PLAIN_FLAGS = new Set(['4', 'n', 'N', 'D', 'd']);
const ARG_FLAGS = new Set(['w', 'q', 'p']);
/** Without -w or -q a real `nc -u` waits for datagrams until it is killed; an exec has to end. */
export const UDP_DEFAULT_WAIT_MS = 1000;

interface NcOptions {
  zero: boolean;
  udp: boolean;
  verbose: boolean;
  waitMs?: number;
  quitMs?: number;
  sourcePort?: number;
  positional: string[];
}

function parseArgs(args: readonly string[]): NcOptions | string {
  const o: NcOptions = { zero: false, udp: false, verbose: false, positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      o.positional.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (f === 'z') o.zero = true;
      else if (f === 'u') o.udp = true;
      else if (f === 'v') o.verbose = true;
      else if (PLAIN_FLAGS.has(f)) continue;
      else if (ARG_FLAGS.has(f)) {
        const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (value === undefined) return `nc: option requires an argument -- '${f}'\n${USAGE}`;
        const n = Number(value);
        if (f === 'p') {
          if (!Number.isInteger(n) || n < 1 || n > 65535) return `nc: port number invalid: ${value}\n`;
          o.sourcePort = n;
        } else {
          if (!Number.isInteger(n) || n < 0) return `nc: ${f === 'w' ? 'timeout' : 'quit timer'} invalid: ${value}\n`;
          if (f === 'w') o.waitMs = n * 1000;
          else o.quitMs = n * 1000;
        }
        break;
      } else return `nc: invalid option -- '${f}'\n${USAGE}`;
    }
  }
  return o;
}

export async function nc(ctx: ExecContext, args: string[]): Promise<ExecResult> {
  const o = new Output();
  const opts = parseArgs(args);
  if (typeof opts === 'string') {
    o.err(opts);
    return o.result(1);
  }
  const { zero, udp, verbose, waitMs } = opts;
  const [host, portText] = opts.positional;
  const port = Number(portText);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    o.err(USAGE);
    return o.result(1);
  }
  const proto = udp ? 'udp' : 'tcp';
  const resolution = await resolveHost(ctx, host, 5000, 2);
  if (!resolution.ok) {
    o.err(silenceNote(ctx, ctx.resolvConf.nameservers[0]!) ?? '');
    o.err(`nc: getaddrinfo for host "${host}" port ${port}: ${resolution.error === 'timeout' ? 'Temporary failure in name resolution' : 'Name or service not known'}\n`);
    return o.result(1);
  }
  const ip = resolution.addresses[0]!;
  if (udp) return ncUdp(ctx, o, opts, host, ip, port);
  const connected = await ctx.net.connect({ protocol: 'TCP', srcIP: ctx.podIP, srcPort: opts.sourcePort ?? 0, dstIP: ip, dstPort: port });
  if (!connected.ok) {
    if (connected.error === 'ETIMEDOUT') {
      o.err(silenceNote(ctx, ip) ?? '');
      await sleep(Math.min(waitMs ?? 130_000, ctx.deadlineMs - Date.now()));
      if (verbose) o.err(`nc: connect to ${host} port ${port} (${proto}) timed out: Operation now in progress\n`);
    } else if (verbose || !zero) {
      const why = connected.error === 'ECONNREFUSED' ? 'Connection refused' : 'No route to host';
      o.err(`nc: connect to ${host} port ${port} (${proto}) failed: ${why}\n`);
    }
    return o.result(1);
  }
  if (verbose) o.err(`Connection to ${host} ${port} port [${proto}/*] succeeded!\n`);
  if (zero) {
    connected.socket.destroy();
    return o.result(0);
  }
  const chunks: Buffer[] = [];
  connected.socket.on('data', (c: Buffer) => chunks.push(c));
  connected.socket.on('error', () => undefined);
  connected.socket.end(ctx.stdin);
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, Math.min(waitMs ?? 10_000, ctx.deadlineMs - Date.now()));
    connected.socket.once('close', () => (clearTimeout(t), resolve()));
    connected.socket.once('end', () => (clearTimeout(t), resolve()));
  });
  connected.socket.destroy();
  o.out(Buffer.concat(chunks).toString('utf8'));
  return o.result(0);
}

/**
 * nc -u: a UDP socket connect()ed to the peer, so the kernel hands it only datagrams from that
 * address and port (a reply from the pod's own address, not un-DNATed back to the Service's, never
 * reaches nc). Standard input goes out as one datagram; nothing is sent for an empty one. -w is
 * an idle timeout (restarted by each datagram that arrives); -q quits that long after stdin's end.
 */
async function ncUdp(ctx: ExecContext, o: Output, opts: NcOptions, host: string, ip: string, port: number): Promise<ExecResult> {
  let socket: { port: number; close: () => void };
  let wake: (() => void) | undefined;
  const replies: Buffer[] = [];
  const fromPeer = (t: Tuple): boolean => t.srcIP === ip && t.srcPort === port;
  try {
    socket = ctx.net.bindDatagram(
      ctx.podIP,
      (payload, tuple) => {
        if (!fromPeer(tuple)) return;
        replies.push(payload);
        wake?.();
      },
      opts.sourcePort,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      o.err('nc: bind failed: Address already in use\n');
      return o.result(1);
    }
    throw err;
  }
  const send = (payload: Buffer): void => ctx.net.sendDatagram({ protocol: 'UDP', srcIP: ctx.podIP, srcPort: socket.port, dstIP: ip, dstPort: port }, payload, 'local');
  try {
    if (opts.zero) {
      // netcat's udptest(): four one-byte writes; UDP has no handshake, so any address "succeeds".
      for (let i = 0; i < 4; i++) send(Buffer.from('X'));
      if (opts.verbose) o.err(`Connection to ${host} ${port} port [udp/*] succeeded!\n`);
      return o.result(0);
    }
    if (opts.verbose) o.err(`Connection to ${host} ${port} port [udp/*] succeeded!\n`);
    if (ctx.stdin.length > 0) send(Buffer.from(ctx.stdin));
    const quitAt = opts.quitMs !== undefined ? Date.now() + opts.quitMs : Infinity;
    const idleMs = opts.waitMs ?? (opts.quitMs !== undefined ? Infinity : UDP_DEFAULT_WAIT_MS);
    for (;;) {
      const until = Math.min(Date.now() + idleMs, quitAt, ctx.deadlineMs);
      const seen = replies.length;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, until - Date.now()));
        wake = () => (clearTimeout(t), resolve());
      });
      wake = undefined;
      if (replies.length === seen) break;
    }
  } finally {
    socket.close();
  }
  for (const r of replies) o.out(r.toString('utf8'));
  return o.result(0);
}
