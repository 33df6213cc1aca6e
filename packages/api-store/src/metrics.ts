// Prometheus metrics, named as kube-apiserver names its own where it has them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'apiserver_request_total',
      help: 'Requests by verb, resource and HTTP code.',
      labelNames: ['verb', 'resource', 'code'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Request latency by verb and resource (watches excluded).',
      labelNames: ['verb', 'resource'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsApplied: new Counter({ name: 'kubemu_events_applied_total', help: 'Log events folded into the store.', registers: [registry] }),
    eventsRejected: new Counter({
      name: 'kubemu_events_rejected_total',
      help: 'Malformed log messages skipped, by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    writeConflicts: new Counter({
      name: 'kubemu_write_conflicts_total',
      help: 'Appends refused because another writer moved the log first (retried).',
      registers: [registry],
    }),
    revision: new Gauge({ name: 'kubemu_store_revision', help: 'Last log revision folded into the store.', registers: [registry] }),
    watchers: new Gauge({ name: 'apiserver_registered_watchers', help: 'Open watches.', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
