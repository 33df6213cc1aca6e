// What the proxy agent asks its node to do on a full sync, and the same applied to core's tables
// for the offline commands: EnsureChain + EnsureRule(Prepend) for each jump rule
// (proxier.go syncProxyRules, iptablesJumpChains then iptablesKubeletJumpChains), then
// `iptables-restore --noflush` of the payload.
import { ensureChain, ensureRule, type RulePosition } from '../netfilter/ensure.js';
import { iptablesRestore, splitRestoreLine } from '../netfilter/restore.js';
import type { TableName } from '../netfilter/rule.js';
import type { Tables } from '../netfilter/tables.js';
import type { ProxyConfig } from '../proxy/config.js';
import { jumpRules } from '../proxy/render.js';

/** One entry of the node's `POST /netfilter/ensure` body. */
export interface EnsureRuleRequest {
  table: TableName;
  position: RulePosition;
  /** The built-in chain the rule goes into. */
  chain: string;
  /** The rule's arguments after `-A CHAIN`; the chain its `-j` names is EnsureChain'd first. */
  args: string[];
}

/** The jump rules as the node's ensure API takes them, in the order kube-proxy ensures them. */
export function jumpRuleRequests(config?: ProxyConfig): EnsureRuleRequest[] {
  return jumpRules(config).map((j) => ({ table: j.table, position: 'prepend', chain: j.chain, args: splitRestoreLine(j.rule).slice(2) }));
}

/** The chain an ensure request's rule jumps to. */
export function jumpTarget(args: readonly string[]): string | undefined {
  const i = args.lastIndexOf('-j');
  return i >= 0 ? args[i + 1] : undefined;
}

/** EnsureChain of the target, then EnsureRule, for each request in order. Throws RuleError on a bad rule. */
export function applyEnsureRequests(tables: Tables, requests: readonly EnsureRuleRequest[]): Tables {
  let t = tables;
  for (const r of requests) {
    const target = jumpTarget(r.args);
    // Built-in targets (ACCEPT, DROP, …) are not chains; kube-proxy's jump targets are its KUBE- chains.
    if (target !== undefined && target.startsWith('KUBE-')) t = ensureChain(t, r.table, target).tables;
    t = ensureRule(t, r.table, r.position, r.chain, r.args).tables;
  }
  return t;
}

/** A full sync programmed into `tables`: the jump rules ensured, then the payload restored. */
export function programFullSync(tables: Tables, payload: string, config?: ProxyConfig): Tables {
  return iptablesRestore(applyEnsureRequests(tables, jumpRuleRequests(config)), payload);
}
