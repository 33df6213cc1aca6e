// The Endpoints controller: the core/v1 Endpoints object a selector-based Service should have.
// A port of pkg/controller/endpoint/endpoints_controller.go (syncService, addEndpointSubset,
// podToEndpointAddressForService, truncateEndpoints) and pkg/api/v1/endpoints/util.go
// (RepackSubsets, SortSubsets, LessEndpointAddress).
//
// Order. Upstream sorts addresses by IP bytes then pod UID (kept here exactly), but sorts ports and
// subsets by the MD5 of a Go spew dump, an order with no meaning that TypeScript cannot reproduce
// without that dump format. kubemu sorts ports by name, then port number, then protocol, and
// subsets by their ports then their first address. This only changes the order `kubectl get ep`
// lists ports in; the set of IP:port pairs is the same.

import { selectorMatches } from '../api/label-selector.js';
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from '../api/types.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, LABEL_HEADLESS_SERVICE, podReference } from '../endpointslice/reconciler.js';
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
} from '../endpointslice/pod-endpoints.js';

/** endpoints_controller.go maxCapacity: addresses (ready + not ready) one Endpoints object keeps. */
export const ENDPOINTS_MAX_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** v1.33+: the Endpoints controller labels what it manages (LabelManagedBy / ControllerName). */
export const LABEL_ENDPOINTS_MANAGED_BY = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';

export interface DesiredEndpointsOptions {
  /** RFC 3339 time of the change that triggered this sync (endpoints.kubernetes.io/last-change-trigger-time). */
  lastChangeTriggerTime?: string;
}

/**
 * The Endpoints object named after the Service, or undefined when this controller must leave the
 * Service's Endpoints alone (no selector: user-managed; ExternalName: none).
 */
export function desiredEndpoints(service: Service, pods: readonly Pod[], options: DesiredEndpointsOptions = {}): Endpoints | undefined {
  if (!hasManagedEndpoints(service)) return undefined;
  const namespace = service.metadata?.namespace ?? '';
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];

  const selected = pods
    .filter((p) => (p.metadata?.namespace ?? '') === namespace && selectorMatches(service.spec?.selector, p.metadata?.labels))
    .sort(byPodName);
  for (const pod of selected) {
    // Terminating pods are endpoints here only with publishNotReadyAddresses.
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podToEndpointAddress(service, pod);
    if (address === undefined) continue;
    const ready = publishNotReady || isPodReady(pod);
    if (servicePorts.length === 0) {
      // A headless Service may have no ports: its subsets carry addresses only.
      if (service.spec?.clusterIP === 'None') subsets.push(endpointSubset(address, undefined, ready));
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const epp: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) epp.appProtocol = sp.appProtocol;
      subsets.push(endpointSubset(address, epp, ready));
    }
  }

  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  if (isServiceIPSet(service)) delete labels[LABEL_HEADLESS_SERVICE];
  else labels[LABEL_HEADLESS_SERVICE] = '';
  labels[LABEL_ENDPOINTS_MANAGED_BY] = ENDPOINTS_CONTROLLER_NAME;

  const annotations: Record<string, string> = {};
  if (options.lastChangeTriggerTime !== undefined) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = options.lastChangeTriggerTime;
  const truncated = truncateSubsets(repackSubsets(subsets));
  if (truncated.truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';

  const endpoints: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.metadata?.name ?? '', namespace, labels },
    subsets: truncated.subsets,
  };
  if (Object.keys(annotations).length > 0) endpoints.metadata!.annotations = annotations;
  return endpoints;
}

/**
 * Whether `current` already says what `desired` says, so no write is needed: the subsets (ignoring
 * the targetRef's resourceVersion), the labels, and the over-capacity annotation. The trigger-time
 * annotation is not compared (upstream only writes it along with a real change).
 * Unlike upstream, which compares its untruncated subsets against the stored truncated ones and so
 * rewrites an over-capacity Endpoints on every sync, kubemu compares after truncation: a resync
 * with nothing changed writes nothing, even past the cap.
 */
