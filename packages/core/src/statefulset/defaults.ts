// StatefulSet defaulting: SetDefaults_StatefulSet (pkg/apis/apps/v1/defaults.go) plus the pod
// template's SetDefaults_PodSpec and container defaults.

import type { StatefulSet } from '../api/types.js';
import { setDefaultsPodTemplateSpec } from '../pod/defaults.js';

export function setDefaultsStatefulSet(s: StatefulSet): StatefulSet {
  const out: StatefulSet = structuredClone(s);
  const spec = (out.spec ??= {});
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    // Upstream adds rollingUpdate only when it also defaulted the type.
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate !== undefined && us.rollingUpdate.partition === undefined) {
    us.rollingUpdate.partition = 0;
  }
  if (spec.replicas === undefined) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  spec.template = setDefaultsPodTemplateSpec(spec.template);
  return out;
}
