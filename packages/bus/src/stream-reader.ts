// Reading a stream in order from a sequence, either up to a bound (replay, export) or forever (a
// watch). Every reader above (object events, observations, export) is this loop plus a decoder.
//
// It pulls bounded batches from an ordered consumer and hands each message to the callback before
// pulling more, so at most one batch is buffered however slow the callback is. It owns its cursor:
// when the consumer is lost (server restart, a pull that never answers) it creates a new one at
// the sequence after the last message it delivered, so nothing is skipped or delivered twice.
import { JetStreamApiError, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Bus, BusReader } from './connection.js';

/** Messages per pull: the most a reader holds in memory at once. */
export const READ_BATCH_MESSAGES = 512;
/** How long one pull waits for messages on a live tail before asking again. */
export const PULL_EXPIRES_MS = 5_000;
/** A pull that has neither answered nor expired this long after its expiry is considered lost. */
const PULL_LOST_SLACK_MS = 5_000;
/** Consecutive failures (no message delivered in between) before a reader gives up. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 60;
const BACKOFF_MS = [50, 100, 250, 500, 1000, 2000];

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === 10059;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Thrown by the caller's callback; ends the reader instead of being retried. */
class CallbackFailure extends Error {
  constructor(readonly original: unknown) {
    super('reader callback failed');
  }
}

export interface StreamReaderOptions {
  stream: string;
  /** One subject filter (nats-server 2.9 takes one per consumer). */
  filterSubject?: string;
  /** First sequence to deliver; 'new': the first one written after the reader starts. */
  from: number | 'new';
  /** Stop after this sequence; 'head': the stream's last sequence when the reader starts. Absent: live. */
  until?: number | 'head';
  batchMessages?: number;
  pullExpiresMs?: number;
  maxConsecutiveFailures?: number;
  onMessage: (msg: JsMsg) => void | Promise<void>;
  /**
   * Called once, when everything stored before the reader started has been handed over (at once
   * if there was nothing): the moment an agent goes from syncing to ready.
   */
  onCaughtUp?: (lastSequence: number) => void | Promise<void>;
  /** Told when the consumer was lost and the reader resumes; for logs. */
  onResume?: (err: Error, attempt: number) => void;
}

export interface ReaderEnd {
  /** Last sequence handed to the callback; 0 if none. */
  lastSequence: number;
  /** 'reached': the bound was reached; 'stopped': stop() was called. */
  reason: 'reached' | 'stopped';
}

export interface StreamReader {
  /** Resolves once the start position is fixed ('new' resolved); rejects if the reader failed first. */
  readonly ready: Promise<void>;
  readonly done: Promise<ReaderEnd>;
  readonly lastSequence: number;
  stop(): Promise<void>;
}

