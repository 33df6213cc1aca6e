// kube-proxy's inputs, from objects: the Services, the EndpointSlices and this node, whether they
// come from the log (the agent) or from manifests (`kubemu proxy render|trace`).
import type { EndpointSlice, KubeObject, Node, Service } from '../api/types.js';
import type { ProxyConfig } from '../proxy/config.js';
import type { ProxyInputs } from '../proxy/render.js';
import { proxyNodeOf } from './proxy-node.js';

/** The kinds kube-proxy watches (cmd/kube-proxy: ServiceConfig, EndpointSliceConfig, NodeConfig). */
export const PROXY_WATCHED_KINDS: readonly string[] = ['Service', 'EndpointSlice', 'Node'];

export function proxyInputsFromObjects(objects: readonly KubeObject[], nodeName: string, config: ProxyConfig, nodeIPs: readonly string[] = []): ProxyInputs {
  const services: Service[] = [];
  const endpointSlices: EndpointSlice[] = [];
  let node: Node | undefined;
  for (const o of objects) {
    if (o.kind === 'Service') services.push(o as Service);
    else if (o.kind === 'EndpointSlice') endpointSlices.push(o as EndpointSlice);
    else if (o.kind === 'Node' && o.metadata?.name === nodeName) node = o as Node;
  }
  // Manifests name no namespace when they mean the default one.
  const placed = <T extends KubeObject>(o: T): T => (o.metadata?.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: 'default' } });
  return { services: services.map(placed), endpointSlices: endpointSlices.map(placed), node: proxyNodeOf(nodeName, node, nodeIPs), config };
}
