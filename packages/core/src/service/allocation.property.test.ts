import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Service, ServicePort, ServiceSpec } from '../api/types.js';
import { seededRandom } from '../random.js';
import {
  applyCommittedService,
  applyCommittedServiceInPlace,
  emptyServiceAllocations,
  heldValues,
  rebuildServiceAllocations,
  serviceAllocationConfig,
  type ServiceAllocations,
} from './allocation.js';
import { createService, deleteService, updateService, type ServiceRegistryContext } from './registry.js';

// Random create/update/delete sequences, with requested and automatic values and type changes,
// interleaved with restarts (the state rebuilt from the live Services). Small ranges make
// collisions likely: 30 cluster IPs (static band 10.0.0.1-10.0.0.16) and 20 nodePorts
// (static band 30000-30015).
const config = serviceAllocationConfig({ serviceClusterIPRange: '10.0.0.0/27', serviceNodePortRange: '30000-30019' });
const NAMES = ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e'];
const IP_POOL = ['10.0.0.3', '10.0.0.20', '10.0.0.30', '10.0.0.40']; // the last is outside the range
const PORT_POOL = [30000, 30005, 30017, 30019, 40000]; // the last is outside the range

type Kind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | 'Headless';

interface PortShape {
  name: string;
  port: number;
  protocol: string;
  nodePort: number | undefined; // index into PORT_POOL
}

interface Shape {
  kind: Kind;
  clusterIP: number | undefined; // index into IP_POOL
  ports: PortShape[];
  local: boolean;
  hcnp: number | undefined; // index into PORT_POOL
  allocateLB: boolean;
}

type Op =
  | { op: 'create'; name: number; shape: Shape }
  | { op: 'update'; name: number; shape: Shape; replace: boolean }
  | { op: 'delete'; name: number }
  | { op: 'claim'; pick: number }
  | { op: 'restart' };

/** An index into a pool, or undefined (let the allocator choose) a bit more often than not. */
const requested = (pool: readonly unknown[]): fc.Arbitrary<number | undefined> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.nat(pool.length - 1) });

const portShape = fc.record({
  name: fc.constantFrom('p', 'q', 'r'),
  port: fc.constantFrom(53, 80, 443),
  protocol: fc.constantFrom('TCP', 'UDP'),
  nodePort: requested(PORT_POOL),
});

const shape: fc.Arbitrary<Shape> = fc.record({
  kind: fc.constantFrom<Kind>('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Headless'),
  clusterIP: requested(IP_POOL),
  ports: fc.uniqueArray(portShape, { minLength: 1, maxLength: 3, selector: (p) => p.name }).filter((ps) =>
    ps.every((p, i) => ps.findIndex((q) => q.port === p.port && q.protocol === p.protocol) === i),
  ),
  local: fc.boolean(),
  hcnp: requested(PORT_POOL),
  allocateLB: fc.boolean(),
});

const name = fc.nat(NAMES.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), name, shape }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('update' as const), name, shape, replace: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('claim' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

const usesNodePorts = (k: Kind) => k === 'NodePort' || k === 'LoadBalancer';

/** A Service kube-apiserver's validation accepts: nodePorts, eTP and healthCheckNodePort only where allowed. */
function newService(n: string, s: Shape): Service {
  const spec: ServiceSpec = { selector: { app: n }, sessionAffinity: 'None' };
  const ports: ServicePort[] = s.ports.map((p) => ({
    name: p.name,
    port: p.port,
    protocol: p.protocol,
    targetPort: p.port,
    ...(usesNodePorts(s.kind) && p.nodePort !== undefined ? { nodePort: PORT_POOL[p.nodePort] } : {}),
  }));
  spec.ports = ports;
  if (s.kind === 'ExternalName') {
    Object.assign(spec, { type: 'ExternalName', externalName: 'example.com' });
  } else {
    Object.assign(spec, { type: s.kind === 'Headless' ? 'ClusterIP' : s.kind, internalTrafficPolicy: 'Cluster' });
    if (s.kind === 'Headless') spec.clusterIP = 'None';
    else if (s.clusterIP !== undefined) spec.clusterIP = IP_POOL[s.clusterIP];
  }
  if (usesNodePorts(s.kind)) spec.externalTrafficPolicy = s.local ? 'Local' : 'Cluster';
  if (s.kind === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts = s.allocateLB;
    if (s.local && s.hcnp !== undefined) spec.healthCheckNodePort = PORT_POOL[s.hcnp];
  }
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: n, namespace: 'default', uid: `uid-${n}` }, spec };
}

