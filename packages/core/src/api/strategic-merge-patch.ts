// Strategic merge patch (application/strategic-merge-patch+json), as
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go StrategicMergePatch applies it: maps merge,
// null deletes, and lists follow the field's patchStrategy/patchMergeKey from the Go struct tags of
// k8s.io/api (core/v1, apps/v1, discovery/v1, coordination/v1); directives $patch
// (merge|replace|delete), $retainKeys, $setElementOrder/<list>, $deleteFromPrimitiveList/<list>.
import { PatchError } from './patch.js';

/** patchStrategy/patchMergeKey of one field, and the schema of its value (or list element). */
export interface FieldPatchMeta {
  /** 'merge' for lists merged by key (or primitive lists merged as sets); 'retainKeys' for maps. */
  strategy?: readonly ('merge' | 'replace' | 'retainKeys')[];
  mergeKey?: string;
  schema?: PatchSchema;
}

export interface PatchSchema {
  fields: Readonly<Record<string, FieldPatchMeta>>;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

const EMPTY: PatchSchema = { fields: {} };

function has(strategy: FieldPatchMeta['strategy'], s: 'merge' | 'replace' | 'retainKeys'): boolean {
  return strategy?.includes(s) ?? false;
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, schema: PatchSchema): Record<string, unknown> {
  const directive = patch[DIRECTIVE];
  if (directive !== undefined) {
    if (directive === 'replace') {
      const { [DIRECTIVE]: _d, ...rest } = patch;
      return stripDirectives(rest);
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  let out: Record<string, unknown> = { ...original };
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(`invalid patch: $retainKeys must be a list, got ${JSON.stringify(retain)}`);
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!Array.isArray(value)) throw new PatchError(`invalid patch: ${key} must be a list`);
      const cur = out[field];
      if (Array.isArray(cur)) {
        const drop = new Set(value.map((v) => JSON.stringify(v)));
        out[field] = cur.filter((v) => !drop.has(JSON.stringify(v)));
      }
      continue;
    }
    if (key.startsWith(SET_ELEMENT_ORDER)) continue;
    const meta = schema.fields[key] ?? {};
    if (value === null) {
      delete out[key];
      continue;
    }
    const cur = out[key];
    if (isMap(value)) {
      if (has(meta.strategy, 'replace')) out[key] = stripDirectives(value);
      else out[key] = mergeMap(isMap(cur) ? cur : {}, value, meta.schema ?? EMPTY);
      continue;
    }
    if (Array.isArray(value)) {
      out[key] = has(meta.strategy, 'merge') ? mergeList(Array.isArray(cur) ? cur : [], value, meta) : stripDirectives(value);
      continue;
    }
    out[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(value)) throw new PatchError(`invalid patch: ${key} must be a list`);
    const list = out[field];
    if (Array.isArray(list)) out[field] = orderBy(list, value, schema.fields[field]?.mergeKey);
  }
  return out;
}

function keyOf(element: unknown, mergeKey: string | undefined): string {
  if (mergeKey === undefined || !isMap(element)) return JSON.stringify(element);
  return JSON.stringify(element[mergeKey] ?? null);
}

/** $setElementOrder: the listed elements in that order, then the rest as they were (patch.go normalizeElementOrder). */
function orderBy(list: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined): unknown[] {
  const rank = new Map(order.map((o, i) => [keyOf(o, mergeKey), i]));
  const ranked = list.filter((e) => rank.has(keyOf(e, mergeKey))).sort((a, b) => rank.get(keyOf(a, mergeKey))! - rank.get(keyOf(b, mergeKey))!);
  const rest = list.filter((e) => !rank.has(keyOf(e, mergeKey)));
  return [...ranked, ...rest];
}