export function endpointsEqual(current: Endpoints, desired: Endpoints): boolean {
  return (
    semanticEqual(stripResourceVersions(current.subsets), stripResourceVersions(desired.subsets)) &&
    sameLabels(current.metadata?.labels ?? {}, desired.metadata?.labels ?? {}) &&
    current.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY] === desired.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY]
  );
}

/**
 * The object to PUT over `current`: upstream deep-copies the stored Endpoints and replaces subsets,
 * labels and the controller's annotations, keeping every other annotation and the resourceVersion.
 */
export function endpointsForUpdate(current: Endpoints, desired: Endpoints): Endpoints {
  const out = structuredClone(current);
  out.subsets = structuredClone(desired.subsets ?? []);
  out.metadata = { ...out.metadata, labels: { ...(desired.metadata?.labels ?? {}) } };
  const annotations = { ...(current.metadata?.annotations ?? {}) };
  for (const key of [ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_OVER_CAPACITY]) {
    const want = desired.metadata?.annotations?.[key];
    if (want === undefined) delete annotations[key];
    else annotations[key] = want;
  }
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

/**
 * podToEndpointAddressForService: the pod IP of the Service's primary family (spec.ipFamilies[0];
 * else the clusterIP's family; for a headless Service without families, the pod IP's own family).
 */
function podToEndpointAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  let family: AddressFamily = 'IPv4';
  const first = service.spec?.ipFamilies?.[0];
  if (first === 'IPv4' || first === 'IPv6') family = first;
  else if (isServiceIPSet(service)) family = ipFamilyOf(service.spec!.clusterIP!);
  else if (pod.status?.podIP) family = ipFamilyOf(pod.status.podIP);
  const ip = podIPs(pod).find((candidate) => ipFamilyOf(candidate) === family);
  if (ip === undefined) return undefined;
  const address: EndpointAddress = { ip };
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec!.hostname!;
  // Upstream always sets nodeName (possibly ""); a pod with an IP always has a node, and "" would
  // fail Endpoints validation, so it is left out when empty.
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  address.targetRef = podReference(pod);
  return address;
}

/** addEndpointSubset: one address, one port, ready or not. */
function endpointSubset(address: EndpointAddress, port: EndpointPort | undefined, ready: boolean): EndpointSubset {
  const subset: EndpointSubset = ready ? { addresses: [address] } : { notReadyAddresses: [address] };
  if (port !== undefined) subset.ports = [port];
  return subset;
}

/**
 * endpoints.RepackSubsets: expand to (port, address, ready) triples, de-duplicate addresses by
 * IP + pod UID (not-ready wins over ready for one port), then group the ports that share exactly the
 * same addresses into one subset. Subsets without ports (headless, no ports) are kept.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const allAddresses = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: EndpointPort | undefined; ready: Map<string, boolean> }>();
  const note = (address: EndpointAddress, port: EndpointPort | undefined, ready: boolean): void => {
    const key = addressKey(address);
    if (!allAddresses.has(key)) allAddresses.set(key, structuredClone(address));
    const pk = port === undefined ? 'no ports' : portKey(port);
    let entry = byPort.get(pk);
    if (entry === undefined) {
      entry = { port, ready: new Map() };
      byPort.set(pk, entry);
    }
    const was = entry.ready.get(key);
    if (was === undefined || was) entry.ready.set(key, ready);
  };
  for (const subset of subsets) {
    const ports: (EndpointPort | undefined)[] = (subset.ports ?? []).length === 0 ? [undefined] : subset.ports!;
    for (const port of ports) {
      for (const a of subset.addresses ?? []) note(a, port, true);
      for (const a of subset.notReadyAddresses ?? []) note(a, port, false);
    }
  }

  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = JSON.stringify([...ready.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let group = groups.get(key);
    if (group === undefined) {
      group = { ready, ports: [] };
      groups.set(key, group);
    }
    if (port !== undefined) group.ports.push(port);
  }

  const out: EndpointSubset[] = [];
  for (const { ready, ports } of groups.values()) {
    const readyAddresses: EndpointAddress[] = [];
    const notReadyAddresses: EndpointAddress[] = [];
    for (const [key, isReady] of ready) (isReady ? readyAddresses : notReadyAddresses).push(allAddresses.get(key)!);
    const subset: EndpointSubset = {};
    if (readyAddresses.length > 0) subset.addresses = readyAddresses.sort(compareEndpointAddress);
    if (notReadyAddresses.length > 0) subset.notReadyAddresses = notReadyAddresses.sort(compareEndpointAddress);
    if (ports.length > 0) subset.ports = ports.sort(comparePorts);
    out.push(subset);
  }
  return out.sort(compareSubsets);
}

/** endpoints.LessEndpointAddress: IP bytes, then pod UID (no targetRef sorts first). */
export function compareEndpointAddress(a: EndpointAddress, b: EndpointAddress): number {
  const ia = a.ip ?? '';
  const ib = b.ip ?? '';
  if (ia !== ib) return ia < ib ? -1 : 1;
  const ua = a.targetRef === undefined ? undefined : (a.targetRef.uid ?? '');
  const ub = b.targetRef === undefined ? undefined : (b.targetRef.uid ?? '');
  if (ua === ub) return 0;
  if (ub === undefined) return 1;
  if (ua === undefined) return -1;
  return ua < ub ? -1 : 1;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return compareTuples([a.name ?? '', a.port ?? 0, a.protocol ?? ''], [b.name ?? '', b.port ?? 0, b.protocol ?? '']);
}

