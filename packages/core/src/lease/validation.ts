// Lease validation: ValidateLease / ValidateLeaseUpdate (pkg/apis/coordination/validation).

import { invalid, type FieldError } from '../api/field-errors.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { Lease } from '../api/types.js';

function validateLeaseSpec(lease: Lease): FieldError[] {
  const d = lease.spec?.leaseDurationSeconds;
  return d !== undefined && d <= 0 ? [invalid('spec.leaseDurationSeconds', d, 'must be greater than 0')] : [];
}

export function validateLease(lease: Lease): FieldError[] {
  return [...validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain, 'metadata'), ...validateLeaseSpec(lease)];
}

export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata, 'metadata'), ...validateLeaseSpec(lease)];
}
