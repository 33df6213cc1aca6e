// The api-store's decider: (request, state) → the event to append, or the Status error
// kube-apiserver would answer. Generic registry rules (genericregistry.Store, rest.BeforeCreate/
// BeforeUpdate, the kinds' strategies) live here; Service allocation is service/registry.ts.
import type { FieldError } from '../api/field-errors.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import {
  statusAlreadyExists,
  statusBadRequest,
  statusConflict,
  statusForbidden,
  statusInternalError,
  statusInvalid,
  statusNotFound,
  type Status,
} from '../api/status.js';
import type { KubeObject, ObjectMeta } from '../api/types.js';
import type { Random } from '../random.js';
import { getObject, type WatchEventType } from '../store/object-store.js';
import { setDefaults, validate } from './defaults-and-validation.js';
import type { ApiState } from './api-state.js';
import { admitServiceCreate, admitServiceUpdate } from './service-admission.js';

export interface AdmissionConfig {
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
}

export interface AdmissionContext {
  now: Date;
  random: Random;
  newUid: () => string;
  config: AdmissionConfig;
}

export type Decision =
  | { ok: true; write: { type: WatchEventType; object: KubeObject }; notes: string[] }
  | { ok: true; noop: KubeObject }
  | { ok: false; status: Status };

/** Kinds whose status is written through /status only (they have a status subresource). */
const STATUS_SUBRESOURCE = new Set(['Service', 'Pod', 'Node', 'Namespace', 'Deployment', 'ReplicaSet', 'StatefulSet']);
/** Kinds whose strategy sets metadata.generation and bumps it on spec changes. */
const TRACKS_GENERATION = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Pod']);
/** AllowCreateOnUpdate() of the kinds' strategies. */
const CREATE_ON_UPDATE = new Set(['Endpoints', 'Lease', 'Node', 'Event']);
/** Namespaces kube-apiserver refuses to delete (pkg/registry/core/namespace/storage). */
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'; // k8s.io/apimachinery/pkg/util/rand
const GENERATED_SUFFIX_LENGTH = 5;
const MAX_GENERATE_NAME_LENGTH = 63 - GENERATED_SUFFIX_LENGTH; // names.SimpleNameGenerator

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(status: Status): Decision {
  return { ok: false, status };
}

function checkTypeMeta(r: ResourceInfo, body: KubeObject): Status | undefined {
  const expected = apiVersionOf(r);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    return statusBadRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== r.kind) {
    return statusBadRequest(`the kind in the data (${body.kind}) does not match the expected kind (${r.kind})`);
  }
  return undefined;
}

function namespaceCheck(r: ResourceInfo, meta: ObjectMeta, urlNamespace: string | undefined): Status | undefined {
  if (!r.namespaced) {
    if (meta.namespace) delete meta.namespace;
    return undefined;
  }
  if (meta.namespace && urlNamespace && meta.namespace !== urlNamespace) {
    return statusBadRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = meta.namespace || urlNamespace || 'default';
  return undefined;
}

function namespaceState(state: ApiState, namespace: string): 'missing' | 'terminating' | 'active' {
  const ns = getObject(state.store, 'Namespace', '', namespace);
  if (!ns) return 'missing';
  return ns.object.metadata?.deletionTimestamp || (ns.object as { status?: { phase?: string } }).status?.phase === 'Terminating'
    ? 'terminating'
    : 'active';
}

function generateName(prefix: string, random: Random): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) suffix += NAME_SUFFIX_ALPHABET[random.int(NAME_SUFFIX_ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATE_NAME_LENGTH) + suffix;
}

/** What PrepareForCreate does to status for each kind. */
function prepareStatusForCreate(kind: string, obj: Record<string, unknown>): void {
  switch (kind) {
    case 'Service':
      obj.status = { loadBalancer: {} };
      break;
    case 'Pod':
      obj.status = { phase: 'Pending' };
      break;
    case 'Namespace':
      obj.status = { phase: 'Active' };
      obj.spec = { finalizers: ['kubernetes'], ...(isObject(obj.spec) ? obj.spec : {}) };
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      obj.status = {};
      break;
  }
}

