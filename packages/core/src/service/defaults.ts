// Service defaulting: SetDefaults_Service (pkg/apis/core/v1/defaults.go), applied when the request
// is decoded. clusterIPs and the IP-family fields are not defaulting: kube-apiserver fills them in
// the storage's beginCreate/beginUpdate hooks (normalizeClusterIPs, alloc.go initIPFamilyFields),
// which kubemu runs in service/registry-storage.ts and service/allocation.ts.

import type { Service } from '../api/types.js';
import { externallyAccessible } from './validation.js';

/** v1.DefaultClientIPServiceAffinitySeconds. */
export const DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 10800;

/** SetDefaults_Service: a new, defaulted Service. */
export function setDefaultsService(svc: Service): Service {
  const out = structuredClone(svc);
  const spec = (out.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const sp of spec.ports ?? []) {
    if (!sp.protocol) sp.protocol = 'TCP';
    if (sp.targetPort === undefined || sp.targetPort === 0 || sp.targetPort === '') sp.targetPort = sp.port ?? 0;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP')) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
    for (const ing of out.status?.loadBalancer?.ingress ?? []) {
      if (ing.ip && ing.ipMode === undefined) ing.ipMode = 'VIP';
    }
  }
  return out;
}
