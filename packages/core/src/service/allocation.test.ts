import { describe, expect, it } from 'vitest';
import { invalid } from '../api/field-errors.js';
import type { Service, ServicePort, ServiceSpec } from '../api/types.js';
import type { Random } from '../random.js';
import {
  allocateCreate,
  applyCommittedService,
  applyCommittedServiceInPlace,
  commitAllocations,
  emptyServiceAllocations,
  heldValues,
  rebuildServiceAllocations,
  releaseAllocations,
  serviceAllocationConfig,
  type AllocationContext,
  type ServiceAllocations,
} from './allocation.js';

// AllocateNext with a zero draw hands out the lowest free value of the dynamic band:
// 10.96.1.1, 10.96.1.2, ... and 30086, 30087, ... with the default configuration.
const zero: Random = { int: () => 0 };
const ctx: AllocationContext = { random: zero };
const config = serviceAllocationConfig();
const dualStack = serviceAllocationConfig({ serviceClusterIPRange: '10.96.0.0/12,fd00:10:96::/112' });

function service(name: string, spec: ServiceSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { selector: { app: name }, sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ...spec },
  };
}

function port(name: string, number: number, protocol = 'TCP', nodePort?: number): ServicePort {
  return { name, port: number, protocol, targetPort: number, ...(nodePort === undefined ? {} : { nodePort }) };
}

const nodePortSpec = (ports: ServicePort[]): ServiceSpec => ({ type: 'NodePort', externalTrafficPolicy: 'Cluster', ports });
const lbSpec = (ports: ServicePort[], extra: ServiceSpec = {}): ServiceSpec => ({
  type: 'LoadBalancer',
  externalTrafficPolicy: 'Cluster',
  allocateLoadBalancerNodePorts: true,
  ports,
  ...extra,
});

/** allocateCreate + commitAllocations, the way the registry runs them. */
function create(svc: Service, state: ServiceAllocations, context: AllocationContext = ctx) {
  const alloc = allocateCreate(svc, state, context);
  if (!alloc.ok) return alloc;
  const committed = commitAllocations(alloc.txn, undefined, alloc.service);
  return committed.ok ? { ok: true as const, service: alloc.service, state: committed.state } : committed;
}

function allocated(state: ServiceAllocations) {
  return { clusterIPs: state.clusterIPs.map((a) => a.allocated()), nodePorts: state.nodePorts.allocated() };
}

function mustCreate(svc: Service, state: ServiceAllocations): { service: Service; state: ServiceAllocations } {
  const r = create(svc, state);
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r;
}

