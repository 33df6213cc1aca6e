// nc (netcat-openbsd, as in Debian and agnhost's busybox) for probing ports: -z, -u, -v, -w.
import { Output, silenceNote, sleep, type ExecContext, type ExecResult } from './context.js';
import { resolveHost } from './dns-client.js';

export async function nc(ctx: ExecContext, args: string[]): Promise<ExecResult> {
  const o = new Output();
  let zero = false;
  let udp = false;
  let verbose = false;
  let waitMs: number | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-w') waitMs = Number(args[++i]) * 1000;
    else if (/^-w\d+$/.test(a)) waitMs = Number(a.slice(2)) * 1000;
    else if (/^-[zuvn]+$/.test(a)) {
      if (a.includes('z')) zero = true;
      if (a.includes('u')) udp = true;
      if (a.includes('v')) verbose = true;
    } else if (a.startsWith('-')) {
      o.err(`nc: invalid option -- '${a.slice(1, 2)}'\nusage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n`);
      return o.result(1);
    } else positional.push(a);
  }
  const [host, portText] = positional;
  const port = Number(portText);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    o.err('usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n');
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
  if (udp) {
    // UDP has no handshake: nc -u reports success for any reachable-looking address and prints what comes back.
    const replies: Buffer[] = [];
    const socket = ctx.net.bindDatagram(ctx.podIP, (payload) => replies.push(payload));
    const payload = zero ? Buffer.from('X') : Buffer.from(ctx.stdin);
    ctx.net.sendDatagram({ protocol: 'UDP', srcIP: ctx.podIP, srcPort: socket.port, dstIP: ip, dstPort: port }, payload, 'local');
    if (verbose && zero) o.err(`Connection to ${host} ${port} port [udp/*] succeeded!\n`);
    if (!zero) await sleep(Math.min(waitMs ?? 1000, ctx.deadlineMs - Date.now()));
    socket.close();
    for (const r of replies) o.out(r.toString('utf8'));
    return o.result(0);
  }
  const connected = await ctx.net.connect({ protocol: 'TCP', srcIP: ctx.podIP, srcPort: 0, dstIP: ip, dstPort: port });
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
