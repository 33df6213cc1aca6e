// The resources kubemu serves, as kube-apiserver's discovery describes them.

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  kind: string;
  resource: string; // plural, as in the URL path
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subject token in the event log: kubemu.obj.<logKind>.<namespace>.<name> */
  logKind: string;
}

export const RESOURCES: readonly ResourceInfo[] = [
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], logKind: 'namespaces' },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], logKind: 'nodes' },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], logKind: 'services' },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], logKind: 'endpoints' },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'], logKind: 'events' },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], logKind: 'pods' },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice', namespaced: true, shortNames: [], logKind: 'endpointslices' },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], logKind: 'deployments' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'], logKind: 'replicasets' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'], logKind: 'statefulsets' },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true, shortNames: [], logKind: 'leases' },
];

export function apiVersionOf(r: ResourceInfo): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export function resourceByKind(kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

export function resourceByPath(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function resourceByLogKind(logKind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.logKind === logKind);
}

/** What `kubectl get X` accepts for X: plural, singular, short name or Kind, case-insensitive, with an optional `.group`. */
export function resolveResourceName(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const [base, ...groupParts] = lower.split('.');
  const group = groupParts.join('.');
  return RESOURCES.find(
    (r) =>
      (group === '' || r.group === group) &&
      (r.resource === base || r.singular === base || r.shortNames.includes(base!) || r.kind.toLowerCase() === base),
  );
}
