// Lease defaulting: coordination.k8s.io/v1 defines no defaults; this returns a copy so every kind
// has the same shape of defaulting function.

import type { Lease } from '../api/types.js';

export function setDefaultsLease(lease: Lease): Lease {
  return structuredClone(lease);
}
