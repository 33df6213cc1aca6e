// healthCheckNodePort serving (pkg/proxy/healthcheck/service_health.go): one HTTP server per
// LoadBalancer Service with externalTrafficPolicy Local, answering with the number of this node's
// ready endpoints (unique IPs, EndpointsMap.LocalReadyEndpoints) — 200 when there are some and
// the proxier is healthy, 503 otherwise.
import { buildEndpointsMap } from '../proxy/endpoints-map.js';
import { buildServicePortMap } from '../proxy/service-map.js';
import type { ProxyInputs } from '../proxy/render.js';

export interface ServiceHealthCheck {
  namespace: string;
  name: string;
  port: number;
  localEndpoints: number;
}

/** Every Service needing a health check, sorted by namespace/name, with its local ready endpoint count. */
export function serviceHealthChecks(inputs: Pick<ProxyInputs, 'services' | 'endpointSlices' | 'node'>): ServiceHealthCheck[] {
  const svcPorts = buildServicePortMap(inputs.services);
  const endpoints = buildEndpointsMap(inputs.endpointSlices, inputs.node.name);
  const byService = new Map<string, ServiceHealthCheck>();
  const localIPs = new Map<string, Set<string>>();
  for (const [key, info] of svcPorts) {
    const nsn = `${info.namespace}/${info.name}`;
    if (info.healthCheckNodePort !== 0 && !byService.has(nsn)) byService.set(nsn, { namespace: info.namespace, name: info.name, port: info.healthCheckNodePort, localEndpoints: 0 });
    for (const ep of endpoints.get(key) ?? []) {
      // Terminating endpoints may still serve, but the health check fails with only those on a node.
      if (!ep.ready || !ep.isLocal) continue;
      let set = localIPs.get(nsn);
      if (set === undefined) localIPs.set(nsn, (set = new Set()));
      set.add(ep.ip);
    }
  }
  for (const [nsn, hc] of byService) hc.localEndpoints = localIPs.get(nsn)?.size ?? 0;
  return [...byService.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, hc]) => hc);
}

/** hcHandler.ServeHTTP: status and body, the body dedented and trimmed as upstream prints it. */
export function serviceHealthResponse(hc: Pick<ServiceHealthCheck, 'namespace' | 'name' | 'localEndpoints'>, proxyHealthy: boolean): { status: number; body: string } {
  const body = [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(hc.namespace)},`,
    `\t\t"name": ${JSON.stringify(hc.name)}`,
    '\t},',
    `\t"localEndpoints": ${hc.localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
  return { status: hc.localEndpoints !== 0 && proxyHealthy ? 200 : 503, body };
}
