// `kubemu rules NODE [--table nat|filter]`: the node's live netfilter tables as iptables-save
// prints them, the very rules its traffic walks.
import { booleanFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import type { CliIO } from '../io.js';
import { kubeletEndpoint, kubeletRequest } from '../node-kubelet.js';

export const RULES_HELP = `Print a node's live iptables rules (iptables-save), the rules its traffic walks.

Usage:
  kubemu rules NODE [--table nat|filter]

Options:
  -t, --table TABLE   only this table (nat or filter)
`;

const FLAGS = { table: { type: 'string', short: 't' } } as const;

export async function rules(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('rules', argv, FLAGS);
  if (booleanFlag(args, 'help')) {
    io.out(RULES_HELP);
    return 0;
  }
  const [nodeName, ...extra] = args.positionals;
  if (nodeName === undefined) throw new UsageError('rules requires a node name: kubemu rules NODE', 'rules');
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`, 'rules');
  const table = stringFlag(args, 'table');
  if (table !== undefined && table !== 'nat' && table !== 'filter') throw new UsageError(`--table ${table}: want nat or filter`, 'rules');
  const endpoint = await kubeletEndpoint(args, io, nodeName);
  const answer = await kubeletRequest(endpoint, 'GET', `/netfilter/save${table ? `?table=${table}` : ''}`);
  if (answer.status !== 200) {
    io.err(`error: ${nodeName}: ${answer.text.trim() || `HTTP ${answer.status}`}\n`);
    return 1;
  }
  io.out(answer.text);
  return 0;
}