function stripSystemFields(kind: string, obj: Record<string, unknown>): void {
  if (!STATUS_SUBRESOURCE.has(kind)) return;
  if (kind === 'Node') return; // the kubelet creates its Node with status (nodeStrategy keeps it)
  delete obj.status;
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o as Record<string, unknown>;
  return JSON.stringify(rest);
}

export function admitCreate(r: ResourceInfo, body: unknown, urlNamespace: string | undefined, state: ApiState, ctx: AdmissionContext): Decision {
  if (!isObject(body)) return fail(statusBadRequest(`Object '${r.kind}' is missing in '${JSON.stringify(body)}'`));
  const obj = structuredClone(body) as Record<string, unknown> & KubeObject;
  const typeErr = checkTypeMeta(r, obj);
  if (typeErr) return fail(typeErr);
  obj.apiVersion = apiVersionOf(r);
  obj.kind = r.kind;
  const meta: ObjectMeta = isObject(obj.metadata) ? (obj.metadata as ObjectMeta) : {};
  obj.metadata = meta;
  const nsErr = namespaceCheck(r, meta, urlNamespace);
  if (nsErr) return fail(nsErr);
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
    return fail(statusInternalError('resourceVersion should not be set on objects to be created'));
  }
  delete meta.resourceVersion;
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName, ctx.random);
  // rest.FillObjectMetaSystemFields
  meta.uid = ctx.newUid();
  meta.creationTimestamp = rfc3339(ctx.now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (TRACKS_GENERATION.has(r.kind)) meta.generation = 1;
  else delete meta.generation;
  stripSystemFields(r.kind, obj);
  prepareStatusForCreate(r.kind, obj);

  if (r.kind === 'Service') {
    const name = meta.name ?? '';
    const nsStatus = r.namespaced ? namespaceGate(r, state, meta.namespace!, name) : undefined;
    const result = admitServiceCreate(obj, state, ctx);
    if (!result.ok) return fail(result.status ?? statusInvalid(r, name, result.errors));
    if (nsStatus) return fail(nsStatus);
    if (getObject(state.store, r.kind, meta.namespace!, name)) return fail(statusAlreadyExists(r, name));
    return { ok: true, write: { type: 'ADDED', object: result.service }, notes: result.notes };
  }

  const defaulted = setDefaults(r.kind, obj) as KubeObject;
  const errors = validate(r.kind, defaulted);
  const name = meta.name ?? '';
  if (errors.length > 0) return fail(statusInvalid(r, name, errors));
  if (r.namespaced) {
    const nsStatus = namespaceGate(r, state, meta.namespace!, name);
    if (nsStatus) return fail(nsStatus);
  }
  if (getObject(state.store, r.kind, r.namespaced ? meta.namespace! : '', name)) return fail(statusAlreadyExists(r, name));
  return { ok: true, write: { type: 'ADDED', object: defaulted }, notes: [] };
}

