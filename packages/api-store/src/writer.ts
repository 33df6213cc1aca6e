// Appends admitted writes to the log. Writes queue up; the pump takes them in batches, decides each
// against the folded state plus the writes ahead of it (a speculative overlay), and publishes the
// batch pipelined, each append expecting the stream's last sequence to be exactly the one before
// it and, after the first, the message before it to be this batch's previous one (its msgId): a
// sequence number alone would let a later append land right after another writer's message. So
// admission always decides against the whole log: if another api-store slipped a write in, the
// first append of ours after it fails (and with it every later one of the batch), this store
// catches up, and those writes are decided again. Allocation can never hand a value out twice.
import { randomBytes } from 'node:crypto';
import { encodeObjectEvent, CodecError } from '@kubemu/proto';
import { objectSubject, publishObjectEvent, headRevision, WrongLastSequenceError, type Bus } from '@kubemu/bus';
import {
  evolveSpeculative,
  getObject,
  keyOf,
  resourceByKind,
  speculativeState,
  statusInternalError,
  statusUnavailable,
  type ApiState,
  type Decision,
  type KubeObject,
  type Status,
  type WatchEventType,
} from '@kubemu/core';
import type { LiveStore } from './live-store.js';
import type { Metrics } from './metrics.js';

/** A write that keeps losing races this many times in a row answers 500 rather than spinning. */
export const MAX_APPEND_ATTEMPTS = 16;
/** Writes waiting in the queue; past this, new writes get 429. */
export const MAX_QUEUED_WRITES = 10_000;
/** Writes decided and published together. */
export const MAX_BATCH_WRITES = 128;
/** Publishes that time out (e.g. nats-server restarting) are retried this often with the same msgId. */
const MAX_PUBLISH_RETRIES = 3;

export type WriteResult = { ok: true; object: KubeObject; created: boolean; noop: boolean } | { ok: false; status: Status };

interface PendingWrite {
  decide: (state: ApiState) => Decision;
  author: string;
  attempts: number;
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

interface Append {
  write: PendingWrite;
  type: WatchEventType;
  object: KubeObject;
  kind: string;
  done: Promise<{ seq: number } | { conflict: true } | { error: unknown }>;
}

export class Writer {
  private readonly queue: PendingWrite[] = [];
  /** Writes of the current batch whose append lost a race; they go back to the front of the queue. */
  private readonly retry: PendingWrite[] = [];
  private pumping = false;
  private sequence = 0;
  /** msgIds must not repeat across restarts within the stream's duplicate window. */
  private readonly boot = randomBytes(6).toString('hex');

  constructor(
    private readonly bus: Bus,
    private readonly live: LiveStore,
    private readonly metrics: Metrics,
    private readonly writerId: string,
    private readonly now: () => Date,
  ) {}

  pending(): number {
    return this.queue.length;
  }

  write(decide: (state: ApiState) => Decision, author: string): Promise<WriteResult> {
    if (this.queue.length >= MAX_QUEUED_WRITES) {
      return Promise.resolve({ ok: false, status: { ...statusUnavailable('too many writes in flight, please try again later'), code: 429, reason: 'TooManyRequests' } });
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ decide, author, attempts: 0, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH_WRITES);
        try {
          await this.appendBatch(batch);
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async appendBatch(batch: PendingWrite[]): Promise<void> {
    let spec = speculativeState(this.live.state);
    let expected = this.live.position;
    let previousMsgId: string | undefined;
    const appends: Append[] = [];
    for (const write of batch) {
      const decision = write.decide(spec);
      if (!decision.ok) {
        write.resolve({ ok: false, status: decision.status });
        continue;
      }
      if ('noop' in decision) {
        write.resolve({ ok: true, object: decision.noop, created: false, noop: true });
        continue;
      }
      const { type, object } = decision.write;
      const kind = object.kind!;
      const r = resourceByKind(kind)!;
      let bytes: Uint8Array;
      try {
        bytes = encodeObjectEvent({ type, object: object as never, timeUnixMilli: this.now().getTime(), writer: this.writerId, author: write.author, notes: decision.notes });
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        write.resolve({ ok: false, status: { ...statusInternalError(err.message), code: 413, reason: 'RequestEntityTooLarge' } });
        continue;
      }
      const subject = objectSubject(r.logKind, r.namespaced ? (object.metadata?.namespace ?? '') : '', object.metadata?.name ?? '');
      const msgId = `${this.writerId}/${this.boot}/${++this.sequence}`;
      const done = this.publish(subject, bytes, expected, previousMsgId, msgId);
      previousMsgId = msgId;
      expected++;
      const specObject = structuredClone(object);
      specObject.metadata = { ...specObject.metadata, resourceVersion: String(expected) };
      spec = evolveSpeculative(spec, { revision: expected, type, kind, object: specObject, timeUnixMilli: 0 });
      appends.push({ write, type, object, kind, done });
    }
    let conflicted = false;
    for (const a of appends) {
      const outcome = await a.done;
      if ('seq' in outcome) {
        await this.live.waitFor(outcome.seq);
        a.write.resolve(this.stored(a, outcome.seq));
      } else if ('conflict' in outcome) {
        conflicted = true;
        this.metrics.writeConflicts.inc();
        if (++a.write.attempts >= MAX_APPEND_ATTEMPTS) {
          a.write.resolve({ ok: false, status: statusInternalError(`gave up after ${MAX_APPEND_ATTEMPTS} conflicting appends`) });
        } else {
          this.retry.push(a.write);
        }
      } else {
        a.write.reject(outcome.error);
      }
    }
    if (conflicted) {
      // Another writer moved the log: catch up before deciding these writes again, first in line.
      await this.live.waitFor(await headRevision(this.bus));
      this.queue.unshift(...this.retry.splice(0));
    }
  }

  private async publish(
    subject: string,
    bytes: Uint8Array,
    expected: number,
    previousMsgId: string | undefined,
    msgId: string,
  ): Promise<{ seq: number } | { conflict: true } | { error: unknown }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { seq } = await publishObjectEvent(this.bus, subject, bytes, {
          expectedLastSequence: expected,
          msgId,
          ...(previousMsgId !== undefined ? { expectedLastMsgId: previousMsgId } : {}),
        });
        return { seq };
      } catch (err) {
        if (err instanceof WrongLastSequenceError) return { conflict: true };
        // A timeout may or may not have stored it: the same msgId makes a retry answer with the
        // first write's sequence (duplicate) rather than a false conflict.
        if (attempt >= MAX_PUBLISH_RETRIES || this.bus.nc.isClosed()) return { error: err };
      }
    }
  }

  private stored(a: Append, seq: number): WriteResult {
    const r = resourceByKind(a.kind)!;
    if (a.type === 'DELETED') {
      const gone = structuredClone(a.object);
      gone.metadata = { ...gone.metadata, resourceVersion: String(seq) };
      return { ok: true, object: gone, created: false, noop: false };
    }
    const stored = getObject(this.live.state.store, a.kind, r.namespaced ? (a.object.metadata?.namespace ?? '') : '', a.object.metadata?.name ?? '');
    if (!stored) return { ok: false, status: statusInternalError(`object ${keyOf(a.kind, a.object)} missing after append at revision ${seq}`) };
    return { ok: true, object: stored.object, created: a.type === 'ADDED', noop: false };
  }
}
