// The node's kernel netfilter state: the live filter and nat tables (core's interpreter walks
// them), connection tracking, xt_recent's lists and the seeded random source `-m statistic`
// draws from. The proxy agent programs it through the kubelet port (netfilter-api.ts); it lives
// in the node process, so the rules outlast a proxy-agent restart as they outlast kube-proxy's.
import { netfilter, type Random } from '@kubemu/core';

type Tables = netfilter.Tables;
type TableName = netfilter.TableName;

/** nf_conntrack_max for one emulated node (kube-proxy's conntrack.min). */
export const NODE_CONNTRACK_MAX = netfilter.DEFAULT_CONNTRACK_MAX;
/** Filters one `POST /netfilter/conntrack/delete` may carry (kube-proxy sends one per stale UDP entry). */
export const MAX_CONNTRACK_FILTERS = 16_384;
/** Entries one `POST /netfilter/ensure` may carry (kube-proxy ensures 14). */
export const MAX_ENSURE_RULES = 256;

/** Targets that are not chains: `-j` to one of these never creates a user chain. */
const BUILTIN_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'MARK', 'MASQUERADE', 'SNAT', 'LOG', 'QUEUE', 'NFQUEUE']);

export interface EnsureRequest {
  table: TableName;
  position: netfilter.RulePosition;
  chain: string;
  args: string[];
}

export class EnsureError extends Error {
  override name = 'EnsureError';
}

export class ConntrackFilterError extends Error {
  override name = 'ConntrackFilterError';
}

export interface ConntrackListEntry {
  original: netfilter.ConnTuple;
  reply: netfilter.ConnTuple;
  seenReply: boolean;
  assured: boolean;
  closing: boolean;
  timeoutSeconds: number;
}

export interface NodeNetfilterOptions {
  /** What `-m addrtype --*-type LOCAL` means on this node. */
  localAddresses: readonly string[];
  random: Random;
  now?: () => number;
  conntrackMax?: number;
}

export interface TraceRequest {
  src: string;
  dst: string;
  dport: number;
  proto: netfilter.Protocol;
  sport?: number;
}

export class NodeNetfilter {
  private live: Tables = netfilter.emptyTables();
  recent: netfilter.RecentTable = netfilter.emptyRecentTable();
  readonly conntrack: netfilter.ConntrackTable;
  readonly localAddresses: readonly string[];
  readonly random: Random;
  readonly now: () => number;
  private readonly listeners = new Set<(tables: Tables) => void>();

  constructor(o: NodeNetfilterOptions) {
    this.localAddresses = o.localAddresses;
    this.random = o.random;
    this.now = o.now ?? Date.now;
    this.conntrack = new netfilter.ConntrackTable(o.conntrackMax ?? NODE_CONNTRACK_MAX);
  }

  get tables(): Tables {
    return this.live;
  }

