// The EndpointSlice controller's reconciler: Service + selected Pods + the slices it already manages
// → the slices to create, update and delete. A port of staging/src/k8s.io/endpointslice/reconciler.go
// (Reconcile, reconcileByAddressType, reconcileByPortMapping, finalize) and utils.go (podToEndpoint,
// getEndpointPorts, newEndpointSlice, setEndpointSliceLabels, getSliceToFill), with the selection
// done by pkg/controller/endpointslice/endpointslice_controller.go syncService folded in.
//
// Determinism. Upstream keeps desired endpoints in a Go map and pops them in random order, and
// orders slices to fill by iterating sets. kubemu must replay exactly, so:
//  - pods are processed in namespace/name order, and desired endpoints are popped in that order;
//  - an existing slice keeps its endpoints in their current positions, new ones are appended;
//  - existing slices are visited in name order; "fullest first" ties break by name;
//  - slice ports are kept in Service port order (upstream's order is an FNV hash order, which
//    carries no meaning; the port-mapping key is order-independent, so either order matches).
// The result: the same inputs always give the same writes, and a resync with nothing changed
// gives none.

import { selectorMatches } from '../api/label-selector.js';
import type { Endpoint, EndpointPort, EndpointSlice, Node, ObjectReference, Pod, Service } from '../api/types.js';
import {
  byPodName,
  findPort,
  hasManagedEndpoints,
  ipFamilyOf,
  isPodReady,
  isServiceIPSet,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type AddressFamily,
} from './pod-endpoints.js';

export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** kube-controller-manager --max-endpoints-per-slice: default 100, at most 1000. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
export const MAX_MAX_ENDPOINTS_PER_SLICE = 1000;

export interface EndpointSliceReconcileOptions {
  maxEndpointsPerSlice?: number;
  /**
   * The cluster's Nodes. When given, an endpoint gets its node's topology.kubernetes.io/zone, and a
   * pod whose node does not exist is left out (unless publishNotReadyAddresses) and reported, as
   * upstream does through its node lister. When absent, no zone and no node check.
   */
  nodes?: readonly Node[];
  /** RFC 3339 time of the change that triggered this sync; written on every created/updated slice. */
  lastChangeTriggerTime?: string;
}

export interface EndpointSliceChanges {
  /** New slices: metadata.generateName `<service>-` and no name; the api-store names them. */
  create: EndpointSlice[];
  /** Existing slices with new content, carrying their name and resourceVersion. */
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** "ns/name" of pods skipped because their node is unknown; upstream requeues the Service for these. */
  podsOnMissingNodes: string[];
}

/**
 * reconcileEndpointSlices is syncService + Reconciler.Reconcile for one Service. existingSlices may
 * be every slice the caller knows in the namespace: only those labelled for this Service and this
 * controller, and not being deleted, are considered (the lister selection of syncService).
 */
export function reconcileEndpointSlices(
  service: Service,
  pods: readonly Pod[],
  existingSlices: readonly EndpointSlice[],
  options: EndpointSliceReconcileOptions = {},
): EndpointSliceChanges {
  const maxEndpointsPerSlice = options.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  if (!Number.isInteger(maxEndpointsPerSlice) || maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > MAX_MAX_ENDPOINTS_PER_SLICE) {
    throw new RangeError(`maxEndpointsPerSlice must be an integer between 1 and ${MAX_MAX_ENDPOINTS_PER_SLICE}, got ${maxEndpointsPerSlice}`);
  }
  const changes: EndpointSliceChanges = { create: [], update: [], delete: [], podsOnMissingNodes: [] };
  // endpointslice_controller.go syncService: ExternalName and selector-less Services get nothing
  // from this controller; their slices (if any) are the user's.
  if (!hasManagedEndpoints(service)) return changes;

  const namespace = service.metadata?.namespace ?? '';
  const name = service.metadata?.name ?? '';
  const selected = pods
    .filter((p) => (p.metadata?.namespace ?? '') === namespace && selectorMatches(service.spec?.selector, p.metadata?.labels))
    .sort(byPodName);
  const managed = existingSlices
    .filter(
      (s) =>
        (s.metadata?.namespace ?? '') === namespace &&
        s.metadata?.labels?.[LABEL_SERVICE_NAME] === name &&
        s.metadata?.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME &&
        // dropEndpointSlicesPendingDeletion
        s.metadata?.deletionTimestamp === undefined,
    )
    .sort(bySliceName);

  const ctx: Context = {
    service,
    max: maxEndpointsPerSlice,
    nodes: options.nodes === undefined ? undefined : new Map(options.nodes.map((n) => [n.metadata?.name ?? '', n])),
    missing: new Set<string>(),
  };
  const families = addressTypesForService(service);
  const unsupported: EndpointSlice[] = [];
  for (const family of families) {
    const result = reconcileByAddressType(ctx, selected, managed.filter((s) => s.addressType === family), family);
    changes.create.push(...result.create);
    changes.update.push(...result.update);
    changes.delete.push(...result.delete);
  }
  for (const s of managed) if (!families.includes(s.addressType as AddressFamily)) unsupported.push(s);
  changes.delete.push(...unsupported);

  for (const s of [...changes.create, ...changes.update]) setTriggerTime(s, options.lastChangeTriggerTime);
  changes.podsOnMissingNodes = [...ctx.missing];
  return changes;
}