/** The NamespaceLifecycle admission plugin. */
function namespaceGate(r: ResourceInfo, state: ApiState, namespace: string, _name: string): Status | undefined {
  const s = namespaceState(state, namespace);
  if (s === 'missing') return statusNotFound({ group: '', resource: 'namespaces' }, namespace);
  if (s === 'terminating') {
    return statusForbidden(r, _name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
  return undefined;
}

export interface UpdateOptions {
  /** 'finalize': namespaces/<name>/finalize, the only way a Namespace's spec.finalizers change. */
  subresource?: 'status' | 'finalize';
}

export function admitUpdate(
  r: ResourceInfo,
  body: unknown,
  urlNamespace: string | undefined,
  urlName: string,
  state: ApiState,
  ctx: AdmissionContext,
  options: UpdateOptions = {},
): Decision {
  if (!isObject(body)) return fail(statusBadRequest(`Object '${r.kind}' is missing in '${JSON.stringify(body)}'`));
  const obj = structuredClone(body) as Record<string, unknown> & KubeObject;
  const typeErr = checkTypeMeta(r, obj);
  if (typeErr) return fail(typeErr);
  obj.apiVersion = apiVersionOf(r);
  obj.kind = r.kind;
  const meta: ObjectMeta = isObject(obj.metadata) ? (obj.metadata as ObjectMeta) : {};
  obj.metadata = meta;
  const nsErr = namespaceCheck(r, meta, urlNamespace);
  if (nsErr) return fail(nsErr);
  if (meta.name !== undefined && meta.name !== urlName) {
    return fail(statusBadRequest(`the name of the object (${meta.name}) does not match the name on the URL (${urlName})`));
  }
  meta.name = urlName;
  const namespace = r.namespaced ? meta.namespace! : '';
  const existing = getObject(state.store, r.kind, namespace, urlName);
  if (!existing) {
    if (CREATE_ON_UPDATE.has(r.kind) && options.subresource === undefined) {
      delete meta.resourceVersion;
      return admitCreate(r, obj, urlNamespace, state, ctx);
    }
    return fail(statusNotFound(r, urlName));
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== String(existing.revision)) {
    return fail(statusConflict(r, urlName));
  }
  const old = existing.object as Record<string, unknown> & KubeObject;
  const oldMeta = old.metadata ?? {};
  if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== oldMeta.uid) {
    return fail(statusConflict(r, urlName, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid}`));
  }

  let next: Record<string, unknown> & KubeObject;
  if (options.subresource === 'finalize') {
    // namespace storage FinalizeREST / namespaceFinalizeStrategy: only spec.finalizers change.
    next = structuredClone(old);
    const finalizers = isObject(obj.spec) && Array.isArray(obj.spec.finalizers) ? (obj.spec.finalizers as string[]) : [];
    next.spec = { ...(isObject(old.spec) ? old.spec : {}), finalizers: [...finalizers] };
  } else if (options.subresource === 'status') {
    // statusStrategy.PrepareForUpdate: only status changes; metadata and spec stay as they were.
    next = structuredClone(old);
    if (obj.status !== undefined) next.status = obj.status;
    else delete next.status;
    if (r.kind === 'Deployment') {
      // deploymentStatusStrategy.PrepareForUpdate resets only spec and labels: the controller writes
      // the deployment.kubernetes.io/revision annotation with the status.
      const annotations = isObject(meta.annotations) ? meta.annotations : undefined;
      next.metadata = { ...next.metadata };
      if (annotations !== undefined && Object.keys(annotations).length > 0) next.metadata.annotations = { ...annotations };
      else delete next.metadata.annotations;
    }
  } else {
    next = obj;
    next.metadata = {
      ...meta,
      uid: oldMeta.uid,
      creationTimestamp: oldMeta.creationTimestamp,
      ...(oldMeta.deletionTimestamp ? { deletionTimestamp: oldMeta.deletionTimestamp } : {}),
      ...(oldMeta.deletionGracePeriodSeconds !== undefined ? { deletionGracePeriodSeconds: oldMeta.deletionGracePeriodSeconds } : {}),
    };
    if (oldMeta.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
    if (STATUS_SUBRESOURCE.has(r.kind)) {
      if (old.status !== undefined) next.status = structuredClone(old.status);
      else delete next.status;
    }
    if (r.kind === 'Namespace') {
      // Namespace spec.finalizers change only through /finalize.
      next.spec = structuredClone(old.spec);
    }
  }
  const nextMeta = next.metadata!;
  delete nextMeta.resourceVersion;
  if (TRACKS_GENERATION.has(r.kind)) {
    const oldGen = oldMeta.generation ?? 1;
    nextMeta.generation = specOf(next) !== specOf(old) ? oldGen + 1 : oldGen;
  } else delete nextMeta.generation;

  let result: KubeObject;
  let notes: string[] = [];
  if (r.kind === 'Service') {
    const svc = admitServiceUpdate(next, old, state, ctx, options.subresource === 'status');
    if (!svc.ok) return fail(svc.status ?? statusInvalid(r, urlName, svc.errors));
    result = svc.service;
    notes = svc.notes;
  } else {
    const defaulted = setDefaults(r.kind, next) as KubeObject;
    const errors: FieldError[] = validate(r.kind, defaulted, old);
    if (errors.length > 0) return fail(statusInvalid(r, urlName, errors));
    result = defaulted;
  }
  const oldDeletion = oldMeta.deletionTimestamp;
  if (oldDeletion !== undefined && (result.metadata?.finalizers ?? []).length === 0 && namespaceFinalized(result)) {
    // The last finalizer is gone from an object being deleted: the update completes the delete.
    return { ok: true, write: { type: 'DELETED', object: withoutRv(result) }, notes: ['finalizers removed'] };
  }
  const stripped = withoutRv(old);
  if (JSON.stringify(stripped) === JSON.stringify(result)) return { ok: true, noop: existing.object };
  return { ok: true, write: { type: 'MODIFIED', object: result }, notes };
}

/** A Namespace is deleted only once its spec.finalizers are empty too (namespace storage Delete); other kinds have none. */
function namespaceFinalized(o: KubeObject): boolean {
  if (o.kind !== 'Namespace') return true;
  return ((o as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).length === 0;
}

function withoutRv(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  if (c.metadata) delete c.metadata.resourceVersion;
  return c;
}

export interface DeleteOptions {
  preconditions?: { resourceVersion?: string; uid?: string };
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
}

export function admitDelete(
  r: ResourceInfo,
  urlNamespace: string | undefined,
  urlName: string,
  state: ApiState,
  ctx: AdmissionContext,
  options: DeleteOptions = {},
): Decision {
  const namespace = r.namespaced ? (urlNamespace ?? 'default') : '';
  const existing = getObject(state.store, r.kind, namespace, urlName);
  if (!existing) return fail(statusNotFound(r, urlName));
  const pre = options.preconditions ?? {};
  if (pre.resourceVersion && pre.resourceVersion !== String(existing.revision)) {
    return fail(
      statusConflict(
        r,
        urlName,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.revision}`,
      ),
    );
  }
  if (pre.uid && pre.uid !== existing.object.metadata?.uid) {
    return fail(statusConflict(r, urlName, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.object.metadata?.uid ?? ''}`));
  }
  const object = withoutRv(existing.object) as Record<string, unknown> & KubeObject;
  const meta = object.metadata!;

  if (r.kind === 'Namespace') {
    if (UNDELETABLE_NAMESPACES.has(urlName)) return fail(statusForbidden(r, urlName, 'this namespace may not be deleted'));
    if (meta.deletionTimestamp) {
      // namespace storage Delete: the final delete waits until the namespace controller has finalized it.
      if (namespaceFinalized(object) && (meta.finalizers ?? []).length === 0) return { ok: true, write: { type: 'DELETED', object }, notes: [] };
      return { ok: true, noop: existing.object };
    }
    const empty = ![...state.store.objects.values()].some((v) => v.kind !== 'Namespace' && v.object.metadata?.namespace === urlName);
    if (!empty) {
      // The namespace controller (controller-manager) empties it and removes the finalizer.
      meta.deletionTimestamp = rfc3339(ctx.now);
      object.status = { phase: 'Terminating' };
      return { ok: true, write: { type: 'MODIFIED', object }, notes: ['namespace terminating'] };
    }
    return { ok: true, write: { type: 'DELETED', object }, notes: [] };
  }

  if (r.kind === 'Pod') {
    const grace = options.gracePeriodSeconds ?? meta.deletionGracePeriodSeconds ?? (object as { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds ?? 30;
    const scheduled = Boolean((object as { spec?: { nodeName?: string } }).spec?.nodeName);
    const phase = (object as { status?: { phase?: string } }).status?.phase;
    const finished = phase === 'Succeeded' || phase === 'Failed';
    // pod strategy CheckGracefulDelete: unscheduled or finished pods go at once.
    if (scheduled && !finished && grace > 0) {
      if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? grace) <= grace) return { ok: true, noop: existing.object };
      meta.deletionTimestamp = rfc3339(new Date(ctx.now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      return { ok: true, write: { type: 'MODIFIED', object }, notes: [`graceful deletion, ${grace}s`] };
    }
  }

  if ((meta.finalizers ?? []).length > 0) {
    if (meta.deletionTimestamp) return { ok: true, noop: existing.object };
    meta.deletionTimestamp = rfc3339(ctx.now);
    meta.deletionGracePeriodSeconds = 0;
    return { ok: true, write: { type: 'MODIFIED', object }, notes: ['waiting for finalizers'] };
  }
  return { ok: true, write: { type: 'DELETED', object }, notes: [] };
}
