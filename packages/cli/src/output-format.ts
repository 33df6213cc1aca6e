// `-o yaml|json|name` as kubectl prints objects it got from the server (unstructured): keys in
// sorted order (Go maps), JSON indented by four spaces, YAML as sigs.k8s.io/yaml writes it
// (sequences not indented under their key; YAML 1.1 quoting, so a timestamp or "yes" stays a
// quoted string as go-yaml v2 writes it). Several objects, or a list request, become a v1 List
// (kubectl get.go printGeneric).
import { stringify } from 'yaml';
import { apiVersionOf, type KubeObject, type ResourceInfo } from '@kubemu/core';
import { sortKeysDeep } from './apply-patch.js';
import { qualifiedName } from './object-names.js';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export const OUTPUT_FORMATS: readonly string[] = ['wide', 'yaml', 'json', 'name'];

export function toYaml(value: unknown): string {
  return stringify(sortKeysDeep(value), { indentSeq: false, version: '1.1' });
}

export function toJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value), null, 4) + '\n';
}

/** printGeneric: zero or several objects, or a list request, print as `kind: List`. */
export function asPrintable(objects: readonly KubeObject[], singleItemImplied: boolean): unknown {
  if (singleItemImplied && objects.length === 1) return objects[0];
  return { apiVersion: 'v1', kind: 'List', items: [...objects], metadata: { resourceVersion: '' } };
}

export function formatObjects(
  format: 'yaml' | 'json',
  objects: readonly KubeObject[],
  singleItemImplied: boolean,
): string {
  const printable = asPrintable(objects, singleItemImplied);
  return format === 'yaml' ? toYaml(printable) : toJson(printable);
}

export function formatNames(items: readonly { resource: ResourceInfo; object: KubeObject }[]): string {
  return items.map((i) => qualifiedName(i.resource, i.object.metadata?.name ?? '') + '\n').join('');
}

/** List items come without apiVersion and kind on the wire; kubectl prints them with both. */
export function withTypeMeta(r: ResourceInfo, object: KubeObject): KubeObject {
  return { ...object, apiVersion: apiVersionOf(r), kind: r.kind };
}
