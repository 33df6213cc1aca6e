// The netfilter interpreter: one packet through one table's built-in chain, rule by rule, as
// ip_tables' ipt_do_table does. A rule matches when its -s/-d/-i/-o/-p all match and then each
// match in order (so `-m statistic` draws only when the rules before it in the rule matched);
// the first terminating target decides; a jump pushes the chain, RETURN or the end of a user
// chain pops it, the end of a built-in chain applies its policy. This is the only interpreter:
// the node's traffic, `kubemu trace` and `kubemu proxy trace` all walk through here.
import { parseIPv4, parsePrefix, prefixContains, type Prefix } from './address.js';
import { evaluateRecent, type RecentTable } from './recent.js';
import { formatRule, type AddressTypeSpec, type CtStateName, type InterfaceSpec, type Match, type PortSpec, type Protocol, type Rule, type TableName } from './rule.js';
import type { Random } from '../random.js';
import type { Tables } from './tables.js';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** The conntrack state a packet has when it is walked (the -m conntrack --ctstate view). */
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

export interface Packet {
  readonly proto: Protocol;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly mark: number;
  /** What `-m addrtype --*-type LOCAL` means on this node: addresses or CIDRs (e.g. 127.0.0.0/8). */
  readonly localAddresses: readonly string[];
  readonly ctState: CtState;
  /** The connection was destination-NATed (the DNAT pseudo-state of --ctstate). */
  readonly ctDnat?: boolean;
  /** The connection was source-NATed (the SNAT pseudo-state of --ctstate). */
  readonly ctSnat?: boolean;
  readonly inInterface?: string;
  readonly outInterface?: string;
}

export interface WalkContext {
  readonly random: Random;
  readonly recent: RecentTable;
  /** Epoch milliseconds; `-m recent --seconds` windows are measured against it. */
  readonly now: number;
  /**
   * false: the matched rules are not recorded and `trace` comes back empty. Formatting each matched
   * rule is a large share of a walk; the data path reads only the verdict and the packet.
   */
  readonly trace?: boolean;
}

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'DNAT' | 'MASQUERADE';

export interface TraceStep {
  readonly table: TableName;
  readonly chain: string;
  /** 1-based position in the chain (what `iptables -L --line-numbers` shows). */
  readonly position: number;
  /** The rule as iptables-save prints it: `-A CHAIN …`. */
  readonly rule: string;
}

export interface WalkResult {
  readonly verdict: Verdict;
  /** A rule's target decided, or the built-in chain's policy did. */
  readonly decidedBy: 'rule' | 'policy';
  /** The packet as it leaves the table: destination rewritten by DNAT, mark by MARK. */
  readonly packet: Packet;
  /** Every rule that matched, in the order it matched (empty when the walk was asked not to trace). */
  readonly trace: readonly TraceStep[];
  readonly recent: RecentTable;
  /** For REJECT: the ICMP type or tcp-reset it answers with. */
  readonly rejectWith?: string;
}

const HOOKS_BY_TABLE: { readonly [T in TableName]: readonly Hook[] } = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** The statistic draw of xt_statistic.c: `(get_random_u32() & 0x7FFFFFFF) < probability`. */
export function drawStatistic(random: Random, probability: number): boolean {
  return random.int(0x80000000) < probability;
}

interface Addresses {
  readonly src: number;
  readonly dst: number;
  readonly local: readonly Prefix[];
}

/** Parsed packet addresses: a new connection's walks read the same few addresses again and again. */
const parsedAddresses = new Map<string, number>();
/** Bound on parsedAddresses; past it the memo starts afresh. */
const MAX_PARSED_ADDRESSES = 4096;

function ipOf(text: string, what: string): number {
  let value = parsedAddresses.get(text);
  if (value !== undefined) return value;
  value = parseIPv4(text);
  if (value === undefined) throw new Error(`walk: packet ${what} ${JSON.stringify(text)} is not an IPv4 address`);
  if (parsedAddresses.size >= MAX_PARSED_ADDRESSES) parsedAddresses.clear();
  parsedAddresses.set(text, value);
  return value;
}

export function localPrefixes(localAddresses: readonly string[]): Prefix[] {
  return localAddresses.map((a) => {
    const p = parsePrefix(a);
    if (!p) throw new Error(`walk: local address ${JSON.stringify(a)} is not an IPv4 address or CIDR`);
    return p;
  });
}

/** A node passes the same localAddresses array with every packet: parse it once. */
const parsedLocalPrefixes = new WeakMap<readonly string[], readonly Prefix[]>();

export function cachedLocalPrefixes(localAddresses: readonly string[]): readonly Prefix[] {
  let prefixes = parsedLocalPrefixes.get(localAddresses);
  if (!prefixes) {
    prefixes = localPrefixes(localAddresses);
    parsedLocalPrefixes.set(localAddresses, prefixes);
  }
  return prefixes;
}

function portMatches(spec: PortSpec | undefined, port: number): boolean {
  return spec === undefined || (port >= spec.min && port <= spec.max) !== spec.invert;
}

function interfaceMatches(spec: InterfaceSpec | undefined, name: string | undefined): boolean {
  if (spec === undefined) return true;
  const hit = name !== undefined && (spec.name.endsWith('+') ? name.startsWith(spec.name.slice(0, -1)) : name === spec.name);
  return hit !== spec.invert;
}

function typeMatches(spec: AddressTypeSpec | undefined, address: number, local: readonly Prefix[]): boolean {
  if (spec === undefined) return true;
  const isLocal = local.some((p) => prefixContains(p, address));
  const isMulticast = address >>> 28 === 0xe;
  const isBroadcast = address === 0xffffffff;
  const hit = spec.types.some((t) => {
    switch (t) {
      case 'LOCAL':
        return isLocal;
      case 'MULTICAST':
        return isMulticast;
      case 'BROADCAST':
        return isBroadcast;
      case 'UNICAST':
        return !isLocal && !isMulticast && !isBroadcast;
      default:
        return false;
    }
  });
  return hit !== spec.invert;
}