describe('allocateCreate: nodePorts (storage_test.go TestCreateInitNodePorts, alloc.go initNodePorts)', () => {
  const already = (i: number, np: number) => ({ ok: false, reason: 'Invalid', errors: [invalid(`spec.ports[${i}].nodePort`, np, 'provided port is already allocated')] });
  const cases: [string, ServiceSpec, (number | undefined)[] | object][] = [
    ['ClusterIP', { type: 'ClusterIP', ports: [port('p', 80)] }, [undefined]],
    ['ExternalName', { type: 'ExternalName', externalName: 'example.com', ports: [port('p', 80)] }, [undefined]],
    ['NodePort single port unspecified', nodePortSpec([port('p', 80)]), [30086]],
    ['NodePort single port specified', nodePortSpec([port('p', 80, 'TCP', 30080)]), [30080]],
    ['NodePort multiport unspecified', nodePortSpec([port('p', 80), port('q', 443)]), [30086, 30087]],
    ['NodePort multiport specified', nodePortSpec([port('p', 80, 'TCP', 30080), port('q', 443, 'TCP', 30443)]), [30080, 30443]],
    ['NodePort multiport same', nodePortSpec([port('p', 80, 'TCP', 30080), port('q', 443, 'TCP', 30080)]), already(1, 30080)],
    ['NodePort multiport multiproto unspecified', nodePortSpec([port('p', 53), port('q', 53, 'UDP')]), [30086, 30086]],
    ['NodePort multiport multiproto specified', nodePortSpec([port('p', 53, 'TCP', 30053), port('q', 53, 'UDP', 30054)]), [30053, 30054]],
    ['NodePort multiport multiproto same', nodePortSpec([port('p', 53, 'TCP', 30053), port('q', 53, 'UDP', 30053)]), [30053, 30053]],
    ['NodePort multiport multiproto conflict', nodePortSpec([port('p', 93, 'TCP', 30093), port('q', 76, 'UDP', 30093)]), already(1, 30093)],
    // The second port takes the first one's requested value: findRequestedNodePort scans forward.
    ['NodePort same port number, only the second specified', nodePortSpec([port('p', 53), port('q', 53, 'UDP', 30053)]), [30053, 30053]],
    ['LoadBalancer single port unspecified alloc:true', lbSpec([port('p', 80)]), [30086]],
    ['LoadBalancer single port unspecified alloc:false', lbSpec([port('p', 80)], { allocateLoadBalancerNodePorts: false }), [undefined]],
    ['LoadBalancer single port specified alloc:false', lbSpec([port('p', 80, 'TCP', 30080)], { allocateLoadBalancerNodePorts: false }), [30080]],
    ['LoadBalancer multiport unspecified alloc:false', lbSpec([port('p', 80), port('q', 443)], { allocateLoadBalancerNodePorts: false }), [undefined, undefined]],
    [
      'LoadBalancer multiport, one specified, alloc:false',
      lbSpec([port('p', 80, 'TCP', 30080), port('q', 443)], { allocateLoadBalancerNodePorts: false }),
      [30080, undefined],
    ],
    [
      'LoadBalancer same port number, alloc:false: no sharing for the unspecified one',
      lbSpec([port('p', 53, 'TCP', 30053), port('q', 53, 'UDP')], { allocateLoadBalancerNodePorts: false }),
      [30053, undefined],
    ],
    ['LoadBalancer multiport multiproto same', lbSpec([port('p', 53, 'TCP', 30053), port('q', 53, 'UDP', 30053)]), [30053, 30053]],
    ['LoadBalancer multiport multiproto conflict', lbSpec([port('p', 93, 'TCP', 30093), port('q', 76, 'UDP', 30093)]), already(1, 30093)],
    [
      'nodePort out of range',
      nodePortSpec([port('p', 80, 'TCP', 40000)]),
      {
        ok: false,
        reason: 'Invalid',
        errors: [invalid('spec.ports[0].nodePort', 40000, 'provided port is not in the valid range. The range of valid ports is 30000-32767')],
      },
    ],
  ];
  it.each(cases)('%s', (_name, spec, expected) => {
    const before = emptyServiceAllocations(config);
    const r = create(service('foo', spec), before);
    if (!Array.isArray(expected)) {
      expect(r).toEqual(expected);
      expect(allocated(before)).toEqual({ clusterIPs: [[]], nodePorts: [] });
      return;
    }
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.service.spec!.ports!.map((p) => p.nodePort)).toEqual(expected);
    const used = [...new Set(expected.filter((n): n is number => n !== undefined))].sort();
    expect(allocated(r.state).nodePorts).toEqual(used);
  });

  it('reports a full range as an InternalError', () => {
    const small = serviceAllocationConfig({ serviceNodePortRange: '30000-30001' });
    let state = emptyServiceAllocations(small);
    state = mustCreate(service('a', nodePortSpec([port('p', 80), port('q', 81)])), state).state;
    expect(create(service('b', nodePortSpec([port('p', 80)])), state)).toEqual({
      ok: false,
      reason: 'InternalError',
      errors: [],
      cause: 'failed to allocate a nodePort: range is full',
    });
  });
});

