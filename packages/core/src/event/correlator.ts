// client-go tools/record/events_cache.go EventCorrelator: the spam filter, the aggregator (ten events
// alike but for the message within ten minutes become one "(combined from similar events): …"),
// and the logger that turns a repeat into a PATCH of count, lastTimestamp and message. Pure: the
// clock is an argument; every cache is an LRU of MAX_LRU_CACHE_ENTRIES.
import type { Event } from '../api/types.js';
import { eventName, eventTimestamp } from './record.js';

export const MAX_LRU_CACHE_ENTRIES = 4096;
/** Events alike but for the message, within the interval, before they are aggregated. */
export const DEFAULT_AGGREGATE_MAX_EVENTS = 10;
export const DEFAULT_AGGREGATE_INTERVAL_SECONDS = 600;
/** A source may send 25 events about an object at once, then one per 5 minutes. */
export const DEFAULT_SPAM_BURST = 25;
export const DEFAULT_SPAM_QPS = 1 / 300;

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  add(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

/** getEventKey: every field that makes two events the same event. */
export function eventKey(e: Event): string {
  const o = e.involvedObject ?? {};
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message].map((s) => s ?? '').join('');
}

/** getSpamKey: the source and the object. */
export function spamKey(e: Event): string {
  const o = e.involvedObject ?? {};
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type].map((s) => s ?? '').join('');
}

/** EventAggregatorByReasonFunc: [aggregate key, local key (the message)]. */
export function aggregateKeys(e: Event): [string, string] {
  const o = e.involvedObject ?? {};
  const aggregate = [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance]
    .map((s) => s ?? '')
    .join('');
  return [aggregate, e.message ?? ''];
}

export interface CorrelateResult {
  /** The event to send; absent when skipped. */
  event?: Event;
  /** A strategic merge patch for an event seen before (send it to the existing event's name). */
  patch?: { count: number; lastTimestamp: string; message: string };
  /** The spam filter refused it. */
  skip: boolean;
}

interface TokenBucket {
  tokens: number;
  atMs: number;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastMs: number;
}

interface EventLog {
  count: number;
  firstTimestamp: string;
  name: string;
  resourceVersion: string;
}

export class EventCorrelator {
  private readonly spam = new Lru<TokenBucket>(MAX_LRU_CACHE_ENTRIES);
  private readonly aggregates = new Lru<AggregateRecord>(MAX_LRU_CACHE_ENTRIES);
  private readonly logs = new Lru<EventLog>(MAX_LRU_CACHE_ENTRIES);

  /** EventCorrelate: aggregate, observe (count a repeat), then the spam filter. `nowNanos` is the clock. */
  correlate(newEvent: Event, nowNanos: bigint): CorrelateResult {
    const nowMs = Number(nowNanos / 1_000_000n);
    const [aggregated, key] = this.aggregate(newEvent, nowMs, nowNanos);
    const { event, patch } = this.observe(aggregated, key);
    if (this.filtered(event, nowMs)) return { skip: true };
    return patch === undefined ? { event, skip: false } : { event, patch, skip: false };
  }

  /** UpdateState: what the server answered (its name and resourceVersion) for the next repeat. */
  updateState(event: Event): void {
    this.logs.add(eventKey(event), {
      count: event.count ?? 0,
      firstTimestamp: event.firstTimestamp ?? '',
      name: event.metadata?.name ?? '',
      resourceVersion: event.metadata?.resourceVersion ?? '',
    });
  }

  private aggregate(e: Event, nowMs: number, nowNanos: bigint): [Event, string] {
    const key = eventKey(e);
    const [aggregateKey, localKey] = aggregateKeys(e);
    let record = this.aggregates.get(aggregateKey);
    if (record === undefined || nowMs - record.lastMs > DEFAULT_AGGREGATE_INTERVAL_SECONDS * 1000) record = { localKeys: new Set(), lastMs: 0 };
    record.localKeys.add(localKey);
    record.lastMs = nowMs;
    this.aggregates.add(aggregateKey, record);
    if (record.localKeys.size < DEFAULT_AGGREGATE_MAX_EVENTS) return [e, key];
    // Do not grow the local key set past the maximum (sets.String PopAny).
    record.localKeys.delete(record.localKeys.values().next().value as string);
    const at = eventTimestamp(nowNanos);
    const combined: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(e.involvedObject?.name ?? '', nowNanos), namespace: e.metadata?.namespace ?? '' },
      involvedObject: e.involvedObject ?? {},
      reason: e.reason ?? '',
      message: `(combined from similar events): ${e.message ?? ''}`,
      source: e.source ?? {},
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type: e.type ?? '',
      reportingComponent: '',
      reportingInstance: '',
    };
    return [combined, aggregateKey];
  }

  /** eventLogger.eventObserve. */
  private observe(newEvent: Event, key: string): { event: Event; patch?: CorrelateResult['patch'] } {
    const event: Event = { ...newEvent, metadata: { ...newEvent.metadata } };
    const last = this.logs.get(key);
    let patch: CorrelateResult['patch'];
    if (last !== undefined && last.count > 0) {
      event.metadata!.name = last.name;
      if (last.resourceVersion) event.metadata!.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // CreateTwoWayMergePatch against a copy with count 0, lastTimestamp at the epoch, no message.
      patch = { count: event.count, lastTimestamp: event.lastTimestamp ?? '', message: event.message ?? '' };
    }
    this.logs.add(key, {
      count: event.count ?? 0,
      firstTimestamp: event.firstTimestamp ?? '',
      name: event.metadata?.name ?? '',
      resourceVersion: event.metadata?.resourceVersion ?? '',
    });
    return patch === undefined ? { event } : { event, patch };
  }

  /** EventSourceObjectSpamFilter.Filter: a token bucket per source and object. */
  private filtered(e: Event, nowMs: number): boolean {
    const key = spamKey(e);
    const bucket = this.spam.get(key) ?? { tokens: DEFAULT_SPAM_BURST, atMs: nowMs };
    bucket.tokens = Math.min(DEFAULT_SPAM_BURST, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * DEFAULT_SPAM_QPS);
    bucket.atMs = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.spam.add(key, bucket);
    return !allowed;
  }
}

/**
 * The events.k8s.io recorder's series (events/event_broadcaster.go): an isomorphic event again
 * becomes a series on the first one. Keyed by what makes two such events the same.
 */
export function newStyleEventKey(e: Event): string {
  const o = e.involvedObject ?? {};
  const r = e.related ?? {};
  return JSON.stringify([e.action, e.reason, e.reportingComponent, e.reportingInstance, o.kind, o.namespace, o.name, o.uid, o.fieldPath, r.kind, r.namespace, r.name, e.type, e.message]);
}
