// The lines kube-proxy logs as its change trackers fold Service and EndpointSlice updates in
// (pkg/proxy/servicechangetracker.go "Adding new service port", "Updating existing service port",
// "Removing service port"; pkg/proxy/endpointschangetracker.go "Setting endpoints for"), computed
// between two syncs' views so the agent's log reads like kube-proxy's.
import { joinHostPort } from '../api/host-port.js';
import { buildEndpointsMap } from '../proxy/endpoints-map.js';
import type { ProxyInputs } from '../proxy/render.js';
import { buildServicePortMap, type ServicePortInfo } from '../proxy/service-map.js';

export interface ProxyView {
  /** servicePortKey → `IP:port/PROTO` and the ServicePortName string. */
  services: Map<string, { name: string; at: string }>;
  /** servicePortKey → the ServicePortName string and its endpoints as `IP:port`, sorted as kube-proxy sorts them. */
  endpoints: Map<string, { name: string; endpoints: string[] }>;
}

export function proxyView(inputs: Pick<ProxyInputs, 'services' | 'endpointSlices' | 'node'>): ProxyView {
  const svcPorts = buildServicePortMap(inputs.services);
  const names = new Map<string, string>([...svcPorts].map(([k, info]) => [k, info.nameString]));
  const services = new Map([...svcPorts].map(([k, info]: [string, ServicePortInfo]) => [k, { name: info.nameString, at: `${joinHostPort(info.clusterIP, info.port)}/${info.protocol}` }]));
  const endpoints = new Map<string, { name: string; endpoints: string[] }>();
  for (const [k, eps] of buildEndpointsMap(inputs.endpointSlices, inputs.node.name)) {
    // A key without a Service still has a ServicePortName: ns/name[:port].
    const [nsName = '', port = ''] = k.split('\u0000');
    endpoints.set(k, { name: names.get(k) ?? (port === '' ? nsName : `${nsName}:${port}`), endpoints: eps.map((e) => e.endpoint) });
  }
  return { services, endpoints };
}

export interface ProxyChangeLine {
  msg: string;
  servicePortName: string;
}

/** What changed from `before` (undefined: nothing known yet) to `after`, as kube-proxy words it. */
export function proxyChangeLines(before: ProxyView | undefined, after: ProxyView): ProxyChangeLine[] {
  const out: ProxyChangeLine[] = [];
  const prevServices = before?.services ?? new Map();
  for (const [k, svc] of after.services) {
    const prev = prevServices.get(k);
    if (prev === undefined) out.push({ msg: `Adding new service "${svc.name}" at ${svc.at}`, servicePortName: svc.name });
    else if (prev.at !== svc.at) out.push({ msg: `Updating existing service port "${svc.name}" at ${svc.at}`, servicePortName: svc.name });
  }
  for (const [k, svc] of prevServices) {
    if (!after.services.has(k)) out.push({ msg: `Removing service port "${svc.name}"`, servicePortName: svc.name });
  }
  const prevEndpoints = before?.endpoints ?? new Map();
  for (const k of new Set([...prevEndpoints.keys(), ...after.endpoints.keys()])) {
    const prev = prevEndpoints.get(k)?.endpoints ?? [];
    const next = after.endpoints.get(k);
    const list = next?.endpoints ?? [];
    if (prev.join(' ') === list.join(' ')) continue;
    const name = next?.name ?? prevEndpoints.get(k)!.name;
    out.push({ msg: `Setting endpoints for "${name}" to [${list.join(' ')}]`, servicePortName: name });
  }
  return out;
}
