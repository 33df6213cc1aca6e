// The proxy agent's lifecycle as an XState machine. The rules themselves come from core's pure
// renderer; this machine says where the agent stands: replaying the log (starting), programming
// its node for the first time (syncing), in step with the log (programmed), writing a newer
// revision (resyncing), or unable to reach its node or NATS (degraded, retrying with backoff).
import { assign, setup } from 'xstate';

export type ProxyLifecycleEvent =
  | { type: 'CAUGHT_UP'; revision: number }
  | { type: 'SYNC_STARTED'; revision: number; fullSync: boolean }
  | { type: 'SYNC_OK'; revision: number; digest: string }
  | { type: 'SYNC_FAILED'; reason: string }
  | { type: 'NATS_DOWN'; reason: string }
  | { type: 'NATS_UP' }
  | { type: 'STOP' };

export interface ProxyLifecycleContext {
  /** The last revision the node was programmed at, and the digest of its rules then. */
  programmedRevision: number;
  digest: string;
  /** Failed syncs since the last one that succeeded: the backoff's exponent. */
  consecutiveFailures: number;
  lastFailure?: string;
  natsDown: boolean;
}

/** Bounded backoff between retries while the node is unreachable. */
export const RETRY_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000] as const;

export function retryDelayMs(consecutiveFailures: number): number {
  return RETRY_BACKOFF_MS[Math.min(Math.max(consecutiveFailures, 1), RETRY_BACKOFF_MS.length) - 1]!;
}

export const proxyLifecycle = setup({
  types: { events: {} as ProxyLifecycleEvent, context: {} as ProxyLifecycleContext },
  actions: {
    noteSuccess: assign(({ event }) =>
      event.type === 'SYNC_OK' ? { programmedRevision: event.revision, digest: event.digest, consecutiveFailures: 0, lastFailure: undefined } : {},
    ),
    noteFailure: assign(({ context, event }) =>
      event.type === 'SYNC_FAILED' ? { consecutiveFailures: context.consecutiveFailures + 1, lastFailure: event.reason } : {},
    ),
    natsDown: assign(({ event }) => (event.type === 'NATS_DOWN' ? { natsDown: true, lastFailure: event.reason } : {})),
    natsUp: assign({ natsDown: false }),
  },
  guards: {
    natsUp: ({ context }) => !context.natsDown,
  },
}).createMachine({
  id: 'proxy-agent',
  initial: 'starting',
  context: { programmedRevision: 0, digest: '', consecutiveFailures: 0, natsDown: false },
  states: {
    // Replaying the log into the store; the node's live tables are read before the first sync.
    starting: { on: { CAUGHT_UP: 'syncing' } },
    // The first (full) sync since this agent started.
    syncing: {
      on: {
        SYNC_OK: [{ guard: 'natsUp', target: 'programmed', actions: 'noteSuccess' }, { target: 'degraded', actions: 'noteSuccess' }],
        SYNC_FAILED: { target: 'degraded', actions: 'noteFailure' },
      },
    },
    programmed: { on: { SYNC_STARTED: 'resyncing' } },
    resyncing: {
      on: {
        SYNC_OK: [{ guard: 'natsUp', target: 'programmed', actions: 'noteSuccess' }, { target: 'degraded', actions: 'noteSuccess' }],
        SYNC_FAILED: { target: 'degraded', actions: 'noteFailure' },
      },
    },
    // The node or NATS is unreachable: the node keeps its last rules; syncs are retried.
    degraded: {
      on: {
        SYNC_OK: [{ guard: 'natsUp', target: 'programmed', actions: 'noteSuccess' }, { actions: 'noteSuccess' }],
        SYNC_FAILED: { actions: 'noteFailure' },
      },
    },
    stopped: { type: 'final' },
  },
  on: {
    NATS_DOWN: { target: '.degraded', actions: 'natsDown' },
    NATS_UP: { actions: 'natsUp' },
    STOP: '.stopped',
  },
});
