// A pod's hostPorts as the kubelet hands them to the CNI portmap plugin: every container port
// with hostPort > 0 (pkg/kubelet/container/helpers.go MakePortMappings, then only those with a
// HostPort reach the plugin's runtimeConfig.portMappings).
import type { Pod } from '../api/types.js';

export interface HostPortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostPort: number;
  containerPort: number;
  /** containerPort.hostIP; empty means every address of the node. */
  hostIP: string;
}

export function podHostPortMappings(pod: Pod): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.hostPort ?? 0) <= 0 || (p.containerPort ?? 0) <= 0) continue;
      const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
      out.push({ protocol, hostPort: p.hostPort!, containerPort: p.containerPort!, hostIP: p.hostIP ?? '' });
    }
  }
  return out;
}
