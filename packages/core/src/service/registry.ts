import { aggregateMessage, type FieldError } from '../api/field-errors.js';
import type { Service } from '../api/types.js';
import type { Random } from '../random.js';
import {
  allocateCreate,
  allocateUpdate,
  commitAllocations,
  releaseAllocations,
  sameServiceAllocationConfig,
  type AllocationContext,
  type AllocationFailure,
  type ServiceAllocationConfig,
  type ServiceAllocations,
} from './allocation.js';
import { setDefaultsService } from './defaults.js';
import { defaultOnReadService, normalizeClusterIPs, patchAllocatedValues } from './registry-storage.js';
import { prepareForCreate, prepareForUpdate } from './registry-strategy.js';
import { validateService, validateServiceClusterIPsRelatedFields, validateServiceUpdate } from './validation.js';

// Create, update and delete of a Service in kube-apiserver's order.
//
// Decoding defaults the object (SetDefaults_Service). Then staging/src/k8s.io/apiserver/pkg/registry/
// generic/registry/store.go runs BeginCreate/BeginUpdate *before* BeforeCreate/BeforeUpdate: the
// Service storage's hooks (storage.go beginCreate/beginUpdate) allocate clusterIPs and nodePorts
// first, and only then does the strategy prepare (PrepareForCreate/PrepareForUpdate) and validate
// the object. So a user whose Service has both an out-of-range nodePort and, say, a bad port name
// sees only the allocation error; validation errors are reported only once allocation succeeded,
// and a validation failure gives back everything the request allocated (FinishFunc(false)).
//
// The metadata work of the generic store (uid, resourceVersion, generation, creationTimestamp,
// generateName) is the caller's: set metadata.uid before createService, as FillObjectMetaSystemFields
// does before BeginCreate.

export interface ServiceRegistryContext {
  readonly random: Random;
  readonly config: ServiceAllocationConfig;
}

/**
 * A rejected request, as kube-apiserver answers it (`message` is the Status message):
 * `Invalid` (422, errors.NewInvalid: `Service "<name>" is invalid: ...`), `InternalError` (500,
 * errors.NewInternalError: `Internal error occurred: ...`), or `Unknown` (500,
 * metav1.StatusReasonUnknown "": a plain Go error the registry returned, its text as the message).
 * `errors` holds the field errors of an Invalid answer and is empty otherwise.
 */
export interface ServiceRegistryFailure {
  readonly ok: false;
  readonly reason: 'Invalid' | 'InternalError' | 'Unknown';
  readonly errors: FieldError[];
  readonly message: string;
}

export type ServiceRegistryResult =
  | { readonly ok: true; readonly service: Service; readonly state: ServiceAllocations }
  | ServiceRegistryFailure;

function failed(svc: Service, f: AllocationFailure): ServiceRegistryFailure {
  if (f.reason === 'Invalid') return invalidFailure(svc, f.errors);
  const message = f.reason === 'InternalError' ? `Internal error occurred: ${f.cause}` : f.cause;
  return { ok: false, reason: f.reason, errors: [], message };
}

/** errors.NewInvalid(api.Kind("Service"), name, errs). */
function invalidFailure(svc: Service, errors: FieldError[]): ServiceRegistryFailure {
  const name = svc.metadata?.name ?? '';
  return { ok: false, reason: 'Invalid', errors, message: `Service ${JSON.stringify(name)} is invalid: ${aggregateMessage(errors)}` };
}

/**
 * SetDefaults_Service (v1 defaults.go), which never touches clusterIPs, ipFamilies or
 * ipFamilyPolicy. setDefaultsService also runs the registry's normalizeClusterIPs and IP-family
 * defaulting for a single-stack IPv4 cluster; the registry runs those itself, in kube-apiserver's
 * order (after patchAllocatedValues on update) and for the configured families, so the user's
 * values of these fields are kept here.
 */
function decodeDefaults(input: Service): Service {
  const out = setDefaultsService(input);
  const spec = (out.spec ??= {});
  for (const k of ['clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const) {
    const v = input.spec?.[k];
    if (v === undefined) delete spec[k];
    else Object.assign(spec, { [k]: structuredClone(v) });
  }
  return out;
}

function allocationContext(state: ServiceAllocations, ctx: ServiceRegistryContext): AllocationContext {
  if (!sameServiceAllocationConfig(state.config, ctx.config)) {
    throw new Error('ServiceAllocations were built for another --service-cluster-ip-range or --service-node-port-range');
  }
  return { random: ctx.random, validateClusterIPsRelatedFields: validateServiceClusterIPsRelatedFields };
}

/** POST: defaulting, beginCreate (allocation), PrepareForCreate, ValidateService, commit. */
export function createService(input: Service, state: ServiceAllocations, ctx: ServiceRegistryContext): ServiceRegistryResult {
  const allocCtx = allocationContext(state, ctx);
  const defaulted = decodeDefaults(input);
  const alloc = allocateCreate(normalizeClusterIPs(defaulted, undefined), state, allocCtx);
  if (!alloc.ok) return failed(defaulted, alloc);
  const svc = prepareForCreate(alloc.service);
  const errors = validateService(svc);
  if (errors.length > 0) return invalidFailure(svc, errors);
  const committed = commitAllocations(alloc.txn, undefined, svc);
  if (!committed.ok) return failed(svc, committed);
  return { ok: true, service: svc, state: committed.state };
}

/**
 * PUT (and PATCH, once the patch is applied): defaulting, beginUpdate (defaultOnRead of the old
 * object, patchAllocatedValues, normalizeClusterIPs, allocation), PrepareForUpdate
 * (dropTypeDependentFields), ValidateServiceUpdate, commit (releases what the new object no longer holds).
 */
export function updateService(input: Service, old: Service, state: ServiceAllocations, ctx: ServiceRegistryContext): ServiceRegistryResult {
  const allocCtx = allocationContext(state, ctx);
  const before = defaultOnReadService(old, ctx.config.serviceCIDRs[0]!.family);
  const defaulted = decodeDefaults(input);
  const patched = normalizeClusterIPs(patchAllocatedValues(defaulted, before), before);
  const alloc = allocateUpdate(patched, before, state, allocCtx);
  if (!alloc.ok) return failed(patched, alloc);
  const svc = prepareForUpdate(alloc.service, before);
  const errors = validateServiceUpdate(svc, before);
  if (errors.length > 0) return invalidFailure(svc, errors);
  const committed = commitAllocations(alloc.txn, before, svc);
  if (!committed.ok) return failed(svc, committed);
  return { ok: true, service: svc, state: committed.state };
}

/**
 * The object is gone from storage (afterDelete: releaseAllocatedResources). A delete that only
 * sets deletionTimestamp because of finalizers releases nothing: call this when the object is removed.
 */
export function deleteService(old: Service, state: ServiceAllocations): { readonly state: ServiceAllocations } {
  return { state: releaseAllocations(state, old) };
}
