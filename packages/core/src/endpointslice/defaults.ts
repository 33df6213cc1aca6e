// EndpointSlice defaulting: SetDefaults_EndpointPort (pkg/apis/discovery/v1/defaults.go): a
// port's name defaults to "" and its protocol to TCP.

import type { EndpointSlice } from '../api/types.js';

export function setDefaultsEndpointSlice(slice: EndpointSlice): EndpointSlice {
  const out: EndpointSlice = structuredClone(slice);
  for (const p of out.ports ?? []) {
    if (p.name === undefined) p.name = '';
    if (p.protocol === undefined) p.protocol = 'TCP';
  }
  return out;
}
