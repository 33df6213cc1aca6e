import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_OBJECT_EVENT_BYTES } from '@kubemu/proto';
import { serviceEvent, startFixture, type Fixture } from '../test-support/fixture.js';
import { headRevision } from './read.js';
import { MAX_MSG_ID_CHARS, MessageTooLargeError, publishObjectEvent, WrongLastSequenceError } from './publish.js';
import { objectSubject } from './subjects.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const svc = (name: string): string => objectSubject('services', 'default', name);

async function conflictOf(p: Promise<unknown>): Promise<WrongLastSequenceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WrongLastSequenceError);
  return err as WrongLastSequenceError;
}

describe('publishObjectEvent on nats-server 2.9', () => {
  it('enforces expectations of 0: "subject has no message yet" and "stream is empty"', async () => {
    // The stream-wide 0 holds only on a stream that never held a message.
    expect(await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSequence: 0 })).toEqual({ seq: 1, duplicate: false });
    const streamNotEmpty = await conflictOf(publishObjectEvent(f.bus, svc('b'), serviceEvent('default', 'b'), { expectedLastSequence: 0 }));
    expect([streamNotEmpty.expectation, streamNotEmpty.expected, streamNotEmpty.actual]).toEqual(['lastSequence', 0, 1]);

    // The subject 0 is a create: it holds on a fresh subject and fails once the subject has a message.
    expect((await publishObjectEvent(f.bus, svc('b'), serviceEvent('default', 'b'), { expectedLastSubjectSequence: 0 })).seq).toBe(2);
    const exists = await conflictOf(publishObjectEvent(f.bus, svc('b'), serviceEvent('default', 'b'), { expectedLastSubjectSequence: 0 }));
    expect([exists.expectation, exists.expected, exists.actual, exists.subject]).toEqual(['lastSubjectSequence', 0, 2, svc('b')]);
    expect(exists.message).toBe('kubemu.obj.services.default.b: expected lastSubjectSequence 0, the stream has 2');
    expect(await headRevision(f.bus)).toBe(2);
  });

  it('turns a stale subject expectation into a conflict and accepts the current one', async () => {
    await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSubjectSequence: 0 });
    await publishObjectEvent(f.bus, svc('other'), serviceEvent('default', 'other'), { expectedLastSubjectSequence: 0 });
    const update = await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a', 'MODIFIED', 81), { expectedLastSubjectSequence: 1 });
    expect(update).toEqual({ seq: 3, duplicate: false });
    const stale = await conflictOf(publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a', 'MODIFIED', 82), { expectedLastSubjectSequence: 1 }));
    expect([stale.expectation, stale.expected, stale.actual]).toEqual(['lastSubjectSequence', 1, 3]);
    // a subject that never had a message, expected to have one
    const missing = await conflictOf(publishObjectEvent(f.bus, svc('ghost'), serviceEvent('default', 'ghost'), { expectedLastSubjectSequence: 2 }));
    expect([missing.expectation, missing.actual]).toEqual(['lastSubjectSequence', 0]);
    expect(f.bus.metrics).toMatchObject({ publishes: 3, conflicts: 2, duplicates: 0 });
  });

  it('takes a stream-wide expectation, or a subject one, not both', async () => {
    await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'));
    await publishObjectEvent(f.bus, svc('b'), serviceEvent('default', 'b'));
    const stale = await conflictOf(publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSequence: 1 }));
    expect([stale.expectation, stale.expected, stale.actual]).toEqual(['lastSequence', 1, 2]);
    expect((await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSequence: 2 })).seq).toBe(3);
    await expect(
      publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSequence: 3, expectedLastSubjectSequence: 3 }),
    ).rejects.toThrow('give expectedLastSequence or expectedLastSubjectSequence, not both');
    expect(await headRevision(f.bus)).toBe(3);
  });

  it('lets exactly one of many concurrent writers win a race on one expectation', async () => {
    await publishObjectEvent(f.bus, svc('contended'), serviceEvent('default', 'contended'), { expectedLastSubjectSequence: 0 });
    const writers = await Promise.all(Array.from({ length: 8 }, (_, i) => f.connect(`api-store/${i}`)));
    for (let round = 0; round < 5; round++) {
      const expected = await headRevision(f.bus);
      const outcomes = await Promise.allSettled(
        writers.map((bus, i) =>
          publishObjectEvent(bus, svc('contended'), serviceEvent('default', 'contended', 'MODIFIED', 1000 + i), { expectedLastSubjectSequence: expected }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(writers.length - 1);
      for (const o of lost) expect(o.reason).toBeInstanceOf(WrongLastSequenceError);
      expect(await headRevision(f.bus)).toBe(expected + 1);
    }
  });

  it('returns the first write for a retried msgId, without a false conflict from its now stale expectation', async () => {
    const first = await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSubjectSequence: 0, msgId: 'create-a-1' });
    const retry = await publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSubjectSequence: 0, msgId: 'create-a-1' });
    expect(retry).toEqual({ seq: first.seq, duplicate: true });
    expect(await headRevision(f.bus)).toBe(1);
    expect(f.bus.metrics).toMatchObject({ publishes: 1, duplicates: 1, conflicts: 0 });
    const lastId = await conflictOf(publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastMsgId: 'something-else' }));
    expect([lastId.expectation, lastId.expected, lastId.actual]).toEqual(['lastMsgId', 'something-else', 'create-a-1']);
  });

  it('accepts an event of exactly MAX_OBJECT_EVENT_BYTES with expectation headers, refuses one byte more before sending', async () => {
    const largest = new Uint8Array(MAX_OBJECT_EVENT_BYTES).fill(7);
    const stored = await publishObjectEvent(f.bus, svc('big'), largest, {
      expectedLastSubjectSequence: 0,
      msgId: 'x'.repeat(MAX_MSG_ID_CHARS),
    });
    expect(stored.seq).toBe(1);
    const tooLarge = new Uint8Array(MAX_OBJECT_EVENT_BYTES + 1);
    await expect(publishObjectEvent(f.bus, svc('bigger'), tooLarge)).rejects.toThrow(
      new MessageTooLargeError(MAX_OBJECT_EVENT_BYTES + 1, MAX_OBJECT_EVENT_BYTES),
    );
    expect(await headRevision(f.bus)).toBe(1);
  });

  it('refuses subjects outside the object log and invalid expectations', async () => {
    await expect(publishObjectEvent(f.bus, 'kubemu.status.x.y', serviceEvent('default', 'a'))).rejects.toThrow(
      '"kubemu.status.x.y" is not an object subject (see objectSubject)',
    );
    await expect(publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { expectedLastSubjectSequence: -1 })).rejects.toThrow(
      'expectedLastSubjectSequence must be a non-negative integer, got -1',
    );
    await expect(publishObjectEvent(f.bus, svc('a'), serviceEvent('default', 'a'), { msgId: 'x'.repeat(MAX_MSG_ID_CHARS + 1) })).rejects.toThrow(
      `msgId must be 1 to ${MAX_MSG_ID_CHARS} characters`,
    );
    expect(await headRevision(f.bus)).toBe(0);
  });
});
