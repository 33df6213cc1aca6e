// xt_recent's lists (`-m recent`), which kube-proxy uses for sessionAffinity: ClientIP. Plain
// immutable data passed into a walk and returned updated, so a run replays exactly. Bounds and
// behaviour follow net/netfilter/xt_recent.c: at most ip_list_tot entries per list (the least
// recently updated is evicted), at most ip_pkt_list_tot timestamps per entry, and --reap removes
// the least recently updated entry of the list when its newest timestamp is outside the window.
import { formatIPv4 } from './address.js';
import type { Match } from './rule.js';

/** xt_recent module parameter ip_list_tot (default 200). */
export const RECENT_LIST_MAX_ENTRIES = 200;
/** xt_recent module parameter ip_pkt_list_tot (default 20). */
export const RECENT_ENTRY_MAX_STAMPS = 20;

export interface RecentEntry {
  /** The packet's source (--rsource) or destination (--rdest) address, masked with --mask. */
  readonly address: string;
  /** Times seen, in epoch milliseconds, oldest first; at most RECENT_ENTRY_MAX_STAMPS. */
  readonly stamps: readonly number[];
}

export interface RecentTable {
  /** Per --name, entries in least-recently-updated-first order (the kernel's LRU list). */
  readonly lists: Readonly<Record<string, readonly RecentEntry[]>>;
}

export function emptyRecentTable(): RecentTable {
  return { lists: {} };
}

type RecentMatch = Extract<Match, { kind: 'recent' }>;

function withList(table: RecentTable, name: string, entries: readonly RecentEntry[]): RecentTable {
  return { lists: { ...table.lists, [name]: entries } };
}

function touched(entry: RecentEntry, now: number): RecentEntry {
  const stamps = [...entry.stamps, now];
  return { address: entry.address, stamps: stamps.length > RECENT_ENTRY_MAX_STAMPS ? stamps.slice(-RECENT_ENTRY_MAX_STAMPS) : stamps };
}

/**
 * Evaluate one `-m recent` match (xt_recent.c recent_mt) for a packet address (unsigned 32-bit).
 * Returns whether it matched (after `!`) and the updated table.
 */
export function evaluateRecent(table: RecentTable, m: RecentMatch, address: number, now: number): { matched: boolean; recent: RecentTable } {
  const key = formatIPv4((address & m.mask) >>> 0);
  let entries = table.lists[m.name] ?? [];
  const at = entries.findIndex((e) => e.address === key);
  let hit = false;
  if (at < 0) {
    if (m.action === 'set') {
      const fresh: RecentEntry = { address: key, stamps: [now] };
      entries = entries.length >= RECENT_LIST_MAX_ENTRIES ? [...entries.slice(1), fresh] : [...entries, fresh];
      return { matched: !m.invert, recent: withList(table, m.name, entries) };
    }
    return { matched: m.invert, recent: table };
  }
  const entry = entries[at]!;
  if (m.action === 'set') {
    entries = [...entries.slice(0, at), ...entries.slice(at + 1), touched(entry, now)];
    return { matched: !m.invert, recent: withList(table, m.name, entries) };
  }
  if (m.action === 'remove') {
    entries = [...entries.slice(0, at), ...entries.slice(at + 1)];
    return { matched: !m.invert, recent: withList(table, m.name, entries) };
  }
  const windowStart = now - m.seconds * 1000;
  if (m.seconds || m.hitcount) {
    let hits = 0;
    for (const stamp of entry.stamps) {
      if (m.seconds && stamp < windowStart) continue;
      if (!m.hitcount || ++hits >= m.hitcount) {
        hit = true;
        break;
      }
    }
  } else {
    hit = true;
  }
  const matched = hit !== m.invert;
  const update = m.action === 'update' && matched;
  if (m.reap) {
    const oldest = entries[0]!;
    const spared = update && oldest === entry;
    if (!spared && oldest.stamps[oldest.stamps.length - 1]! < windowStart) entries = entries.slice(1);
  }
  if (update) {
    const i = entries.indexOf(entry);
    entries = [...entries.slice(0, i), ...entries.slice(i + 1), touched(entry, now)];
  }
  return { matched, recent: entries === (table.lists[m.name] ?? []) ? table : withList(table, m.name, entries) };
}
