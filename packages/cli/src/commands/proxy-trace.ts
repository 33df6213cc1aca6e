// `kubemu proxy trace`: a made-up connection through the node's tables as a full sync leaves them
// (jump rules ensured, payload restored into core's tables), walked by the one interpreter.
import { netfilter, nodeLocalAddresses, programFullSync, renderFullSync } from '@kubemu/core';
import { booleanFlag, integerFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import type { CliIO } from '../io.js';
import { PROXY_INPUT_FLAGS, PROXY_INPUT_OPTIONS, readProxyInputs } from './proxy-inputs.js';

export const PROXY_TRACE_HELP = `kubemu proxy trace: where a new connection to the node goes.

Options:
${PROXY_INPUT_OPTIONS}  --src IP --dst IP --dport N  the connection; a --src the node holds starts on the node itself
  --sport N                   default 40000
  --proto tcp|udp|sctp        default tcp
  --json                      one object: {"verdict","targets","masquerade","rules"}
`;

const FLAGS = {
  ...PROXY_INPUT_FLAGS,
  src: { type: 'string' },
  dst: { type: 'string' },
  dport: { type: 'string' },
  sport: { type: 'string' },
  proto: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

export async function proxyTrace(argv: readonly string[], io: CliIO): Promise<number> {
  const command = 'proxy trace';
  const args = parseCommandArgs(command, argv, FLAGS);
  if (booleanFlag(args, 'help')) {
    io.out(PROXY_TRACE_HELP);
    return 0;
  }
  const src = stringFlag(args, 'src');
  const dst = stringFlag(args, 'dst');
  for (const [flag, ip] of [['src', src], ['dst', dst]] as const) {
    if (ip === undefined) throw new UsageError(`must specify --${flag}`, command);
    if (netfilter.parseIPv4(ip) === undefined) throw new UsageError(`invalid argument "${ip}" for "--${flag}" flag: not an IPv4 address`, command);
  }
  const dport = integerFlag(args, command, 'dport', 1, 65535);
  if (dport === undefined) throw new UsageError('must specify --dport', command);
  const sport = integerFlag(args, command, 'sport', 1, 65535) ?? 40000;
  const proto = (stringFlag(args, 'proto') ?? 'tcp').toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(proto)) throw new UsageError(`invalid argument "${proto}" for "--proto" flag: must be tcp, udp or sctp`, command);

  const inputs = await readProxyInputs(command, args, io);
  const payload = renderFullSync(inputs.services, inputs.endpointSlices, inputs.node, inputs.config);
  const tables = programFullSync(netfilter.emptyTables(), payload, inputs.config);
  const localAddresses = nodeLocalAddresses(inputs.node);
  const packet: netfilter.Packet = { proto: proto as netfilter.Packet['proto'], src: src!, sport, dst: dst!, dport, mark: 0, localAddresses, ctState: 'NEW' };
  const origin: netfilter.Origin = netfilter.isLocalAddress(src!, localAddresses) ? 'local' : 'incoming';
  const trace = netfilter.traceJson(tables, packet, { origin });
  if (booleanFlag(args, 'json')) {
    io.out(`${JSON.stringify(trace)}\n`);
    return 0;
  }
  io.out(`verdict: ${trace.verdict}\ntargets: ${trace.targets.length > 0 ? trace.targets.join(' ') : '<none>'}\nmasquerade: ${trace.masquerade}\nrules:\n`);
  for (const r of trace.rules) io.out(`  ${r}\n`);
  return 0;
}
