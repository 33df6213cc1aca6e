// kube-apiserver's REST paths (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), for the
// resources kubemu serves.
import { resourceByPath, type ResourceInfo } from './resources.js';

export type RequestTarget =
  | { type: 'resource'; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string }
  | { type: 'unknown-resource'; group: string; version: string; resource: string }
  | { type: 'discovery'; path: string }
  | { type: 'other'; path: string };

/**
 * /api/v1/namespaces/{ns}/services/{name}/status, /apis/apps/v1/deployments, /api/v1/namespaces/{name}.
 * The legacy /api/v1/watch/... prefix is not served (kubectl does not use it).
 */
export function parseApiPath(pathname: string): RequestTarget {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length <= 2) return { type: 'discovery', path: pathname };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return { type: 'discovery', path: pathname };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { type: 'other', path: pathname };
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')) {
    const resource = resourceByPath(group, version, 'namespaces');
    if (resource) return { type: 'resource', resource, name: rest[1]!, subresource: rest[2]! };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resourceName, name, subresource, ...extra] = rest;
  if (extra.length > 0 || resourceName === undefined) return { type: 'other', path: pathname };
  const resource = resourceByPath(group, version, resourceName);
  if (!resource) return { type: 'unknown-resource', group, version, resource: resourceName };
  if (resource.kind === 'Namespace' && namespace === undefined) {
    // /api/v1/namespaces/{name}[/status]: the namespace object itself
    return { type: 'resource', resource, ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}) };
  }
  if (resource.kind === 'Namespace' && namespace !== undefined) return { type: 'other', path: pathname };
  if (!resource.namespaced && namespace !== undefined) return { type: 'other', path: pathname };
  return {
    type: 'resource',
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

export function objectPath(r: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}
