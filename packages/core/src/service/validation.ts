// Service validation: ValidateService, validateServicePort, ValidateServiceClusterIPsRelatedFields,
// validateServiceExternalTrafficPolicy, validateServiceInternalTrafficFieldsValue and
// ValidateServiceUpdate from pkg/apis/core/validation/validation.go, as in Kubernetes v1.32 (the
// last release with the kubelet-port check on LoadBalancer ports). Errors come in upstream order.

import {
  forbidden,
  goQuote,
  goStringSlice,
  internalError,
  invalid,
  notSupported,
  notSupportedInOrder,
  required,
  type FieldError,
} from '../api/field-errors.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDualStackIPStrings,
  isIPv6String,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  parseIPSloppy,
} from '../api/name-validation.js';
import { nameIsDNS1035Label, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { Service, ServicePort, ServiceSpec } from '../api/types.js';

/** apiservice.ExternallyAccessible (pkg/api/service/util.go). */
export function externallyAccessible(spec: ServiceSpec | undefined): boolean {
  const t = spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (spec?.externalIPs ?? []).length > 0);
}

/** apiservice.NeedsHealthCheck. */
export function needsHealthCheck(spec: ServiceSpec | undefined): boolean {
  return spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** ports.KubeletPort. */
export const KUBELET_PORT = 10250;
/** core.MaxClientIPServiceAffinitySeconds. */
export const MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 86400;

const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SUPPORTED_SESSION_AFFINITY = ['ClientIP', 'None'];
const SUPPORTED_SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SUPPORTED_INTERNAL_TRAFFIC_POLICY = ['Cluster', 'Local'];
const SUPPORTED_EXTERNAL_TRAFFIC_POLICY = ['Cluster', 'Local'];
const SUPPORTED_IP_FAMILIES = ['IPv4', 'IPv6'];
const SUPPORTED_IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ANNOTATION_LOAD_BALANCER_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS = 'service.kubernetes.io/topology-aware-hints';

function isHeadless(spec: ServiceSpec | undefined): boolean {
  const ips = spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

/** A nil *string renders as "null"; a set one as the quoted string. */
const goPtr = (v: string | undefined): unknown => (v === undefined ? null : v);

/** %#v of the (protocol, port) key the duplicate-port check builds: a core.ServicePort. */
function goServicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

function validateQualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((msg) => invalid(path, value, msg));
}

/** ValidateNonSpecialIP: no unspecified, loopback, link-local unicast or link-local multicast IPs. */
export function validateNonSpecialIP(address: string, path: string): FieldError[] {
  const ip = parseIPSloppy(address);
  if (ip === null) return [invalid(path, address, 'must be a valid IP address')];
  const v4 = ip.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  const errs: FieldError[] = [];
  const unspecified = v4 ? ip.subarray(12).every((b) => b === 0) || ip.every((b) => b === 0) : ip.every((b) => b === 0);
  if (unspecified) errs.push(invalid(path, address, `may not be unspecified (${address})`));
  const loopback = v4 ? ip[12] === 127 : ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
  if (loopback) errs.push(invalid(path, address, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const linkLocalUnicast = v4 ? ip[12] === 169 && ip[13] === 254 : ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80;
  if (linkLocalUnicast) errs.push(invalid(path, address, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = v4 ? ip[12] === 224 && ip[13] === 0 && ip[14] === 0 : ip[0] === 0xff && (ip[1]! & 0x0f) === 0x02;
  if (linkLocalMulticast) errs.push(invalid(path, address, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && name.length === 0) errs.push(required(`${path}.name`, ''));
  else if (name.length !== 0) {
    errs.push(...validateDNS1123Label(name, `${path}.name`));
    if (names.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${path}.name`, badValue: name, detail: '' });
    else names.add(name);
  }
  const port = sp.port ?? 0;
  for (const msg of isValidPortNum(port)) errs.push(invalid(`${path}.port`, port, msg));
  const protocol = sp.protocol ?? '';
  if (protocol.length === 0) errs.push(required(`${path}.protocol`, ''));
  else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) errs.push(notSupported(`${path}.protocol`, protocol, SUPPORTED_PORT_PROTOCOLS));
  // ValidatePortNumOrName on targetPort (defaulted to port when unset).
  const tp = sp.targetPort ?? 0;
  if (typeof tp === 'string') for (const msg of isValidPortName(tp)) errs.push(invalid(`${path}.targetPort`, tp, msg));
  else for (const msg of isValidPortNum(tp)) errs.push(invalid(`${path}.targetPort`, tp, msg));
  if (sp.appProtocol !== undefined) errs.push(...validateQualifiedName(sp.appProtocol, `${path}.appProtocol`));
  return errs;
}

function validateClientIPAffinityConfig(spec: ServiceSpec, path: string): FieldError[] {
  const cfg = spec.sessionAffinityConfig;
  const detail = 'when session affinity type is ClientIP';
  if (cfg === undefined) return [required(path, detail)];
  if (cfg.clientIP === undefined) return [required(`${path}.clientIP`, detail)];
  const timeout = cfg.clientIP.timeoutSeconds;
  if (timeout === undefined) return [required(`${path}.clientIP.timeoutSeconds`, detail)];
  if (timeout <= 0 || timeout > MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS) {
    return [invalid(`${path}.clientIP.timeoutSeconds`, timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** ValidateServiceClusterIPsRelatedFields: clusterIP ↔ clusterIPs ↔ ipFamilies ↔ ipFamilyPolicy. */
export function validateServiceClusterIPsRelatedFields(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  let hasInvalidIPs = false;
  const clusterIP = spec.clusterIP ?? '';
  const clusterIPs = spec.clusterIPs ?? [];
  const families = spec.ipFamilies ?? [];

  if (clusterIP.length !== 0) {
    if (clusterIPs.length === 0) errs.push(required('spec.clusterIPs', ''));
    else if (clusterIPs[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }

  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!SUPPORTED_IP_FAMILIES.includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, SUPPORTED_IP_FAMILIES));
    if (seen.has(f)) errs.push({ type: 'FieldValueDuplicate', field: `spec.ipFamilies[${i}]`, badValue: f, detail: '' });
    seen.add(f);
  });

  if (spec.ipFamilyPolicy !== undefined && !SUPPORTED_IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, SUPPORTED_IP_FAMILY_POLICIES));
  }

  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = isValidIP(`spec.clusterIPs[${i}]`, ip);
    if (ipErrs.length !== 0) hasInvalidIPs = true;
    errs.push(...ipErrs);
  });

  if (clusterIPs.length > 2) errs.push(invalid('spec.clusterIPs', clusterIPs, 'may only hold up to 2 values'));
  // Further checks would only restate the invalid IPs.
  if (hasInvalidIPs) return errs;

  if (clusterIPs.length > 1) {
    const dual = isDualStackIPStrings(clusterIPs);
    if (dual === undefined) errs.push(internalError('spec.clusterIPs', 'failed to check for dual stack with error:invalid IP'));
    if (dual !== true) errs.push(invalid('spec.clusterIPs', clusterIPs, 'may specify no more than one IP for each IP family'));
  }

  if (!isHeadless(spec) && clusterIPs.length > 0 && families.length > 0) {
    for (let i = 0; i < clusterIPs.length && i < families.length; i++) {
      const ip = clusterIPs[i]!;
      if (families[i] === 'IPv4' && isIPv6String(ip)) {
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      }
      if (families[i] === 'IPv6' && !isIPv6String(ip)) {
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
      }
    }
  }
  return errs;
}

function validateLoadBalancerClassField(svc: Service, old?: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  if (old !== undefined && old.spec?.type === 'LoadBalancer' && spec.type === 'LoadBalancer') {
    if (old.spec.loadBalancerClass !== spec.loadBalancerClass) {
      errs.push(invalid('spec.loadBalancerClass', goPtr(spec.loadBalancerClass), 'may not change once set'));
    }
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.loadBalancerClass !== undefined) errs.push(...validateQualifiedName(spec.loadBalancerClass, 'spec.loadBalancerClass'));
  } else if (spec.loadBalancerClass !== undefined) {
    errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

function validateServiceExternalTrafficPolicy(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy ?? '';
  if (!externallyAccessible(spec)) {
    if (etp !== '') errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') {
    errs.push(required('spec.externalTrafficPolicy', ''));
  } else if (!SUPPORTED_EXTERNAL_TRAFFIC_POLICY.includes(etp)) {
    errs.push(notSupported('spec.externalTrafficPolicy', etp, SUPPORTED_EXTERNAL_TRAFFIC_POLICY));
  }
  const hcnp = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hcnp !== 0) {
      errs.push(invalid('spec.healthCheckNodePort', hcnp, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hcnp === 0) {
    errs.push(required('spec.healthCheckNodePort', ''));
  } else {
    for (const msg of isValidPortNum(hcnp)) errs.push(invalid('spec.healthCheckNodePort', hcnp, msg));
  }
  return errs;
}

/** ValidateService, on a defaulted Service. */
export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label, 'metadata');
  const annotations = svc.metadata?.annotations ?? {};
  const mode = annotations[ANNOTATION_TOPOLOGY_MODE];
  const hints = annotations[DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS];
  if (mode !== undefined && hints !== undefined && mode !== hints) {
    errs.push(
      invalid(`metadata.annotations[${ANNOTATION_TOPOLOGY_MODE}]`, mode, `must match annotations[${DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS}] when both are specified`),
    );
  }

  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports', ''));

  switch (spec.type) {
    case 'LoadBalancer':
      // A workaround for clouds that over-open firewalls; removed in v1.33 (kubernetes#129174).
      ports.forEach((p, i) => {
        if (p.port === KUBELET_PORT) {
          errs.push(invalid(`spec.ports[${i}]`, p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
        }
      });
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs ?? []).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((spec.ipFamilies ?? []).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      // A CNAME may carry one trailing dot to mark it fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) for (const msg of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', cname, msg));
      else errs.push(required('spec.externalName', ''));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));

  if (spec.selector !== undefined) errs.push(...validateLabels(spec.selector, 'spec.selector'));

  const affinity = spec.sessionAffinity ?? '';
  if (affinity.length === 0) errs.push(required('spec.sessionAffinity', ''));
  else if (!SUPPORTED_SESSION_AFFINITY.includes(affinity)) errs.push(notSupported('spec.sessionAffinity', affinity, SUPPORTED_SESSION_AFFINITY));
  if (affinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(spec, 'spec.sessionAffinityConfig'));
  else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }

  errs.push(...validateServiceClusterIPsRelatedFields(svc));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    const ipErrs = isValidIP(path, ip);
    errs.push(...(ipErrs.length !== 0 ? ipErrs : validateNonSpecialIP(ip, path)));
  });

  const type = spec.type ?? '';
  if (type.length === 0) errs.push(required('spec.type', ''));
  else if (!SUPPORTED_SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SUPPORTED_SERVICE_TYPES));

  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }

  // Duplicate nodePorts, keyed by (protocol, nodePort).
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const np = p.nodePort ?? 0;
    if (np === 0) return;
    const key = `${p.protocol ?? ''}/${np}`;
    if (nodePorts.has(key)) errs.push({ type: 'FieldValueDuplicate', field: `spec.ports[${i}].nodePort`, badValue: np, detail: '' });
    nodePorts.add(key);
  });

  // Duplicate ports, keyed by (protocol, port); the error prints the whole key struct.
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port ?? 0}`;
    if (portKeys.has(key)) {
      errs.push({
        type: 'FieldValueDuplicate',
        field: `spec.ports[${i}]`,
        badValue: { protocol: p.protocol ?? '', port: p.port ?? 0 },
        badValueGo: goServicePortKey(p.protocol ?? '', p.port ?? 0),
        detail: '',
      });
    }
    portKeys.add(key);
  });

  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    // The capital L is upstream's (a Child("LoadBalancerSourceRanges") left over from the annotation).
    const path = 'spec.LoadBalancerSourceRanges';
    if (type !== 'LoadBalancer') errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    // Values may be space-padded, a historical accident of the annotation transition.
    ranges.forEach((r, i) => errs.push(...isValidCIDR(`${path}[${i}]`, r.trim())));
  } else if (annotations[ANNOTATION_LOAD_BALANCER_SOURCE_RANGES] !== undefined) {
    const path = `metadata.annotations[${ANNOTATION_LOAD_BALANCER_SOURCE_RANGES}]`;
    if (type !== 'LoadBalancer') errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const val = annotations[ANNOTATION_LOAD_BALANCER_SOURCE_RANGES]!.trim();
    if (val !== '') for (const r of val.split(',')) errs.push(...isValidCIDR(path, r.trim()));
  }

  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
    // Upstream builds this path without the "spec" parent.
    errs.push(required('allocateLoadBalancerNodePorts', ''));
  }

  errs.push(...validateLoadBalancerClassField(svc));
  errs.push(...validateServiceExternalTrafficPolicy(spec));

  if (spec.internalTrafficPolicy === undefined) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') errs.push(required('spec.internalTrafficPolicy', ''));
  } else if (!SUPPORTED_INTERNAL_TRAFFIC_POLICY.includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, SUPPORTED_INTERNAL_TRAFFIC_POLICY));
  }

  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupportedInOrder('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: the primary clusterIP never changes once set. */
function validateUpgradeDowngradeClusterIPs(old: ServiceSpec, spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return errs;
  if (isHeadless(old) && isHeadless(spec)) return errs;
  const oldIPs = old.clusterIPs ?? [];
  const newIPs = spec.clusterIPs ?? [];
  const newGo = goStringSlice(spec.clusterIPs);
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, newIPs, 'may not change once set', newGo));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset', newGo));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(invalid('spec.clusterIPs[0]', newIPs, 'may not change once set', newGo));
    }
    if (newIPs.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', goPtr(spec.ipFamilyPolicy), "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(invalid('spec.clusterIPs[0]', newIPs, 'may not change once set', newGo));
  }
  return errs;
}

