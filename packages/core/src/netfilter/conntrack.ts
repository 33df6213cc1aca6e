// Connection tracking (nf_conntrack): each connection is remembered by its original tuple with the
// tuple its replies carry, which encodes the NAT the first packet got. Later packets look the
// connection up instead of walking the nat table, so an established connection keeps its endpoint
// when the rules change, as in the kernel. Deterministic: every operation takes `now` (epoch
// milliseconds) and nothing reads a clock. It is a mutable table with an explicit bound (the
// node's hot path inserts per connection; copying a map per insert would not scale).
import { conntrackFilterMatches, type ConntrackFilter } from './conntrack-cleanup.js';
import type { Protocol } from './rule.js';
import type { CtState } from './walk.js';

export interface ConnTuple {
  readonly proto: Protocol;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

/** Timeouts in milliseconds (nf_conntrack_{tcp,udp}_timeout_* defaults). SCTP uses the TCP ones. */
export const CONNTRACK_TIMEOUTS = {
  /** tcp SYN_SENT: the first packet went out, no reply yet. */
  tcpUnreplied: 120_000,
  /** tcp ESTABLISHED: 5 days. */
  tcpEstablished: 432_000_000,
  /** tcp TIME_WAIT, after either side closed. */
  tcpClosing: 120_000,
  /** udp without a reply. */
  udpUnreplied: 30_000,
  /** udp that has seen a reply (nf_conntrack_udp_timeout_stream). */
  udpReplied: 120_000,
} as const;

/** kube-proxy's conntrack.min: the nf_conntrack_max it sets at the least. */
export const DEFAULT_CONNTRACK_MAX = 131_072;

export interface ConntrackEntry {
  readonly original: ConnTuple;
  /** What a reply looks like: from the (DNATed) destination to the (SNATed) source. */
  readonly reply: ConnTuple;
  readonly dnat: boolean;
  readonly snat: boolean;
  /** A reply has been seen: packets are ESTABLISHED from now on. */
  readonly seenReply: boolean;
  /** IPS_ASSURED: not evicted to make room (early_drop spares it). Set once a reply is seen. */
  readonly assured: boolean;
  readonly closing: boolean;
  readonly mark: number;
  readonly expiresAt: number;
}

export type Direction = 'original' | 'reply';

export interface ConntrackHit {
  readonly entry: ConntrackEntry;
  readonly direction: Direction;
  /** The --ctstate this packet has. */
  readonly ctState: CtState;
  /** The packet as NAT leaves it: original direction → towards the endpoint; reply → back to the client. */
  readonly translated: ConnTuple;
}

export type InsertResult =
  | { readonly ok: true; readonly entry: ConntrackEntry }
  /** "table full": every entry is assured (nf_conntrack: table full, dropping packet); "reply tuple in use": pick another source port. */
  | { readonly ok: false; readonly reason: 'table full' | 'reply tuple in use' };

export function tupleKey(t: ConnTuple): string {
  return `${t.proto} ${t.src}:${t.sport} ${t.dst}:${t.dport}`;
}

export function reverseTuple(t: ConnTuple): ConnTuple {
  return { proto: t.proto, src: t.dst, sport: t.dport, dst: t.src, dport: t.sport };
}

function timeoutFor(e: Pick<ConntrackEntry, 'original' | 'seenReply' | 'closing'>): number {
  if (e.original.proto === 'udp') return e.seenReply ? CONNTRACK_TIMEOUTS.udpReplied : CONNTRACK_TIMEOUTS.udpUnreplied;
  if (e.closing) return CONNTRACK_TIMEOUTS.tcpClosing;
  return e.seenReply ? CONNTRACK_TIMEOUTS.tcpEstablished : CONNTRACK_TIMEOUTS.tcpUnreplied;
}

/**
 * Entries sharing one timeout, in the order they were last refreshed. While `now` never goes
 * backwards that is also the order they expire in, so the collector stops at the first live one.
 */
interface ExpiryQueue {
  readonly members: Set<Connection>;
  /** The latest expiry appended: an earlier one would break the order (the clock went back). */
  lastExpiresAt: number;
}

/**
 * A tracked connection, updated in place: the node refreshes one per packet it sees, and ~100k
 * of them may wait out their TIME_WAIT, so copying an entry per update would churn the heap.
 */
class Connection implements ConntrackEntry {
  seenReply = false;
  assured = false;
  closing = false;
  expiresAt = 0;
  queue: ExpiryQueue | undefined;
  /** What the original direction's packets become (the reverse of the reply tuple). */
  readonly towardsEndpoint: ConnTuple;
  /** What the reply direction's packets become (the reverse of the original tuple). */
  readonly towardsClient: ConnTuple;

  constructor(
    readonly original: ConnTuple,
    readonly reply: ConnTuple,
    readonly dnat: boolean,
    readonly snat: boolean,
    readonly mark: number,
    readonly key: string,
    readonly replyKey: string,
  ) {
    this.towardsEndpoint = reverseTuple(reply);
    this.towardsClient = reverseTuple(original);
  }

