// ObjectMeta, label and label-selector validation: k8s.io/apimachinery/pkg/api/validation
// (objectmeta.go, generic.go) and pkg/apis/meta/v1/validation/validation.go, v1.32.
// Go iterates maps in random order; here map entries are checked in insertion order.

import {
  forbidden,
  goQuote,
  goStringMap,
  goStringSlice,
  invalid,
  required,
  tooLong,
  type FieldError,
} from './field-errors.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './name-validation.js';
import type { LabelSelector, LabelSelectorRequirement, ObjectMeta, OwnerReference } from './types.js';

export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10);

/** ValidateNameFunc: prefix is true when validating generateName. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** generic.go maskTrailingDash: a generateName may end in '-'. (Go slices off two bytes, not one.) */
function maskTrailingDash(name: string): string {
  return name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** validate.NonNegative / ValidateNonnegativeField. */
export function validateNonnegativeField(value: number, path: string): FieldError[] {
  return value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

export function validateLabelName(labelName: string, path: string): FieldError[] {
  return isQualifiedName(labelName).map((msg) => invalid(path, labelName, msg));
}

/** ValidateLabels: key errors then value errors per entry; the path is the map, not the key. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

/** ValidateAnnotations: keys are qualified names compared case-insensitively; total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    total += k.length + v.length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

function goOwnerReference(r: OwnerReference): string {
  const b = (v: boolean | undefined): string => (v === undefined ? '(*bool)(nil)' : `(*bool)(${v})`);
  return `v1.OwnerReference{APIVersion:${goQuote(r.apiVersion ?? '')}, Kind:${goQuote(r.kind ?? '')}, Name:${goQuote(r.name ?? '')}, UID:${goQuote(r.uid ?? '')}, Controller:${b(r.controller)}, BlockOwnerDeletion:${b(r.blockOwnerDeletion)}}`;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    // schema.FromAPIVersionAndKind: the version is what follows the last '/'.
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.lastIndexOf('/') + 1) : apiVersion;
    if (version.length === 0) errs.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if ((ref.kind ?? '').length === 0) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if ((ref.name ?? '').length === 0) errs.push(invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if ((ref.uid ?? '').length === 0) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner', goOwnerReference(ref)));
    }
    if (ref.controller === true) {
      const current = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
            `[]v1.OwnerReference{${(refs ?? []).map(goOwnerReference).join(', ')}}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizerName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((msg) => invalid(path, value, msg));
}

export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let orphan = false;
  let deleteDependents = false;
  for (const f of finalizers ?? []) {
    errs.push(...validateFinalizerName(f, path));
    if (f === 'orphan') orphan = true;
    if (f === 'foregroundDeletion') deleteDependents = true;
  }
  if (orphan && deleteDependents) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set', goStringSlice(finalizers)));
  }
  return errs;
}

/**
 * ValidateObjectMeta (ValidateObjectMetaAccessor): generateName, name, namespace, generation,
 * labels, annotations, ownerReferences, finalizers, in that order.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path = 'metadata',
): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  const name = m.name ?? '';
  if (generateName.length !== 0) {
    for (const msg of nameFn(generateName, true)) errs.push(invalid(`${path}.generateName`, generateName, msg));
  }
  if (name.length === 0) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(invalid(`${path}.name`, name, msg));

  const namespace = m.namespace ?? '';
  if (requiresNamespace) {
    if (namespace.length === 0) errs.push(required(`${path}.namespace`, ''));
    else for (const msg of nameIsDNSLabel(namespace, false)) errs.push(invalid(`${path}.namespace`, namespace, msg));
  } else if (namespace.length !== 0) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation ?? 0, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

/** Go's time.Time String() of an RFC 3339 UTC timestamp, as metav1.Time prints in %v. */
function goTime(ts: string | undefined): string {
  if (ts === undefined || ts === '') return '0001-01-01 00:00:00 +0000 UTC';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(ts);
  if (m === null) return ts;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} +0000 UTC`;
}

/** ValidateImmutableField with the Go rendering of the new value precomputed by the caller. */
export function validateImmutableField(changed: boolean, newValue: unknown, path: string, badValueGo?: string): FieldError[] {
  return changed ? [invalid(path, newValue, FIELD_IMMUTABLE_ERROR_MSG, badValueGo)] : [];
}

/** ValidateObjectMetaUpdate (ValidateObjectMetaAccessorUpdate). */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp !== undefined) {
    const oldSet = new Set(o.finalizers ?? []);
    const extra = [...new Set(n.finalizers ?? [])].filter((f) => !oldSet.has(f)).sort();
    if (extra.length !== 0) {
      errs.push(
        forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`),
      );
    }
  }
  // Upstream also requires metadata.resourceVersion here. It cannot fire through kube-apiserver:
  // genericregistry.Store.Update fills the stored resourceVersion into unconditional updates before
  // validation. kubemu's api-store does the precondition and revision work itself, without a
  // resourceVersion on the object it validates, so the rule is left to it.
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(`${path}.generation`, n.generation ?? 0, 'must not be decremented'));

  const str = (k: 'name' | 'namespace' | 'uid'): FieldError[] =>
    validateImmutableField((n[k] ?? '') !== (o[k] ?? ''), n[k] ?? '', `${path}.${k}`);
  errs.push(...str('name'), ...str('namespace'), ...str('uid'));
  errs.push(
    ...validateImmutableField(
      (n.creationTimestamp ?? '') !== (o.creationTimestamp ?? ''),
      n.creationTimestamp ?? '',
      `${path}.creationTimestamp`,
      goTime(n.creationTimestamp),
    ),
  );
  errs.push(
    ...validateImmutableField(
      n.deletionTimestamp !== o.deletionTimestamp,
      n.deletionTimestamp ?? null,
      `${path}.deletionTimestamp`,
      n.deletionTimestamp === undefined ? '"null"' : goTime(n.deletionTimestamp),
    ),
  );
  errs.push(
    ...validateImmutableField(
      n.deletionGracePeriodSeconds !== o.deletionGracePeriodSeconds,
      n.deletionGracePeriodSeconds ?? null,
      `${path}.deletionGracePeriodSeconds`,
    ),
  );
  errs.push(...validateLabels(n.labels, `${path}.labels`));
  errs.push(...validateAnnotations(n.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(n.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(n.finalizers, `${path}.finalizers`));
  return errs;
}

// ---- label selectors (meta/v1/validation ValidateLabelSelector, labels.Selector) ----

export function validateLabelSelectorRequirement(sr: LabelSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, sr.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key ?? '', `${path}.key`));
  return errs;
}

