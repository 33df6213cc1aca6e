// The convergence oracle (DESIGN "Convergence, the one invariant"): from the objects of the log at a
// revision alone, what every agent's state must be, and whether the agents' reports match it.
// Today it covers the proxy agents (each node's rules); the DNS zone and load balancers join it as
// those agents land.
import type { KubeObject } from '../api/types.js';
import { emptyTables } from '../netfilter/tables.js';
import { iptablesSave } from '../netfilter/save.js';
import type { ProxyConfig } from '../proxy/config.js';
import { renderFullSync } from '../proxy/render.js';
import { programFullSync } from '../proxy-sync/node-rules.js';
import { proxyInputsFromObjects } from '../proxy-sync/proxy-inputs.js';
import { rulesDigest } from '../proxy-sync/rules-digest.js';

/** The rules digest a node must hold for these objects: a full sync into empty tables, saved and hashed. */
export function expectedNodeRulesDigest(objects: readonly KubeObject[], nodeName: string, config: ProxyConfig): string {
  const inputs = proxyInputsFromObjects(objects, nodeName, config);
  const payload = renderFullSync(inputs.services, inputs.endpointSlices, inputs.node, config);
  return rulesDigest(iptablesSave(programFullSync(emptyTables(), payload, config)));
}

/** The latest thing an agent said it had done (its last RulesProgrammed observation, for a proxy agent). */
export interface AgentReport {
  agent: string; // "proxy-agent/node-1"
  node: string;
  revision: number;
  digest: string;
}

export interface AgentConvergence extends AgentReport {
  expectedDigest: string;
  converged: boolean;
}

export interface ConvergenceReport {
  /** The revision the expectation was computed at. */
  revision: number;
  agents: AgentConvergence[];
  /** Nodes in the log with no report from a proxy agent. */
  silentNodes: string[];
  converged: boolean;
}

/**
 * Converged at `revision` when every node's proxy agent has reported, and reported the rules the log
 * implies at that revision. The agent's own revision may be older: writes that do not change its
 * rules (Lease renewals, pod status) move the log without moving its rules, so the digest decides.
 */
export function proxyConvergence(objects: readonly KubeObject[], revision: number, reports: readonly AgentReport[], config: ProxyConfig): ConvergenceReport {
  const nodes = objects.filter((o) => o.kind === 'Node').map((o) => o.metadata?.name ?? '').sort();
  const byNode = new Map(reports.map((r) => [r.node, r]));
  const agents: AgentConvergence[] = [];
  for (const node of nodes) {
    const report = byNode.get(node);
    if (!report) continue;
    const expectedDigest = expectedNodeRulesDigest(objects, node, config);
    agents.push({ ...report, expectedDigest, converged: report.digest === expectedDigest });
  }
  const silentNodes = nodes.filter((n) => !byNode.has(n));
  return { revision, agents, silentNodes, converged: silentNodes.length === 0 && agents.every((a) => a.converged) };
}
