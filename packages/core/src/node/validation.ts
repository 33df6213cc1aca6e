// Node validation: ValidateNode / ValidateNodeUpdate (pkg/apis/core/validation/validation.go),
// over the fields kubemu models (no taints, config source or resource quantities).

import { forbidden, goStringSlice, internalError, invalid, type FieldError } from '../api/field-errors.js';
import { isDualStackCIDRStrings, isValidCIDR } from '../api/name-validation.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { Node } from '../api/types.js';

/** %#v of a core.NodeAddress. */
function goNodeAddress(a: { type?: string; address?: string }): string {
  return `core.NodeAddress{Type:"${a.type ?? ''}", Address:"${a.address ?? ''}"}`;
}

function validatePodCIDRs(node: Node): FieldError[] {
  const cidrs = node.spec?.podCIDRs ?? [];
  if (cidrs.length === 0) return [];
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(`spec.podCIDRs[${i}]`, c)));
  if (cidrs.length > 1) {
    const dual = isDualStackCIDRStrings(cidrs);
    if (dual === undefined) {
      errs.push(internalError('spec.podCIDRs', 'invalid PodCIDRs. failed to check with dual stack with error:invalid CIDR address'));
    }
    if (dual !== true || cidrs.length > 2) {
      errs.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family', goStringSlice(cidrs)));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push({ type: 'FieldValueDuplicate', field: `spec.podCIDRs[${i}]`, badValue: c, detail: '' });
      seen.add(c);
    });
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, 'metadata');
  errs.push(...validatePodCIDRs(node));
  return errs;
}

/**
 * The node strategy's ValidateUpdate: ValidateNode, then ValidateNodeUpdate (podCIDRs and
 * providerID may only go from unset to set).
 */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateNode(node);
  errs.push(...validateObjectMetaUpdate(node.metadata, old.metadata, 'metadata'));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const key = `${a.type ?? ''}\u0000${a.address ?? ''}`;
    if (seen.has(key)) {
      errs.push({ type: 'FieldValueDuplicate', field: `status.addresses[${i}]`, badValue: a, badValueGo: goNodeAddress(a), detail: '' });
    }
    seen.add(key);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== newCIDRs.length) errs.push(forbidden('spec.podCIDRs', msg));
    else oldCIDRs.forEach((c, i) => {
      if (c !== newCIDRs[i]) errs.push(forbidden('spec.podCIDRs', msg));
    });
  }
  const oldProvider = old.spec?.providerID ?? '';
  if (oldProvider.length > 0 && oldProvider !== (node.spec?.providerID ?? '')) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}
