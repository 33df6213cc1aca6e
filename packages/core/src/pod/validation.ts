// Pod validation: pkg/apis/core/validation/validation.go (ValidatePodCreate, ValidatePodSpec,
// validateContainers, validateContainerPorts, ValidateEnv, probes, ValidatePodUpdate), v1.32.
// Only the fields of kubemu's Pod type are checked; volumes, security contexts, affinity and
// resource quantities are not modelled.

import { forbidden, invalid, notSupported, notSupportedInOrder, required, type FieldError } from '../api/field-errors.js';
import { isDNS1123Label, isRelaxedEnvVarName, isValidPortName, isValidPortNum } from '../api/name-validation.js';
import {
  nameIsDNSSubdomain,
  semanticDeepEqual,
  validateAnnotations,
  validateLabels,
  validateNonnegativeField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../api/object-meta-validation.js';
import type { Container, IntOrString, Pod, PodSpec, PodTemplateSpec, Probe } from '../api/types.js';

export interface PodSpecValidationOptions {
  /** The PodSpec belongs to a Pod, not to a template embedded in another resource. */
  resourceIsPod: boolean;
}

const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SUPPORTED_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

/** ValidatePortNumOrName (an intstr.IntOrString: a number is a port, a string a port name). */
export function validatePortNumOrName(port: IntOrString | undefined, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((msg) => invalid(path, port, msg));
  const n = port ?? 0;
  return isValidPortNum(n).map((msg) => invalid(path, n, msg));
}

function validateContainerPorts(ports: Container['ports'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port.name ?? '';
    if (name.length > 0) {
      const msgs = isValidPortName(name);
      if (msgs.length !== 0) for (const msg of msgs) errs.push(invalid(`${p}.name`, name, msg));
      else if (names.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, badValue: name, detail: '' });
      else names.add(name);
    }
    const containerPort = port.containerPort ?? 0;
    if (containerPort === 0) errs.push(required(`${p}.containerPort`, ''));
    else for (const msg of isValidPortNum(containerPort)) errs.push(invalid(`${p}.containerPort`, containerPort, msg));
    const hostPort = port.hostPort ?? 0;
    if (hostPort !== 0) for (const msg of isValidPortNum(hostPort)) errs.push(invalid(`${p}.hostPort`, hostPort, msg));
    const protocol = port.protocol ?? '';
    if (protocol.length === 0) errs.push(required(`${p}.protocol`, ''));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) errs.push(notSupported(`${p}.protocol`, protocol, SUPPORTED_PORT_PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: Container['env'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const name = ev.name ?? '';
    if (name.length === 0) errs.push(required(`${path}[${i}].name`, ''));
    else for (const msg of isRelaxedEnvVarName(name)) errs.push(invalid(`${path}[${i}].name`, name, msg));
  });
  return errs;
}

function validatePullPolicy(policy: string | undefined, path: string): FieldError[] {
  const p = policy ?? '';
  if (SUPPORTED_PULL_POLICIES.includes(p)) return [];
  if (p === '') return [required(path, '')];
  return [notSupported(path, p, SUPPORTED_PULL_POLICIES)];
}

/** validateHandler over the handler kinds kubemu models (exec, httpGet, tcpSocket). */
function validateProbeHandler(probe: Probe, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  if (probe.exec !== undefined) {
    handlers++;
    if ((probe.exec.command ?? []).length === 0) errs.push(required(`${path}.exec.command`, ''));
  }
  if (probe.httpGet !== undefined) {
    if (handlers > 0) errs.push(forbidden(`${path}.httpGet`, 'may not specify more than 1 handler type'));
    else {
      handlers++;
      const h = probe.httpGet;
      if ((h.path ?? '').length === 0) errs.push(required(`${path}.httpGet.path`, ''));
      errs.push(...validatePortNumOrName(h.port, `${path}.httpGet.port`));
      if (!['HTTP', 'HTTPS'].includes(h.scheme ?? '')) errs.push(notSupported(`${path}.httpGet.scheme`, h.scheme ?? '', ['HTTP', 'HTTPS']));
    }
  }
  if (probe.tcpSocket !== undefined) {
    if (handlers > 0) errs.push(forbidden(`${path}.tcpSocket`, 'may not specify more than 1 handler type'));
    else {
      handlers++;
      errs.push(...validatePortNumOrName(probe.tcpSocket.port, `${path}.tcpSocket.port`));
    }
  }
  if (handlers === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe, path: string): FieldError[] {
  const errs = validateProbeHandler(probe, path);
  errs.push(...validateNonnegativeField(probe.initialDelaySeconds ?? 0, `${path}.initialDelaySeconds`));
  errs.push(...validateNonnegativeField(probe.timeoutSeconds ?? 0, `${path}.timeoutSeconds`));
  errs.push(...validateNonnegativeField(probe.periodSeconds ?? 0, `${path}.periodSeconds`));
  errs.push(...validateNonnegativeField(probe.successThreshold ?? 0, `${path}.successThreshold`));
  errs.push(...validateNonnegativeField(probe.failureThreshold ?? 0, `${path}.failureThreshold`));
  return errs;
}

/** validateContainerCommon: name, image, ports, env, imagePullPolicy. */
function validateContainerCommon(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = c.name ?? '';
  if (name.length === 0) errs.push(required(`${path}.name`, ''));
  else errs.push(...validateDNS1123Label(name, `${path}.name`));
  if ((c.image ?? '').length === 0) errs.push(required(`${path}.image`, ''));
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validatePullPolicy(c.imagePullPolicy, `${path}.imagePullPolicy`));
  return errs;
}

/** AccumulateUniqueHostPorts: "<protocol>/<hostIP>/<hostPort>" must be unique across containers. */
function checkHostPortConflicts(containers: Container[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      const hostPort = p.hostPort ?? 0;
      if (hostPort === 0) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${hostPort}`;
      if (seen.has(key)) {
        errs.push({ type: 'FieldValueDuplicate', field: `${path}[${ci}].ports[${pi}].hostPort`, badValue: key, detail: '' });
      } else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: Container[] | undefined, path: string): FieldError[] {
  if (containers === undefined || containers.length === 0) return [required(path, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, p));
    const name = c.name ?? '';
    if (names.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, badValue: name, detail: '' });
    else names.add(name);
    if (c.livenessProbe !== undefined) {
      errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`));
      if ((c.livenessProbe.successThreshold ?? 0) !== 1) {
        errs.push(invalid(`${p}.livenessProbe.successThreshold`, c.livenessProbe.successThreshold ?? 0, 'must be 1'));
      }
    }
    if (c.readinessProbe !== undefined) errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

