// Namespace validation: ValidateNamespace / ValidateNamespaceUpdate
// (pkg/apis/core/validation/validation.go). Namespace names are DNS-1123 labels.

import { invalid, type FieldError } from '../api/field-errors.js';
import { nameIsDNSLabel, validateFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { Namespace } from '../api/types.js';

/** helper.IsStandardFinalizerName. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateFinalizerName + validateKubeFinalizerName; the path is the list, not the entry. */
function validateNamespaceFinalizer(value: string, path: string): FieldError[] {
  const errs = validateFinalizerName(value, path);
  if (!value.includes('/') && !STANDARD_FINALIZERS.has(value)) {
    errs.push(invalid(path, value, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel, 'metadata');
  for (const f of ns.spec?.finalizers ?? []) errs.push(...validateNamespaceFinalizer(f, 'spec.finalizers'));
  return errs;
}

/**
 * The namespace strategy's ValidateUpdate: ValidateNamespace, then ValidateNamespaceUpdate
 * (metadata only; spec.finalizers change through /finalize).
 */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return [...validateNamespace(ns), ...validateObjectMetaUpdate(ns.metadata, old.metadata, 'metadata')];
}