function compareSubsets(a: EndpointSubset, b: EndpointSubset): number {
  const ka = JSON.stringify([(a.ports ?? []).map(portKey), (a.addresses ?? a.notReadyAddresses ?? [])[0]?.ip ?? '']);
  const kb = JSON.stringify([(b.ports ?? []).map(portKey), (b.addresses ?? b.notReadyAddresses ?? [])[0]?.ip ?? '']);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function compareTuples(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

function addressKey(a: EndpointAddress): string {
  return JSON.stringify([a.ip ?? '', a.targetRef?.uid ?? '']);
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? null]);
}

/**
 * endpoints_controller.go truncateEndpoints: past 1000 addresses, keep ready ones first, spreading
 * the cap over the subsets in proportion (rounded up, the last subsets get what is left). If the
 * ready ones alone exceed the cap, every not-ready address goes.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += (s.addresses ?? []).length;
    totalNotReady += (s.notReadyAddresses ?? []).length;
  }
  if (totalReady + totalNotReady <= ENDPOINTS_MAX_CAPACITY) return { subsets: [...subsets], truncated: false };

  const truncateReady = totalReady > ENDPOINTS_MAX_CAPACITY;
  const max = truncateReady ? ENDPOINTS_MAX_CAPACITY : ENDPOINTS_MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out = subsets.map((s) => {
    const subset = structuredClone(s);
    const numInSubset = truncateReady ? (subset.addresses ?? []).length : (subset.notReadyAddresses ?? []).length;
    const toBeAdded = Math.min(Math.ceil((numInSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      subset.addresses = (subset.addresses ?? []).slice(0, toBeAdded);
      delete subset.notReadyAddresses;
      canBeAdded -= subset.addresses.length;
      if (subset.addresses.length === 0) delete subset.addresses;
    } else {
      subset.notReadyAddresses = (subset.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= subset.notReadyAddresses.length;
      if (subset.notReadyAddresses.length === 0) delete subset.notReadyAddresses;
    }
    return subset;
  });
  return { subsets: out, truncated: true };
}

function stripResourceVersions(subsets: readonly EndpointSubset[] | undefined): unknown {
  return (subsets ?? []).map((s) => {
    const strip = (as: readonly EndpointAddress[] | undefined) =>
      (as ?? []).map((a) => (a.targetRef === undefined ? a : { ...a, targetRef: { ...a.targetRef, resourceVersion: undefined } }));
    return { addresses: strip(s.addresses), notReadyAddresses: strip(s.notReadyAddresses), ports: s.ports ?? [] };
  });
}

// Labels compare exactly: the headless label's value is "", which must not read as "absent".
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** apimachinery's semantic equality for these objects: absent, empty string, [] and {} are alike. */
function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    return true;
  }
  return a === b;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}