describe('allocateCreate: healthCheckNodePort (TestCreateExternalTrafficPolicy, alloc.go allocHealthCheckNodePort)', () => {
  const lbLocal = (extra: ServiceSpec = {}, ports = [port('p', 80)]) => lbSpec(ports, { externalTrafficPolicy: 'Local', ...extra });
  const internal = (cause: string) => ({ ok: false, reason: 'InternalError', errors: [], cause });
  const cases: [string, ServiceSpec, { nodePorts: (number | undefined)[]; hcnp: number | undefined } | object][] = [
    ['LoadBalancer Local, none requested', lbLocal(), { nodePorts: [30086], hcnp: 30087 }],
    ['LoadBalancer Local, requested', lbLocal({ healthCheckNodePort: 30000 }), { nodePorts: [30086], hcnp: 30000 }],
    ['LoadBalancer Local, alloc:false', lbLocal({ allocateLoadBalancerNodePorts: false }), { nodePorts: [undefined], hcnp: 30086 }],
    ['LoadBalancer Cluster', lbSpec([port('p', 80)]), { nodePorts: [30086], hcnp: undefined }],
    ['NodePort Local', { ...nodePortSpec([port('p', 80)]), externalTrafficPolicy: 'Local' }, { nodePorts: [30086], hcnp: undefined }],
    [
      'LoadBalancer Local, negative',
      lbLocal({ healthCheckNodePort: -1 }),
      internal('failed to allocate requested HealthCheck NodePort -1: provided port is not in the valid range. The range of valid ports is 30000-32767'),
    ],
    [
      'LoadBalancer Local, out of range',
      lbLocal({ healthCheckNodePort: 40000 }),
      internal('failed to allocate requested HealthCheck NodePort 40000: provided port is not in the valid range. The range of valid ports is 30000-32767'),
    ],
    [
      'LoadBalancer Local, the same as a nodePort',
      lbLocal({ healthCheckNodePort: 30080 }, [port('p', 80, 'TCP', 30080)]),
      internal('failed to allocate requested HealthCheck NodePort 30080: provided port is already allocated'),
    ],
  ];
  it.each(cases)('%s', (_name, spec, expected) => {
    const r = create(service('foo', spec), emptyServiceAllocations(config));
    if (!('hcnp' in expected)) {
      expect(r).toEqual(expected);
      return;
    }
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect({ nodePorts: r.service.spec!.ports!.map((p) => p.nodePort), hcnp: r.service.spec!.healthCheckNodePort }).toEqual(expected);
    expect(allocated(r.state).nodePorts).toEqual(heldValues(r.service).nodePorts.slice().sort());
  });
});

