import { describe, expect, it } from 'vitest';
import { errorString } from '../api/field-errors.js';
import type { Lease } from '../api/types.js';
import { setDefaultsLease } from './defaults.js';
import { validateLease, validateLeaseUpdate } from './validation.js';

describe('Lease', () => {
  const lease: Lease = { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } };
  it('has no defaults', () => {
    expect(setDefaultsLease(lease)).toEqual(lease);
    expect(setDefaultsLease(lease)).not.toBe(lease);
  });
  it.each<[string, Lease, string[]]>([
    ['valid', lease, []],
    ['leaseDurationSeconds must be positive', { ...lease, spec: { leaseDurationSeconds: 0 } }, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
    ['namespaced', { ...lease, metadata: { name: 'node-1' } }, ['metadata.namespace: Required value']],
  ])('%s', (_name, input, want) => expect(validateLease(input).map(errorString)).toEqual(want));
  it('update checks identity and spec', () => {
    const old = { ...lease, metadata: { ...lease.metadata, uid: 'u', resourceVersion: '1' } };
    expect(validateLeaseUpdate({ ...old, spec: { leaseDurationSeconds: -1 } }, old).map(errorString)).toEqual(['spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0']);
  });
});
