// Appends admitted writes to the log. All writes of this process go through one queue, each
// expecting the stream's last sequence to be the one this store has folded: so admission always
// decided against the whole log, and a write another api-store slipped in first makes the append
// fail, the store catch up, and admission run again. Allocation can never hand a value out twice.
import { encodeObjectEvent, CodecError } from '@kubemu/proto';
import { objectSubject, publishObjectEvent, headRevision, WrongLastSequenceError, type Bus } from '@kubemu/bus';
import {
  getObject,
  keyOf,
  resourceByKind,
  statusInternalError,
  statusUnavailable,
  type ApiState,
  type Decision,
  type KubeObject,
  type Status,
} from '@kubemu/core';
import type { LiveStore } from './live-store.js';
import type { Metrics } from './metrics.js';

/** A write that keeps losing races this many times in a row answers 500 rather than spinning. */
export const MAX_APPEND_ATTEMPTS = 16;
/** Writes waiting in the queue; past this, new writes get 429. */
export const MAX_QUEUED_WRITES = 10_000;

export type WriteResult = { ok: true; object: KubeObject; created: boolean; noop: boolean } | { ok: false; status: Status };

export class Writer {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly bus: Bus,
    private readonly live: LiveStore,
    private readonly metrics: Metrics,
    private readonly writerId: string,
    private readonly now: () => Date,
  ) {}

  pending(): number {
    return this.queued;
  }

  write(decide: (state: ApiState) => Decision, author: string): Promise<WriteResult> {
    if (this.queued >= MAX_QUEUED_WRITES) {
      return Promise.resolve({ ok: false, status: { ...statusUnavailable('too many writes in flight, please try again later'), code: 429, reason: 'TooManyRequests' } });
    }
    this.queued++;
    const run = this.tail.then(() => this.append(decide, author));
    this.tail = run.catch(() => undefined);
    return run.finally(() => {
      this.queued--;
    });
  }

  private async append(decide: (state: ApiState) => Decision, author: string): Promise<WriteResult> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const decision = decide(this.live.state);
      if (!decision.ok) return { ok: false, status: decision.status };
      if ('noop' in decision) return { ok: true, object: decision.noop, created: false, noop: true };
      const { type, object } = decision.write;
      const kind = object.kind!;
      const r = resourceByKind(kind)!;
      let bytes: Uint8Array;
      try {
        bytes = encodeObjectEvent({
          type,
          object: object as never,
          timeUnixMilli: this.now().getTime(),
          writer: this.writerId,
          author,
          notes: decision.notes,
        });
      } catch (err) {
        if (err instanceof CodecError) return { ok: false, status: { ...statusInternalError(err.message), code: 413, reason: 'RequestEntityTooLarge' } };
        throw err;
      }
      const subject = objectSubject(r.logKind, r.namespaced ? (object.metadata?.namespace ?? '') : '', object.metadata?.name ?? '');
      let seq: number;
      try {
        ({ seq } = await publishObjectEvent(this.bus, subject, bytes, { expectedLastSequence: this.live.position }));
      } catch (err) {
        if (err instanceof WrongLastSequenceError) {
          this.metrics.writeConflicts.inc();
          await this.live.waitFor(await headRevision(this.bus));
          continue;
        }
        throw err;
      }
      await this.live.waitFor(seq);
      if (type === 'DELETED') {
        const gone = structuredClone(object);
        gone.metadata = { ...gone.metadata, resourceVersion: String(seq) };
        return { ok: true, object: gone, created: false, noop: false };
      }
      const stored = getObject(this.live.state.store, kind, r.namespaced ? (object.metadata?.namespace ?? '') : '', object.metadata?.name ?? '');
      if (!stored) return { ok: false, status: statusInternalError(`object ${keyOf(kind, object)} missing after append at revision ${seq}`) };
      return { ok: true, object: stored.object, created: type === 'ADDED', noop: false };
    }
    return { ok: false, status: statusInternalError(`gave up after ${MAX_APPEND_ATTEMPTS} conflicting appends`) };
  }
}
