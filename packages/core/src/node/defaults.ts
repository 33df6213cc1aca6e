// Node defaulting: SetDefaults_NodeStatus (pkg/apis/core/v1/defaults.go) and the v1 conversion
// that keeps spec.podCIDR and spec.podCIDRs in step (pkg/apis/core/v1/conversion.go).

import type { Node } from '../api/types.js';

export function setDefaultsNode(node: Node): Node {
  const out: Node = structuredClone(node);
  const spec = out.spec;
  if (spec !== undefined) {
    // Convert_v1_NodeSpec_To_core_NodeSpec: podCIDRs wins; a lone podCIDR becomes podCIDRs[0].
    if ((spec.podCIDRs ?? []).length === 0 && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
    if ((spec.podCIDRs ?? []).length > 0) spec.podCIDR = spec.podCIDRs![0];
  }
  const status = out.status;
  if (status?.capacity !== undefined && status.allocatable === undefined) status.allocatable = { ...status.capacity };
  return out;
}
