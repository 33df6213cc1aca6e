// `kubemu trace --node NODE --src IP --dst IP --dport N [--proto P] [--json]`: a made-up first
// packet walked through the node's live tables by the interpreter its traffic uses, every
// `-m statistic` branch explored. Prints each matched rule, then the verdict.
import type { netfilter } from '@kubemu/core';
import { booleanFlag, integerFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import type { CliIO } from '../io.js';
import { kubeletEndpoint, kubeletRequest } from '../node-kubelet.js';

export const TRACE_HELP = `Walk a packet through a node's live iptables rules and print what matched.

Usage:
  kubemu trace --node NODE --src IP --dst IP --dport N [--sport N] [--proto tcp|udp|sctp] [--json]

Options:
  --node NODE      the node whose rules to walk
  --src IP         the packet's source (a node address is walked from OUTPUT, any other from PREROUTING)
  --dst IP         its destination
  --dport N        its destination port
  --sport N        its source port (default 40000)
  --proto P        tcp (default), udp or sctp
  --json           print {"verdict", "targets", "masquerade", "rules"} as JSON
`;

const FLAGS = {
  node: { type: 'string' },
  src: { type: 'string' },
  dst: { type: 'string' },
  dport: { type: 'string' },
  sport: { type: 'string' },
  proto: { type: 'string', default: 'tcp' },
  json: { type: 'boolean' },
} as const;

/** The human form: each matched rule, then the verdict with where it goes. */
export function formatTrace(t: netfilter.TraceJson): string {
  const lines = [...t.rules];
  const where = t.targets.length > 0 ? ` to ${t.targets.join(', ')}` : '';
  lines.push(`verdict: ${t.verdict}${where}${t.masquerade ? ' (masqueraded)' : ''}`);
  return lines.map((l) => `${l}\n`).join('');
}

export async function trace(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('trace', argv, FLAGS, false);
  if (booleanFlag(args, 'help')) {
    io.out(TRACE_HELP);
    return 0;
  }
  const need = (name: string): string => {
    const v = stringFlag(args, name);
    if (v === undefined) throw new UsageError(`required flag "${name}" not set`, 'trace');
    return v;
  };
  const nodeName = need('node');
  const src = need('src');
  const dst = need('dst');
  need('dport');
  const dport = integerFlag(args, 'trace', 'dport', 1, 65535)!;
  const sport = integerFlag(args, 'trace', 'sport', 1, 65535);
  const proto = stringFlag(args, 'proto') ?? 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new UsageError(`--proto ${proto}: want tcp, udp or sctp`, 'trace');
  const endpoint = await kubeletEndpoint(args, io, nodeName);
  const answer = await kubeletRequest(endpoint, 'POST', '/netfilter/trace', JSON.stringify({ src, dst, dport, proto, ...(sport !== undefined ? { sport } : {}) }));
  if (answer.status !== 200) {
    io.err(`error: ${nodeName}: ${answer.text.trim() || `HTTP ${answer.status}`}\n`);
    return 1;
  }
  const result = JSON.parse(answer.text) as netfilter.TraceJson;
  io.out(booleanFlag(args, 'json') ? `${JSON.stringify(result)}\n` : formatTrace(result));
  return 0;
}