  /** The entry as `conntrack -L` shows it: a copy that later packets do not change. */
  snapshot(): ConntrackEntry {
    const { original, reply, seenReply, closing, dnat, snat, assured, mark, expiresAt } = this;
    return { original, reply, seenReply, closing, dnat, snat, assured, mark, expiresAt };
  }
}

export class ConntrackTable {
  /** Original-tuple key → entry, in insertion order. */
  private readonly byOriginal = new Map<string, Connection>();
  /** Reply-tuple key → entry. */
  private readonly byReply = new Map<string, Connection>();
  /** Entries not yet assured, oldest first: early_drop's candidates, without a scan of the table. */
  private readonly unassured = new Set<Connection>();
  /** One queue per timeout value (a handful: CONNTRACK_TIMEOUTS). */
  private readonly queues = new Map<number, ExpiryQueue>();
  /** Every queue is in expiry order; false once the clock went back, until a full scan re-sorts them. */
  private ordered = true;

  /** @param limit nf_conntrack_max: the most entries the table holds. */
  constructor(readonly limit: number = DEFAULT_CONNTRACK_MAX) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`conntrack: bad limit ${limit}`);
  }

  get size(): number {
    return this.byOriginal.size;
  }

  /** Every live entry, oldest first (`conntrack -L`). */
  entries(now: number): ConntrackEntry[] {
    this.expire(now);
    return [...this.byOriginal.values()].map((c) => c.snapshot());
  }

  /**
   * The connection a packet belongs to, in either direction; an expired entry is gone. The hit's
   * entry is the live one: later packets of the connection update it.
   */
  lookup(tuple: ConnTuple, now: number): ConntrackHit | undefined {
    const key = tupleKey(tuple);
    let direction: Direction = 'original';
    let c = this.byOriginal.get(key);
    if (!c) {
      c = this.byReply.get(key);
      direction = 'reply';
    }
    if (!c) return undefined;
    if (c.expiresAt <= now) {
      this.remove(c);
      return undefined;
    }
    const translated = direction === 'original' ? c.towardsEndpoint : c.towardsClient;
    const ctState: CtState = direction === 'original' && !c.seenReply ? 'NEW' : 'ESTABLISHED';
    return { entry: c, direction, ctState, translated };
  }

  /**
   * Remember a new connection: `original` as its first packet arrived, `translated` as the nat
   * walks left it (destination after DNAT, source after MASQUERADE).
   */
  insert(original: ConnTuple, translated: ConnTuple, now: number, mark = 0): InsertResult {
    const key = tupleKey(original);
    const existing = this.byOriginal.get(key);
    if (existing && existing.expiresAt > now) return { ok: true, entry: existing };
    if (existing) this.remove(existing);
    const reply = reverseTuple(translated);
    const replyKey = tupleKey(reply);
    const clash = this.byReply.get(replyKey);
    if (clash !== undefined) {
      if (clash.expiresAt > now) return { ok: false, reason: 'reply tuple in use' };
      this.remove(clash);
    }
    if (this.byOriginal.size >= this.limit && !this.makeRoom(now)) return { ok: false, reason: 'table full' };
    const dnat = translated.dst !== original.dst || translated.dport !== original.dport;
    const snat = translated.src !== original.src || translated.sport !== original.sport;
    const c = new Connection(original, reply, dnat, snat, mark, key, replyKey);
    this.byOriginal.set(key, c);
    this.byReply.set(replyKey, c);
    this.unassured.add(c);
    this.requeue(c, now);
    return { ok: true, entry: c };
  }

  /** A packet of a tracked connection passed: refresh its timeout; a reply makes it ESTABLISHED and assured. */
  seen(tuple: ConnTuple, now: number): ConntrackEntry | undefined {
    const hit = this.lookup(tuple, now);
    return hit && this.seenHit(hit, now);
  }

  /** `seen` for the packet `lookup` just found, without looking it up again. */
  seenHit(hit: ConntrackHit, now: number): ConntrackEntry | undefined {
    const c = this.live(hit.entry, now);
    return c && this.refresh(c, hit.direction, now);
  }

  /** `seen(entry.reply)`: a reply of this connection passed. */
  seenReplyOf(entry: ConntrackEntry, now: number): ConntrackEntry | undefined {
    const c = this.live(entry, now);
    if (!c) return undefined;
    // The reply tuple is also another connection's original tuple: `seen` finds that one first.
    if (this.byOriginal.has(c.replyKey)) return this.seen(c.reply, now);
    return this.refresh(c, 'reply', now);
  }

  private refresh(c: Connection, direction: Direction, now: number): ConntrackEntry {
    if (direction === 'reply' && !c.seenReply) {
      c.seenReply = true;
      c.assured = true;
      this.unassured.delete(c);
    }
    this.requeue(c, now);
    return c;
  }

  /** Either end closed (TCP FIN/RST, or the node's socket closed): TIME_WAIT, then gone. */
  close(tuple: ConnTuple, now: number): ConntrackEntry | undefined {
    const hit = this.lookup(tuple, now);
    if (!hit) return undefined;
    const c = hit.entry as Connection;
    if (c.original.proto === 'udp') {
      this.remove(c);
      return undefined;
    }
    c.closing = true;
    this.requeue(c, now);
    return c;
  }

  /** Drop every entry whose timeout has passed (the conntrack garbage collector). */
  expire(now: number): number {
    if (!this.ordered) return this.expireByScan(now);
    let removed = 0;
    for (const q of this.queues.values()) {
      for (const c of q.members) {
        if (c.expiresAt > now) break;
        this.remove(c);
        removed++;
      }
    }
    return removed;
  }

  /** `conntrack -D` of one connection, by its original tuple: a map lookup, not a scan of the table. */
  forget(original: ConnTuple): boolean {
    const c = this.byOriginal.get(tupleKey(original));
    if (!c) return false;
    this.remove(c);
    return true;
  }

  /**
   * kube-proxy's ClearEntries: forget every connection some filter matches (`conntrack -D -p udp
   * --orig-dst … --orig-port-dst … --reply-src …`). Filters with an original destination port are
   * looked up by it, so kube-proxy's cleanup costs one pass over the table, not one per filter.
   */
  clearEntries(filters: readonly ConntrackFilter[]): number {
    if (filters.length === 0) return 0;
    const byPort = new Map<string, ConntrackFilter[]>();
    const anyPort: ConntrackFilter[] = [];
    for (const f of filters) {
      if (f.original?.dport === undefined) {
        anyPort.push(f);
        continue;
      }
      const k = `${f.proto}/${f.original.dport}`;
      const list = byPort.get(k);
      if (list) list.push(f);
      else byPort.set(k, [f]);
    }
    let removed = 0;
    for (const c of this.byOriginal.values()) {
      const candidates = byPort.get(`${c.original.proto}/${c.original.dport}`);
      if (candidates?.some((f) => conntrackFilterMatches(f, c)) || anyPort.some((f) => conntrackFilterMatches(f, c))) {
        this.remove(c);
        removed++;
      }
    }
    return removed;
  }

  /** `conntrack -D`: forget connections matching a predicate. */
  delete(predicate: (e: ConntrackEntry) => boolean): number {
    let removed = 0;
    for (const c of this.byOriginal.values()) {
      if (predicate(c.snapshot())) {
        this.remove(c);
        removed++;
      }
    }
    return removed;
  }

  /** The table's own entry for `entry` if it is still tracked and unexpired. */
  private live(entry: ConntrackEntry, now: number): Connection | undefined {
    const c = entry as Connection;
    if (this.byOriginal.get(c.key) !== c) return undefined;
    if (c.expiresAt <= now) {
      this.remove(c);
      return undefined;
    }
    return c;
  }

  /** A new expiry from now: the entry moves to the tail of its timeout's queue. */
  private requeue(c: Connection, now: number): void {
    const timeout = timeoutFor(c);
    let q = this.queues.get(timeout);
    if (!q) {
      q = { members: new Set(), lastExpiresAt: -Infinity };
      this.queues.set(timeout, q);
    }
    c.queue?.members.delete(c);
    c.expiresAt = now + timeout;
    c.queue = q;
    q.members.add(c);
    if (c.expiresAt < q.lastExpiresAt) this.ordered = false;
    else q.lastExpiresAt = c.expiresAt;
  }

  /** The collector when the queues are out of order: a scan of the table, then the queues re-sorted. */
  private expireByScan(now: number): number {
    let removed = 0;
    for (const c of this.byOriginal.values()) {
      if (c.expiresAt <= now) {
        this.remove(c);
        removed++;
      }
    }
    for (const q of this.queues.values()) {
      const sorted = [...q.members].sort((a, b) => a.expiresAt - b.expiresAt);
      q.members.clear();
      for (const c of sorted) q.members.add(c);
      q.lastExpiresAt = sorted.at(-1)?.expiresAt ?? -Infinity;
    }
    this.ordered = true;
    return removed;
  }

  private remove(c: Connection): void {
    if (this.byOriginal.get(c.key) !== c) return;
    this.byOriginal.delete(c.key);
    this.byReply.delete(c.replyKey);
    this.unassured.delete(c);
    c.queue?.members.delete(c);
    c.queue = undefined;
  }

  /** Full: collect expired entries, else early_drop the oldest entry that is not assured. */
  private makeRoom(now: number): boolean {
    if (this.expire(now) > 0) return true;
    for (const c of this.unassured) {
      this.remove(c);
      return true;
    }
    return false;
  }
}
