// client-go's event broadcaster and sink (tools/record/event.go) for kubemu's agents: a bounded queue
// (DropIfChannelFull), one sender that correlates each event (core's EventCorrelator) and creates it,
// or PATCHes count and lastTimestamp of the one seen before. Recording never blocks or fails the
// caller: with the api-store away an event is retried (maxTriesPerEvent) and then dropped, and a
// full queue drops the newest; both are counted.
import {
  EventCorrelator,
  makeEvent,
  makeNewStyleEvent,
  newStyleEventKey,
  nextEventNanos,
  eventMicroTime,
  objectReference,
  resourceByKind,
  type Event,
  type EventSource,
  type KubeObject,
  type ObjectReference,
  type ResourceInfo,
} from '@kubemu/core';
import { ApiError, type ApiClient } from './api-client.js';

/** watch.NewLongQueueBroadcaster(maxQueuedEvents, DropIfChannelFull). */
export const MAX_QUEUED_EVENTS = 1000;
/** record/event.go maxTriesPerEvent. */
export const MAX_TRIES_PER_EVENT = 12;
/** record/event.go defaultSleepDuration between tries. */
export const EVENT_RETRY_SLEEP_MS = 10_000;
/** How many events.k8s.io series the recorder remembers. */
const MAX_SERIES = 4096;

const EVENTS = resourceByKind('Event') as ResourceInfo;

export interface EventRecorderStats {
  created: number;
  patched: number;
  /** Refused by the spam filter. */
  skipped: number;
  /** The queue was full. */
  dropped: number;
  /** Given up after MAX_TRIES_PER_EVENT, or refused by the server. */
  failed: number;
}

export interface EventRecorderOptions {
  client: ApiClient;
  /** record: source.component ("replicaset-controller", "kubelet") and host (the kubelet's node). */
  source: EventSource;
  /** events.k8s.io: reportingInstance (the scheduler's "default-scheduler-<host>"). */
  reportingInstance?: string;
  now?: () => number;
  maxQueued?: number;
  retrySleepMs?: number;
  /** Told of every event given up, for a log line. */
  onFailure?: (event: Event, err: unknown) => void;
}

type Item = { kind: 'legacy'; event: Event } | { kind: 'series'; event: Event };

export class EventRecorder {
  readonly stats: EventRecorderStats = { created: 0, patched: 0, skipped: 0, dropped: 0, failed: 0 };
  private readonly queue: Item[] = [];
  private readonly correlator = new EventCorrelator();
  private readonly series = new Map<string, { name: string; namespace: string; count: number }>();
  private lastNanos = 0n;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: EventRecorderOptions) {
    this.now = o.now ?? Date.now;
  }

  private stamp(): bigint {
    // Milliseconds from the clock, the nanoseconds within from the monotonic one.
    const nanos = BigInt(Math.trunc(this.now())) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    this.lastNanos = nextEventNanos(this.lastNanos, nanos);
    return this.lastNanos;
  }

  /** recorder.Event: about an object (or a reference to one), with an optional fieldPath (`spec.containers{nginx}`). */
  event(object: KubeObject | ObjectReference, type: string, reason: string, message: string, fieldPath?: string): void {
    const ref = isReference(object) ? { ...object, ...(fieldPath ? { fieldPath } : {}) } : objectReference(object, fieldPath);
    this.enqueue({ kind: 'legacy', event: makeEvent(ref, this.o.source, type, reason, message, this.stamp()) });
  }

  /** events.k8s.io's recorder.Eventf (the scheduler's): eventTime, action, reportingController/Instance. */
  eventNewStyle(regarding: KubeObject | ObjectReference, type: string, reason: string, action: string, note: string): void {
    const ref = isReference(regarding) ? regarding : objectReference(regarding);
    const event = makeNewStyleEvent(ref, undefined, this.o.source.component ?? '', this.o.reportingInstance ?? this.o.source.component ?? '', type, reason, action, note, this.stamp());
    this.enqueue({ kind: 'series', event });
  }

  private enqueue(item: Item): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.o.maxQueued ?? MAX_QUEUED_EVENTS)) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(item);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once the queue is empty (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops taking events; what is queued is dropped. */
  stop(): void {
    this.stopped = true;
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
      try {
        if (item.kind === 'legacy') await this.recordLegacy(item.event);
        else await this.recordSeries(item.event);
      } catch (err) {
        this.stats.failed++;
        this.o.onFailure?.(item.event, err);
      }
    }
  }

  /** recordToSink: correlate, then up to MAX_TRIES_PER_EVENT tries while the server cannot be reached. */
  private async recordLegacy(newEvent: Event): Promise<void> {
    const result = this.correlator.correlate(newEvent, this.lastNanos);
    if (result.skip || result.event === undefined) {
      this.stats.skipped++;
      return;
    }
    const event = result.event;
    const namespace = event.metadata?.namespace;
    await this.withRetries(async () => {
      let saved: Event | undefined;
      if (result.patch !== undefined) {
        try {
          saved = (await this.o.client.request('PATCH', `/api/v1/namespaces/${namespace}/events/${event.metadata?.name}`, {
            body: result.patch,
            contentType: 'application/strategic-merge-patch+json',
          })) as Event;
          this.stats.patched++;
        } catch (err) {
          // The event may have been removed (its TTL): create it anew.
          if (!(err instanceof ApiError && err.status.code === 404)) throw err;
        }
      }
      if (saved === undefined) {
        const body = { ...event, metadata: { ...event.metadata } };
        delete body.metadata.resourceVersion;
        saved = (await this.o.client.create(EVENTS, namespace, body)) as Event;
        this.stats.created++;
      }
      this.correlator.updateState(saved);
    });
  }

  /** events.k8s.io: the first is created; an isomorphic one again turns it into a series (count, lastObservedTime). */
  private async recordSeries(event: Event): Promise<void> {
    const key = newStyleEventKey(event);
    const known = this.series.get(key);
    await this.withRetries(async () => {
      if (known !== undefined) {
        known.count = Math.max(2, known.count + 1);
        const patch = { series: { count: known.count, lastObservedTime: eventMicroTime(this.lastNanos) } };
        try {
          await this.o.client.request('PATCH', `/api/v1/namespaces/${known.namespace}/events/${known.name}`, {
            body: patch,
            contentType: 'application/strategic-merge-patch+json',
          });
          this.stats.patched++;
          return;
        } catch (err) {
          if (!(err instanceof ApiError && err.status.code === 404)) throw err;
          this.series.delete(key);
        }
      }
      const saved = (await this.o.client.create(EVENTS, event.metadata?.namespace, event)) as Event;
      this.stats.created++;
      if (this.series.size >= MAX_SERIES) this.series.delete(this.series.keys().next().value as string);
      this.series.set(key, { name: saved.metadata?.name ?? '', namespace: saved.metadata?.namespace ?? '', count: 1 });
    });
  }

  /** A Status answer is final (record/event.go: "Server rejected event (will not retry!)"); a transport error is retried. */
  private async withRetries(send: () => Promise<void>): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await send();
        return;
      } catch (err) {
        if (err instanceof ApiError || tries >= MAX_TRIES_PER_EVENT || this.stopped) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.o.retrySleepMs ?? EVENT_RETRY_SLEEP_MS).unref());
      }
    }
  }
}

function isReference(o: KubeObject | ObjectReference): o is ObjectReference {
  return !('metadata' in o) && 'name' in o;
}