function hasCtState(p: Packet, state: CtStateName): boolean {
  return state === p.ctState || (state === 'DNAT' && p.ctDnat === true) || (state === 'SNAT' && p.ctSnat === true);
}

interface Cursor {
  packet: Packet;
  addresses: Addresses;
  recent: RecentTable;
}

function matchOne(m: Match, cur: Cursor, ctx: WalkContext): boolean {
  const p = cur.packet;
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      return portMatches(m.sport, p.sport) && portMatches(m.dport, p.dport);
    case 'comment':
    case 'nfacct':
      return true;
    case 'addrtype':
      return typeMatches(m.src, cur.addresses.src, cur.addresses.local) && typeMatches(m.dst, cur.addresses.dst, cur.addresses.local);
    case 'mark':
      return (((p.mark & m.mask) >>> 0) === ((m.mark & m.mask) >>> 0)) !== m.invert;
    case 'statistic':
      return drawStatistic(ctx.random, m.probability) !== m.invert;
    case 'recent': {
      const address = m.side === 'source' ? cur.addresses.src : cur.addresses.dst;
      const r = evaluateRecent(cur.recent, m, address, ctx.now);
      cur.recent = r.recent;
      return r.matched;
    }
    case 'conntrack': {
      let hit = false;
      for (const s of m.ctstate) if (hasCtState(p, s)) hit = true;
      return hit !== m.invert;
    }
  }
}

function ruleMatches(rule: Rule, cur: Cursor, ctx: WalkContext): boolean {
  const p = cur.packet;
  if (rule.source && prefixContains(rule.source.prefix, cur.addresses.src) === rule.source.invert) return false;
  if (rule.destination && prefixContains(rule.destination.prefix, cur.addresses.dst) === rule.destination.invert) return false;
  if (!interfaceMatches(rule.inInterface, p.inInterface) || !interfaceMatches(rule.outInterface, p.outInterface)) return false;
  if (rule.protocol && rule.protocol.name !== 'all' && (rule.protocol.name === p.proto) === rule.protocol.invert) return false;
  for (const m of rule.matches) if (!matchOne(m, cur, ctx)) return false;
  return true;
}

/**
 * Walk `packet` through `table`'s built-in chain for `hook`. Pure apart from the draws it takes
 * from ctx.random; the recent lists it reads and updates come back in the result.
 */
export function walk(tables: Tables, hook: Hook, table: TableName, packet: Packet, ctx: WalkContext): WalkResult {
  if (!HOOKS_BY_TABLE[table].includes(hook)) throw new Error(`walk: table ${table} has no ${hook} chain`);
  const t = tables[table];
  const builtin = t.chains.get(hook);
  if (!builtin || builtin.policy === undefined) throw new Error(`walk: built-in chain ${hook} missing from table ${table}`);
  const cur: Cursor = {
    packet,
    addresses: { src: ipOf(packet.src, 'source'), dst: ipOf(packet.dst, 'destination'), local: cachedLocalPrefixes(packet.localAddresses) },
    recent: ctx.recent,
  };
  const tracing = ctx.trace !== false;
  const trace: TraceStep[] = [];
  // The jump stack: a loop is refused at restore, so its depth is bounded by the number of chains.
  const stack: { chain: string; next: number }[] = [];
  let chain = builtin;
  let index = 0;
  const done = (verdict: Verdict, decidedBy: 'rule' | 'policy', rejectWith?: string): WalkResult => ({
    verdict,
    decidedBy,
    packet: cur.packet,
    trace,
    recent: cur.recent,
    ...(rejectWith !== undefined ? { rejectWith } : {}),
  });
  for (;;) {
    if (index >= chain.rules.length) {
      const back = stack.pop();
      if (!back) return done(builtin.policy!, 'policy');
      chain = t.chains.get(back.chain)!;
      index = back.next;
      continue;
    }
    const rule = chain.rules[index]!;
    const position = index + 1;
    index++;
    if (!ruleMatches(rule, cur, ctx)) continue;
    if (tracing) trace.push({ table, chain: chain.name, position, rule: formatRule(chain.name, rule) });
    const target = rule.target;
    if (!target) continue;
    switch (target.kind) {
      case 'ACCEPT':
      case 'DROP':
        return done(target.kind, 'rule');
      case 'REJECT':
        return done('REJECT', 'rule', target.rejectWith);
      case 'DNAT':
        cur.packet = { ...cur.packet, dst: target.address, dport: target.port ?? cur.packet.dport, ctDnat: true };
        return done('DNAT', 'rule');
      case 'MASQUERADE':
        return done('MASQUERADE', 'rule');
      case 'MARK':
        cur.packet = { ...cur.packet, mark: ((cur.packet.mark & ~target.mask) ^ target.mark) >>> 0 };
        continue;
      case 'RETURN': {
        const back = stack.pop();
        if (!back) return done(builtin.policy!, 'policy');
        chain = t.chains.get(back.chain)!;
        index = back.next;
        continue;
      }
      case 'jump': {
        const next = t.chains.get(target.chain);
        if (!next) throw new Error(`walk: rule jumps to missing chain ${target.chain} (restore must refuse this)`);
        if (stack.length >= t.chains.size) throw new Error(`walk: jump stack deeper than the ${t.chains.size} chains of ${table} (a loop restore must refuse)`);
        stack.push({ chain: chain.name, next: index });
        chain = next;
        index = 0;
        continue;
      }
    }
  }
}

