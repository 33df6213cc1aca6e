// ReplicaSet validation: ValidateReplicaSet / ValidateReplicaSetUpdate / ValidateReplicaSetSpec /
// ValidatePodTemplateSpecForReplicaSet (pkg/apis/apps/validation/validation.go), plus the immutable
// selector of the apps/v1 strategy (pkg/registry/apps/replicaset/strategy.go ValidateUpdate). v1.32.
// The "empty selector is invalid for deployment" text is upstream's, for ReplicaSets too.

import { nameIsDNSSubdomain, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { FieldError } from '../api/field-errors.js';
import type { ReplicaSet, ReplicaSetSpec } from '../api/types.js';
import { validateSelectorAndPodTemplate, validateSelectorUnchanged } from '../deployment/validation.js';

/** ValidateReplicaSetSpec. */
export function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateNonnegativeField(s.replicas ?? 0, `${path}.replicas`);
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, `${path}.minReadySeconds`));
  errs.push(...validateSelectorAndPodTemplate(s.selector, s.template, path));
  return errs;
}

/** ValidateReplicaSet. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain, 'metadata');
  errs.push(...validateReplicaSetSpec(rs.spec, 'spec'));
  return errs;
}

/** ValidateReplicaSetUpdate, then the strategy's immutable-selector check. */
export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, 'metadata');
  errs.push(...validateReplicaSetSpec(rs.spec, 'spec'));
  errs.push(...validateSelectorUnchanged(rs.spec?.selector, old.spec?.selector));
  return errs;
}
