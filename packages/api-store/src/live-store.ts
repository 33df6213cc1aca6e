// Holds the folded log (the decider's state) and fans accepted events out to watches.
import { WatchWindow, keyOf, type AllocationFlags, type ApiState, type KubeObject, type LogEvent, emptyApiState, evolveApiState } from '@kubemu/core';

/** A folded event and the object's version before it (for watch filtering: ADDED/DELETED on selector changes). */
export interface WatchedEvent {
  event: LogEvent;
  prev: KubeObject | undefined;
}

export type Watcher = (e: WatchedEvent) => void;

/** Upper bound on open watches; past it a watch request gets 429 (kube-apiserver's max-requests-inflight idea). */
export const MAX_WATCHERS = 1000;

export class LiveStore {
  state: ApiState;
  readonly window: WatchWindow<WatchedEvent>;
  private readonly watchers = new Set<Watcher>();
  private readonly waiters: { revision: number; resolve: () => void }[] = [];

  constructor(watchWindow: number, flags: AllocationFlags) {
    this.state = emptyApiState(flags);
    this.window = new WatchWindow(watchWindow);
  }

  /** Stream sequence of the last message read, folded or rejected: what an append must expect. */
  position = 0;

  get revision(): number {
    return this.state.store.revision;
  }

  /** A malformed message was skipped; the stream has still moved past it. */
  skip(sequence: number): void {
    if (sequence > this.position) this.position = sequence;
    this.release();
  }

  apply(event: LogEvent): void {
    const prev = this.state.store.objects.get(keyOf(event.kind, event.object))?.object;
    this.state = evolveApiState(this.state, event);
    this.position = event.revision;
    const watched = { event, prev };
    this.window.push(watched);
    for (const w of this.watchers) w(watched);
    this.release();
  }

  private release(): void {
    if (this.waiters.length > 0) {
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.revision <= this.position) {
          this.waiters[i]!.resolve();
          this.waiters.splice(i, 1);
        }
      }
    }
  }

  /** Resolves once the reader has passed stream sequence `revision` (a write is visible to reads after it). */
  waitFor(revision: number): Promise<void> {
    if (this.position >= revision) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  subscribe(w: Watcher): (() => void) | undefined {
    if (this.watchers.size >= MAX_WATCHERS) return undefined;
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }
}
