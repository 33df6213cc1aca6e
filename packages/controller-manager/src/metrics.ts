// Prometheus metrics, named after kube-controller-manager's workqueue metrics where it has them.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { snapshotMetrics } from '@kubemu/agent-runtime';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsApplied: new Counter({ name: 'kubemu_events_applied_total', help: 'Log events folded into the informer cache (from a snapshot on, the ones after it).', registers: [registry] }),
    revision: new Gauge({ name: 'kubemu_informer_revision', help: 'Last log revision folded into the informer cache.', registers: [registry] }),
    reconciles: new Counter({
      name: 'kubemu_controller_reconciles_total',
      help: 'Syncs of one key, by controller and result (ok, conflict, error, dropped).',
      labelNames: ['controller', 'result'] as const,
      registers: [registry],
    }),
    writes: new Counter({
      name: 'kubemu_controller_writes_total',
      help: 'Writes to the api-store by controller, verb and HTTP code.',
      labelNames: ['controller', 'verb', 'code'] as const,
      registers: [registry],
    }),
    conflicts: new Counter({
      name: 'kubemu_controller_conflicts_total',
      help: 'Writes refused with 409 (a newer version exists): the key is recomputed from the newer state.',
      labelNames: ['controller'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'workqueue_depth', help: 'Keys waiting in each controller\'s work queue.', labelNames: ['name'] as const, registers: [registry] }),
    retries: new Counter({ name: 'workqueue_retries_total', help: 'Keys requeued with backoff.', labelNames: ['name'] as const, registers: [registry] }),
    ...snapshotMetrics(registry),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
