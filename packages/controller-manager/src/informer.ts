// The one informer: the whole log folded into an ObjectStore (core's applyLogEvent), replayed from
// revision 1 on every start, so every controller resyncs from the log after a restart. Handlers see
// each event after it is folded in, with the object's previous version.
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

  /** Starts reading from revision 1; resolves when everything written before the start is folded in. */
  async start(bus: Bus): Promise<{ done: Promise<unknown> }> {
    const head = await headRevision(bus);
    let caughtUp!: () => void;
    const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
    if (head === 0) caughtUp();
    this.watch = watchObjectEvents(bus, {
      fromRevision: 1,
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
