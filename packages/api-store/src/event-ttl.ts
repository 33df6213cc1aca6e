// --event-ttl: kube-apiserver stores every event with an etcd lease of the TTL. kubemu's log has no
// leases, so the api-store sweeps: core's expiredEvents names the events not written for the TTL,
// and each is deleted through admission with its resourceVersion as precondition (an event written
// again meanwhile is kept; another api-store deleting it first is fine).
import type { Logger } from 'pino';
import { admitDelete, expiredEvents, resourceByKind, type AdmissionContext, type ResourceInfo } from '@kubemu/core';
import type { LiveStore } from './live-store.js';
import type { Writer } from './writer.js';

const EVENTS = resourceByKind('Event') as ResourceInfo;
/** Sweeps run every quarter TTL, at most this far apart and at least 250 ms apart. */
export const MAX_EVENT_SWEEP_INTERVAL_MS = 60_000;

export function eventSweepIntervalMs(ttlMs: number): number {
  return Math.max(250, Math.min(MAX_EVENT_SWEEP_INTERVAL_MS, Math.floor(ttlMs / 4)));
}

export class EventTtlSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  deleted = 0;

  constructor(
    private readonly o: { live: LiveStore; writer: Writer; ttlMs: number; admissionContext: () => AdmissionContext; log: Logger; now?: () => number },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, eventSweepIntervalMs(this.o.ttlMs));
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    const now = (this.o.now ?? Date.now)();
    const expired = expiredEvents(this.o.live.state.store, now, this.o.ttlMs);
    let deleted = 0;
    for (const s of expired) {
      const ns = s.object.metadata?.namespace ?? '';
      const name = s.object.metadata?.name ?? '';
      const result = await this.o.writer.write(
        (state) => admitDelete(EVENTS, ns, name, state, this.o.admissionContext(), { preconditions: { resourceVersion: String(s.revision) } }),
        'api-store/event-ttl',
      );
      if (result.ok) deleted++;
    }
    this.deleted += deleted;
    if (deleted > 0) this.o.log.info({ deleted, ttlMs: this.o.ttlMs }, 'deleted events older than --event-ttl');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
