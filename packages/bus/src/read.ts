// Reading ObjectEvents: replay up to a revision (list at a revision, startup rebuild) and a live
// watch from a revision. A message that does not decode is skipped, counted and reported, never
// thrown: one bad write must not stop every agent that reads the log.
import type { JsMsg } from '@nats-io/jetstream';
import { decodeObjectEvent, type DecodedObjectEvent } from '@kubemu/proto';
import type { Bus } from './connection.js';
import type { RejectReason } from './metrics.js';
import { startStreamReader, type ReaderEnd } from './stream-reader.js';
import { OBJECTS_STREAM, parseObjectSubject, type ObjectKey } from './subjects.js';

export interface ObjectLogEvent extends DecodedObjectEvent {
  subject: string;
  /** The object's identity as its subject names it. */
  key: ObjectKey;
}

export interface Rejection {
  stream: string;
  seq: number;
  subject: string;
  reason: RejectReason;
  detail: string;
}

export type OnObjectEvent = (event: ObjectLogEvent) => void | Promise<void>;
export type OnReject = (rejection: Rejection) => void | Promise<void>;

/** The revision of the last write: KUBEMU_OBJECTS' last sequence (0 for an empty log). */
export async function headRevision(bus: Bus): Promise<number> {
  return (await bus.jsm.streams.info(OBJECTS_STREAM)).state.last_seq;
}

type Decoded = { event: ObjectLogEvent } | { rejection: Rejection };

/** Decodes a stored message into an event, or says why it is not one. */
export function decodeObjectLogMessage(seq: number, subject: string, data: Uint8Array): Decoded {
  const reject = (reason: RejectReason, detail: string): Decoded => ({ rejection: { stream: OBJECTS_STREAM, seq, subject, reason, detail } });
  const key = parseObjectSubject(subject);
  if (!key) return reject('subject', `${JSON.stringify(subject)} is not kubemu.obj.<logKind>.<namespace>.<name>`);
  let decoded: DecodedObjectEvent;
  try {
    decoded = decodeObjectEvent(data, seq);
  } catch (err) {
    // CodecError, or whatever protobufjs threw on bytes it could not make sense of
    return reject('codec', (err as Error).message);
  }
  const metadata = (decoded.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  if (metadata.name !== key.name || namespace !== key.namespace) {
    return reject(
      'key-mismatch',
      `subject names ${key.namespace || '(cluster)'}/${key.name}, the object is ${namespace || '(cluster)'}/${String(metadata.name)}`,
    );
  }
  return { event: { ...decoded, subject, key } };
}

function deliverer(bus: Bus, onEvent: OnObjectEvent, onReject: OnReject | undefined): (msg: JsMsg) => Promise<void> {
  return async (msg) => {
    const decoded = decodeObjectLogMessage(msg.seq, msg.subject, msg.data);
    if ('rejection' in decoded) {
      bus.metrics.rejected[decoded.rejection.reason]++;
      await onReject?.(decoded.rejection);
      return;
    }
    bus.metrics.eventsRead++;
    await onEvent(decoded.event);
  };
}

export interface ReadObjectEventsOptions {
  /** First revision to deliver (1 or later). */
  fromRevision: number;
  /** Last revision to deliver; the head at the start of the read when absent, and never past it. */
  toRevision?: number;
  /** e.g. objectSubjectFilter('services'); all kinds when absent. */
  filterSubject?: string;
  onEvent: OnObjectEvent;
  onReject?: OnReject;
}

export interface ReadResult {
  /** The last revision looked at (delivered or rejected); 0 if none. */
  lastRevision: number;
  /** The bound the read stopped at. */
  toRevision: number;
}

/** Replays events fromRevision..toRevision in order, each handed over before the next is read. */
export async function readObjectEvents(bus: Bus, options: ReadObjectEventsOptions): Promise<ReadResult> {
  const head = await headRevision(bus);
  const toRevision = Math.min(options.toRevision ?? head, head);
  const reader = startStreamReader(bus, {
    stream: OBJECTS_STREAM,
    filterSubject: options.filterSubject,
    from: options.fromRevision,
    until: toRevision,
    onMessage: deliverer(bus, options.onEvent, options.onReject),
  });
  const end = await reader.done;
  return { lastRevision: end.lastSequence, toRevision };
}

export interface WatchObjectEventsOptions {
  /** First revision to deliver (1 or later): an agent resumes at its last revision + 1. */
  fromRevision: number;
  filterSubject?: string;
  onEvent: OnObjectEvent;
  onReject?: OnReject;
  /** Called once when the backlog (everything written before the watch started) is delivered. */
  onCaughtUp?: (lastRevision: number) => void | Promise<void>;
  /** Told when the watch lost its consumer and resumes from its cursor; for logs. */
  onResume?: (err: Error, attempt: number) => void;
}

export interface Watch {
  /** Resolves once the start position is fixed (for a 'new' start: what is written afterwards is delivered). */
  readonly ready: Promise<void>;
  /** Ends the watch; resolves when no callback runs any more. */
  stop(): Promise<void>;
  /**
   * Resolves when stopped; rejects when the watch cannot go on: a callback threw, an invariant
   * broke (InvariantError), the connection closed, or the server stayed unreachable too long.
   */
  readonly done: Promise<ReaderEnd>;
  /** The last revision looked at. */
  readonly lastRevision: number;
}

/** Delivers every event from fromRevision on, live, until stopped. */
export function watchObjectEvents(bus: Bus, options: WatchObjectEventsOptions): Watch {
  const reader = startStreamReader(bus, {
    stream: OBJECTS_STREAM,
    filterSubject: options.filterSubject,
    from: options.fromRevision,
    onMessage: deliverer(bus, options.onEvent, options.onReject),
    onCaughtUp: options.onCaughtUp,
    onResume: options.onResume,
  });
  return {
    ready: reader.ready,
    stop: () => reader.stop(),
    done: reader.done,
    get lastRevision() {
      return reader.lastSequence;
    },
  };
}