interface Context {
  service: Service;
  max: number;
  nodes: Map<string, Node> | undefined;
  missing: Set<string>;
}

interface Writes {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** utils.go getAddressTypesForService: from spec.ipFamilies; else the clusterIP's family; headless → both. */
export function addressTypesForService(service: Service): AddressFamily[] {
  const families: AddressFamily[] = [];
  for (const f of service.spec?.ipFamilies ?? []) {
    if ((f === 'IPv4' || f === 'IPv6') && !families.includes(f)) families.push(f);
  }
  if (families.length > 0) return families;
  if (isServiceIPSet(service)) return [ipFamilyOf(service.spec!.clusterIP!)];
  return ['IPv4', 'IPv6'];
}

function reconcileByAddressType(ctx: Context, pods: readonly Pod[], existing: readonly EndpointSlice[], addressType: AddressFamily): Writes {
  const { service } = ctx;
  const toDelete: EndpointSlice[] = [];
  const existingByPortMap = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (ownedBy(slice, service)) {
      const key = portMapKey(slice.ports);
      existingByPortMap.set(key, [...(existingByPortMap.get(key) ?? []), slice]);
    } else {
      toDelete.push(slice);
    }
  }

  const desiredPorts = new Map<string, EndpointPort[]>();
  const desiredEndpoints = new Map<string, Map<string, Endpoint>>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portMapKey(ports);
    if (!desiredEndpoints.has(key)) {
      desiredEndpoints.set(key, new Map());
      desiredPorts.set(key, ports);
    }
    let node: Node | undefined;
    if (ctx.nodes !== undefined) {
      node = ctx.nodes.get(pod.spec?.nodeName ?? '');
      // reconciler.go: a pod on a Node that does not exist is skipped (and the Service requeued),
      // unless publishNotReadyAddresses says to publish it anyway.
      if (node === undefined && !service.spec?.publishNotReadyAddresses) {
        ctx.missing.add(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
        continue;
      }
    }
    const endpoint = podToEndpoint(pod, node, service, addressType);
    if ((endpoint.addresses ?? []).length > 0) desiredEndpoints.get(key)!.set(endpointHash(endpoint), endpoint);
  }

  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  for (const [key, desired] of desiredEndpoints) {
    const r = reconcileByPortMapping(ctx, existingByPortMap.get(key) ?? [], desired, { ports: desiredPorts.get(key)!, addressType });
    create.push(...r.create);
    update.push(...r.update);
    toDelete.push(...r.delete);
  }
  // Port mappings nobody wants any more.
  for (const [key, slices] of existingByPortMap) if (!desiredEndpoints.has(key)) toDelete.push(...slices);

  // reconciler.go: a selected Service with no endpoints of this family still gets one empty
  // "placeholder" slice (no ports, no endpoints); an identical one is left alone.
  if (existing.length === toDelete.length && create.length === 0) {
    const placeholder = newEndpointSlice(service, { ports: [], addressType });
    if (toDelete.length === 1 && placeholderEqual(toDelete[0]!, placeholder)) toDelete.length = 0;
    else create.push(placeholder);
  }

  // topologycache.RemoveHintsFromSlices: without topology hints enabled, written slices carry none.
  for (const s of [...create, ...update]) for (const ep of s.endpoints ?? []) delete ep.hints;

  return finalize(service, create, update, toDelete);
}

