import { invalid, type FieldError } from '../api/field-errors.js';
import type { Service, ServiceSpec } from '../api/types.js';
import type { AllocationError, AllocationResult } from '../allocation/allocation-error.js';
import { ClusterIPAllocator, DEFAULT_SERVICE_CIDR, type ReadonlyClusterIPAllocator } from '../allocation/cluster-ip-allocator.js';
import { canonicalIP, familyBits, formatCIDR, parseCIDR, parseIP, type CIDR, type IPFamily } from '../allocation/ip-range.js';
import { NodePortAllocator, type ReadonlyNodePortAllocator } from '../allocation/node-port-allocator.js';
import { DEFAULT_SERVICE_NODE_PORT_RANGE, parsePortRange, type PortRange } from '../allocation/port-range.js';
import type { Random } from '../random.js';
import { ValueOwners } from './allocation-owners.js';
import { needsHealthCheck as specNeedsHealthCheck } from './validation.js';

// What kube-apiserver's Service registry does with its ClusterIP and NodePort allocators:
// pkg/registry/core/service/storage/alloc.go (allocateCreate, allocateUpdate,
// releaseAllocatedResources). Which values a Service holds is what the repair controllers count
// (ipallocator/controller/repair.go, portallocator/controller/repair.go); that is also how a
// restarted api-store rebuilds this state from the live Services in the log.
//
// Everything here is pure: a transaction allocates into clones of the allocators and owners, and
// the state only changes when commitAllocations returns a new one. Clones are O(1) and copy only what
// they change (allocation/offset-trie.ts), so a write costs the same however many Services exist.
// The one exception is applyCommittedServiceInPlace, for the log fold that owns its state alone.

// ---- configuration ----

export interface ServiceAllocationConfig {
  /** --service-cluster-ip-range: one CIDR, or two of different families; the first is the primary family. */
  readonly serviceCIDRs: readonly CIDR[];
  /** --service-node-port-range. */
  readonly nodePortRange: PortRange;
}

// pkg/controlplane/apiserver/options/validation.go validateClusterIPFlags: maxCIDRBits.
const MAX_CIDR_BITS = 20;

/**
 * The allocation flags of kube-apiserver, with kubeadm's defaults (10.96.0.0/12, 30000-32767).
 * Throws with kube-apiserver's texts (options validation.go validateClusterIPFlags,
 * getServiceIPAndRanges) when a flag is unusable.
 */
export function serviceAllocationConfig(flags: { serviceClusterIPRange?: string; serviceNodePortRange?: string } = {}): ServiceAllocationConfig {
  const ranges = (flags.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR).split(',');
  if (ranges.length > 2) throw new Error('--service-cluster-ip-range must not contain more than two entries');
  const primary = parseCIDR(ranges[0]!);
  if (primary === undefined) throw new Error('service-cluster-ip-range[0] is not a valid cidr');
  const cidrs = [primary];
  if (ranges.length === 2) {
    const secondary = parseCIDR(ranges[1]!);
    if (secondary === undefined) throw new Error('service-cluster-ip-range[1] is not an ip net');
    if (secondary.family === primary.family) {
      throw new Error('--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family');
    }
    cidrs.push(secondary);
  }
  cidrs.forEach((c, i) => {
    const bits = familyBits(c.family);
    if (bits - c.prefix > MAX_CIDR_BITS) {
      const flag = i === 0 ? '--service-cluster-ip-range' : '--service-cluster-ip-range[1]';
      throw new Error(`specified ${flag} is too large; for ${bits}-bit addresses, the mask must be >= ${bits - MAX_CIDR_BITS}`);
    }
  });
  const parsed = parsePortRange(flags.serviceNodePortRange ?? '');
  // kube-apiserver options Complete(): an empty --service-node-port-range means the default.
  const nodePortRange = parsed.size === 0 ? DEFAULT_SERVICE_NODE_PORT_RANGE : parsed;
  return { serviceCIDRs: cidrs, nodePortRange };
}

export function sameServiceAllocationConfig(a: ServiceAllocationConfig, b: ServiceAllocationConfig): boolean {
  return (
    a.nodePortRange.base === b.nodePortRange.base &&
    a.nodePortRange.size === b.nodePortRange.size &&
    a.serviceCIDRs.length === b.serviceCIDRs.length &&
    a.serviceCIDRs.every((c, i) => formatCIDR(c) === formatCIDR(b.serviceCIDRs[i]!))
  );
}

// ---- state ----

