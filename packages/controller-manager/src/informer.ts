// The one informer: the whole log folded into an ObjectStore (core's applyLogEvent), replayed from
// revision 1 on start, or from a snapshot's revision + 1 when one was restored; either way every
// controller resyncs from the store after a restart. Handlers see each event after it is folded in,
// with the object's previous version.
import type { Bus, ObjectLogEvent } from '@kubemu/bus';
import { headRevision, watchObjectEvents, type Watch } from '@kubemu/bus';
import { applyLogEvent, emptyObjectStore, keyOf, type KubeObject, type LogEvent, type ObjectStore } from '@kubemu/core';

export type EventHandler = (event: LogEvent, previous: KubeObject | undefined) => void;

export interface InformerCallbacks {
  onApplied?: (revision: number) => void;
  onReject?: (detail: { seq: number; subject: string; reason: string; detail: string }) => void;
}

export class Informer {
  readonly store: ObjectStore = emptyObjectStore();
  private readonly handlers: EventHandler[] = [];
  private readonly revisionWaiters: { revision: number; resolve: () => void }[] = [];
  private watch: Watch | undefined;
  private skipped = 0;

  constructor(private readonly callbacks: InformerCallbacks = {}) {}

  get revision(): number {
    return Math.max(this.store.revision, this.skipped);
  }

  onEvent(handler: EventHandler): void {
    this.handlers.push(handler);
  }

  /** Applies one event (exposed for replaying a recorded log without NATS). */
  apply(event: LogEvent): void {
    const previous = this.store.objects.get(keyOf(event.kind, event.object))?.object;
    applyLogEvent(this.store, event);
    this.callbacks.onApplied?.(event.revision);
    for (const h of this.handlers) h(event, previous);
    this.wakeWaiters();
  }

  /**
   * Starts from a snapshot's store instead of an empty one, before start(). Handlers are told of
   * every restored object as ADDED, in revision order, as a client-go informer's initial list calls
   * OnAdd for each object: what handlers derive from events (the garbage collector's owner index)
   * is then what a replay from 1 would have given them. Not counted as applied events.
   */
  restore(snapshot: ObjectStore): void {
    if (this.revision !== 0 || this.store.objects.size !== 0 || this.watch) throw new Error(`a snapshot is restored before start, not at revision ${this.revision}`);
    for (const [key, stored] of snapshot.objects) this.store.objects.set(key, stored);
    this.store.revision = snapshot.revision;
    const added = [...snapshot.objects.values()].sort((a, b) => a.revision - b.revision);
    for (const { kind, object, revision } of added) {
      const event: LogEvent = { revision, type: 'ADDED', kind, object, timeUnixMilli: 0 };
      for (const h of this.handlers) h(event, undefined);
    }
  }

  /** Resolves once the cache holds revision `revision` or later (read-your-writes for a controller's own writes). */
  waitFor(revision: number): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.revisionWaiters.push({ revision, resolve }));
  }

  private wakeWaiters(): void {
    if (this.revisionWaiters.length === 0) return;
    const r = this.revision;
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      if (this.revisionWaiters[i]!.revision <= r) this.revisionWaiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Starts reading after the revision it holds (1 when empty); resolves when everything written before the start is folded in. */
  async start(bus: Bus): Promise<{ done: Promise<unknown> }> {
    const head = await headRevision(bus);
    let caughtUp!: () => void;
    const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
    if (this.revision >= head) caughtUp();
    this.watch = watchObjectEvents(bus, {
      fromRevision: this.revision + 1,
      onEvent: (e: ObjectLogEvent) => {
        this.apply({ revision: e.revision, type: e.type, kind: e.kind, object: e.object as KubeObject, timeUnixMilli: Number(e.timeUnixMilli ?? 0) });
        if (this.revision >= head) caughtUp();
      },
      onReject: (rejection) => {
        this.callbacks.onReject?.(rejection);
        this.skipped = rejection.seq;
        this.wakeWaiters();
        if (this.revision >= head) caughtUp();
      },
    });
    await replayed;
    return { done: this.watch.done };
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
  }
}