/** validateUpgradeDowngradeIPFamilies (note: upstream prints clusterIPs as the value in two places). */
function validateUpgradeDowngradeIPFamilies(old: ServiceSpec, spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return errs;
  if (isHeadless(old) !== isHeadless(spec) || isHeadless(spec)) return errs;
  const oldF = old.ipFamilies ?? [];
  const newF = spec.ipFamilies ?? [];
  const familiesGo = goStringSlice(spec.ipFamilies, '[]core.IPFamily');
  const clusterIPsGo = goStringSlice(spec.clusterIPs);
  if (oldF.length === newF.length) {
    oldF.forEach((f, i) => {
      if (f !== newF[i]) errs.push(invalid('spec.ipFamilies[0]', newF, 'may not change once set', familiesGo));
    });
  } else if (oldF.length > newF.length) {
    if ((spec.clusterIPs ?? []).length === 0) errs.push(invalid('spec.ipFamilies[0]', newF, 'primary ipFamily can not be unset', familiesGo));
    if (newF.length > 0 && newF[0] !== oldF[0]) errs.push(invalid('spec.ipFamilies[0]', spec.clusterIPs ?? [], 'may not change once set', clusterIPsGo));
    if (newF.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', goPtr(spec.ipFamilyPolicy), "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(invalid('spec.ipFamilies[0]', spec.clusterIPs ?? [], 'may not change once set', clusterIPsGo));
  }
  return errs;
}

/** ValidateServiceUpdate: metadata and immutability checks, then ValidateService. */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const oldSpec = old.spec ?? {};
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, 'metadata');
  errs.push(...validateUpgradeDowngradeClusterIPs(oldSpec, spec));
  errs.push(...validateUpgradeDowngradeIPFamilies(oldSpec, spec));
  errs.push(...validateLoadBalancerClassField(svc, old));
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && (spec.healthCheckNodePort ?? 0) !== (oldSpec.healthCheckNodePort ?? 0)) {
    errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}
