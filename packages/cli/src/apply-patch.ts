// Client-side apply's decision, pure: kubectl apply.go + apply/patcher.go. The manifest is stored
// in the last-applied-configuration annotation (util.GetModifiedConfiguration), and an existing
// object gets a three-way merge patch (apimachinery jsonmergepatch CreateThreeWayJSONMergePatch):
// deletions of what the last apply had and this manifest lacks, plus what differs from the live
// object. An empty patch is "unchanged".
import { applyMergePatch, type KubeObject } from '@kubemu/core';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isPlainObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Keys in byte order at every level, as Go's encoding/json writes a map. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value[k] !== undefined) out[k] = sortKeysDeep(value[k]);
  }
  return out as T;
}

/**
 * json.NewEncoder(w).Encode of an unstructured object: sorted keys, HTML characters escaped
 * (Go's default SetEscapeHTML(true)), a trailing newline.
 */
export function goJsonEncode(value: unknown): string {
  return (
    JSON.stringify(sortKeysDeep(value))
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029') + '\n'
  );
}

/**
 * util.GetModifiedConfiguration(obj, annotate=true): the manifest without any old annotation is
 * encoded as the new annotation (with `annotations: {}` when it had none, as kubectl writes it),
 * and the manifest carrying it is what gets created or patched toward.
 */
export function modifiedConfiguration(manifest: KubeObject): { modified: KubeObject; lastApplied: string } {
  const obj = structuredClone(manifest);
  const metadata = { ...(obj.metadata ?? {}) };
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  metadata.annotations = annotations;
  obj.metadata = metadata;
  const lastApplied = goJsonEncode(obj);
  metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: lastApplied };
  return { modified: obj, lastApplied };
}

/** Whether `live` carries everything `desired` says: object keys it does not name may differ. */
export function covers(live: unknown, desired: unknown): boolean {
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    return Object.keys(desired).every((k) => (desired[k] === null ? live[k] === undefined || live[k] === null : covers(live[k], desired[k])));
  }
  if (Array.isArray(desired)) return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => covers(live[i], d));
  return live === desired;
}

/** keepOrDeleteNullInObj(m, keepNull=false): no nulls; a sub-object emptied by that disappears. */
function withoutNulls(value: Json): Json | undefined {
  if (!isPlainObject(value)) return value;
  if (Object.keys(value).length === 0) return value; // an explicitly empty map is a value
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const f = withoutNulls(v);
    if (f !== undefined) out[k] = f;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * CreateMergePatch(current, modified) with only additions and changes kept. One departure, for
 * lists: kubectl patches built-in kinds with a strategic merge patch, which merges lists such as
 * spec.ports by key, so fields the server filled into list items (nodePort, a defaulted
 * targetPort) are not changes. A JSON merge patch replaces a list whole; so a list goes into the
 * patch only when the manifest changed it since the last apply, or the live list no longer
 * carries it.
 */
function additionsAndChanges(current: JsonObject, modified: JsonObject, original: JsonObject | undefined): JsonObject {
  const patch: JsonObject = {};
  for (const [k, m] of Object.entries(modified)) {
    if (m === null || m === undefined) continue;
    const c = current[k];
    const o = original?.[k];
    if (c === undefined || c === null) {
      const f = withoutNulls(m);
      if (f !== undefined) patch[k] = f;
    } else if (isPlainObject(m) && isPlainObject(c)) {
      const sub = additionsAndChanges(c, m, isPlainObject(o) ? o : undefined);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (Array.isArray(m)) {
      if (!(covers(c, m) && deepEqual(o, m))) patch[k] = m;
    } else if (isPlainObject(m)) {
      const f = withoutNulls(m);
      if (f !== undefined) patch[k] = f;
    } else if (!deepEqual(c, m)) {
      patch[k] = m;
    }
  }
  return patch;
}

/** CreateMergePatch(original, modified) with only the deletions (nulls) kept. */
function deletions(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [k, o] of Object.entries(original)) {
    if (o === null || o === undefined) continue;
    const m = modified[k];
    if (m === undefined || m === null) patch[k] = null;
    else if (isPlainObject(o) && isPlainObject(m)) {
      const sub = deletions(o, m);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    }
  }
  return patch;
}

/** The three-way patch from the live object toward the manifest, given what was applied last. */
export function threeWayMergePatch(original: unknown, modified: unknown, current: unknown): JsonObject {
  const o = isPlainObject(original) ? original : undefined;
  const m = isPlainObject(modified) ? modified : {};
  const c = isPlainObject(current) ? current : {};
  const addAndChange = additionsAndChanges(c, m, o);
  const del = o ? deletions(o, m) : {};
  // jsonpatch.MergePatch(deletePatch, addAndChangePatch)
  return applyMergePatch(del, addAndChange) as JsonObject;
}

export type ApplyPlan =
  | { action: 'create'; object: KubeObject }
  | { action: 'patch'; patch: JsonObject; missingAnnotation: boolean }
  | { action: 'unchanged'; missingAnnotation: boolean };

/** What `kubectl apply` does with one manifest object given the live one (absent: not found). */
export function planApply(manifest: KubeObject, live: KubeObject | undefined): ApplyPlan {
  const { modified } = modifiedConfiguration(manifest);
  if (!live) return { action: 'create', object: modified };
  const originalText = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  let original: unknown;
  if (originalText !== undefined && originalText !== '') {
    try {
      original = JSON.parse(originalText);
    } catch {
      original = undefined;
    }
  }
  const patch = threeWayMergePatch(original, modified, live);
  const missingAnnotation = originalText === undefined;
  return Object.keys(patch).length === 0 ? { action: 'unchanged', missingAnnotation } : { action: 'patch', patch, missingAnnotation };
}

/** apply.go warningNoLastAppliedConfigAnnotation; objectName is Info.ObjectName(), e.g. "services/kubernetes". */
export function missingAnnotationWarning(objectName: string, command = 'kubectl'): string {
  return (
    `Warning: resource ${objectName} is missing the ${LAST_APPLIED_ANNOTATION} annotation which is required by ${command} apply. ` +
    `${command} apply should only be used on resources created declaratively by either ${command} create --save-config or ${command} apply. ` +
    'The missing annotation will be patched automatically.\n'
  );
}