/** ValidateLabelSelector with AllowInvalidLabelValueInSelector=false (workload selectors). */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (sel === undefined) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, `${path}.matchExpressions[${i}]`));
    // Strict mode: every value must be a valid label value.
    (expr.values ?? []).forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(`${path}.matchExpressions[${i}].values[${j}]`, v, msg));
    });
  });
  return errs;
}

/** %#v of a metav1.LabelSelector value, e.g. `v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(sel: LabelSelector): string {
  const exprs =
    sel.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${sel.matchExpressions
          .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStringSlice(e.values)}}`)
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** The number of requirements LabelSelectorAsSelector produces (0 means labels.Everything()). */
function requirementCount(sel: LabelSelector): number {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length;
}

/**
 * Whether metav1.LabelSelectorAsSelector returns an error: a bad key or value (labels.NewRequirement)
 * or a bad operator / value count.
 */
export function labelSelectorIsInvalid(sel: LabelSelector | undefined): boolean {
  if (sel === undefined) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isValidLabelValue(v).length > 0) return true;
  }
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    if (isQualifiedName(e.key ?? '').length > 0) return true;
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return true;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return true;
        break;
      default:
        return true;
    }
    if (values.some((v) => isValidLabelValue(v).length > 0)) return true;
  }
  return false;
}

/**
 * labels.Selector.Empty() of LabelSelectorAsSelector(sel): true only for a non-nil selector with no
 * requirements (labels.Everything()). A nil selector gives labels.Nothing(), which is not empty
 * and matches nothing.
 */
export function labelSelectorIsEmpty(sel: LabelSelector | undefined): boolean {
  return sel !== undefined && requirementCount(sel) === 0;
}

/** labels.Selector.Matches for a valid selector; a nil selector matches nothing. */
export function labelSelectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (sel === undefined) return false;
  const l = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!has(k) || l[k] !== v) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const key = e.key ?? '';
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has(key) || !values.includes(l[key]!)) return false;
        break;
      case 'NotIn':
        if (has(key) && values.includes(l[key]!)) return false;
        break;
      case 'Exists':
        if (!has(key)) return false;
        break;
      case 'DoesNotExist':
        if (has(key)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Drops members that are absent, empty lists or empty maps; sorts keys. */
function semanticNormal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(semanticNormal);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || (Array.isArray(x) && x.length === 0)) continue;
      if (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue;
      out[k] = semanticNormal(x);
    }
    return out;
  }
  return v;
}

/**
 * apiequality.Semantic.DeepEqual over JSON-shaped values: member order is irrelevant and, as in
 * apimachinery's forked DeepEqual, an empty slice or map member equals an absent one. (An empty
 * struct member is treated the same way, which JSON cannot tell apart from an empty map.)
 */
export function semanticDeepEqual(a: unknown, b: unknown): boolean {
  if ((a === undefined) !== (b === undefined)) return false;
  return JSON.stringify(semanticNormal(a)) === JSON.stringify(semanticNormal(b));
}

/** path.IsValidPathSegmentName (apimachinery pkg/api/validation/path): the name rule rest.BeforeUpdate applies to every kind. */
export const nameIsPathSegment: NameValidator = (name) => {
  for (const illegal of ['.', '..']) if (name === illegal) return [`may not be '${illegal}'`];
  const errs: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errs.push(`may not contain '${illegal}'`);
  return errs;
};
