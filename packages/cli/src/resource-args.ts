// `TYPE[,TYPE...] [NAME...]` and `TYPE/NAME ...` as kubectl's resource builder reads them
// (cli-runtime pkg/resource/builder.go ResourceTypeOrNameArgs).
import { RESOURCES, resolveResourceName, type ResourceInfo } from '@kubemu/core';

export interface ResourceRequest {
  resource: ResourceInfo;
  /** Absent: every object of the type. */
  name?: string;
}

export class ResourceArgError extends Error {
  override name = 'ResourceArgError';
}

/** kubectl's "all" category, in discovery order, for the kinds kubemu serves. */
const ALL_CATEGORY = ['Pod', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet'];

function resolveType(type: string): ResourceInfo[] {
  if (type.toLowerCase() === 'all') return ALL_CATEGORY.map((k) => RESOURCES.find((r) => r.kind === k)!);
  const r = resolveResourceName(type);
  if (!r) throw new ResourceArgError(`the server doesn't have a resource type "${type}"`);
  return [r];
}

export interface ParsedResourceArgs {
  requests: ResourceRequest[];
  /** The requested types, in order, without repeats. */
  types: ResourceInfo[];
  /** One TYPE and one NAME: kubectl prints that object alone rather than as a List. */
  singleItemImplied: boolean;
}

export function parseResourceArgs(positionals: readonly string[]): ParsedResourceArgs {
  if (positionals.length === 0) throw new ResourceArgError('you must specify the type of resource to get');
  const types: ResourceInfo[] = [];
  const addType = (r: ResourceInfo): void => {
    if (!types.includes(r)) types.push(r);
  };
  if (positionals.some((p) => p.includes('/'))) {
    const requests: ResourceRequest[] = [];
    for (const p of positionals) {
      const slash = p.indexOf('/');
      if (slash <= 0 || slash === p.length - 1) {
        throw new ResourceArgError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      }
      const found = resolveType(p.slice(0, slash));
      if (found.length !== 1) throw new ResourceArgError(`the server doesn't have a resource type "${p.slice(0, slash)}"`);
      addType(found[0]!);
      requests.push({ resource: found[0]!, name: p.slice(slash + 1) });
    }
    return { requests, types, singleItemImplied: requests.length === 1 };
  }
  const [typeArg, ...names] = positionals;
  const typeList = typeArg!.split(',').filter((t) => t !== '');
  for (const t of typeList) for (const r of resolveType(t)) addType(r);
  const requests: ResourceRequest[] =
    names.length === 0 ? types.map((resource) => ({ resource })) : types.flatMap((resource) => names.map((name) => ({ resource, name })));
  return { requests, types, singleItemImplied: types.length === 1 && names.length === 1 };
}
