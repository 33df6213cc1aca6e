// What kube-apiserver creates on its own: the system namespaces (SystemNamespaces controller),
// default/kubernetes (the "kubernetes service" controller) and, as kubeadm installs it, kube-dns.
import type { KubeObject } from '../api/types.js';
import { formatIP, indexedIP, mustParseCIDR } from '../allocation/ip-range.js';

/** GetIndexedIP(serviceCIDR, n): the n-th address of the range. */
function indexedServiceIP(cidr: string, n: number): string {
  return formatIP(indexedIP(mustParseCIDR(cidr), n));
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function bootstrapObjects(serviceCIDR: string, apiServerAddress: string, apiServerPort: number): KubeObject[] {
  const namespaces = SYSTEM_NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }));
  const kubernetes = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: indexedServiceIP(serviceCIDR, 1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiServerPort }],
      sessionAffinity: 'None',
    },
  };
  // kubeadm: ClusterDNS is the tenth address of the service subnet (10.96.0.10).
  const kubeDns = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: indexedServiceIP(serviceCIDR, 10),
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: apiServerAddress }], ports: [{ name: 'https', port: apiServerPort, protocol: 'TCP' }] }],
  };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [apiServerAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: apiServerPort, protocol: 'TCP' }],
  };
  // kube-apiserver's endpoint reconciler publishes its advertise address; validation refuses
  // loopback endpoint addresses, so a cluster whose api-store listens on 127.0.0.1 has none.
  const loopback = apiServerAddress.startsWith('127.') || apiServerAddress === '::1';
  return loopback ? [...namespaces, kubernetes, kubeDns] : [...namespaces, kubernetes, kubeDns, endpoints, slice];
}
