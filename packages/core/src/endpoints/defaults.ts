// Endpoints defaulting: SetDefaults_Endpoints (pkg/apis/core/v1/defaults.go).

import type { Endpoints } from '../api/types.js';

export function setDefaultsEndpoints(ep: Endpoints): Endpoints {
  const out: Endpoints = structuredClone(ep);
  for (const ss of out.subsets ?? []) {
    for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  }
  return out;
}
