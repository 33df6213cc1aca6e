// Prometheus metrics, kubelet names where the kubelet has them.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    runningPods: new Gauge({ name: 'kubelet_running_pods', help: 'Pods running on this node.', registers: [registry] }),
    leaseRenewals: new Counter({ name: 'kubemu_node_lease_renewals_total', help: 'Lease renewals by result.', labelNames: ['result'] as const, registers: [registry] }),
    statusWrites: new Counter({ name: 'kubemu_node_pod_status_writes_total', help: 'Pod status writes by result.', labelNames: ['result'] as const, registers: [registry] }),
    execs: new Counter({ name: 'kubemu_node_exec_total', help: 'exec requests by command and exit code.', labelNames: ['command', 'code'] as const, registers: [registry] }),
    streams: new Gauge({ name: 'kubemu_node_pod_network_streams', help: 'Open pod-network streams.', registers: [registry] }),
    revision: new Gauge({ name: 'kubemu_node_revision', help: 'Last log revision folded in.', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
