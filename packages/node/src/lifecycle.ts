// The node's lifecycle as an XState machine; the domain state (pods, IPs, routes) lives in the
// agent's fold of the log and core's pure functions.
import { setup } from 'xstate';

export type NodeLifecycleEvent =
  | { type: 'CAUGHT_UP'; revision: number }
  | { type: 'REGISTERED' }
  | { type: 'HEARTBEAT_OK' }
  | { type: 'HEARTBEAT_FAILED'; reason: string }
  | { type: 'STOP' }
  | { type: 'FATAL'; reason: string };

export const nodeLifecycle = setup({ types: { events: {} as NodeLifecycleEvent } }).createMachine({
  id: 'node',
  initial: 'syncing',
  states: {
    // Folding the log: which Nodes, pods and IPs exist.
    syncing: { on: { CAUGHT_UP: 'registering', HEARTBEAT_FAILED: 'syncing' } },
    // Creating or updating this Node object.
    registering: { on: { REGISTERED: 'ready', HEARTBEAT_FAILED: 'registering' } },
    // Heartbeats land; pods are run.
    ready: { on: { HEARTBEAT_FAILED: 'degraded' } },
    // The api-store or NATS is unreachable: pods keep serving on what the node knows.
    degraded: { on: { HEARTBEAT_OK: 'ready' } },
    stopping: { type: 'final' },
    failed: { type: 'final' },
  },
  on: { STOP: '.stopping', FATAL: '.failed' },
});
