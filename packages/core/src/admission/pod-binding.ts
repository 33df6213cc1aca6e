// POST pods/<name>/binding: kube-apiserver's BindingREST.Create (pkg/registry/core/pod/storage/
// storage.go) with ValidatePodBinding (pkg/apis/core/validation). The change to the pod itself is
// the scheduler package's applyBinding (setPodNodeAndMetadata); this file is the request around it.
import type { FieldError } from '../api/field-errors.js';
import { resourceByKind } from '../api/resources.js';
import { statusBadRequest, statusConflict, statusInvalid, statusNotFound, type Status } from '../api/status.js';
import type { KubeObject, Pod } from '../api/types.js';
import { applyBinding, type Binding } from '../scheduler/binding.js';
import { getObject } from '../store/object-store.js';
import { rfc3339, type AdmissionContext, type Decision } from './admit.js';
import type { ApiState } from './api-state.js';

const PODS = resourceByKind('Pod')!;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Status kube-apiserver answers a successful binding with (201 Created). */
export function bindingCreatedStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** validation.ValidatePodBinding. */
function validateBinding(binding: Binding): FieldError[] {
  const errors: FieldError[] = [];
  const kind = binding.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node') {
    errors.push({ type: 'FieldValueNotSupported', field: 'target.kind', badValue: kind, detail: 'supported values: "Node"' });
  }
  if (!binding.target?.name) errors.push({ type: 'FieldValueRequired', field: 'target.name', detail: '' });
  return errors;
}

/** The pod write a binding makes, or the Status kube-apiserver answers. */
export function admitPodBinding(body: unknown, urlNamespace: string, urlName: string, state: ApiState, ctx: AdmissionContext): Decision {
  if (!isObject(body)) return { ok: false, status: statusBadRequest(`Object 'Binding' is missing in '${JSON.stringify(body)}'`) };
  const binding = body as unknown as Binding;
  const meta = binding.metadata ?? {};
  if (meta.namespace && meta.namespace !== urlNamespace) {
    return { ok: false, status: statusBadRequest('the namespace of the provided object does not match the namespace sent on the request') };
  }
  // BindingREST.Create: "name in URL does not match name in Binding object".
  if (meta.name !== undefined && meta.name !== urlName) return { ok: false, status: statusBadRequest('name in URL does not match name in Binding object') };
  const errors = validateBinding(binding);
  if (errors.length > 0) return { ok: false, status: statusInvalid({ group: '', kind: 'Binding' }, urlName, errors) };
  const existing = getObject(state.store, 'Pod', urlNamespace, urlName);
  if (!existing) return { ok: false, status: statusNotFound(PODS, urlName) };
  const pod = existing.object as Pod;
  if (meta.uid && meta.uid !== pod.metadata?.uid) {
    return { ok: false, status: statusConflict(PODS, urlName, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${pod.metadata?.uid ?? ''}`) };
  }
  const outcome = applyBinding(pod, binding, rfc3339(ctx.now));
  if ('conflict' in outcome) return { ok: false, status: statusConflict(PODS, urlName, outcome.conflict) };
  const object = structuredClone(outcome.pod) as KubeObject;
  if (object.metadata) delete object.metadata.resourceVersion;
  return { ok: true, write: { type: 'MODIFIED', object }, notes: [`bound to ${binding.target.name}`] };
}
