import type { Service } from '../api/types.js';
import type { IPFamily } from '../allocation/ip-range.js';
import { ipFamilyOf } from '../allocation/ip-range.js';
import { CLUSTER_IP_NONE, serviceType } from './allocation.js';

// The Service REST storage's own hooks around allocation, pkg/registry/core/service/storage/storage.go:
// normalizeClusterIPs, patchAllocatedValues, defaultOnReadService. Each returns a new object.

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** storage.go needsClusterIP: every type but ExternalName ("None" counts as a value). */
export function needsClusterIP(svc: Service): boolean {
  return serviceType(svc) !== 'ExternalName';
}

/** storage.go needsNodePort: NodePort and LoadBalancer. */
export function needsNodePort(svc: Service): boolean {
  const t = serviceType(svc);
  return t === 'NodePort' || t === 'LoadBalancer';
}

/** storage.go needsHCNodePort: LoadBalancer with externalTrafficPolicy Local. */
export function needsHCNodePort(svc: Service): boolean {
  return serviceType(svc) === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
}

/**
 * storage.go normalizeClusterIPs: keeps clusterIP and clusterIPs in step for clients that only
 * know the singular field. `before` is undefined on create.
 */
export function normalizeClusterIPs(after: Service, before: Service | undefined): Service {
  const svc = structuredClone(after);
  const spec = (svc.spec ??= {});
  const clusterIP = spec.clusterIP ?? '';
  if (before === undefined) {
    if (clusterIP !== '' && (spec.clusterIPs?.length ?? 0) === 0) spec.clusterIPs = [clusterIP];
    return svc;
  }
  const old = before.spec ?? {};
  const oldClusterIP = old.clusterIP ?? '';
  // An old client patching some other field sent no clusterIPs.
  if ((old.clusterIPs?.length ?? 0) > 0 && (spec.clusterIPs?.length ?? 0) === 0 && oldClusterIP === clusterIP) {
    spec.clusterIPs = [...old.clusterIPs!];
  }
  if (oldClusterIP !== clusterIP) {
    if (oldClusterIP !== '' && clusterIP === '') {
      if (sameStrings(old.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameStrings(old.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [clusterIP];
    }
  }
  return svc;
}

/**
 * storage.go patchAllocatedValues, run on update before allocation: a client that re-sends a spec
 * without the values allocated for it keeps them. clusterIP(s) are copied when both types need one;
 * nodePorts are copied by port *name* from the old object when both types use nodePorts, unless the
 * old value is already used by a port of the new spec; healthCheckNodePort is copied when both need it.
 */
export function patchAllocatedValues(after: Service, before: Service): Service {
  const svc = structuredClone(after);
  const spec = (svc.spec ??= {});
  const old = before.spec ?? {};
  if (needsClusterIP(before) && needsClusterIP(svc)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if ((spec.clusterIPs?.length ?? 0) === 0 && (old.clusterIPs?.length ?? 0) > 0) spec.clusterIPs = [...old.clusterIPs!];
  }
  if (needsNodePort(before) && needsNodePort(svc)) {
    const used = (s: Service): Set<number> => new Set((s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
    const newUsed = used(svc);
    const inBoth = new Set([...used(before)].filter((n) => newUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of old.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      if (oldVal !== 0 && !inBoth.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHCNodePort(before) && needsHCNodePort(svc)) {
    if (!spec.healthCheckNodePort && old.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
  }
  return svc;
}

/**
 * storage.go defaultOnReadService: fields an object stored by an older apiserver may lack, filled
 * on every read and on the old object of an update. primaryFamily is the family of the first
 * --service-cluster-ip-range.
 */
export function defaultOnReadService(stored: Service, primaryFamily: IPFamily): Service {
  const svc = normalizeClusterIPs(stored, undefined);
  const spec = (svc.spec ??= {});
  if (needsClusterIP(svc) && (spec.ipFamilies?.length ?? 0) === 0) {
    const other: IPFamily = primaryFamily === 'IPv4' ? 'IPv6' : 'IPv4';
    if (spec.clusterIP === CLUSTER_IP_NONE) {
      if (Object.keys(spec.selector ?? {}).length === 0) {
        spec.ipFamilyPolicy = 'RequireDualStack';
        spec.ipFamilies = [primaryFamily, other];
      } else {
        spec.ipFamilyPolicy = 'SingleStack';
        spec.ipFamilies = [primaryFamily];
      }
    } else {
      const families = (spec.clusterIPs ?? []).map((ip) => (ipFamilyOf(ip) === 'IPv6' ? 'IPv6' : 'IPv4'));
      if (families.length > 0) spec.ipFamilies = families;
      if (families.length === 1) spec.ipFamilyPolicy = 'SingleStack';
      else if (families.length === 2) spec.ipFamilyPolicy = 'RequireDualStack';
    }
  }
  // defaultOnReadInternalTrafficPolicy: it was once defaulted for ExternalName by mistake.
  if (serviceType(svc) === 'ExternalName') delete spec.internalTrafficPolicy;
  return svc;
}
