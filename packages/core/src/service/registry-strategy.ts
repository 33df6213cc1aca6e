import type { Service, ServiceStatus } from '../api/types.js';
import { externallyAccessible as specExternallyAccessible } from './validation.js';
import { serviceType } from './allocation.js';
import { needsClusterIP, needsHCNodePort, needsNodePort } from './registry-storage.js';

// The Service strategy, pkg/registry/core/service/strategy.go: PrepareForCreate, PrepareForUpdate
// and dropTypeDependentFields. dropServiceDisabledFields only concerns feature gates kubemu keeps on.
// Each returns a new object.

/** api.ServiceStatus{} as the v1 JSON shows it (`loadBalancer` has no omitempty). */
function emptyStatus(): ServiceStatus {
  return { loadBalancer: {} };
}

/** PrepareForCreate: users cannot set status. */
export function prepareForCreate(input: Service): Service {
  const svc = structuredClone(input);
  svc.status = emptyStatus();
  return svc;
}

/** PrepareForUpdate: status comes from the old object, then dropTypeDependentFields. */
export function prepareForUpdate(input: Service, old: Service): Service {
  const svc = structuredClone(input);
  svc.status = structuredClone(old.status ?? emptyStatus());
  return dropTypeDependentFields(svc, old);
}

function externallyAccessible(svc: Service): boolean {
  return specExternallyAccessible({ ...svc.spec, type: serviceType(svc) });
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** strategy.go sameNodePorts: users may add, remove or change ports as long as they add no net-new nodePort. */
function sameNodePorts(old: Service, svc: Service): boolean {
  const all = (s: Service): Set<number> => new Set((s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
  const oldPorts = all(old);
  return [...all(svc)].every((n) => oldPorts.has(n));
}

/**
 * strategy.go dropTypeDependentFields, on update only: when the new type no longer uses a field
 * and the user left it as it was, wipe it (allocated values are released on commit). A changed
 * value is kept so that validation rejects it, e.g. `spec.ports[0].nodePort: Forbidden: may not be
 * used when \`type\` is 'ClusterIP'`.
 */
export function dropTypeDependentFields(input: Service, old: Service): Service {
  const svc = structuredClone(input);
  const spec = (svc.spec ??= {});
  const o = old.spec ?? {};

  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if ((o.clusterIP ?? '') === (spec.clusterIP ?? '') && sameStrings(o.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameStrings(o.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if ((o.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
  }

  if (needsNodePort(old) && !needsNodePort(svc) && sameNodePorts(old, svc)) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }

  if (needsHCNodePort(old) && !needsHCNodePort(svc) && (o.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)) {
    delete spec.healthCheckNodePort;
  }

  if (serviceType(old) === 'LoadBalancer' && serviceType(svc) !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts !== undefined && o.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (o.loadBalancerClass === spec.loadBalancerClass) delete spec.loadBalancerClass;
  }

  if (externallyAccessible(old) && !externallyAccessible(svc) && (o.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')) {
    delete spec.externalTrafficPolicy;
  }

  // Load-balancer de-provisioning is asynchronous, but the status says what the type allows.
  if (serviceType(svc) !== 'LoadBalancer') {
    svc.status ??= {};
    svc.status.loadBalancer = {};
  }
  return svc;
}
