// kube-proxy's EnsureChain / EnsureRule (pkg/util/iptables/iptables.go): `iptables -N CHAIN` unless
// it exists; `iptables -C CHAIN ARGS…` and, when the rule is missing, `-I CHAIN ARGS…` (Prepend)
// or `-A CHAIN ARGS…` (Append). Used for the jump rules from the built-in chains, which a full
// sync installs outside the restore payload.
import { parseRuleSpec, RuleError } from './parse-rule.js';
import type { TableName } from './rule.js';
import { MAX_CHAIN_NAME_LENGTH, type Table, type Tables } from './tables.js';

export type RulePosition = 'prepend' | 'append';

function withTable(tables: Tables, table: Table): Tables {
  return table.name === 'filter' ? { ...tables, filter: table } : { ...tables, nat: table };
}

/** `iptables -t TABLE -N CHAIN` if the chain does not exist. */
export function ensureChain(tables: Tables, table: TableName, chain: string): { tables: Tables; existed: boolean } {
  const t = tables[table];
  if (t.chains.has(chain)) return { tables, existed: true };
  if (chain.length === 0 || chain.length > MAX_CHAIN_NAME_LENGTH) throw new RuleError(`chain name \`${chain}' too long (must be under ${MAX_CHAIN_NAME_LENGTH + 1} chars)`);
  const chains = new Map(t.chains);
  chains.set(chain, { name: chain, rules: [] });
  return { tables: withTable(tables, { name: t.name, chains }), existed: false };
}

/** `iptables -t TABLE -C CHAIN ARGS…`: whether an identical rule exists (compared as iptables-save prints it). */
export function checkRule(tables: Tables, table: TableName, chain: string, args: readonly string[]): boolean {
  const t = tables[table];
  const c = t.chains.get(chain);
  if (!c) throw new RuleError(`chain ${chain} does not exist in table ${table} (No chain/target/match by that name)`);
  const wanted = parseRuleSpec(args, { table, chainExists: (n) => t.chains.has(n) }).canonical;
  return c.rules.some((r) => r.canonical === wanted);
}

/** EnsureRule: `-C`, then `-I` (prepend) or `-A` (append) when missing. Throws RuleError on a bad rule or chain. */
export function ensureRule(tables: Tables, table: TableName, position: RulePosition, chain: string, args: readonly string[]): { tables: Tables; existed: boolean } {
  if (checkRule(tables, table, chain, args)) return { tables, existed: true };
  const t = tables[table];
  const rule = parseRuleSpec(args, { table, chainExists: (n) => t.chains.has(n) });
  const c = t.chains.get(chain)!;
  const rules = position === 'prepend' ? [rule, ...c.rules] : [...c.rules, rule];
  const chains = new Map(t.chains);
  chains.set(chain, { ...c, rules });
  return { tables: withTable(tables, { name: t.name, chains }), existed: false };
}
