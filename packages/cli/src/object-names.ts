// Object names as kubectl prints them: the lower-cased GroupKind, "service/my-nginx",
// "deployment.apps/web" (cli-runtime printers/name.go; kubectl delete.go PrintObj).
import { RESOURCES, apiVersionOf, type KubeObject, type ResourceInfo } from '@kubemu/core';

/** strings.ToLower(schema.GroupKind.String()): "service", "deployment.apps", "endpointslice.discovery.k8s.io". */
export function kindString(r: Pick<ResourceInfo, 'kind' | 'group'>): string {
  const kind = r.kind.toLowerCase();
  return r.group === '' ? kind : `${kind}.${r.group}`;
}

/** The NamePrinter's `service/my-nginx`. */
export function qualifiedName(r: Pick<ResourceInfo, 'kind' | 'group'>, name: string): string {
  return `${kindString(r)}/${name}`;
}

/** `service/my-nginx created`, `... configured`, `... unchanged`, `... valid`. */
export function operationLine(r: Pick<ResourceInfo, 'kind' | 'group'>, name: string, operation: string): string {
  return `${qualifiedName(r, name)} ${operation}\n`;
}

/** kubectl delete's `service "my-nginx" deleted` (kubectl 1.32; later versions add "from <ns> namespace"). */
export function deletedLine(r: Pick<ResourceInfo, 'kind' | 'group'>, name: string): string {
  return `${kindString(r)} "${name}" deleted\n`;
}

export class NoKindMatchError extends Error {
  override name = 'NoKindMatchError';
}

/** The REST mapping of a manifest's apiVersion and kind, or kubectl's error when there is none. */
export function resourceForObject(object: KubeObject, source: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.kind === object.kind && apiVersionOf(x) === object.apiVersion);
  if (r) return r;
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace ?? '';
  // kubectl resource.Builder mappingFor + meta.NoKindMatchError, and apply's CRD hint.
  throw new NoKindMatchError(
    `resource mapping not found for name: ${JSON.stringify(name)} namespace: ${JSON.stringify(namespace)} from ${JSON.stringify(source)}: ` +
      `no matches for kind ${JSON.stringify(object.kind ?? '')} in version ${JSON.stringify(object.apiVersion ?? '')}\nensure CRDs are installed first`,
  );
}