  /** Called with the new tables after every change (the NodePort listeners follow the rules). */
  onChange(listener: (tables: Tables) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private replace(tables: Tables): void {
    if (tables === this.live) return;
    this.live = tables;
    for (const l of this.listeners) l(tables);
  }

  /** `iptables-restore --noflush`: all or nothing; throws netfilter.RestoreError naming the line. */
  restore(payload: string): void {
    this.replace(netfilter.iptablesRestore(this.live, payload, { noflush: true }));
  }

  /**
   * kube-proxy's EnsureChain for each jump target, then EnsureRule (pkg/util/iptables). Applied as
   * one change: a bad entry throws EnsureError and leaves the tables as they were.
   */
  ensure(requests: readonly EnsureRequest[]): { created: number } {
    if (requests.length > MAX_ENSURE_RULES) throw new EnsureError(`${requests.length} rules to ensure, at most ${MAX_ENSURE_RULES}`);
    let t = this.live;
    let created = 0;
    for (const [i, r] of requests.entries()) {
      try {
        if (r.table !== 'filter' && r.table !== 'nat') throw new EnsureError(`table "${String(r.table)}": want filter or nat`);
        if (r.position !== 'prepend' && r.position !== 'append') throw new EnsureError(`position "${String(r.position)}": want prepend or append`);
        if (!Array.isArray(r.args) || !r.args.every((a) => typeof a === 'string')) throw new EnsureError('args: want an array of strings');
        if (!t[r.table].chains.has(r.chain)) t = netfilter.ensureChain(t, r.table, r.chain).tables;
        const j = r.args.indexOf('-j');
        const target = j >= 0 ? r.args[j + 1] : undefined;
        if (target !== undefined && !BUILTIN_TARGETS.has(target)) t = netfilter.ensureChain(t, r.table, target).tables;
        const ensured = netfilter.ensureRule(t, r.table, r.position, r.chain, r.args);
        if (!ensured.existed) created++;
        t = ensured.tables;
      } catch (err) {
        throw new EnsureError(`rule ${i + 1} (-t ${String(r.table)} ${String(r.chain)} ${Array.isArray(r.args) ? r.args.join(' ') : ''}): ${(err as Error).message}`);
      }
    }
    this.replace(t);
    return { created };
  }

  /** `conntrack -L [-p PROTO]`: the live entries, oldest first, with the seconds each has left. */
  conntrackList(proto?: netfilter.Protocol): ConntrackListEntry[] {
    const now = this.now();
    return this.conntrack
      .entries(now)
      .filter((e) => proto === undefined || e.original.proto === proto)
      .map((e) => ({
        original: e.original,
        reply: e.reply,
        seenReply: e.seenReply,
        assured: e.assured,
        closing: e.closing,
        timeoutSeconds: Math.ceil((e.expiresAt - now) / 1000),
      }));
  }

  /** kube-proxy's ClearEntries (`conntrack -D` with filters): how many entries went. */
  conntrackDelete(filters: readonly netfilter.ConntrackFilter[]): { deleted: number } {
    if (filters.length > MAX_CONNTRACK_FILTERS) throw new ConntrackFilterError(`${filters.length} filters, at most ${MAX_CONNTRACK_FILTERS}`);
    return { deleted: this.conntrack.clearEntries(filters) };
  }

  save(table?: TableName): string {
    return netfilter.iptablesSave(this.live, table ? { table } : {});
  }

  isLocal(address: string): boolean {
    return netfilter.isLocalAddress(address, this.localAddresses);
  }

  /**
   * `kubemu trace`: every statistic branch of a made-up first packet on the live tables, from the
   * origin the data path would give it (a node address: OUTPUT; anything else: PREROUTING).
   */
  trace(r: TraceRequest): netfilter.TraceJson {
    const packet: netfilter.Packet = {
      proto: r.proto,
      src: r.src,
      sport: r.sport ?? 40000,
      dst: r.dst,
      dport: r.dport,
      mark: 0,
      localAddresses: this.localAddresses,
      ctState: 'NEW',
    };
    return netfilter.traceJson(this.live, packet, { origin: this.isLocal(r.src) ? 'local' : 'incoming', recent: this.recent, now: this.now() });
  }

  /** One draw of the first packet of a new connection, on the live tables (the data path: no trace is kept; `trace` above has them). */
  walkNew(packet: Omit<netfilter.Packet, 'localAddresses' | 'mark' | 'ctState'>): netfilter.ConnectionVerdict {
    const origin: netfilter.Origin = this.isLocal(packet.src) ? 'local' : 'incoming';
    const v = netfilter.walkNewConnection(this.live, { ...packet, mark: 0, localAddresses: this.localAddresses, ctState: 'NEW' }, origin, {
      random: this.random,
      recent: this.recent,
      now: this.now(),
      trace: false,
    });
    this.recent = v.recent;
    return v;
  }
}

/** The ports KUBE-NODEPORTS in nat captures (`-p P … --dport N`): where the node must hold a real socket. */
export function nodePortsInRules(tables: Tables): { protocol: 'TCP' | 'UDP'; port: number }[] {
  const chain = tables.nat.chains.get('KUBE-NODEPORTS');
  const seen = new Map<string, { protocol: 'TCP' | 'UDP'; port: number }>();
  for (const rule of chain?.rules ?? []) {
    const proto = rule.protocol && !rule.protocol.invert ? rule.protocol.name : undefined;
    if (proto !== 'tcp' && proto !== 'udp') continue;
    for (const m of rule.matches) {
      if (m.kind !== proto || !m.dport || m.dport.invert || m.dport.min !== m.dport.max) continue;
      const protocol = proto === 'tcp' ? 'TCP' : 'UDP';
      seen.set(`${protocol}/${m.dport.min}`, { protocol, port: m.dport.min });
    }
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
