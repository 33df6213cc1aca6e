// Observations on KUBEMU_STATUS: what each agent did, at which revision. `kubemu status`, the
// convergence check and tests read them.
import { decodeObservation, encodeObservation, type Observation } from '@kubemu/proto';
import type { Bus } from './connection.js';
import type { OnReject, Rejection, Watch } from './read.js';
import { startStreamReader } from './stream-reader.js';
import { parseStatusSubject, STATUS_STREAM, statusSubject, statusSubjectFilter, type StatusKey } from './subjects.js';

/** The Observation oneof `detail`, in schema order; the set one names the subject's last token. */
const DETAIL_FIELDS = ['started', 'rulesProgrammed', 'zoneServed', 'heartbeat', 'loadBalancer', 'rejected'] as const;

/** What an observation reports: its detail's field name, or "state" for a bare state change. */
export function observationKind(observation: Observation): string {
  return DETAIL_FIELDS.find((field) => observation[field] != null) ?? 'state';
}

export async function publishObservation(bus: Bus, observation: Observation): Promise<{ seq: number }> {
  if (!observation.agent) throw new RangeError('an observation names its agent');
  const subject = statusSubject(observation.agent, observationKind(observation));
  const bytes = encodeObservation(observation); // CodecError past MAX_OBSERVATION_BYTES
  const ack = await bus.js.publish(subject, bytes, { expect: { streamName: STATUS_STREAM } });
  bus.metrics.observationsPublished++;
  return { seq: ack.seq };
}

export interface ObservationMeta extends StatusKey {
  seq: number;
  subject: string;
}

export interface WatchObservationsOptions {
  /** First sequence to deliver, or 'new': only observations published after the watch started. */
  fromSequence: number | 'new';
  /** Only this agent's observations. */
  agent?: string;
  onObservation: (observation: Observation, meta: ObservationMeta) => void | Promise<void>;
  onReject?: OnReject;
  /** Called once when the observations stored before the watch started are delivered. */
  onCaughtUp?: (lastSequence: number) => void | Promise<void>;
  onResume?: (err: Error, attempt: number) => void;
}

export function watchObservations(bus: Bus, options: WatchObservationsOptions): Watch {
  const reader = startStreamReader(bus, {
    stream: STATUS_STREAM,
    filterSubject: options.agent === undefined ? undefined : statusSubjectFilter(options.agent),
    from: options.fromSequence,
    onCaughtUp: options.onCaughtUp,
    onResume: options.onResume,
    onMessage: async (msg) => {
      const reject = async (rejection: Rejection): Promise<void> => {
        bus.metrics.rejected[rejection.reason]++;
        await options.onReject?.(rejection);
      };
      const key = parseStatusSubject(msg.subject);
      if (!key) {
        await reject({ stream: STATUS_STREAM, seq: msg.seq, subject: msg.subject, reason: 'subject', detail: 'not kubemu.status.<agent>.<what>' });
        return;
      }
      let observation: Observation;
      try {
        observation = decodeObservation(msg.data);
      } catch (err) {
        await reject({ stream: STATUS_STREAM, seq: msg.seq, subject: msg.subject, reason: 'codec', detail: (err as Error).message });
        return;
      }
      if (observation.agent !== key.agent) {
        await reject({
          stream: STATUS_STREAM,
          seq: msg.seq,
          subject: msg.subject,
          reason: 'key-mismatch',
          detail: `subject names agent ${key.agent}, the observation ${String(observation.agent)}`,
        });
        return;
      }
      bus.metrics.observationsRead++;
      await options.onObservation(observation, { ...key, seq: msg.seq, subject: msg.subject });
    },
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

/** The last observation of one kind an agent published (JetStream's last-by-subject lookup), if any. */
export async function lastObservation(bus: Bus, agent: string, kind: string): Promise<{ observation: Observation; seq: number } | undefined> {
  let msg;
  try {
    msg = await bus.jsm.streams.getMessage(STATUS_STREAM, { last_by_subj: statusSubject(agent, kind) });
  } catch (err) {
    if ((err as { code?: number; status?: number }).status === 404 || /no message found/i.test(String(err))) return undefined;
    throw err;
  }
  if (!msg) return undefined;
  return { observation: decodeObservation(msg.data), seq: msg.seq };
}
