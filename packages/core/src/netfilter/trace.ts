// `kubemu proxy trace --json` / `kubemu trace`: walk a made-up packet through the same interpreter,
// once per outcome of every `-m statistic` draw it meets, so the answer lists every endpoint the
// connection could reach rather than the one a single draw picked. Each branch is an ordinary
// walkNewConnection whose Random answers "match" or "no match" as a decision list says; branches
// are enumerated depth first, "match" first, which is the order of the rules.
import type { Random } from '../random.js';
import { walkNewConnection, type ConnectionVerdict, type Origin } from './path.js';
import { emptyRecentTable, type RecentTable } from './recent.js';
import type { Tables } from './tables.js';
import type { Packet } from './walk.js';

/** Bound on the branches one trace explores (kube-proxy writes one per endpoint per chain). */
export const MAX_TRACE_BRANCHES = 100_000;

export interface TraceOptions {
  readonly origin?: Origin;
  readonly recent?: RecentTable;
  /** Epoch milliseconds for `-m recent` windows; 0 when there is no recent state to compare with. */
  readonly now?: number;
}

/** A Random for one branch: the statistic draws answer as `decisions` say, then "match" beyond it. */
function scripted(decisions: readonly boolean[], taken: boolean[]): Random {
  return {
    int(maxExclusive: number): number {
      const decision = taken.length < decisions.length ? decisions[taken.length]! : true;
      taken.push(decision);
      // 0 is below every non-zero probability; maxExclusive-1 is below only probability 1.
      return decision ? 0 : maxExclusive - 1;
    },
  };
}

/** Every branch of the connection's first packet through the tables, in rule order. */
export function exploreConnection(tables: Tables, packet: Packet, options: TraceOptions = {}): ConnectionVerdict[] {
  const origin = options.origin ?? 'incoming';
  const ctx = { recent: options.recent ?? emptyRecentTable(), now: options.now ?? 0 };
  const branches: ConnectionVerdict[] = [];
  const pending: boolean[][] = [[]];
  while (pending.length > 0) {
    if (branches.length >= MAX_TRACE_BRANCHES) throw new Error(`trace: more than ${MAX_TRACE_BRANCHES} statistic branches`);
    const decisions = pending.pop()!;
    const taken: boolean[] = [];
    branches.push(walkNewConnection(tables, packet, origin, { ...ctx, random: scripted(decisions, taken) }));
    // Draws past the scripted prefix took "match"; their "no match" sides are still to walk,
    // the deepest first so that the branches come out in rule order.
    for (let i = decisions.length; i < taken.length; i++) pending.push([...taken.slice(0, i), false]);
  }
  return branches;
}

function target(v: ConnectionVerdict): string | undefined {
  return v.dnat ? `${v.packet.dst}:${v.packet.dport}` : undefined;
}

/** Every DNAT destination (`ip:port`) reachable on some statistic branch, in rule order, without repeats. */
export function allTargets(tables: Tables, packet: Packet, options: TraceOptions = {}): string[] {
  return [...new Set(exploreConnection(tables, packet, options).map(target).filter((t): t is string => t !== undefined))];
}

export interface TraceJson {
  readonly verdict: 'DNAT' | 'ACCEPT' | 'DROP' | 'REJECT' | 'NONE';
  readonly targets: readonly string[];
  readonly masquerade: boolean;
  readonly rules: readonly string[];
}

function verdictOf(v: ConnectionVerdict): TraceJson['verdict'] {
  if (v.verdict !== 'ACCEPT') return v.verdict;
  if (v.dnat) return 'DNAT';
  // ACCEPT only when a rule accepted; falling off every chain into its policy is NONE.
  return v.walks.some((w) => w.result.verdict === 'ACCEPT' && w.result.decidedBy === 'rule') ? 'ACCEPT' : 'NONE';
}

/**
 * The object `kubemu proxy trace --json` prints. verdict: the first branch's (every kube-proxy
 * branch of one service agrees); targets: allTargets; masquerade: some delivered branch is
 * masqueraded in nat POSTROUTING (which is KUBE-MARK-MASQ having marked it); rules: every rule
 * that matched on some branch, in the order first met.
 */
export function traceJson(tables: Tables, packet: Packet, options: TraceOptions = {}): TraceJson {
  const branches = exploreConnection(tables, packet, options);
  const rules = new Set<string>();
  for (const b of branches) for (const step of b.trace) rules.add(step.rule);
  return {
    verdict: verdictOf(branches[0]!),
    targets: [...new Set(branches.map(target).filter((t): t is string => t !== undefined))],
    masquerade: branches.some((b) => b.verdict === 'ACCEPT' && b.masquerade),
    rules: [...rules],
  };
}