describe('allocateCreate: clusterIPs and IP families (alloc.go initIPFamilyFields, allocClusterIPs)', () => {
  type Expect = Pick<ServiceSpec, 'clusterIP' | 'clusterIPs' | 'ipFamilies' | 'ipFamilyPolicy'>;
  const notInRange = (ip: string, cidr: string) =>
    `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`;
  const cases: [string, typeof config, ServiceSpec, Expect | object][] = [
    [
      'unset',
      config,
      { type: 'ClusterIP' },
      { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
    ],
    [
      'requested in the static band',
      config,
      { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] },
      { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
    ],
    [
      'requested outside the range',
      config,
      { type: 'ClusterIP', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'] },
      { ok: false, reason: 'Invalid', errors: [invalid('spec.clusterIPs', ['10.0.0.5'], notInRange('10.0.0.5', '10.96.0.0/12'))] },
    ],
    [
      'requested IPv6 on an IPv4 cluster',
      config,
      { type: 'ClusterIP', clusterIP: '2001:db8::1', clusterIPs: ['2001:db8::1'] },
      { ok: false, reason: 'Invalid', errors: [invalid('spec.clusterIPs[0]', ['2001:db8::1'], 'IPv6 is not configured on this cluster')] },
    ],
    [
      'ipFamilies IPv6 on an IPv4 cluster',
      config,
      { type: 'ClusterIP', ipFamilies: ['IPv6'] },
      { ok: false, reason: 'Invalid', errors: [invalid('spec.ipFamilies[0]', 'IPv6', 'not configured on this cluster')] },
    ],
    [
      'RequireDualStack on a single-stack cluster',
      config,
      { type: 'ClusterIP', ipFamilyPolicy: 'RequireDualStack' },
      {
        ok: false,
        reason: 'Invalid',
        errors: [invalid('spec.ipFamilyPolicy', 'RequireDualStack', 'this cluster is not configured for dual-stack services')],
      },
    ],
    [
      'PreferDualStack on a single-stack cluster',
      config,
      { type: 'ClusterIP', ipFamilyPolicy: 'PreferDualStack' },
      { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'PreferDualStack' },
    ],
    [
      'headless',
      config,
      { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] },
      { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
    ],
    [
      'headless selectorless: RequireDualStack with both families even on a single-stack cluster',
      config,
      { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: {} },
      { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' },
    ],
    ['ExternalName', config, { type: 'ExternalName', externalName: 'example.com' }, {}],
    [
      'dual-stack PreferDualStack',
      dualStack,
      { type: 'ClusterIP', ipFamilyPolicy: 'PreferDualStack' },
      { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1', 'fd00:10:96::101'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' },
    ],
    [
      'dual-stack RequireDualStack, IPv6 first',
      dualStack,
      { type: 'ClusterIP', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'] },
      { clusterIP: 'fd00:10:96::101', clusterIPs: ['fd00:10:96::101', '10.96.1.1'], ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' },
    ],
    [
      'dual-stack, unset policy stays single-stack',
      dualStack,
      { type: 'ClusterIP' },
      { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
    ],
    [
      'dual-stack, two IPs with SingleStack',
      dualStack,
      { type: 'ClusterIP', ipFamilyPolicy: 'SingleStack', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00:10:96::5'] },
      {
        ok: false,
        reason: 'Invalid',
        errors: [invalid('spec.ipFamilyPolicy', 'SingleStack', "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified")],
      },
    ],
    [
      'dual-stack, the secondary outside its range: nothing is kept',
      dualStack,
      { type: 'ClusterIP', ipFamilyPolicy: 'PreferDualStack', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '2001:db8::5'] },
      {
        ok: false,
        reason: 'Invalid',
        errors: [invalid('spec.clusterIPs', ['10.96.0.5', '2001:db8::5'], notInRange('2001:db8::5', 'fd00:10:96::/112'))],
      },
    ],
  ];
  it.each(cases)('%s', (_name, cfg, spec, expected) => {
    const before = emptyServiceAllocations(cfg);
    const r = create(service('foo', spec), before);
    if ('ok' in expected) {
      expect(r).toEqual(expected);
      expect(allocated(before).clusterIPs.flat()).toEqual([]);
      return;
    }
    if (!r.ok) throw new Error(JSON.stringify(r));
    const s = r.service.spec!;
    const got: Expect = {};
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const) if (s[k] !== undefined) Object.assign(got, { [k]: s[k] });
    expect(got).toEqual(expected);
    expect(allocated(r.state).clusterIPs.flat().sort()).toEqual(heldValues(r.service).clusterIPs.slice().sort());
  });

  it('refuses an address another Service holds', () => {
    const state = mustCreate(service('a', { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] }), emptyServiceAllocations(config)).state;
    expect(create(service('b', { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] }), state)).toEqual({
      ok: false,
      reason: 'Invalid',
      errors: [invalid('spec.clusterIPs', ['10.96.0.20'], 'failed to allocate IP 10.96.0.20: provided IP is already allocated')],
    });
  });

  it('stops at the pre-validation of clusterIPs-related fields before allocating', () => {
    const bad = invalid('spec.clusterIPs[0]', 'abc', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    const r = create(service('a', { type: 'NodePort', clusterIP: 'abc', clusterIPs: ['abc'], ports: [port('p', 80)] }), emptyServiceAllocations(config), {
      random: zero,
      validateClusterIPsRelatedFields: () => [bad],
    });
    expect(r).toEqual({ ok: false, reason: 'Invalid', errors: [bad] });
  });

  it('reports a full range as an InternalError', () => {
    const tiny = serviceAllocationConfig({ serviceClusterIPRange: '10.0.0.0/30' }); // 10.0.0.1, 10.0.0.2
    let state = emptyServiceAllocations(tiny);
    state = mustCreate(service('a', { type: 'ClusterIP' }), state).state;
    state = mustCreate(service('b', { type: 'ClusterIP' }), state).state;
    expect(create(service('c', { type: 'ClusterIP' }), state)).toEqual({
      ok: false,
      reason: 'InternalError',
      errors: [],
      cause: 'failed to allocate a serviceIP: range is full',
    });
  });

  it('does not modify its input', () => {
    const input = service('a', nodePortSpec([port('p', 80)]));
    const copy = structuredClone(input);
    mustCreate(input, emptyServiceAllocations(config));
    expect(input).toEqual(copy);
  });
});

describe('state from the log: rebuild, apply, release', () => {
  const a = service('a', { ...nodePortSpec([port('p', 80, 'TCP', 30080)]), clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] });
  const b = service('b', { ...lbSpec([port('p', 53, 'TCP', 30053), port('q', 53, 'UDP', 30053)], { externalTrafficPolicy: 'Local', healthCheckNodePort: 30100 }), clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21'] });
  const headless = service('h', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
  const external = service('e', { type: 'ExternalName', externalName: 'example.com' });

  it('marks what the live Services hold, and nothing else', () => {
    const state = rebuildServiceAllocations(config, [a, b, headless, external]);
    expect(allocated(state)).toEqual({ clusterIPs: [['10.96.0.20', '10.96.0.21']], nodePorts: [30053, 30080, 30100] });
  });

  it('is what applying the same writes one by one gives, and applying a write twice changes nothing', () => {
    let state = emptyServiceAllocations(config);
    state = applyCommittedService(state, undefined, a);
    state = applyCommittedService(state, undefined, b);
    const again = applyCommittedService(applyCommittedService(state, undefined, b), undefined, a);
    expect(allocated(again)).toEqual(allocated(rebuildServiceAllocations(config, [a, b])));
    expect(again.portOwners).toEqual(state.portOwners);
  });

  it('releases on delete and on an update that drops a value', () => {
    let state = rebuildServiceAllocations(config, [a, b]);
    state = releaseAllocations(state, a);
    const bWithoutHC = service('b', { ...b.spec, externalTrafficPolicy: 'Cluster', healthCheckNodePort: undefined });
    delete bWithoutHC.spec!.healthCheckNodePort;
    state = applyCommittedService(state, b, bWithoutHC);
    expect(allocated(state)).toEqual({ clusterIPs: [['10.96.0.21']], nodePorts: [30053] });
  });

  it('does not release a value that another live Service took meanwhile', () => {
    // This process releases 30080 when a moves to 30081, hands 30080 to c, then reads a's update from the log.
    const a2 = service('a', { ...a.spec, ports: [port('p', 80, 'TCP', 30081)] });
    const c = service('c', nodePortSpec([port('p', 80, 'TCP', 30080)]));
    let state = rebuildServiceAllocations(config, [a]);
    state = applyCommittedService(state, a, a2);
    state = mustCreate(c, state).state;
    state = applyCommittedService(state, a, a2);
    expect(allocated(state).nodePorts).toEqual([30080, 30081]);
  });

  it('keeps a value two Services of the log hold until both are gone', () => {
    const twin = service('twin', nodePortSpec([port('p', 80, 'TCP', 30080)]));
    let state = rebuildServiceAllocations(config, [a, twin]);
    expect([...state.portOwners.get(30080)!].sort()).toEqual(['uid-a', 'uid-twin']);
    state = releaseAllocations(state, a);
    expect(allocated(state).nodePorts).toEqual([30080]);
    state = releaseAllocations(state, twin);
    expect(allocated(state).nodePorts).toEqual([]);
  });

  it('ignores values outside the configured ranges', () => {
    const old = service('old', { ...nodePortSpec([port('p', 80, 'TCP', 40000)]), clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'] });
    expect(allocated(rebuildServiceAllocations(config, [old]))).toEqual({ clusterIPs: [[]], nodePorts: [] });
  });

  it('refuses, on commit, a value the request carries that another Service holds and nobody allocated for it', () => {
    // ExternalName gets no nodePort allocation, so a stray nodePort reaches commit untouched.
    const state = rebuildServiceAllocations(config, [a]);
    const stray = service('x', { type: 'ExternalName', externalName: 'example.com', ports: [port('p', 80, 'TCP', 30080)] });
    expect(create(stray, state)).toEqual({
      ok: false,
      reason: 'Invalid',
      errors: [invalid('spec.ports[0].nodePort', 30080, 'provided port is already allocated')],
    });
  });

  it('folds the log in place, leaving the states made from it before as they were', () => {
    const folded = rebuildServiceAllocations(config, [a]);
    // c takes no nodePort: the new state's port allocator and owners are untouched copies.
    const before = mustCreate(service('c', { type: 'ClusterIP', ports: [port('p', 80)] }), folded).state;
    const snapshot = { ...allocated(before), owners: [...before.portOwners] };
    applyCommittedServiceInPlace(folded, undefined, b);
    applyCommittedServiceInPlace(folded, a, undefined);
    expect(allocated(folded)).toEqual({ clusterIPs: [['10.96.0.21']], nodePorts: [30053, 30100] });
    expect({ ...allocated(before), owners: [...before.portOwners] }).toEqual(snapshot);
    expect(snapshot).toEqual({
      clusterIPs: [['10.96.0.20', '10.96.1.1']],
      nodePorts: [30080],
      owners: [[30080, new Set(['uid-a'])]],
    });
  });

  it('leaves the state it was given untouched', () => {
    const state = rebuildServiceAllocations(config, [a]);
    const snapshot = { ...allocated(state), owners: [...state.portOwners] };
    mustCreate(service('c', nodePortSpec([port('p', 80)])), state);
    applyCommittedService(state, a, undefined);
    expect({ ...allocated(state), owners: [...state.portOwners] }).toEqual(snapshot);
  });
});

describe('serviceAllocationConfig (kube-apiserver flags)', () => {
  it('defaults to kubeadm 10.96.0.0/12 and 30000-32767', () => {
    const c = serviceAllocationConfig();
    expect({ cidrs: c.serviceCIDRs.length, range: c.nodePortRange }).toEqual({ cidrs: 1, range: { base: 30000, size: 2768 } });
    expect(allocated(emptyServiceAllocations(c))).toEqual({ clusterIPs: [[]], nodePorts: [] });
  });

  it.each([
    ['10.96.0.0/12,10.97.0.0/16', '--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family'],
    ['10.96.0.0/12,fd00::/112,10.1.0.0/16', '--service-cluster-ip-range must not contain more than two entries'],
    ['10.96.0.0/33', 'service-cluster-ip-range[0] is not a valid cidr'],
    ['10.96.0.0/12,nope', 'service-cluster-ip-range[1] is not an ip net'],
    ['10.0.0.0/8', 'specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12'],
    ['10.96.0.0/12,fd00::/64', 'specified --service-cluster-ip-range[1] is too large; for 128-bit addresses, the mask must be >= 108'],
  ])('%s is refused', (range, message) => {
    expect(() => serviceAllocationConfig({ serviceClusterIPRange: range })).toThrow(message);
  });
});