/** ValidatePodSpec, in upstream order, over the fields kubemu models. */
export function validatePodSpec(spec: PodSpec | undefined, path: string, opts: PodSpecValidationOptions): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined) errs.push(required(`${path}.terminationGracePeriodSeconds`, ''));
  errs.push(...validateContainers(s.containers, `${path}.containers`));

  if (s.hostNetwork === true) {
    (s.containers ?? []).forEach((c, ci) => {
      (c.ports ?? []).forEach((p, pi) => {
        const hp = p.hostPort ?? 0;
        const cp = p.containerPort ?? 0;
        // In a Pod the hostPort has been defaulted to containerPort; a template may leave it 0.
        if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
          errs.push(invalid(`${path}.containers[${ci}].ports[${pi}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }

  const restartPolicy = s.restartPolicy ?? '';
  if (restartPolicy === '') errs.push(required(`${path}.restartPolicy`, ''));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) {
    errs.push(notSupportedInOrder(`${path}.restartPolicy`, restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  const dnsPolicy = s.dnsPolicy ?? '';
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dnsPolicy === '') errs.push(required(`${path}.dnsPolicy`, ''));
  else if (!dnsPolicies.includes(dnsPolicy)) errs.push(notSupportedInOrder(`${path}.dnsPolicy`, dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  // validatePodDNSConfig: dnsPolicy None requires a dnsConfig, which kubemu does not model.
  if (dnsPolicy === 'None') errs.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));

  const sa = s.serviceAccountName ?? '';
  if (sa.length > 0) for (const msg of nameIsDNSSubdomain(sa, false)) errs.push(invalid(`${path}.serviceAccountName`, sa, msg));
  const nodeName = s.nodeName ?? '';
  if (nodeName.length > 0) for (const msg of nameIsDNSSubdomain(nodeName, false)) errs.push(invalid(`${path}.nodeName`, nodeName, msg));
  if ((s.hostname ?? '').length > 0) errs.push(...validateDNS1123Label(s.hostname!, `${path}.hostname`));
  if ((s.subdomain ?? '').length > 0) errs.push(...validateDNS1123Label(s.subdomain!, `${path}.subdomain`));
  return errs;
}

/** ValidatePodTemplateSpec: template labels, annotations, then the pod spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  const errs = validateLabels(t?.metadata?.labels, `${path}.labels`);
  errs.push(...validateAnnotations(t?.metadata?.annotations, `${path}.annotations`));
  errs.push(...validatePodSpec(t?.spec, `${path}.spec`, { resourceIsPod: false }));
  return errs;
}

function validateContainersOnlyForPod(containers: Container[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const image = c.image ?? '';
    if (image.length !== image.trim().length) errs.push(invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** validatePodMetadataAndSpec. */
function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, 'metadata');
  errs.push(...validatePodSpec(pod.spec, 'spec', { resourceIsPod: true }));
  errs.push(...validateContainersOnlyForPod(pod.spec?.containers, 'spec.containers'));
  return errs;
}

/** ValidatePodCreate. */
export function validatePod(pod: Pod): FieldError[] {
  return validatePodMetadataAndSpec(pod);
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A line per changed top-level PodSpec field, standing in for Go's cmp.Diff output (derived). */
function specDiff(oldSpec: PodSpec, newSpec: PodSpec): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines: string[] = ['  core.PodSpec{'];
  for (const k of keys) {
    const a = JSON.stringify((oldSpec as Record<string, unknown>)[k]);
    const b = JSON.stringify((newSpec as Record<string, unknown>)[k]);
    if (a === b) continue;
    if (a !== undefined) lines.push(`- \t${k}: ${a},`);
    if (b !== undefined) lines.push(`+ \t${k}: ${b},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** ValidatePodUpdate: only container images may change in the spec (kubemu models no tolerations). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, 'metadata');
  errs.push(...validatePodMetadataAndSpec(pod));
  const newContainers = pod.spec?.containers ?? [];
  const oldContainers = old.spec?.containers ?? [];
  if (newContainers.length !== oldContainers.length) {
    errs.push(forbidden('spec.containers', 'pod updates may not add or remove containers'));
    return errs;
  }
  newContainers.forEach((c, i) => {
    const image = c.image ?? '';
    if (image.length === 0) errs.push(required(`spec.containers[${i}].image`, ''));
    if (image.trim().length !== image.length) errs.push(invalid(`spec.containers[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  const oldSpec = old.spec ?? {};
  const munged: PodSpec = { ...(pod.spec ?? {}) };
  if (munged.containers !== undefined) munged.containers = munged.containers.map((c, i) => ({ ...c, image: oldContainers[i]!.image }));
  if (!semanticDeepEqual(munged, oldSpec)) {
    errs.push(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(canonical(oldSpec) as PodSpec, canonical(munged) as PodSpec)}`,
      ),
    );
  }
  return errs;
}

/** Key-sorted deep copy with undefined members dropped, so JSON comparison is order-independent. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}