export interface ServiceAllocations {
  readonly config: ServiceAllocationConfig;
  /** One allocator per configured CIDR, in the order of config.serviceCIDRs. */
  readonly clusterIPs: readonly ReadonlyClusterIPAllocator[];
  readonly nodePorts: ReadonlyNodePortAllocator;
  /** The live Services (serviceOwnerKey) holding each allocated clusterIP, by canonical address. */
  readonly ipOwners: ReadonlyMap<string, ReadonlySet<string>>;
  /** The live Services holding each allocated nodePort or healthCheckNodePort. */
  readonly portOwners: ReadonlyMap<number, ReadonlySet<string>>;
}

interface StateInternals {
  readonly clusterIPs: readonly ClusterIPAllocator[];
  readonly nodePorts: NodePortAllocator;
  readonly ipOwners: ValueOwners<string>;
  readonly portOwners: ValueOwners<number>;
}

function internals(state: ServiceAllocations): StateInternals {
  return state as unknown as StateInternals;
}

export function emptyServiceAllocations(config: ServiceAllocationConfig): ServiceAllocations {
  const families = config.serviceCIDRs.map((c) => c.family);
  if (families.length < 1 || families.length > 2 || families[0] === families[1]) {
    throw new Error(`ServiceAllocationConfig: one ServiceCIDR, or two of different families, not ${config.serviceCIDRs.map(formatCIDR).join(',')}`);
  }
  const clusterIPs = config.serviceCIDRs.map((c) => ClusterIPAllocator.forCIDR(c));
  const nodePorts = NodePortAllocator.forRange(config.nodePortRange);
  // The owners map values to offsets through the allocators' ranges, which never change.
  return {
    config,
    clusterIPs,
    nodePorts,
    ipOwners: ValueOwners.empty(clusterIPs.map((a) => ({ max: a.max, offsetOf: (ip: string) => a.offsetOf(ip), valueAt: (o: number) => a.ipAt(o) }))),
    portOwners: ValueOwners.empty([{ max: config.nodePortRange.size, offsetOf: (p: number) => nodePorts.offsetOf(p), valueAt: (o: number) => nodePorts.portAt(o) }]),
  };
}