interface EndpointMeta {
  ports: EndpointPort[];
  addressType: AddressFamily;
}

/**
 * reconcileByPortMapping: (1) drop endpoints no longer desired from existing slices and refresh
 * changed ones; (2) top up the slices already being updated, fullest first; (3) put what is left
 * into the unchanged slice that ends up closest to full, or into new slices.
 */
function reconcileByPortMapping(ctx: Context, existing: readonly EndpointSlice[], desired: Map<string, Endpoint>, meta: EndpointMeta): Writes {
  const { service, max } = ctx;
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1.
  for (const slice of existing) {
    const sliceName = slice.metadata?.name ?? '';
    byName.set(sliceName, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const endpoint of slice.endpoints ?? []) {
      const hash = endpointHash(endpoint);
      const want = desired.get(hash);
      if (want === undefined) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, endpoint)) endpointUpdated = true;
      desired.delete(hash);
    }
    const { labels, changed: labelsChanged } = endpointSliceLabels(slice, service);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) {
        toDelete.add(sliceName);
      } else {
        const copy = structuredClone(slice);
        copy.endpoints = kept;
        copy.metadata = { ...copy.metadata, labels };
        byName.set(sliceName, copy);
        toUpdate.add(sliceName);
      }
    } else if (labelsChanged) {
      const copy = structuredClone(slice);
      copy.metadata = { ...copy.metadata, labels };
      byName.set(sliceName, copy);
      toUpdate.add(sliceName);
    } else {
      unchanged.add(sliceName);
    }
  }

  // 2.
  if (desired.size > 0 && toUpdate.size > 0) {
    const fullestFirst = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const slice of fullestFirst) fill(slice, desired, max);
  }

  // 3.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let sliceToFill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const found = sliceToFillFrom([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (found !== undefined) {
        sliceToFill = structuredClone(found);
        byName.set(found.metadata?.name ?? '', sliceToFill);
      }
    }
    sliceToFill ??= newEndpointSlice(service, meta);
    fill(sliceToFill, desired, max);
    const sliceName = sliceToFill.metadata?.name ?? '';
    if (sliceName !== '') {
      toUpdate.add(sliceName);
      unchanged.delete(sliceName);
    } else {
      create.push(sliceToFill);
    }
  }

  return {
    create,
    update: [...toUpdate].sort().map((n) => byName.get(n)!),
    delete: [...toDelete].sort().map((n) => byName.get(n)!),
  };
}

function fill(slice: EndpointSlice, desired: Map<string, Endpoint>, max: number): void {
  slice.endpoints ??= [];
  for (const [hash, endpoint] of desired) {
    if (slice.endpoints.length >= max) break;
    slice.endpoints.push(endpoint);
    desired.delete(hash);
  }
}

/** utils.go getSliceToFill: the slice that will be closest to full once numEndpoints are added. */
function sliceToFillFrom(slices: readonly EndpointSlice[], numEndpoints: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const slice of slices) {
    const diff = max - (numEndpoints + (slice.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (closestDiff === 0) return closest;
    }
  }
  return closest;
}

/**
 * reconciler.go finalize: rather than create one slice and delete another, reuse the doomed slice's
 * name (same addressType, owned by this Service). kubemu also carries over its resourceVersion so
 * the update is preconditioned like every other. A Service being deleted gets no new slices.
 */
function finalize(service: Service, create: EndpointSlice[], update: EndpointSlice[], toDelete: EndpointSlice[]): Writes {
  const creates = [...create];
  const updates = [...update];
  const deletes = [...toDelete];
  for (let i = 0; i < deletes.length && creates.length > 0; ) {
    const doomed = deletes[i]!;
    const slice = creates[creates.length - 1]!;
    if (doomed.addressType === slice.addressType && ownedBy(doomed, service)) {
      slice.metadata = { ...slice.metadata, name: doomed.metadata?.name ?? '' };
      if (doomed.metadata?.resourceVersion !== undefined) slice.metadata.resourceVersion = doomed.metadata.resourceVersion;
      creates.pop();
      updates.push(slice);
      deletes.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create: service.metadata?.deletionTimestamp === undefined ? creates : [], update: updates, delete: deletes };
}

/** utils.go podToEndpoint. */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, addressType: AddressFamily): Endpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  // "ready" is never true for a terminating pod, unless publishNotReadyAddresses.
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const endpoint: Endpoint = {
    addresses: podIPs(pod).filter((ip) => ipFamilyOf(ip) === addressType),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, service)) endpoint.hostname = pod.spec!.hostname!;
  endpoint.targetRef = podReference(pod);
  if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) endpoint.zone = zone;
  return endpoint;
}

