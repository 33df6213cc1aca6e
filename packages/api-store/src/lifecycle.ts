// The api-store's lifecycle as an XState machine. The domain state (objects, allocations) is the
// decider's (core admission + object store); this machine only says what the process may do now.
import { setup } from 'xstate';

export type LifecycleEvent =
  | { type: 'CONNECTED' }
  | { type: 'CAUGHT_UP'; revision: number }
  | { type: 'BOOTSTRAPPED' }
  | { type: 'DISCONNECTED' }
  | { type: 'RECONNECTED' }
  | { type: 'STOP' }
  | { type: 'FATAL'; reason: string };

export const apiStoreLifecycle = setup({
  types: { events: {} as LifecycleEvent, context: {} as { fatal?: string } },
}).createMachine({
  id: 'api-store',
  initial: 'connecting',
  context: {},
  states: {
    connecting: { on: { CONNECTED: 'replaying' } },
    // Folding the log from revision 1 into the store; no requests yet.
    replaying: { on: { CAUGHT_UP: 'bootstrapping', DISCONNECTED: 'connecting' } },
    // Creating the default namespaces and Services if the log lacks them.
    bootstrapping: { on: { BOOTSTRAPPED: 'serving', DISCONNECTED: 'degraded' } },
    serving: { on: { DISCONNECTED: 'degraded' } },
    // NATS is unreachable: reads answer from the last folded state, writes get 503.
    degraded: { on: { RECONNECTED: 'serving' } },
    stopping: { type: 'final' },
    failed: { type: 'final' },
  },
  on: {
    STOP: '.stopping',
    FATAL: { target: '.failed', actions: ({ event }) => void event },
  },
});

export function canRead(state: string): boolean {
  return state === 'serving' || state === 'degraded' || state === 'bootstrapping';
}

export function canWrite(state: string): boolean {
  return state === 'serving' || state === 'bootstrapping';
}
