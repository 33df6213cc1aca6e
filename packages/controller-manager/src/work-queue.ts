// client-go's rate-limited work queue (k8s.io/client-go/util/workqueue): a key is queued at most once
// however many events name it (dirty set), is never handed to two workers at once (processing set: a key
// added while it is processed is queued again when done), and failures retry with per-key exponential
// backoff (ItemExponentialFailureRateLimiter, 5 ms doubling) up to a bounded number of times.
import { InvariantError } from '@kubemu/core';

export interface WorkQueueOptions {
  /** Distinct keys queued, processing or waiting; past it the queue fails loudly (an unbounded backlog is a bug). */
  maxKeys?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed syncs of one key before it is dropped (pkg/controller/endpointslice maxRetries = 15). */
  maxRetries?: number;
}

export const DEFAULT_MAX_QUEUE_KEYS = 1_000_000;
export const DEFAULT_MAX_RETRIES = 15;

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  readonly maxKeys: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;

  constructor(options: WorkQueueOptions = {}) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_QUEUE_KEYS;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  }

  /** Keys waiting to be handed out (not processing, not delayed). */
  get depth(): number {
    return this.queue.length - this.head;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    if (this.dirty.size + this.processing.size + this.delayed.size >= this.maxKeys) {
      throw new InvariantError(`work queue holds ${this.maxKeys} keys, its bound; refusing ${key}`);
    }
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds the key after delayMs; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Requeues a failed key with backoff; false when it has failed maxRetries times (then it is forgotten). */
  addRateLimited(key: string): boolean {
    const n = this.failures.get(key) ?? 0;
    if (n >= this.maxRetries) {
      this.failures.delete(key);
      return false;
    }
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs));
    return true;
  }

  /** A successful sync clears the key's failure count. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once shut down. Call done(key) when finished with it. */
  next(): Promise<string | undefined> {
    if (this.head < this.queue.length) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