export function podReference(pod: Pod): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod' };
  if (pod.metadata?.namespace) ref.namespace = pod.metadata.namespace;
  if (pod.metadata?.name) ref.name = pod.metadata.name;
  if (pod.metadata?.uid) ref.uid = pod.metadata.uid;
  return ref;
}

/**
 * utils.go getEndpointPorts: one port per Service port that resolves on this pod, in Service port
 * order. A named targetPort the pod lacks drops that port for this pod only, which puts the pod in a
 * different port mapping (and so a different slice) from pods that have it.
 */
export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const servicePorts = service.spec?.ports ?? [];
  if (servicePorts.length === 0 && service.spec?.clusterIP === 'None') return [];
  const out: EndpointPort[] = [];
  for (const sp of servicePorts) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** util.NewPortMapKey: identifies a set of ports regardless of order. */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? null])).sort());
}

/**
 * util/endpointset.go hashEndpoint: an endpoint's identity is its addresses, hostname and target
 * pod; conditions, node and zone may change in place.
 */
function endpointHash(endpoint: Endpoint): string {
  return JSON.stringify([[...(endpoint.addresses ?? [])].sort(), endpoint.hostname ?? '', endpoint.targetRef?.namespace ?? '', endpoint.targetRef?.name ?? '']);
}

/** util.EndpointsEqualBeyondHash: nodeName, zone, conditions, targetRef (ignoring resourceVersion). */
function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  if (a.nodeName !== b.nodeName || a.zone !== b.zone) return false;
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  if (ca.ready !== cb.ready || ca.serving !== cb.serving || ca.terminating !== cb.terminating) return false;
  if ((a.targetRef === undefined) !== (b.targetRef === undefined)) return false;
  if (a.targetRef !== undefined && b.targetRef !== undefined) {
    for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion'] as const) {
      if ((a.targetRef[f] ?? '') !== (b.targetRef[f] ?? '')) return false;
    }
  }
  return true;
}

/** utils.go ownedBy: an ownerReference to this Service's uid (kind Service, apiVersion v1). */
function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === service.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** utils.go newEndpointSlice: generateName `<service>-`, controller ownerReference, Service labels. */
function newEndpointSlice(service: Service, meta: EndpointMeta): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata?.name ?? ''}-`,
      namespace: service.metadata?.namespace ?? '',
      labels: {},
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: service.metadata?.name ?? '',
          uid: service.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: meta.addressType,
    endpoints: [],
    ports: meta.ports.map((p) => ({ ...p })),
  };
  slice.metadata!.labels = endpointSliceLabels(slice, service).labels;
  return slice;
}

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS_SERVICE]);

/**
 * utils.go setEndpointSliceLabels: the Service's labels (less the reserved ones) + headless +
 * service-name + managed-by. `changed` compares only the non-reserved labels, as upstream.
 */
export function endpointSliceLabels(slice: EndpointSlice, service: Service): { labels: Record<string, string>; changed: boolean } {
  const sliceLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(k)) sliceLabels[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  const changed = !sameStringMap(sliceLabels, labels);
  if (!isServiceIPSet(service)) labels[LABEL_HEADLESS_SERVICE] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER_NAME;
  return { labels, changed };
}

/** placeholderSliceCompare: namespace, labels, addressType, and no endpoints or ports on either. */
function placeholderEqual(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '') &&
    sameStringMap(a.metadata?.labels ?? {}, b.metadata?.labels ?? {}) &&
    a.addressType === b.addressType &&
    (a.endpoints ?? []).length === 0 &&
    (b.endpoints ?? []).length === 0 &&
    (a.ports ?? []).length === 0 &&
    (b.ports ?? []).length === 0
  );
}

/** utils.go addTriggerTimeAnnotation: set on every write, or cleared when there is none. */
function setTriggerTime(slice: EndpointSlice, time: string | undefined): void {
  const annotations = { ...(slice.metadata?.annotations ?? {}) };
  if (time !== undefined) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = time;
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  slice.metadata ??= {};
  if (Object.keys(annotations).length > 0) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}

function sameStringMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function bySliceName(a: EndpointSlice, b: EndpointSlice): number {
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
