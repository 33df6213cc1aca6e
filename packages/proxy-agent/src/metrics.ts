// Prometheus metrics, kube-proxy's names where kube-proxy has them (pkg/proxy/metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { snapshotMetrics } from '@kubemu/agent-runtime';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    syncDuration: new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
      registers: [registry],
    }),
    lastSync: new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers: [registry] }),
    restoreFailures: new Counter({ name: 'kubeproxy_sync_proxy_rules_iptables_restore_failures_total', help: 'Cumulative proxy iptables restore failures', registers: [registry] }),
    partialRestoreFailures: new Counter({
      name: 'kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total',
      help: 'Cumulative proxy iptables partial restore failures',
      registers: [registry],
    }),
    totalRules: new Gauge({ name: 'kubeproxy_sync_proxy_rules_iptables_total', help: 'Total number of iptables rules owned by kube-proxy', labelNames: ['table'] as const, registers: [registry] }),
    fullSyncs: new Counter({ name: 'kubemu_proxy_agent_syncs_total', help: 'Syncs by kind (full, partial) and result.', labelNames: ['kind', 'result'] as const, registers: [registry] }),
    healthzTotal: new Counter({ name: 'kubeproxy_proxy_healthz_total', help: 'Cumulative proxy healthz HTTP status', labelNames: ['code'] as const, registers: [registry] }),
    livezTotal: new Counter({ name: 'kubeproxy_proxy_livez_total', help: 'Cumulative proxy livez HTTP status', labelNames: ['code'] as const, registers: [registry] }),
    revision: new Gauge({ name: 'kubemu_proxy_agent_programmed_revision', help: 'The log revision the node was last programmed at.', registers: [registry] }),
    eventsApplied: new Counter({ name: 'kubemu_events_applied_total', help: 'Log events read and applied (from a snapshot on, the ones after it).', registers: [registry] }),
    appliedRevision: new Gauge({ name: 'kubemu_applied_revision', help: 'The last log revision looked at (applied, or skipped as malformed).', registers: [registry] }),
    ...snapshotMetrics(registry),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