/** Who holds a Service's values: its uid, or namespace/name for objects that have none yet. */
export function serviceOwnerKey(svc: Service): string {
  const uid = svc.metadata?.uid;
  if (uid !== undefined && uid !== '') return uid;
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

export interface HeldValues {
  /** Canonical addresses. */
  readonly clusterIPs: readonly string[];
  /** nodePorts and healthCheckNodePort, each once. */
  readonly nodePorts: readonly number[];
}

/**
 * The values a stored Service holds, as the repair controllers count them: every clusterIP except
 * "None" (helper.IsServiceIPSet), every non-zero nodePort and the healthCheckNodePort, whatever the
 * type (portallocator/controller/repair.go collectServiceNodePorts).
 */
export function heldValues(svc: Service): HeldValues {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs !== undefined && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const clusterIPs = new Set<string>();
  for (const ip of ips) {
    if (ip === '' || ip === CLUSTER_IP_NONE) continue;
    const c = canonicalIP(ip);
    if (c !== undefined) clusterIPs.add(c);
  }
  const nodePorts = new Set<number>();
  for (const p of spec.ports ?? []) if (p.nodePort) nodePorts.add(p.nodePort);
  if (spec.healthCheckNodePort) nodePorts.add(spec.healthCheckNodePort);
  return { clusterIPs: [...clusterIPs], nodePorts: [...nodePorts] };
}

// ---- failures ----

/**
 * Why an allocation failed, as kube-apiserver reports it: `Invalid` (422, errors.NewInvalid with
 * field errors), `InternalError` (500, errors.NewInternalError: "Internal error occurred: <cause>"),
 * or `Unknown` (500, a plain Go error returned by the registry: the message is <cause>).
 */
export type AllocationFailure =
  | { readonly ok: false; readonly reason: 'Invalid'; readonly errors: FieldError[] }
  | { readonly ok: false; readonly reason: 'InternalError' | 'Unknown'; readonly errors: []; readonly cause: string };

const invalidFailure = (errors: FieldError[]): AllocationFailure => ({ ok: false, reason: 'Invalid', errors });
const internalFailure = (cause: string): AllocationFailure => ({ ok: false, reason: 'InternalError', errors: [], cause });
const unknownFailure = (cause: string): AllocationFailure => ({ ok: false, reason: 'Unknown', errors: [], cause });

// ---- transactions ----

export interface AllocationContext {
  readonly random: Random;
  /**
   * validation.ValidateServiceClusterIPsRelatedFields: the loose pre-validation initIPFamilyFields
   * runs before any address is allocated. Omitted means no pre-validation.
   */
  readonly validateClusterIPsRelatedFields?: (svc: Service) => FieldError[];
}

/**
 * Allocations in progress: clones of the allocators and owners, taken on first use, and what this
 * transaction took from them. In place (the log fold only), it writes into the state's own.
 */
export class AllocationTransaction {
  private readonly ipClones = new Map<number, ClusterIPAllocator>();
  private portClone: NodePortAllocator | undefined;
  private ipOwnersClone: ValueOwners<string> | undefined;
  private portOwnersClone: ValueOwners<number> | undefined;
  readonly allocatedIPs = new Set<string>();
  readonly allocatedPorts = new Set<number>();
  private finished = false;

  constructor(
    readonly base: ServiceAllocations,
    readonly mode: 'copy' | 'in-place' = 'copy',
  ) {}

  /** A transaction ends once: its clones become the next state's allocators. */
  finish(): void {
    if (this.finished) throw new Error('allocation invariant: a transaction is committed once');
    this.finished = true;
  }

  /** The allocator for an address family, or undefined when the cluster has no CIDR of that family. */
  ipAllocatorIndex(family: string): number | undefined {
    const i = this.base.config.serviceCIDRs.findIndex((c) => c.family === family);
    return i < 0 ? undefined : i;
  }

  /** The allocator whose range contains ip. */
  ipAllocatorIndexFor(ip: string): number | undefined {
    const i = internals(this.base).clusterIPs.findIndex((a) => a.contains(ip));
    return i < 0 ? undefined : i;
  }

  ipAllocator(index: number): ClusterIPAllocator {
    let a = this.ipClones.get(index);
    if (a === undefined) {
      const original = internals(this.base).clusterIPs[index];
      if (original === undefined) throw new RangeError(`no ServiceCIDR at index ${index}`);
      a = this.mode === 'in-place' ? original : original.clone();
      this.ipClones.set(index, a);
    }
    return a;
  }

  nodePorts(): NodePortAllocator {
    const original = internals(this.base).nodePorts;
    this.portClone ??= this.mode === 'in-place' ? original : original.clone();
    return this.portClone;
  }

  ipOwners(): ValueOwners<string> {
    const original = internals(this.base).ipOwners;
    this.ipOwnersClone ??= this.mode === 'in-place' ? original : original.clone();
    return this.ipOwnersClone;
  }

  portOwners(): ValueOwners<number> {
    const original = internals(this.base).portOwners;
    this.portOwnersClone ??= this.mode === 'in-place' ? original : original.clone();
    return this.portOwnersClone;
  }

  allocateIP(index: number, ip: string): AllocationError | undefined {
    const err = this.ipAllocator(index).allocate(ip);
    if (err === undefined) this.allocatedIPs.add(canonicalIP(ip)!);
    return err;
  }

  allocateNextIP(index: number, random: Random): AllocationResult<string> {
    const r = this.ipAllocator(index).allocateNext(random);
    if (r.ok) this.allocatedIPs.add(r.value);
    return r;
  }

  allocatePort(port: number): AllocationError | undefined {
    const err = this.nodePorts().allocate(port);
    if (err === undefined) this.allocatedPorts.add(port);
    return err;
  }

  allocateNextPort(random: Random): AllocationResult<number> {
    const r = this.nodePorts().allocateNext(random);
    if (r.ok) this.allocatedPorts.add(r.value);
    return r;
  }

  /**
   * The state after this transaction. A new state shares no allocator or owners object with its
   * base, not even an untouched one: the base may be the log fold's, which goes on writing in place.
   */
  state(): ServiceAllocations {
    if (this.mode === 'in-place') return this.base;
    const next: StateInternals & ServiceAllocations = {
      config: this.base.config,
      clusterIPs: internals(this.base).clusterIPs.map((_, i) => this.ipAllocator(i)),
      nodePorts: this.nodePorts(),
      ipOwners: this.ipOwners(),
      portOwners: this.portOwners(),
    };
    return next;
  }
}

export type AllocationOutcome = { readonly ok: true; readonly service: Service; readonly txn: AllocationTransaction } | AllocationFailure;

// ---- helpers on the Service shape (pkg/api/service/util.go, alloc.go) ----

export const CLUSTER_IP_NONE = 'None';

/** The type, as defaulting would set it (SetDefaults_Service: ClusterIP). */
export function serviceType(svc: Service): string {
  return svc.spec?.type || 'ClusterIP';
}

function specOf(svc: Service): ServiceSpec {
  svc.spec ??= {};
  return svc.spec;
}

function usesNodePorts(svc: Service): boolean {
  const t = serviceType(svc);
  return t === 'NodePort' || t === 'LoadBalancer';
}

function needsHealthCheck(svc: Service): boolean {
  return specNeedsHealthCheck({ ...svc.spec, type: serviceType(svc) });
}

/** alloc.go shouldAllocateNodePorts. allocateLoadBalancerNodePorts is defaulted to true for LoadBalancer. */
function shouldAllocateNodePorts(svc: Service): boolean {
  const t = serviceType(svc);
  if (t === 'NodePort') return true;
  if (t === 'LoadBalancer') return svc.spec?.allocateLoadBalancerNodePorts ?? true;
  return false;
}

/** alloc.go collectServiceNodePorts: the ports' nodePorts, without the healthCheckNodePort. */
function collectServiceNodePorts(svc: Service): number[] {
  return (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0);
}

function isHeadless(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length > 0 && ips[0] === CLUSTER_IP_NONE;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function isEmptySelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length === 0;
}

function familyOf(ip: string): string {
  return parseIP(ip)?.family ?? 'unknown';
}

function otherFamily(f: string): IPFamily {
  return f === 'IPv4' ? 'IPv6' : 'IPv4';
}

// ---- IP families (alloc.go initIPFamilyFields) ----

/** alloc.go isMatchingPreferDualStackClusterIPFields. */
function isMatchingPreferDualStackClusterIPFields(svc: Service, old: Service | undefined): boolean {
  if (old === undefined) return false;
  const spec = svc.spec ?? {};
  if (spec.ipFamilyPolicy === undefined) return false;
  if (serviceType(old) !== serviceType(svc)) return false;
  if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(serviceType(svc))) return false;
  if (spec.ipFamilyPolicy !== 'PreferDualStack') return false;
  if (old.spec?.ipFamilyPolicy !== undefined && old.spec.ipFamilyPolicy !== 'PreferDualStack') return false;
  return sameStrings(old.spec?.clusterIPs, spec.clusterIPs) && sameStrings(old.spec?.ipFamilies, spec.ipFamilies);
}