function mergeList(original: readonly unknown[], patch: readonly unknown[], meta: FieldPatchMeta): unknown[] {
  const replace = patch.find((p) => isMap(p) && p[DIRECTIVE] === 'replace' && Object.keys(p).length === 1);
  if (replace !== undefined) return stripDirectives(patch.filter((p) => p !== replace)) as unknown[];
  const mergeKey = meta.mergeKey;
  if (mergeKey === undefined) {
    // A primitive list with patchStrategy merge is a set: original, then what is new.
    const seen = new Set(original.map((o) => JSON.stringify(o)));
    const out = [...original];
    for (const p of patch) if (!seen.has(JSON.stringify(p))) out.push(p), seen.add(JSON.stringify(p));
    return out;
  }
  let out = [...original];
  for (const p of patch) {
    if (!isMap(p)) throw new PatchError(`invalid patch: list elements of a list merged by ${mergeKey} must be maps, got ${JSON.stringify(p)}`);
    if (!(mergeKey in p)) throw new PatchError(`map: ${JSON.stringify(p)} does not contain declared merge key: ${mergeKey}`);
    const k = keyOf(p, mergeKey);
    const at = out.findIndex((o) => keyOf(o, mergeKey) === k);
    if (p[DIRECTIVE] === 'delete') {
      out = out.filter((o) => keyOf(o, mergeKey) !== k);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(isMap(out[at]) ? (out[at] as Record<string, unknown>) : {}, p, meta.schema ?? EMPTY);
    else out.push(mergeMap({}, p, meta.schema ?? EMPTY));
  }
  return out;
}

function stripDirectives<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((e) => !(isMap(e) && e[DIRECTIVE] !== undefined && Object.keys(e).length === 1)).map(stripDirectives) as T;
  if (!isMap(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    out[k] = stripDirectives(x);
  }
  return out as T;
}

/** StrategicMergePatch(original, patch, schema) on copies. */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema): unknown {
  if (!isMap(patch)) throw new PatchError(`invalid JSON document: a strategic merge patch must be a JSON object, got ${JSON.stringify(patch)}`);
  return mergeMap(isMap(original) ? structuredClone(original) : {}, structuredClone(patch), schema);
}

// ---- the patch metadata of kubemu's kinds (k8s.io/api struct tags) ----

const merge = (mergeKey: string, schema?: PatchSchema): FieldPatchMeta => ({ strategy: ['merge'], mergeKey, ...(schema ? { schema } : {}) });
const nested = (fields: Record<string, FieldPatchMeta>): FieldPatchMeta => ({ schema: { fields } });
const conditions = merge('type');

const OBJECT_META: FieldPatchMeta = nested({
  finalizers: { strategy: ['merge'] },
  ownerReferences: merge('uid'),
});

const CONTAINER: PatchSchema = {
  fields: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
};

const POD_SPEC: FieldPatchMeta = nested({
  volumes: { strategy: ['merge', 'retainKeys'], mergeKey: 'name' },
  initContainers: merge('name', CONTAINER),
  containers: merge('name', CONTAINER),
  ephemeralContainers: merge('name', CONTAINER),
  imagePullSecrets: merge('name'),
  hostAliases: merge('ip'),
  topologySpreadConstraints: merge('topologyKey'),
  resourceClaims: { strategy: ['merge', 'retainKeys'], mergeKey: 'name' },
  schedulingGates: merge('name'),
});

const POD_TEMPLATE: FieldPatchMeta = nested({ metadata: OBJECT_META, spec: POD_SPEC });

const SCHEMAS: Readonly<Record<string, PatchSchema>> = {
  Service: {
    fields: {
      metadata: OBJECT_META,
      spec: nested({ ports: merge('port') }),
      status: nested({ conditions }),
    },
  },
  Endpoints: { fields: { metadata: OBJECT_META } },
  EndpointSlice: { fields: { metadata: OBJECT_META } },
  Pod: {
    fields: {
      metadata: OBJECT_META,
      spec: POD_SPEC,
      status: nested({ conditions, podIPs: merge('ip'), hostIPs: merge('ip') }),
    },
  },
  Node: {
    fields: {
      metadata: OBJECT_META,
      spec: nested({ podCIDRs: { strategy: ['merge'] } }),
      status: nested({ conditions, addresses: merge('type') }),
    },
  },
  Namespace: { fields: { metadata: OBJECT_META, status: nested({ conditions }) } },
  Deployment: {
    fields: {
      metadata: OBJECT_META,
      spec: nested({ template: POD_TEMPLATE, strategy: { strategy: ['retainKeys'] } }),
      status: nested({ conditions }),
    },
  },
  ReplicaSet: {
    fields: {
      metadata: OBJECT_META,
      spec: nested({ template: POD_TEMPLATE }),
      status: nested({ conditions }),
    },
  },
  StatefulSet: {
    fields: {
      metadata: OBJECT_META,
      spec: nested({ template: POD_TEMPLATE }),
      status: nested({ conditions }),
    },
  },
  Lease: { fields: { metadata: OBJECT_META } },
};

/** The patch metadata of a kind kubemu serves. */
export function patchSchemaFor(kind: string): PatchSchema {
  return SCHEMAS[kind] ?? { fields: { metadata: OBJECT_META } };
}
