// ReplicaSet defaulting: SetDefaults_ReplicaSet (pkg/apis/apps/v1/defaults.go: replicas 1) plus the
// pod template's SetDefaults_PodSpec and container defaults. apps/v1 defaults neither the selector
// nor the labels from the template (extensions/v1beta1 did).

import type { ReplicaSet } from '../api/types.js';
import { setDefaultsPodTemplateSpec } from '../pod/defaults.js';

export function setDefaultsReplicaSet(rs: ReplicaSet): ReplicaSet {
  const out: ReplicaSet = structuredClone(rs);
  const spec = (out.spec ??= {});
  if (spec.replicas === undefined) spec.replicas = 1;
  spec.template = setDefaultsPodTemplateSpec(spec.template);
  return out;
}
