// kube-apiserver --event-ttl: every event is written to etcd with a lease of the TTL, renewed by each
// write, so an event goes once it has not been written for the TTL. kubemu's log has no leases:
// the api-store deletes the events whose last write is older than the TTL. The live set of events
// is thus bounded by what the recorders send in one TTL (their spam filter: 25 per source and
// object, then one per 5 minutes).
import type { Event } from '../api/types.js';
import { parseTimestamp } from '../printers/duration.js';
import type { ObjectStore, StoredObject } from '../store/object-store.js';

/** kube-apiserver's default --event-ttl. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;
/** Deletes asked for in one sweep; the rest wait for the next. */
export const MAX_EVENT_DELETES_PER_SWEEP = 1000;

/** The last time the event was written: its creation, last occurrence, series or eventTime, whichever is latest. */
export function eventLastWrittenMs(event: Event): number {
  const times = [event.metadata?.creationTimestamp, event.lastTimestamp, event.series?.lastObservedTime, event.eventTime]
    .map((t) => parseTimestamp(t))
    .filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.max(...times) : 0;
}

/** The events whose last write is more than `ttlMs` before `nowMs`, oldest first, at most MAX_EVENT_DELETES_PER_SWEEP. */
export function expiredEvents(store: ObjectStore, nowMs: number, ttlMs: number): StoredObject[] {
  const out: { s: StoredObject; at: number }[] = [];
  for (const s of store.objects.values()) {
    if (s.kind !== 'Event') continue;
    const at = eventLastWrittenMs(s.object as Event);
    if (nowMs - at > ttlMs) out.push({ s, at });
  }
  out.sort((a, b) => a.at - b.at);
  return out.slice(0, MAX_EVENT_DELETES_PER_SWEEP).map((x) => x.s);
}
