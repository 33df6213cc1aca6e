// Appending an ObjectEvent with optimistic concurrency: the write names the sequence it expects
// to follow, and the stream refuses it if someone else wrote in between. That refusal is the
// api-store's 409 Conflict; no update is ever lost.
//
// Measured on nats-server 2.9.10 (the test "expectations of 0 are enforced" re-checks it):
//  - expectedLastSubjectSequence: 0 IS enforced: it means "no message on this subject yet". A
//    publish with it onto a subject that has a message fails with 10071 "wrong last sequence: N",
//    N the subject's last sequence. So a create is `expectedLastSubjectSequence: 0`, and re-creating
//    after a DELETED event expects the DELETED event's sequence.
//  - expectedLastSequence: 0 IS enforced too: it succeeds only on a stream that never held a message.
//  - Both failures are the same error, 10071 "wrong last sequence: N", N being the stream's or the
//    subject's last sequence, whichever check failed (the stream-wide one runs first). With both
//    given, the error cannot always say which failed, so publishObjectEvent takes one or the other;
//    a stream-wide expectation already pins every subject's last sequence anyway.
//  - A msgId seen within the duplicate window returns the first write's sequence with
//    duplicate: true BEFORE any expectation is checked, so retrying a write whose ack was lost is
//    safe: it neither writes twice nor reports a false conflict.
//  - Expectation headers count towards max_msg_size.
// Clustered JetStream (R>1) checks these differently; kubemu runs one server.
import { JetStreamApiError } from '@nats-io/jetstream';
import { MAX_OBJECT_EVENT_BYTES } from '@kubemu/proto';
import type { Bus } from './connection.js';
import { OBJECTS_STREAM, parseObjectSubject } from './subjects.js';

export interface PublishExpectations {
  /** The stream's last sequence must be exactly this (0: the stream must be empty). */
  expectedLastSequence?: number;
  /** The subject's last sequence must be exactly this (0: no message on this subject yet). */
  expectedLastSubjectSequence?: number;
  /** De-duplication id: a retry within the duplicate window returns the first write's sequence. */
  msgId?: string;
  /** The last message on the stream must carry this msgId. */
  expectedLastMsgId?: string;
  timeoutMs?: number;
}

export interface PublishResult {
  seq: number;
  /** The stream had already accepted this msgId; `seq` is that earlier write's. */
  duplicate: boolean;
}

export type FailedExpectation = 'lastSequence' | 'lastSubjectSequence' | 'lastMsgId';

/** JetStream 10071 "wrong last sequence" / 10070 "wrong last msg ID". */
export class WrongLastSequenceError extends Error {
  override name = 'WrongLastSequenceError';
  constructor(
    readonly expectation: FailedExpectation,
    readonly subject: string,
    readonly expected: number | string,
    /** What the stream holds instead, as the server reported it. */
    readonly actual: number | string | undefined,
    options?: ErrorOptions,
  ) {
    super(`${subject}: expected ${expectation} ${expected}, the stream has ${actual ?? 'something else'}`, options);
  }
}

export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message is ${bytes} bytes; the limit is ${limit}`);
  }
}

/** Keeps the headers of a publish within HEADER_ALLOWANCE_BYTES. */
export const MAX_MSG_ID_CHARS = 1024;

const WRONG_LAST_SEQUENCE = 10071;
const WRONG_LAST_MSG_ID = 10070;

function checkSequence(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

function toConflict(err: unknown, subject: string, expect: PublishExpectations): WrongLastSequenceError | undefined {
  if (!(err instanceof JetStreamApiError)) return undefined;
  const description = err.apiError().description ?? err.message;
  if (err.code === WRONG_LAST_MSG_ID) {
    const actual = /wrong last msg ID: (.*)$/.exec(description)?.[1];
    return new WrongLastSequenceError('lastMsgId', subject, expect.expectedLastMsgId ?? '', actual, { cause: err });
  }
  if (err.code !== WRONG_LAST_SEQUENCE) return undefined;
  const match = /wrong last sequence: (\d+)/.exec(description);
  const actual = match ? Number(match[1]) : undefined;
  return expect.expectedLastSequence !== undefined
    ? new WrongLastSequenceError('lastSequence', subject, expect.expectedLastSequence, actual, { cause: err })
    : new WrongLastSequenceError('lastSubjectSequence', subject, expect.expectedLastSubjectSequence!, actual, { cause: err });
}

/**
 * Appends one encoded ObjectEvent (see @kubemu/proto encodeObjectEvent) on its object's subject.
 * Throws WrongLastSequenceError when an expectation does not hold, MessageTooLargeError past
 * MAX_OBJECT_EVENT_BYTES (before anything is sent), other errors as the client raised them.
 */
export async function publishObjectEvent(bus: Bus, subject: string, bytes: Uint8Array, expect: PublishExpectations = {}): Promise<PublishResult> {
  if (parseObjectSubject(subject) === undefined) throw new RangeError(`${JSON.stringify(subject)} is not an object subject (see objectSubject)`);
  if (bytes.length > MAX_OBJECT_EVENT_BYTES) throw new MessageTooLargeError(bytes.length, MAX_OBJECT_EVENT_BYTES);
  checkSequence('expectedLastSequence', expect.expectedLastSequence);
  checkSequence('expectedLastSubjectSequence', expect.expectedLastSubjectSequence);
  for (const [name, id] of [['msgId', expect.msgId], ['expectedLastMsgId', expect.expectedLastMsgId]] as const) {
    if (id !== undefined && (id.length === 0 || id.length > MAX_MSG_ID_CHARS)) throw new RangeError(`${name} must be 1 to ${MAX_MSG_ID_CHARS} characters`);
  }
  if (expect.expectedLastSequence !== undefined && expect.expectedLastSubjectSequence !== undefined) {
    throw new RangeError('give expectedLastSequence or expectedLastSubjectSequence, not both: the server reports either failure the same way');
  }
  let ack;
  try {
    ack = await bus.js.publish(subject, bytes, {
      msgID: expect.msgId,
      timeout: expect.timeoutMs,
      expect: {
        streamName: OBJECTS_STREAM,
        lastSequence: expect.expectedLastSequence,
        lastSubjectSequence: expect.expectedLastSubjectSequence,
        lastMsgID: expect.expectedLastMsgId,
      },
    });
  } catch (err) {
    const conflict = toConflict(err, subject, expect);
    if (conflict) {
      bus.metrics.conflicts++;
      throw conflict;
    }
    throw err;
  }
  if (ack.duplicate) bus.metrics.duplicates++;
  else bus.metrics.publishes++;
  return { seq: ack.seq, duplicate: ack.duplicate };
}
