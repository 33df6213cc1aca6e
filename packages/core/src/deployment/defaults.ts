// Deployment defaulting: SetDefaults_Deployment (pkg/apis/apps/v1/defaults.go) plus the pod
// template's SetDefaults_PodSpec and container defaults.

import type { Deployment } from '../api/types.js';
import { setDefaultsPodTemplateSpec } from '../pod/defaults.js';

export function setDefaultsDeployment(d: Deployment): Deployment {
  const out: Deployment = structuredClone(d);
  const spec = (out.spec ??= {});
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  spec.template = setDefaultsPodTemplateSpec(spec.template);
  return out;
}