/**
 * An update a client could send: `kubectl apply` (replace=false: the stored object with the new
 * type's fields; values the server allocated stay) or `kubectl replace` of a manifest (replace=true:
 * allocated values left out). clusterIP and a kept healthCheckNodePort never change, and headless
 * stays headless, as validation requires.
 */
function updatedService(old: Service, s: Shape, replace: boolean): Service {
  const o = old.spec!;
  const oldKind: Kind = o.type === 'ExternalName' ? 'ExternalName' : o.clusterIP === 'None' ? 'Headless' : (o.type as Kind);
  let kind = s.kind;
  if (oldKind === 'Headless' && kind !== 'ExternalName') kind = 'Headless';
  if (kind === 'Headless' && oldKind !== 'Headless' && oldKind !== 'ExternalName') kind = 'ClusterIP';
  const fresh = newService(old.metadata!.name!, { ...s, kind, clusterIP: oldKind === 'ExternalName' ? s.clusterIP : undefined });
  const spec = fresh.spec!;
  const oldLocalLB = o.type === 'LoadBalancer' && o.externalTrafficPolicy === 'Local';
  if (spec.healthCheckNodePort !== undefined && oldLocalLB) delete spec.healthCheckNodePort;
  if (!replace) {
    if (o.clusterIP !== undefined && spec.clusterIP === undefined) {
      spec.clusterIP = o.clusterIP;
      spec.clusterIPs = o.clusterIPs;
    }
    if (o.ipFamilies !== undefined) spec.ipFamilies = o.ipFamilies;
    if (o.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = o.ipFamilyPolicy;
    for (const p of spec.ports ?? []) {
      const kept = o.ports?.find((q) => q.name === p.name)?.nodePort;
      if (p.nodePort === undefined && kept !== undefined) p.nodePort = kept;
    }
    if (spec.healthCheckNodePort === undefined && o.healthCheckNodePort !== undefined) spec.healthCheckNodePort = o.healthCheckNodePort;
    if (spec.externalTrafficPolicy === undefined && o.externalTrafficPolicy !== undefined) spec.externalTrafficPolicy = o.externalTrafficPolicy;
    if (spec.allocateLoadBalancerNodePorts === undefined && o.allocateLoadBalancerNodePorts !== undefined) {
      spec.allocateLoadBalancerNodePorts = o.allocateLoadBalancerNodePorts;
    }
  }
  if (!usesNodePorts(kind) && replace) for (const p of spec.ports ?? []) delete p.nodePort;
  return { ...fresh, metadata: old.metadata };
}

interface Snapshot {
  clusterIPs: string[];
  nodePorts: number[];
}

function snapshot(state: ServiceAllocations): Snapshot {
  return { clusterIPs: state.clusterIPs.flatMap((a) => a.allocated()), nodePorts: state.nodePorts.allocated() };
}

function withOwners(state: ServiceAllocations) {
  return { ...snapshot(state), ipOwners: [...state.ipOwners], portOwners: [...state.portOwners] };
}

/** Every in-range value the live Services hold, each once; fails when two Services hold the same one. */
function heldByLive(live: Map<string, Service>): Snapshot {
  const ranges = emptyServiceAllocations(config);
  const ips = new Map<string, string>();
  const ports = new Map<number, string>();
  for (const [n, svc] of live) {
    const held = heldValues(svc);
    for (const ip of held.clusterIPs.filter((ip) => ranges.clusterIPs.some((a) => a.contains(ip)))) {
      expect(ips.get(ip), `clusterIP ${ip} held by ${ips.get(ip)} and ${n}`).toBeUndefined();
      ips.set(ip, n);
    }
    for (const p of held.nodePorts.filter((p) => ranges.nodePorts.contains(p))) {
      expect(ports.get(p), `nodePort ${p} held by ${ports.get(p)} and ${n}`).toBeUndefined();
      ports.set(p, n);
    }
  }
  const lastOctet = (ip: string) => Number(ip.split('.')[3]);
  return { clusterIPs: [...ips.keys()].sort((a, b) => lastOctet(a) - lastOctet(b)), nodePorts: [...ports.keys()].sort((a, b) => a - b) };
}

describe('Service allocation under random create/update/delete/restart sequences', () => {
  it('never gives a value to two live Services, marks every held value, frees what is released', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }), fc.integer(), (ops, seed) => {
        const ctx: ServiceRegistryContext = { random: seededRandom(seed), config };
        const live = new Map<string, Service>();
        let state = emptyServiceAllocations(config);
        // The api-store's log fold: the same writes, applied in place as the log delivers them.
        const folded = emptyServiceAllocations(config);
        // States derived purely from the folded one, which its later in-place writes must not reach.
        const branches: { state: ServiceAllocations; was: ReturnType<typeof withOwners> }[] = [];
        let revision = 0;
        const everHeld = { clusterIPs: new Set<string>(), nodePorts: new Set<number>() };

        for (const o of ops) {
          const prev = state;
          const before = snapshot(prev);
          if (o.op === 'restart') {
            state = rebuildServiceAllocations(config, live.values());
            expect(snapshot(state)).toEqual(before);
            continue;
          }
          if (o.op === 'delete') {
            const old = live.get(NAMES[o.name]!);
            if (old === undefined) continue;
            state = deleteService(old, state).state;
            live.delete(NAMES[o.name]!);
            const branch = applyCommittedService(folded, old, undefined);
            branches.push({ state: branch, was: withOwners(branch) });
            applyCommittedServiceInPlace(folded, old, undefined);
          } else {
            let r;
            if (o.op === 'claim') {
              // A value that was held once and is held by nobody now must be free to request.
              const held = heldByLive(live);
              const freeIPs = [...everHeld.clusterIPs].filter((ip) => !held.clusterIPs.includes(ip));
              const freePorts = [...everHeld.nodePorts].filter((p) => !held.nodePorts.includes(p));
              const n = NAMES.find((x) => !live.has(x));
              if (n === undefined || (freeIPs.length === 0 && freePorts.length === 0)) continue;
              const svc = newService(n, { kind: 'NodePort', clusterIP: undefined, ports: [{ name: 'p', port: 80, protocol: 'TCP', nodePort: undefined }], local: false, hcnp: undefined, allocateLB: true });
              if (freeIPs.length > 0) svc.spec!.clusterIP = freeIPs[o.pick % freeIPs.length];
              if (freePorts.length > 0) svc.spec!.ports![0]!.nodePort = freePorts[o.pick % freePorts.length];
              r = createService(svc, state, ctx);
              expect(r.ok, r.ok ? '' : r.message).toBe(true);
            } else if (o.op === 'create') {
              if (live.has(NAMES[o.name]!)) continue;
              r = createService(newService(NAMES[o.name]!, o.shape), state, ctx);
            } else {
              const old = live.get(NAMES[o.name]!);
              if (old === undefined) continue;
              r = updateService(updatedService(old, o.shape, o.replace), old, state, ctx);
            }
            // The state passed in is never modified, whatever the outcome.
            expect(snapshot(prev)).toEqual(before);
            if (!r.ok) continue;
            state = r.state;
            const stored = { ...r.service, metadata: { ...r.service.metadata, resourceVersion: String(++revision) } };
            const branch = applyCommittedService(folded, live.get(stored.metadata.name!), stored);
            branches.push({ state: branch, was: withOwners(branch) });
            applyCommittedServiceInPlace(folded, live.get(stored.metadata.name!), stored);
            live.set(stored.metadata.name!, stored);
          }

          expect(snapshot(prev)).toEqual(before);
          const held = heldByLive(live);
          // Every held value is marked, nothing else is: what was released is free again.
          expect(snapshot(state)).toEqual(held);
          // A restart from the live Services arrives at the same allocations.
          expect(snapshot(rebuildServiceAllocations(config, live.values()))).toEqual(held);
          // Folding the log in place arrives at the same allocations and owners as committing.
          expect(withOwners(folded)).toEqual(withOwners(state));
          for (const b of branches) expect(withOwners(b.state)).toEqual(b.was);
          held.clusterIPs.forEach((ip) => everHeld.clusterIPs.add(ip));
          held.nodePorts.forEach((p) => everHeld.nodePorts.add(p));
        }
      }),
      { numRuns: 300 },
    );
  });
});
