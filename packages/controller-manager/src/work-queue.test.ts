import { describe, expect, it } from 'vitest';
import { InvariantError } from '@kubemu/core';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added, and never hands it to two workers at once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).toBe(2);
    expect(await q.next()).toBe('a');
    q.add('a'); // while processing: queued again only when done
    expect(await q.next()).toBe('b');
    expect(q.depth).toBe(0);
    q.done('a');
    expect(await q.next()).toBe('a');
  });

  it('retries with doubling backoff and drops a key after maxRetries failures', async () => {
    const q = new WorkQueue({ baseDelayMs: 1, maxRetries: 3 });
    expect([q.addRateLimited('k'), q.addRateLimited('k'), q.addRateLimited('k')]).toEqual([true, true, true]);
    expect(q.retries('k')).toBe(3);
    expect(q.addRateLimited('k')).toBe(false);
    expect(q.retries('k')).toBe(0);
    expect(await q.next()).toBe('k');
  });

  it('fails loudly past its bound', () => {
    const q = new WorkQueue({ maxKeys: 2 });
    q.add('a');
    q.add('b');
    expect(() => q.add('c')).toThrow(InvariantError);
  });

  it('hands out nothing after shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.next();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });
});