function initIPFamilyFields(svc: Service, old: Service | undefined, config: ServiceAllocationConfig, ctx: AllocationContext): FieldError[] {
  const spec = specOf(svc);
  if (serviceType(svc) === 'ExternalName') return [];
  if (isMatchingPreferDualStackClusterIPFields(svc, old)) return [];

  const configured = (f: string): boolean => config.serviceCIDRs.some((c) => c.family === f);
  const primary = config.serviceCIDRs[0]!.family;

  if (spec.ipFamilyPolicy === undefined) {
    if (old !== undefined && old.spec?.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    else if (spec.clusterIP === CLUSTER_IP_NONE && isEmptySelector(svc)) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  const policy = spec.ipFamilyPolicy;

  const pre = ctx.validateClusterIPsRelatedFields?.(svc) ?? [];
  if (pre.length > 0) return pre;

  const el: FieldError[] = [];
  if (old !== undefined) {
    if (policy === 'SingleStack') {
      if (sameStrings(old.spec?.clusterIPs, spec.clusterIPs) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
      if (sameStrings(old.spec?.ipFamilies, spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
    } else {
      const reducedIPs = (spec.clusterIPs?.length ?? 0) > 0 && spec.clusterIPs!.length < (old.spec?.clusterIPs?.length ?? 0);
      const reducedFamilies = (spec.ipFamilies?.length ?? 0) > 0 && spec.ipFamilies!.length < (old.spec?.ipFamilies?.length ?? 0);
      if (reducedIPs) el.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary cluster IP"));
      if (reducedFamilies) el.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary IP family"));
    }
  }

  if (policy === 'SingleStack') {
    if (spec.clusterIPs?.length === 2) {
      el.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if (spec.ipFamilies?.length === 2) {
      el.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }

  const clusterIPs = spec.clusterIPs ?? [];
  for (let i = 0; i < clusterIPs.length; i++) {
    const ip = clusterIPs[i]!;
    if (ip === CLUSTER_IP_NONE) break;
    const fam = familyOf(ip);
    if (i >= (spec.ipFamilies?.length ?? 0)) {
      if (!configured(fam)) el.push(invalid(`spec.clusterIPs[${i}]`, [...clusterIPs], `${fam} is not configured on this cluster`));
      else spec.ipFamilies = [...(spec.ipFamilies ?? []), fam];
    }
  }
  if (el.length > 0) return el;

  // Headless + selectorless: allowed any families, even on a single-stack cluster.
  if (spec.clusterIP === CLUSTER_IP_NONE && isEmptySelector(svc)) {
    if ((spec.ipFamilies?.length ?? 0) === 0) spec.ipFamilies = [primary];
    if (spec.ipFamilies!.length < 2 && policy !== 'SingleStack') spec.ipFamilies = [spec.ipFamilies![0]!, otherFamily(spec.ipFamilies![0]!)];
    return [];
  }

  if (policy === 'RequireDualStack' && config.serviceCIDRs.length < 2) {
    el.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!configured(f)) el.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (el.length > 0) return el;

  if ((spec.ipFamilies?.length ?? 0) === 0) spec.ipFamilies = [primary];
  if (policy !== 'SingleStack' && spec.ipFamilies!.length === 1 && config.serviceCIDRs.length === 2) {
    spec.ipFamilies = [spec.ipFamilies![0]!, otherFamily(spec.ipFamilies![0]!)];
  }
  return [];
}

// ---- ClusterIPs ----

/** alloc.go allocIPs: "" means AllocateNext; families are taken in ipFamilies order. */
function allocIPs(svc: Service, toAlloc: readonly [string, string][], txn: AllocationTransaction, random: Random): Map<string, string> | AllocationFailure {
  const allocated = new Map<string, string>();
  for (const [family, ip] of toAlloc) {
    const index = txn.ipAllocatorIndex(family);
    if (index === undefined) throw new Error(`allocation invariant: no ServiceCIDR for ${family} after initIPFamilyFields`);
    if (ip === '') {
      const r = txn.allocateNextIP(index, random);
      if (!r.ok) return internalFailure(`failed to allocate a serviceIP: ${r.error.message}`);
      allocated.set(family, r.value);
    } else {
      if (parseIP(ip) === undefined) return internalFailure(`failed to parse service IP ${JSON.stringify(ip)}`);
      const err = txn.allocateIP(index, ip);
      if (err !== undefined) {
        return invalidFailure([invalid('spec.clusterIPs', [...(svc.spec?.clusterIPs ?? [])], `failed to allocate IP ${ip}: ${err.message}`)]);
      }
      allocated.set(family, ip);
    }
  }
  return allocated;
}

/** alloc.go allocClusterIPs: none for ExternalName and headless Services. */
function allocClusterIPs(svc: Service, txn: AllocationTransaction, random: Random): AllocationFailure | undefined {
  if (serviceType(svc) === 'ExternalName' || isHeadless(svc)) return undefined;
  const spec = specOf(svc);
  spec.clusterIPs ??= [];
  const toAlloc: [string, string][] = [];
  (spec.ipFamilies ?? []).forEach((family, i) => {
    if (i > spec.clusterIPs!.length - 1) spec.clusterIPs!.push('');
    toAlloc.push([family, spec.clusterIPs![i]!]);
  });
  const allocated = allocIPs(svc, toAlloc, txn, random);
  if (!(allocated instanceof Map)) return allocated;
  for (const [family, ip] of allocated) {
    (spec.ipFamilies ?? []).forEach((check, i) => {
      if (check !== family) return;
      spec.clusterIPs![i] = ip;
      if (i === 0) spec.clusterIP = ip;
    });
  }
  return undefined;
}

/** alloc.go updateClusterIPs, cases A (ExternalName → other) and C (upgrade to dual-stack); releases happen on commit. */
function updateClusterIPs(svc: Service, old: Service, txn: AllocationTransaction, random: Random): AllocationFailure | undefined {
  if (isMatchingPreferDualStackClusterIPFields(svc, old)) return undefined;
  if (serviceType(old) === 'ExternalName' && serviceType(svc) !== 'ExternalName') return allocClusterIPs(svc, txn, random);
  if (isHeadless(old)) return undefined;
  if (serviceType(svc) === 'ExternalName') return undefined;
  const spec = specOf(svc);
  const upgraded = (old.spec?.ipFamilies?.length ?? 0) === 1 && (spec.ipFamilies?.length ?? 0) === 2;
  if (!upgraded) return undefined;
  spec.clusterIPs ??= [];
  if (spec.clusterIPs.length < 2) spec.clusterIPs.push('');
  const secondary = spec.ipFamilies![1]!;
  const allocated = allocIPs(svc, [[secondary, spec.clusterIPs[1]!]], txn, random);
  if (!(allocated instanceof Map)) return allocated;
  spec.clusterIPs[1] = allocated.get(secondary)!;
  return undefined;
}

// ---- NodePorts ----

/** alloc.go findRequestedNodePort: the first user-provided nodePort among ports with this port number. */
function findRequestedNodePort(port: number, svc: Service): number {
  for (const p of svc.spec?.ports ?? []) if (p.port === port && p.nodePort) return p.nodePort;
  return 0;
}

/** alloc.go initNodePorts: ports with the same port number share one nodePort, whatever the protocol. */
function initNodePorts(svc: Service, txn: AllocationTransaction, random: Random): AllocationFailure | undefined {
  const svcPortToNodePort = new Map<number, number>();
  const ports = svc.spec?.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i]!;
    const port = sp.port ?? 0;
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
    const allocatedNodePort = svcPortToNodePort.get(port) ?? 0;
    if (allocatedNodePort === 0) {
      const np = findRequestedNodePort(port, svc);
      if (np !== 0) {
        const err = txn.allocatePort(np);
        if (err !== undefined) return invalidFailure([invalid(`spec.ports[${i}].nodePort`, np, err.message)]);
        sp.nodePort = np;
        svcPortToNodePort.set(port, np);
      } else {
        const r = txn.allocateNextPort(random);
        if (!r.ok) return internalFailure(`failed to allocate a nodePort: ${r.error.message}`);
        sp.nodePort = r.value;
        svcPortToNodePort.set(port, r.value);
      }
    } else if ((sp.nodePort ?? 0) !== allocatedNodePort) {
      if (!sp.nodePort) {
        sp.nodePort = allocatedNodePort;
      } else {
        const err = txn.allocatePort(sp.nodePort);
        if (err !== undefined) return invalidFailure([invalid(`spec.ports[${i}].nodePort`, sp.nodePort, err.message)]);
      }
    }
  }
  return undefined;
}

/** alloc.go allocHealthCheckNodePort; its errors become InternalErrors (errors.NewInternalError). */
function allocHealthCheckNodePort(svc: Service, txn: AllocationTransaction, random: Random): AllocationFailure | undefined {
  const spec = specOf(svc);
  const requested = spec.healthCheckNodePort ?? 0;
  if (requested !== 0) {
    const err = txn.allocatePort(requested);
    if (err !== undefined) return internalFailure(`failed to allocate requested HealthCheck NodePort ${requested}: ${err.message}`);
    return undefined;
  }
  const r = txn.allocateNextPort(random);
  // The Go code formats its shadowed, still-zero variable.
  if (!r.ok) return internalFailure(`failed to allocate a HealthCheck NodePort 0: ${r.error.message}`);
  spec.healthCheckNodePort = r.value;
  return undefined;
}

/**
 * alloc.go updateNodePorts. Unlike create, ports are not grouped by port number; a nodePort the
 * old object held is kept without allocating it again. A repeated (protocol, nodePort) is a plain
 * error (`duplicate nodePort: {TCP 30080}`), which the API reports as a 500.
 */
function updateNodePorts(svc: Service, old: Service, txn: AllocationTransaction, random: Random): AllocationFailure | undefined {
  const oldNodePorts = collectServiceNodePorts(old);
  const seen: { protocol: string; nodePort: number }[] = [];
  const portAllocated = new Set<number>();
  const ports = svc.spec?.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i]!;
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
    const protocol = sp.protocol ?? '';
    let nodePort = sp.nodePort ?? 0;
    if (nodePort !== 0) {
      if (!oldNodePorts.includes(nodePort) && !portAllocated.has(nodePort)) {
        const err = txn.allocatePort(nodePort);
        if (err !== undefined) return invalidFailure([invalid(`spec.ports[${i}].nodePort`, nodePort, err.message)]);
        portAllocated.add(nodePort);
      }
    } else {
      const r = txn.allocateNextPort(random);
      if (!r.ok) return internalFailure(`failed to allocate a nodePort: ${r.error.message}`);
      sp.nodePort = nodePort = r.value;
    }
    if (seen.some((s) => s.protocol === protocol && s.nodePort === nodePort)) return unknownFailure(`duplicate nodePort: {${protocol} ${nodePort}}`);
    seen.push({ protocol, nodePort });
  }
  return undefined;
}

// ---- create, update ----

/**
 * alloc.go allocateCreate: IP families, then clusterIPs, then nodePorts and the
 * healthCheckNodePort. Returns the Service with its allocated values and the transaction to
 * commit once the object is accepted. The input is not modified.
 */
export function allocateCreate(input: Service, state: ServiceAllocations, ctx: AllocationContext): AllocationOutcome {
  const svc = structuredClone(input);
  const txn = new AllocationTransaction(state);
  const familyErrors = initIPFamilyFields(svc, undefined, state.config, ctx);
  if (familyErrors.length > 0) return invalidFailure(familyErrors);
  const failure =
    allocClusterIPs(svc, txn, ctx.random) ??
    (usesNodePorts(svc) ? initNodePorts(svc, txn, ctx.random) : undefined) ??
    (needsHealthCheck(svc) ? allocHealthCheckNodePort(svc, txn, ctx.random) : undefined);
  return failure ?? { ok: true, service: svc, txn };
}

/**
 * alloc.go allocateUpdate: IP families, clusterIPs (ExternalName → other types, dual-stack
 * upgrade), nodePorts for NodePort/LoadBalancer, and the healthCheckNodePort when the Service
 * starts needing one. Releases (type changes, downgrades, dropped ports) are deferred to
 * commitAllocations, so nothing released here can be handed out in the same update.
 */
export function allocateUpdate(input: Service, old: Service, state: ServiceAllocations, ctx: AllocationContext): AllocationOutcome {
  const svc = structuredClone(input);
  const txn = new AllocationTransaction(state);
  const familyErrors = initIPFamilyFields(svc, old, state.config, ctx);
  if (familyErrors.length > 0) return invalidFailure(familyErrors);
  const failure =
    updateClusterIPs(svc, old, txn, ctx.random) ??
    (usesNodePorts(svc) ? updateNodePorts(svc, old, txn, ctx.random) : undefined) ??
    (!needsHealthCheck(old) && needsHealthCheck(svc) ? allocHealthCheckNodePort(svc, txn, ctx.random) : undefined);
  return failure ?? { ok: true, service: svc, txn };
}

// ---- commit, log, rebuild ----

type Mode = 'commit' | 'log';

function adoptionFailure(svc: Service, kind: 'ip' | 'port', value: string | number): AllocationFailure {
  if (kind === 'ip') {
    const ip = value as string;
    const given = (svc.spec?.clusterIPs ?? []).find((s) => canonicalIP(s) === ip) ?? ip;
    return invalidFailure([
      invalid('spec.clusterIPs', [...(svc.spec?.clusterIPs ?? [])], `failed to allocate IP ${given}: provided IP is already allocated`),
    ]);
  }
  const i = (svc.spec?.ports ?? []).findIndex((p) => p.nodePort === value);
  if (i >= 0) return invalidFailure([invalid(`spec.ports[${i}].nodePort`, value, 'provided port is already allocated')]);
  return internalFailure(`failed to allocate requested HealthCheck NodePort ${value}: provided port is already allocated`);
}

/**
 * Moves the state from `old` holding its values to `next` holding its values. Values next holds
 * are marked used; values only old held lose old as an owner and are released once nobody holds
 * them. In 'commit' mode a value next holds that the transaction did not allocate and that
 * another Service holds is refused; in 'log' mode it is recorded anyway (the log is the truth).
 */
function transition(txn: AllocationTransaction, old: Service | undefined, next: Service | undefined, mode: Mode): ServiceAllocations | AllocationFailure {
  txn.finish();
  if (txn.mode === 'in-place' && mode !== 'log') throw new Error('allocation invariant: only the log is applied in place');
  const oldKey = old === undefined ? undefined : serviceOwnerKey(old);
  // An update keeps its owner even if the request left metadata.uid out (rest.BeforeUpdate copies it).
  const newKey = next === undefined ? undefined : mode === 'commit' && oldKey !== undefined ? oldKey : serviceOwnerKey(next);
  const oldHeld = old === undefined ? { clusterIPs: [], nodePorts: [] } : heldValues(old);
  const newHeld = next === undefined ? { clusterIPs: [], nodePorts: [] } : heldValues(next);

  if (next !== undefined && newKey !== undefined) {
    for (const ip of newHeld.clusterIPs) {
      const index = txn.ipAllocatorIndexFor(ip);
      if (index === undefined) continue;
      const holders = txn.ipOwners().get(ip);
      if (holders?.has(newKey) !== true && !txn.allocatedIPs.has(ip)) {
        const err = txn.ipAllocator(index).allocate(ip);
        if (err !== undefined && mode === 'commit') return adoptionFailure(next, 'ip', ip);
      }
      txn.ipOwners().add(ip, newKey);
    }
    for (const port of newHeld.nodePorts) {
      if (!txn.nodePorts().contains(port)) continue;
      const holders = txn.portOwners().get(port);
      if (holders?.has(newKey) !== true && !txn.allocatedPorts.has(port)) {
        const err = txn.nodePorts().allocate(port);
        if (err !== undefined && mode === 'commit') return adoptionFailure(next, 'port', port);
      }
      txn.portOwners().add(port, newKey);
    }
  }

  if (oldKey !== undefined) {
    const keptIPs = new Set(oldKey === newKey ? newHeld.clusterIPs : []);
    for (const ip of oldHeld.clusterIPs) {
      if (keptIPs.has(ip)) continue;
      const index = txn.ipAllocatorIndexFor(ip);
      if (index !== undefined && txn.ipOwners().remove(ip, oldKey)) txn.ipAllocator(index).release(ip);
    }
    const keptPorts = new Set(oldKey === newKey ? newHeld.nodePorts : []);
    for (const port of oldHeld.nodePorts) {
      if (keptPorts.has(port)) continue;
      if (txn.nodePorts().contains(port) && txn.portOwners().remove(port, oldKey)) txn.nodePorts().release(port);
    }
  }

  // Leak guard: a value this transaction took that the stored object does not hold goes back.
  const heldIPs = new Set(newHeld.clusterIPs);
  for (const ip of txn.allocatedIPs) {
    const index = txn.ipAllocatorIndexFor(ip);
    if (!heldIPs.has(ip) && index !== undefined && !txn.ipOwners().has(ip)) txn.ipAllocator(index).release(ip);
  }
  const heldPorts = new Set(newHeld.nodePorts);
  for (const port of txn.allocatedPorts) if (!heldPorts.has(port) && !txn.portOwners().has(port)) txn.nodePorts().release(port);

  return txn.state();
}

function isFailure(r: ServiceAllocations | AllocationFailure): r is AllocationFailure {
  return (r as { ok?: unknown }).ok === false;
}

/**
 * Commits an accepted create (old undefined) or update: the transaction's allocations stay, values
 * the old object held and the new one does not are released. A value the new object holds that
 * nobody allocated for it and another Service holds is refused with the allocator's "already
 * allocated" error; upstream would store it (validation only lets that through in corner cases)
 * and its repair controller would later report the double assignment.
 */
export function commitAllocations(
  txn: AllocationTransaction,
  old: Service | undefined,
  svc: Service,
): { readonly ok: true; readonly state: ServiceAllocations } | AllocationFailure {
  const r = transition(txn, old, svc, 'commit');
  return isFailure(r) ? r : { ok: true, state: r };
}

/** releaseAllocatedResources (afterDelete): the Service's clusterIPs, nodePorts and healthCheckNodePort. */
export function releaseAllocations(state: ServiceAllocations, old: Service): ServiceAllocations {
  return applyCommittedService(state, old, undefined);
}

/**
 * A committed write seen in the log: creation (old undefined), update, or deletion (next
 * undefined). The log is the truth: every in-range value next holds is marked used, even if this
 * process did not allocate it; values only old held are released once no live Service holds them.
 * Applying the same write twice changes nothing.
 */
export function applyCommittedService(state: ServiceAllocations, old: Service | undefined, next: Service | undefined): ServiceAllocations {
  const r = transition(new AllocationTransaction(state), old, next, 'log');
  if (isFailure(r)) throw new Error('allocation invariant: applying the log cannot fail');
  return r;
}

/**
 * applyCommittedService, writing into `state` itself instead of a copy: for a fold that owns its
 * state alone (evolveApiState), where nobody reads the previous state again. States cloned from it
 * earlier are unaffected: clones never share what either of them writes.
 */
export function applyCommittedServiceInPlace(state: ServiceAllocations, old: Service | undefined, next: Service | undefined): void {
  const r = transition(new AllocationTransaction(state, 'in-place'), old, next, 'log');
  if (isFailure(r) || r !== state) throw new Error('allocation invariant: applying the log in place cannot fail');
}

/** What a restarted api-store does: the allocations of exactly the live Services. */
export function rebuildServiceAllocations(config: ServiceAllocationConfig, services: Iterable<Service>): ServiceAllocations {
  const state = emptyServiceAllocations(config);
  for (const svc of services) applyCommittedServiceInPlace(state, undefined, svc);
  return state;
}
