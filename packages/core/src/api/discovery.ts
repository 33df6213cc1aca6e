// Discovery documents as kube-apiserver serves them (/api, /api/v1, /apis, /apis/<g>/<v>, /version).
import { RESOURCES, type ResourceInfo } from './resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** The Kubernetes version kubemu's API answers as (what kubectl 1.32 expects to talk to). */
export const SERVED_KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubemu' };

const CATEGORIES: Record<string, string[]> = {
  Service: ['all'],
  Pod: ['all'],
  Deployment: ['all'],
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

const HAS_STATUS = new Set(['Service', 'Pod', 'Node', 'Namespace', 'Deployment', 'StatefulSet']);

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
    if (r.kind === 'Deployment' || r.kind === 'StatefulSet') {
      resources.push({ name: `${r.resource}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
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
