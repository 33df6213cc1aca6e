// Pod defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_Pod, SetDefaults_PodSpec,
// SetDefaults_Container, SetDefaults_Probe, SetDefaults_HTTPGetAction) and the declarative
// `+default="TCP"` on ContainerPort.protocol (zz_generated.defaults.go). Only fields present in
// kubemu's types are defaulted.

import type { Container, Pod, PodSpec, PodTemplateSpec, Probe } from '../api/types.js';

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * The image tag as parsers.ParseImageName sees it: the tag of the last path component, "latest"
 * when there is neither tag nor digest, "" for a digest-only or unparseable reference.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastComponent = withoutDigest.slice(lastSlash + 1);
  const colon = lastComponent.lastIndexOf(':');
  const tag = colon >= 0 ? lastComponent.slice(colon + 1) : '';
  const repo = withoutDigest.slice(0, withoutDigest.length - (colon >= 0 ? tag.length + 1 : 0));
  // docker/distribution reference grammar: lower-case repository path, [\w][\w.-]{0,127} tag.
  if (repo === '' || /[A-Z]/.test(repo.slice(repo.indexOf('/') + 1)) || (colon >= 0 && !/^[\w][\w.-]{0,127}$/.test(tag))) return '';
  if (tag === '' && at < 0) return 'latest';
  return tag;
}

function setDefaultsProbe(p: Probe | undefined): Probe | undefined {
  if (p === undefined) return undefined;
  const out: Probe = { ...p };
  if (out.httpGet !== undefined) {
    out.httpGet = { ...out.httpGet };
    if (!out.httpGet.path) out.httpGet.path = '/';
    if (!out.httpGet.scheme) out.httpGet.scheme = 'HTTP';
  }
  if (!out.timeoutSeconds) out.timeoutSeconds = 1;
  if (!out.periodSeconds) out.periodSeconds = 10;
  if (!out.successThreshold) out.successThreshold = 1;
  if (!out.failureThreshold) out.failureThreshold = 3;
  return out;
}

/** SetDefaults_Container plus the defaults of its nested ports and probes. */
export function setDefaultsContainer(c: Container): Container {
  const out: Container = { ...c };
  if (!out.imagePullPolicy) out.imagePullPolicy = imageTag(out.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (out.ports !== undefined) out.ports = out.ports.map((p) => (p.protocol ? { ...p } : { ...p, protocol: 'TCP' }));
  if (out.readinessProbe !== undefined) out.readinessProbe = setDefaultsProbe(out.readinessProbe);
  if (out.livenessProbe !== undefined) out.livenessProbe = setDefaultsProbe(out.livenessProbe);
  return out;
}

/** SetDefaults_PodSpec: applied to Pods and to every pod template. */
export function setDefaultsPodSpec(spec: PodSpec | undefined): PodSpec {
  const out: PodSpec = { ...(spec ?? {}) };
  if (!out.dnsPolicy) out.dnsPolicy = 'ClusterFirst';
  if (!out.restartPolicy) out.restartPolicy = 'Always';
  if (out.terminationGracePeriodSeconds === undefined) out.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!out.schedulerName) out.schedulerName = DEFAULT_SCHEDULER_NAME;
  if (out.containers !== undefined) out.containers = out.containers.map(setDefaultsContainer);
  return out;
}

export function setDefaultsPodTemplateSpec(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const out: PodTemplateSpec = structuredClone(t ?? {});
  out.spec = setDefaultsPodSpec(out.spec);
  return out;
}

/** SetDefaults_Pod + SetDefaults_PodSpec: a new, defaulted Pod. */
export function setDefaultsPod(pod: Pod): Pod {
  const out: Pod = structuredClone(pod);
  const spec = setDefaultsPodSpec(out.spec);
  if (spec.containers !== undefined) {
    spec.containers = spec.containers.map((c) => {
      const r = c.resources;
      // Requests default to limits when only limits are given (Pods only, not templates).
      if (r?.limits === undefined) return c;
      return { ...c, resources: { ...r, requests: { ...r.limits, ...(r.requests ?? {}) } } };
    });
    if (spec.hostNetwork === true) {
      spec.containers = spec.containers.map((c) =>
        c.ports === undefined ? c : { ...c, ports: c.ports.map((p) => (p.hostPort ? p : { ...p, hostPort: p.containerPort })) },
      );
    }
  }
  out.spec = spec;
  return out;
}
