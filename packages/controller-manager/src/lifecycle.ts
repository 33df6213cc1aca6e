// Each controller's lifecycle as an XState machine. The domain decisions are core's deciders; this
// machine only says whether the controller may act: not before the informer has replayed the log
// (syncing), and whether its last syncs reached the api-store (ready) or not (degraded).
import { assign, setup } from 'xstate';

export type ControllerLifecycleEvent =
  | { type: 'CAUGHT_UP'; revision: number }
  | { type: 'SYNC_OK' }
  | { type: 'SYNC_FAILED'; reason: string }
  | { type: 'STOP' };

export const controllerLifecycle = setup({
  types: { events: {} as ControllerLifecycleEvent, context: {} as { lastFailure?: string } },
  actions: { noteFailure: assign({ lastFailure: ({ event }) => (event.type === 'SYNC_FAILED' ? event.reason : undefined) }) },
}).createMachine({
  id: 'controller',
  initial: 'syncing',
  context: {},
  states: {
    // The informer is replaying the log; keys queue up but nothing is synced.
    syncing: { on: { CAUGHT_UP: 'ready' } },
    ready: { on: { SYNC_FAILED: { target: 'degraded', actions: 'noteFailure' } } },
    // The api-store did not answer (or answered 5xx); keys retry with backoff.
    degraded: { on: { SYNC_OK: 'ready', SYNC_FAILED: { actions: 'noteFailure' } } },
    stopped: { type: 'final' },
  },
  on: { STOP: '.stopped' },
});

export function mayReconcile(state: string): boolean {
  return state === 'ready' || state === 'degraded';
}
