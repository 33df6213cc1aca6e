// Discovery documents as kube-apiserver serves them (/api, /api/v1, /apis, /apis/<g>/<v>, /version).
import { RESOURCES, type ResourceInfo } from './resources.js';
import { SCALABLE_KINDS } from './scale.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** The Kubernetes version kubemu's API answers as (what kubectl 1.32 expects to talk to). */
export const SERVED_KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubemu' };

const CATEGORIES: Record<string, string[]> = {
  Service: ['all'],
  Pod: ['all'],
  Deployment: ['all'],
  ReplicaSet: ['all'],
  StatefulSet: ['all'],
};

function apiResource(r: ResourceInfo): Record<string, unknown> {
  return {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: VERBS,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(CATEGORIES[r.kind] ? { categories: CATEGORIES[r.kind] } : {}),
    storageVersionHash: '',
  };
}

function statusSubresource(r: ResourceInfo): Record<string, unknown> {
  return { name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] };
}

const HAS_STATUS = new Set(['Service', 'Pod', 'Node', 'Namespace', 'Deployment', 'ReplicaSet', 'StatefulSet']);

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of [...rs].sort((a, b) => a.resource.localeCompare(b.resource))) {
    resources.push(apiResource(r));
    if (HAS_STATUS.has(r.kind)) resources.push(statusSubresource(r));
    if (SCALABLE_KINDS.has(r.kind)) {
      resources.push({ name: `${r.resource}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** The aggregated discovery versions kubectl 1.32 asks for, most preferred first. */
export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

function subresourcesOf(r: ResourceInfo): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (SCALABLE_KINDS.has(r.kind)) {
    out.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  }
  if (HAS_STATUS.has(r.kind)) out.push({ subresource: 'status', responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] });
  return out;
}

function resourceDiscovery(r: ResourceInfo): Record<string, unknown> {
  const subresources = subresourcesOf(r);
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: VERBS,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(CATEGORIES[r.kind] ? { categories: CATEGORIES[r.kind] } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

/**
 * APIGroupDiscoveryList (apidiscovery.k8s.io/v2, k8s.io/api/apidiscovery/v2/types.go) for /api
 * (the legacy group, name "") or /apis: every group, version and resource in one document, so a
 * client needs one request per root instead of one per group version.
 */
export function aggregatedDiscovery(root: 'api' | 'apis', version: AggregatedDiscoveryVersion): Record<string, unknown> {
  const items = groupVersions()
    .filter((gv) => (root === 'api' ? gv.group === '' : gv.group !== ''))
    .map((gv) => ({
      metadata: { name: gv.group, creationTimestamp: null },
      versions: [
        {
          version: gv.version,
          resources: RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version)
            .sort((a, b) => a.resource.localeCompare(b.resource))
            .map(resourceDiscovery),
          freshness: 'Current',
        },
      ],
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function aggregatedDiscoveryContentType(version: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = groupVersions()
    .filter((gv) => gv.group !== '')
    .map((gv) => ({
      name: gv.group,
      versions: [{ groupVersion: `${gv.group}/${gv.version}`, version: gv.version }],
      preferredVersion: { groupVersion: `${gv.group}/${gv.version}`, version: gv.version },
    }));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function versionInfo(): Record<string, unknown> {
  return {
    ...SERVED_KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
