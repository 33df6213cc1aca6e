// Connection tracking (nf_conntrack): each connection is remembered by its original tuple with the
// tuple its replies carry, which encodes the NAT the first packet got. Later packets look the
// connection up instead of walking the nat table, so an established connection keeps its endpoint
// when the rules change, as in the kernel. Deterministic: every operation takes `now` (epoch
// milliseconds) and nothing reads a clock. It is a mutable table with an explicit bound (the
// node's hot path inserts per connection; copying a map per insert would not scale).
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

export class ConntrackTable {
  /** Original-tuple key → entry, in insertion order (the oldest first, for eviction). */
  private readonly byOriginal = new Map<string, ConntrackEntry>();
  /** Reply-tuple key → original-tuple key. */
  private readonly byReply = new Map<string, string>();

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
    return [...this.byOriginal.values()];
  }

  /** The connection a packet belongs to, in either direction; an expired entry is gone. */
  lookup(tuple: ConnTuple, now: number): ConntrackHit | undefined {
    const key = tupleKey(tuple);
    let direction: Direction = 'original';
    let entryKey: string | undefined = key;
    let entry = this.byOriginal.get(key);
    if (!entry) {
      entryKey = this.byReply.get(key);
      entry = entryKey === undefined ? undefined : this.byOriginal.get(entryKey);
      direction = 'reply';
    }
    if (!entry || entryKey === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.remove(entryKey);
      return undefined;
    }
    const translated = direction === 'original' ? reverseTuple(entry.reply) : reverseTuple(entry.original);
    const ctState: CtState = direction === 'original' && !entry.seenReply ? 'NEW' : 'ESTABLISHED';
    return { entry, direction, ctState, translated };
  }

  /**
   * Remember a new connection: `original` as its first packet arrived, `translated` as the nat
   * walks left it (destination after DNAT, source after MASQUERADE).
   */
  insert(original: ConnTuple, translated: ConnTuple, now: number, mark = 0): InsertResult {
    const key = tupleKey(original);
    const existing = this.byOriginal.get(key);
    if (existing && existing.expiresAt > now) return { ok: true, entry: existing };
    if (existing) this.remove(key);
    const reply = reverseTuple(translated);
    const replyKey = tupleKey(reply);
    const clash = this.byReply.get(replyKey);
    if (clash !== undefined) {
      if (this.byOriginal.get(clash)!.expiresAt > now) return { ok: false, reason: 'reply tuple in use' };
      this.remove(clash);
    }
    if (this.byOriginal.size >= this.limit && !this.makeRoom(now)) return { ok: false, reason: 'table full' };
    const base = { original, reply, seenReply: false, closing: false };
    const entry: ConntrackEntry = {
      ...base,
      dnat: translated.dst !== original.dst || translated.dport !== original.dport,
      snat: translated.src !== original.src || translated.sport !== original.sport,
      assured: false,
      mark,
      expiresAt: now + timeoutFor(base),
    };
    this.byOriginal.set(key, entry);
    this.byReply.set(replyKey, key);
    return { ok: true, entry };
  }

  /** A packet of a tracked connection passed: refresh its timeout; a reply makes it ESTABLISHED and assured. */
  seen(tuple: ConnTuple, now: number): ConntrackEntry | undefined {
    const hit = this.lookup(tuple, now);
    if (!hit) return undefined;
    const seenReply = hit.entry.seenReply || hit.direction === 'reply';
    return this.replace({ ...hit.entry, seenReply, assured: hit.entry.assured || seenReply }, now);
  }

  /** Either end closed (TCP FIN/RST, or the node's socket closed): TIME_WAIT, then gone. */
  close(tuple: ConnTuple, now: number): ConntrackEntry | undefined {
    const hit = this.lookup(tuple, now);
    if (!hit) return undefined;
    if (hit.entry.original.proto === 'udp') {
      this.remove(tupleKey(hit.entry.original));
      return undefined;
    }
    return this.replace({ ...hit.entry, closing: true }, now);
  }

  /** Drop every entry whose timeout has passed (the conntrack garbage collector). */
  expire(now: number): number {
    let removed = 0;
    for (const [key, e] of this.byOriginal) {
      if (e.expiresAt <= now) {
        this.remove(key);
        removed++;
      }
    }
    return removed;
  }

  /** `conntrack -D` of one connection, by its original tuple: a map lookup, not a scan of the table. */
  forget(original: ConnTuple): boolean {
    const key = tupleKey(original);
    if (!this.byOriginal.has(key)) return false;
    this.remove(key);
    return true;
  }

  /** `conntrack -D`: forget connections matching a predicate (kube-proxy clears stale UDP entries so). */
  delete(predicate: (e: ConntrackEntry) => boolean): number {
    let removed = 0;
    for (const [key, e] of this.byOriginal) {
      if (predicate(e)) {
        this.remove(key);
        removed++;
      }
    }
    return removed;
  }

  private replace(entry: ConntrackEntry, now: number): ConntrackEntry {
    const next = { ...entry, expiresAt: now + timeoutFor(entry) };
    this.byOriginal.set(tupleKey(entry.original), next);
    return next;
  }

  private remove(key: string): void {
    const e = this.byOriginal.get(key);
    if (!e) return;
    this.byOriginal.delete(key);
    this.byReply.delete(tupleKey(e.reply));
  }

  /** Full: collect expired entries, else early_drop the oldest entry that is not assured. */
  private makeRoom(now: number): boolean {
    if (this.expire(now) > 0) return true;
    for (const [key, e] of this.byOriginal) {
      if (!e.assured) {
        this.remove(key);
        return true;
      }
    }
    return false;
  }
}
