// Services go through the Service registry (allocation, strategy, validation in kube-apiserver's
// order); this adapts its answers to the generic decider's.
import { statusInternalError, type Status } from '../api/status.js';
import type { FieldError } from '../api/field-errors.js';
import type { KubeObject, Service } from '../api/types.js';
import { createService, updateService, type ServiceRegistryFailure, type ServiceRegistryResult } from '../service/registry.js';
import { allocationConfigFor, type ApiState } from './api-state.js';
import type { AdmissionContext } from './admit.js';

export type ServiceAdmission =
  | { ok: true; service: KubeObject; notes: string[] }
  | { ok: false; errors: FieldError[]; status?: Status };

function failure(f: ServiceRegistryFailure): ServiceAdmission {
  if (f.reason === 'Invalid') return { ok: false, errors: f.errors };
  const status: Status =
    f.reason === 'InternalError'
      ? statusInternalError(f.message.replace(/^Internal error occurred: /, ''))
      : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: f.message, code: 500 };
  return { ok: false, errors: [], status };
}

function allocationNotes(svc: Service, before?: Service): string[] {
  const notes: string[] = [];
  const ips = svc.spec?.clusterIPs ?? [];
  if (ips.join(',') !== (before?.spec?.clusterIPs ?? []).join(',') && ips.length > 0 && ips[0] !== 'None') notes.push(`clusterIPs ${ips.join(',')}`);
  const ports = (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p > 0);
  const oldPorts = (before?.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p > 0);
  if (ports.join(',') !== oldPorts.join(',') && ports.length > 0) notes.push(`nodePorts ${ports.join(',')}`);
  const hc = svc.spec?.healthCheckNodePort ?? 0;
  if (hc > 0 && hc !== (before?.spec?.healthCheckNodePort ?? 0)) notes.push(`healthCheckNodePort ${hc}`);
  return notes;
}

function registryContext(ctx: AdmissionContext) {
  return { random: ctx.random, config: allocationConfigFor(ctx.config) };
}

function result(r: ServiceRegistryResult, before?: Service): ServiceAdmission {
  if (!r.ok) return failure(r);
  return { ok: true, service: r.service, notes: allocationNotes(r.service, before) };
}

export function admitServiceCreate(obj: KubeObject, state: ApiState, ctx: AdmissionContext): ServiceAdmission {
  return result(createService(obj as Service, state.allocations, registryContext(ctx)));
}

/** For a /status update the spec is the old one; the registry still runs so defaults and checks hold. */
export function admitServiceUpdate(obj: KubeObject, old: KubeObject, state: ApiState, ctx: AdmissionContext, _statusOnly: boolean): ServiceAdmission {
  return result(updateService(obj as Service, old as Service, state.allocations, registryContext(ctx)), old as Service);
}
