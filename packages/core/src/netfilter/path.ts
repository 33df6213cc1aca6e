// The first packet of a new connection through the hooks the kernel runs it through, each one a
// walk of the same interpreter (netfilter hook order, nat at its DNAT and SNAT points):
//
//   arriving on an interface: nat PREROUTING → route → filter INPUT (to this node)
//                                                    → filter FORWARD → nat POSTROUTING (onwards)
//   made on this node:        nat OUTPUT → filter OUTPUT → route → filter INPUT (to this node)
//                                                              → nat POSTROUTING (onwards)
//
// Later packets of the connection skip the nat table: conntrack replays the first one's NAT.
import { prefixContains } from './address.js';
import { parseIPv4 } from './address.js';
import type { RecentTable } from './recent.js';
import type { TableName } from './rule.js';
import type { Tables } from './tables.js';
import { cachedLocalPrefixes, walk, type Hook, type Packet, type TraceStep, type WalkContext, type WalkResult } from './walk.js';

/** Where the connection's first packet comes from: in through an interface, or from a process of this node. */
export type Origin = 'incoming' | 'local';

export interface HookWalk {
  readonly hook: Hook;
  readonly table: TableName;
  readonly result: WalkResult;
}

export interface ConnectionVerdict {
  /** What happens to the connection: delivered (ACCEPT), silently dropped, or refused. */
  readonly verdict: 'ACCEPT' | 'DROP' | 'REJECT';
  readonly rejectWith?: string;
  /** The packet after the walks: destination rewritten by DNAT, mark as POSTROUTING left it. */
  readonly packet: Packet;
  /** The original destination was rewritten. */
  readonly dnat: boolean;
  /** nat POSTROUTING masqueraded: the source becomes the outgoing address of this node. */
  readonly masquerade: boolean;
  /** The (possibly rewritten) destination is an address of this node. */
  readonly toLocal: boolean;
  readonly walks: readonly HookWalk[];
  /** Every matched rule of every walk, in order. */
  readonly trace: readonly TraceStep[];
  readonly recent: RecentTable;
}

export function isLocalAddress(address: string, localAddresses: readonly string[]): boolean {
  const value = parseIPv4(address);
  return value !== undefined && cachedLocalPrefixes(localAddresses).some((p) => prefixContains(p, value));
}

function concatTraces(walks: readonly HookWalk[]): TraceStep[] {
  const trace: TraceStep[] = [];
  for (const w of walks) for (const step of w.result.trace) trace.push(step);
  return trace;
}

/** Walk a new connection's first packet through every hook it passes (see the top of this file). */
export function walkNewConnection(tables: Tables, packet: Packet, origin: Origin, ctx: WalkContext): ConnectionVerdict {
  const walks: HookWalk[] = [];
  let current: Packet = { ...packet, ctState: 'NEW' };
  let recent = ctx.recent;
  const run = (hook: Hook, table: TableName): WalkResult => {
    const result = walk(tables, hook, table, current, { ...ctx, recent });
    walks.push({ hook, table, result });
    current = result.packet;
    recent = result.recent;
    return result;
  };
  const finish = (verdict: ConnectionVerdict['verdict'], masquerade: boolean, toLocal: boolean, rejectWith?: string): ConnectionVerdict => ({
    verdict,
    ...(rejectWith !== undefined ? { rejectWith } : {}),
    packet: current,
    dnat: current.dst !== packet.dst || current.dport !== packet.dport,
    masquerade,
    toLocal,
    walks,
    trace: concatTraces(walks),
    recent,
  });
  const refused = (r: WalkResult, toLocal: boolean): ConnectionVerdict | undefined =>
    r.verdict === 'DROP' ? finish('DROP', false, toLocal) : r.verdict === 'REJECT' ? finish('REJECT', false, toLocal, r.rejectWith) : undefined;

  const dnatHook: Hook = origin === 'incoming' ? 'PREROUTING' : 'OUTPUT';
  const nat = run(dnatHook, 'nat');
  const natRefused = refused(nat, false);
  if (natRefused) return natRefused;
  if (origin === 'local') {
    const out = run('OUTPUT', 'filter');
    const outRefused = refused(out, isLocalAddress(current.dst, current.localAddresses));
    if (outRefused) return outRefused;
  }
  const toLocal = isLocalAddress(current.dst, current.localAddresses);
  if (toLocal) {
    const input = run('INPUT', 'filter');
    return refused(input, true) ?? finish('ACCEPT', false, true);
  }
  if (origin === 'incoming') {
    const forward = run('FORWARD', 'filter');
    const forwardRefused = refused(forward, false);
    if (forwardRefused) return forwardRefused;
  }
  const post = run('POSTROUTING', 'nat');
  return refused(post, false) ?? finish('ACCEPT', post.verdict === 'MASQUERADE', false);
}
