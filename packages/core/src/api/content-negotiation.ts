// What a request's Accept header asks the server to transform a response into, as
// k8s.io/apiserver/pkg/endpoints/handlers/negotiation and handlers/response.go decide it: the
// first acceptable media type wins; `as=Table` (meta.k8s.io v1 or v1beta1) turns objects into
// metav1.Table; anything the server cannot produce falls through to the next entry.
import type { KubeObject } from './types.js';
import { statusBadRequest, type Status } from './status.js';
import { tableFor, type Table } from '../printers/index.js';
import type { Instant } from '../printers/duration.js';
import type { AggregatedDiscoveryVersion } from './discovery.js';

export type ResponseForm = { as: 'object' } | { as: 'Table'; apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [type, ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
      }
      return { type: type!.toLowerCase(), params };
    });
}

/**
 * The form of a get/list/watch answer. `undefined`: nothing in Accept can be served
 * (406 NotAcceptable). An empty Accept, * / *, or application/json without `as` is the object itself.
 */
export function negotiateResponseForm(accept: string | undefined): ResponseForm | undefined {
  if (accept === undefined || accept.trim() === '') return { as: 'object' };
  for (const m of parseAccept(accept)) {
    const jsonish = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*' || m.type === 'application/yaml';
    if (!jsonish) continue;
    const as = m.params.as;
    if (as === undefined) return { as: 'object' };
    if (as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      return { as: 'Table', apiVersion: `meta.k8s.io/${m.params.v}` };
    }
  }
  return undefined;
}

/**
 * Whether /api or /apis answers with aggregated discovery (apiserver
 * pkg/endpoints/discovery/aggregated/wrapper.go): the first acceptable media type decides, so
 * `application/json` first keeps the legacy APIVersions/APIGroupList.
 */
export function negotiateDiscoveryForm(accept: string | undefined): AggregatedDiscoveryVersion | 'legacy' {
  if (accept === undefined) return 'legacy';
  for (const m of parseAccept(accept)) {
    const jsonish = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*';
    if (!jsonish) continue;
    if (m.params.as === undefined) return 'legacy';
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) return m.params.v;
  }
  return 'legacy';
}

/** metav1.IncludeObjectPolicy: what each row's `object` carries. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The `includeObject` query parameter (TableOptions); default Metadata. */
export function parseIncludeObject(value: string | null): IncludeObject | Status {
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  return statusBadRequest(`Invalid value: "${value}": must be 'Metadata', 'Object', 'None', or empty`);
}

export interface TableResponseOptions {
  now: Instant;
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  includeObject: IncludeObject;
  resourceVersion?: string;
  /** TableOptions.NoHeaders: a watch sends column definitions with its first event only. */
  noHeaders?: boolean;
}

/** PartialObjectMetadata of an object (meta/v1). */
export function partialObjectMetadata(o: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: structuredClone(o.metadata ?? {}) };
}

/**
 * The Table kube-apiserver answers (pkg/printers/storage ConvertToTable, wide), with each row's
 * object as includeObject says (handlers/response.go asTable).
 */
export function tableResponse(kind: string, objects: readonly KubeObject[], options: TableResponseOptions): Table {
  const table = tableFor(kind, objects, {
    now: options.now,
    wide: true,
    ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
  });
  table.apiVersion = options.apiVersion;
  if (options.noHeaders) table.columnDefinitions = [];
  table.rows = table.rows.map((row, i) => {
    const { object: _drop, ...rest } = row;
    const source = objects[i]!;
    if (options.includeObject === 'None') return rest;
    return { ...rest, object: options.includeObject === 'Object' ? source : partialObjectMetadata(source) };
  });
  return table;
}