export function startStreamReader(bus: Bus, options: StreamReaderOptions): StreamReader {
  const batchMessages = options.batchMessages ?? READ_BATCH_MESSAGES;
  const expiresMs = options.pullExpiresMs ?? PULL_EXPIRES_MS;
  const maxFailures = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
  if (typeof options.from === 'number' && !(Number.isSafeInteger(options.from) && options.from >= 1)) {
    throw new RangeError(`a reader starts at sequence 1 or later, got ${options.from}`);
  }
  if (typeof options.until === 'number' && !(Number.isSafeInteger(options.until) && options.until >= 0)) {
    throw new RangeError(`a reader's bound must be a non-negative integer, got ${options.until}`);
  }

  let stopped = false;
  let lastSequence = 0;
  let active: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // the same failure also rejects `done`

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const failures = { n: 0 };
  /** Counts a lost consumer or failed request; throws once the failures are too many in a row. */
  const failed = async (err: unknown): Promise<void> => {
    if (bus.nc.isClosed() || isStreamNotFound(err)) throw err;
    failures.n++;
    if (failures.n >= maxFailures) throw err;
    bus.metrics.readerResumes++;
    options.onResume?.(err instanceof Error ? err : new Error(String(err)), failures.n);
    await sleep(BACKOFF_MS[Math.min(failures.n - 1, BACKOFF_MS.length - 1)]!);
  };

  const retrying = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
    for (;;) {
      if (stopped) return undefined;
      try {
        return await what();
      } catch (err) {
        await failed(err);
      }
    }
  };

  const run = async (): Promise<ReaderEnd> => {
    const info = await retrying(() => bus.jsm.streams.info(options.stream));
    if (!info) return { lastSequence, reason: 'stopped' };
    let next = options.from === 'new' ? info.state.last_seq + 1 : options.from;
    const until = options.until === 'head' ? info.state.last_seq : options.until;
    resolveReady();
    let caughtUp = false;
    const catchUp = async (): Promise<void> => {
      if (caughtUp || !options.onCaughtUp) return;
      caughtUp = true;
      try {
        await options.onCaughtUp(lastSequence);
      } catch (err) {
        throw new CallbackFailure(err);
      }
    };
    if (next > info.state.last_seq) await catchUp();
    if (until !== undefined && next > until) return { lastSequence, reason: 'reached' };

    let consumer: Consumer | undefined;
    const dropConsumer = (): void => {
      consumer?.delete().catch(() => {});
      consumer = undefined;
    };
    try {
      while (!stopped) {
        if (!consumer) {
          const startAt = next;
          consumer = await retrying(
            () => bus.js.consumers.get(options.stream, { opt_start_seq: startAt, filter_subjects: options.filterSubject }),
          );
          if (!consumer) break;
          if ((await consumer.info(true)).num_pending === 0) {
            await catchUp();
            if (until !== undefined) return { lastSequence, reason: 'reached' };
          }
        }
        let batch: ConsumerMessages;
        try {
          batch = await consumer.fetch({ max_messages: batchMessages, expires: expiresMs });
        } catch (err) {
          dropConsumer();
          await failed(err);
          continue;
        }
        if (stopped) {
          batch.stop();
          break;
        }
        active = batch;
        let reached = false;
        let lost: unknown;
        const iterator = batch[Symbol.asyncIterator]();
        try {
          for (;;) {
            let timer: NodeJS.Timeout | undefined;
            const step = await Promise.race([
              iterator.next(),
              new Promise<'lost'>((resolve) => (timer = setTimeout(() => resolve('lost'), expiresMs + PULL_LOST_SLACK_MS))),
            ]).finally(() => clearTimeout(timer));
            if (step === 'lost') {
              lost = new Error(`${options.stream}: a pull got no answer within ${expiresMs + PULL_LOST_SLACK_MS} ms`);
              break;
            }
            if (step.done || stopped) break;
            const msg = step.value;
            if (msg.seq < next) {
              throw new InvariantError(`${options.stream}: sequence ${msg.seq} delivered after ${lastSequence}; sequences must strictly increase`);
            }
            next = msg.seq + 1;
            lastSequence = msg.seq;
            failures.n = 0;
            try {
              await options.onMessage(msg);
            } catch (err) {
              throw new CallbackFailure(err);
            }
            // pending alone may never reach 0 while writers keep writing
            if (msg.info.pending === 0 || msg.seq >= info.state.last_seq) await catchUp();
            if (until !== undefined && (msg.seq >= until || msg.info.pending === 0)) {
              reached = true;
              break;
            }
          }
        } catch (err) {
          if (err instanceof CallbackFailure || err instanceof InvariantError) throw err;
          lost = err;
        } finally {
          active = undefined;
          batch.stop();
        }
        if (reached) return { lastSequence, reason: 'reached' };
        if (lost !== undefined && !stopped) {
          dropConsumer();
          await failed(lost);
        }
      }
      return { lastSequence, reason: 'stopped' };
    } finally {
      dropConsumer();
    }
  };

  const done = run().then(
    (end) => {
      resolveReady();
      return end;
    },
    (err: unknown) => {
      const failure = err instanceof CallbackFailure ? err.original : err;
      rejectReady(failure);
      throw failure;
    },
  );
  done.catch(() => {}); // observed through `done` by the caller; never an unhandled rejection here

  const reader: StreamReader & BusReader = {
    ready,
    done,
    get lastSequence() {
      return lastSequence;
    },
    async stop() {
      stopped = true;
      active?.stop();
      wake?.();
      await done.then(
        () => {},
        () => {},
      );
    },
  };
  bus.readers.add(reader);
  void done.finally(() => bus.readers.delete(reader)).catch(() => {});
  return reader;
}
