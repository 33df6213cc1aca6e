import { afterEach, describe, expect, it, vi } from 'vitest';
import { forbidden, invalid } from '../api/field-errors.js';
import type { Service, ServicePort, ServiceSpec } from '../api/types.js';
import type { Random } from '../random.js';
import { emptyServiceAllocations, serviceAllocationConfig, type ServiceAllocations } from './allocation.js';
import { createService, deleteService, updateService, type ServiceRegistryContext } from './registry.js';
import { defaultOnReadService, normalizeClusterIPs, patchAllocatedValues } from './registry-storage.js';
import { dropTypeDependentFields } from './registry-strategy.js';
import { validateService, validateServiceUpdate } from './validation.js';

// Validation is another module's job; these tests only replace it where they need a validation
// failure to check what the registry does around it, and use the real one everywhere else.
vi.mock('./validation.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./validation.js')>();
  return { ...actual, validateService: vi.fn(actual.validateService), validateServiceUpdate: vi.fn(actual.validateServiceUpdate) };
});
const realValidation = await vi.importActual<typeof import('./validation.js')>('./validation.js');
afterEach(() => {
  vi.mocked(validateService).mockImplementation(realValidation.validateService);
  vi.mocked(validateServiceUpdate).mockImplementation(realValidation.validateServiceUpdate);
});

const zero: Random = { int: () => 0 };
const config = serviceAllocationConfig();
const ctx: ServiceRegistryContext = { random: zero, config };

// Fully defaulted objects (SetDefaults_Service), so the outcome does not depend on defaulting.
function service(name: string, spec: ServiceSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { selector: { app: name }, sessionAffinity: 'None', ...spec },
  };
}

function port(name: string, number: number, protocol = 'TCP', nodePort?: number): ServicePort {
  return { name, port: number, protocol, targetPort: number, ...(nodePort === undefined ? {} : { nodePort }) };
}

/** The user-set fields of each type, as defaulting leaves them. */
function typeFields(type: string): ServiceSpec {
  switch (type) {
    case 'ExternalName':
      return { type, externalName: 'example.com' };
    case 'ClusterIP':
      return { type, internalTrafficPolicy: 'Cluster' };
    case 'NodePort':
      return { type, internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster' };
    default:
      return { type, internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true };
  }
}

/** Creates, and stamps the resourceVersion the store would give the stored object. */
function mustCreate(svc: Service, state: ServiceAllocations): { service: Service; state: ServiceAllocations } {
  const r = createService(svc, state, ctx);
  if (!r.ok) throw new Error(r.message);
  return { service: { ...r.service, metadata: { ...r.service.metadata, resourceVersion: '1' } }, state: r.state };
}

function allocated(state: ServiceAllocations) {
  return { clusterIPs: state.clusterIPs.flatMap((a) => a.allocated()), nodePorts: state.nodePorts.allocated() };
}

describe('createService', () => {
  it('returns the stored object: allocated values, IP family fields, empty status', () => {
    const r = createService(service('web', { ...typeFields('NodePort'), ports: [port('http', 80), port('https', 443)] }), emptyServiceAllocations(config), ctx);
    expect(r.ok && { service: r.service, allocated: allocated(r.state) }).toEqual({
      service: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
        spec: {
          selector: { app: 'web' },
          sessionAffinity: 'None',
          type: 'NodePort',
          internalTrafficPolicy: 'Cluster',
          externalTrafficPolicy: 'Cluster',
          ports: [
            { name: 'http', port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30086 },
            { name: 'https', port: 443, protocol: 'TCP', targetPort: 443, nodePort: 30087 },
          ],
          clusterIP: '10.96.1.1',
          clusterIPs: ['10.96.1.1'],
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
        },
        status: { loadBalancer: {} },
      },
      allocated: { clusterIPs: ['10.96.1.1'], nodePorts: [30086, 30087] },
    });
  });

  it('reports the kubectl-visible texts of allocation failures', () => {
    const state = emptyServiceAllocations(config);
    const out = createService(service('a', { ...typeFields('NodePort'), ports: [port('p', 80, 'TCP', 40000)] }), state, ctx);
    const ip = createService(service('b', { ...typeFields('ClusterIP'), clusterIP: '10.0.0.5', ports: [port('p', 80)] }), state, ctx);
    expect([out.ok || out.message, ip.ok || ip.message]).toEqual([
      'Service "a" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    ]);
  });

  it('allocates before it validates: an allocation error hides validation errors', () => {
    const badName = invalid('spec.ports[0].name', 'HTTP', 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\'');
    vi.mocked(validateService).mockImplementation(() => [badName]);
    const r = createService(service('a', { ...typeFields('NodePort'), ports: [port('HTTP', 80, 'TCP', 40000)] }), emptyServiceAllocations(config), ctx);
    expect(r).toEqual({
      ok: false,
      reason: 'Invalid',
      errors: [invalid('spec.ports[0].nodePort', 40000, 'provided port is not in the valid range. The range of valid ports is 30000-32767')],
      message:
        'Service "a" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
    });
  });

  it('gives back what it allocated when validation fails afterwards', () => {
    const badName = invalid('spec.ports[0].name', 'HTTP', 'bad');
    vi.mocked(validateService).mockImplementation(() => [badName]);
    const state = emptyServiceAllocations(config);
    const r = createService(service('a', { ...typeFields('LoadBalancer'), externalTrafficPolicy: 'Local', ports: [port('HTTP', 80)] }), state, ctx);
    expect(r).toEqual({ ok: false, reason: 'Invalid', errors: [badName], message: 'Service "a" is invalid: spec.ports[0].name: Invalid value: "HTTP": bad' });
    vi.mocked(validateService).mockImplementation(realValidation.validateService);
    // The same request, now valid, gets the same values: nothing leaked from the failed attempt.
    const again = mustCreate(service('a', { ...typeFields('LoadBalancer'), externalTrafficPolicy: 'Local', ports: [port('http', 80)] }), state);
    expect([again.service.spec!.clusterIP, again.service.spec!.ports![0]!.nodePort, again.service.spec!.healthCheckNodePort]).toEqual([
      '10.96.1.1',
      30086,
      30087,
    ]);
  });

  it('stops before allocating on clusterIPs errors of validation (ValidateServiceClusterIPsRelatedFields)', () => {
    const r = createService(service('a', { ...typeFields('NodePort'), clusterIP: 'abc', ports: [port('p', 80, 'TCP', 40000)] }), emptyServiceAllocations(config), ctx);
    expect(r.ok || r.errors.map((e) => [e.field, e.badValue])).toEqual([['spec.clusterIPs[0]', 'abc']]);
  });

  it('reports a full range as an InternalError', () => {
    const small: ServiceRegistryContext = { random: zero, config: serviceAllocationConfig({ serviceNodePortRange: '30000-30000' }) };
    let state = emptyServiceAllocations(small.config);
    const first = createService(service('a', { ...typeFields('NodePort'), ports: [port('p', 80)] }), state, small);
    if (!first.ok) throw new Error(first.message);
    state = first.state;
    const r = createService(service('b', { ...typeFields('NodePort'), ports: [port('p', 80)] }), state, small);
    expect(r).toEqual({ ok: false, reason: 'InternalError', errors: [], message: 'Internal error occurred: failed to allocate a nodePort: range is full' });
  });

  it('refuses a state built for another configuration', () => {
    const other = emptyServiceAllocations(serviceAllocationConfig({ serviceNodePortRange: '31000-31999' }));
    expect(() => createService(service('a', typeFields('ClusterIP')), other, ctx)).toThrow(/another --service-cluster-ip-range or --service-node-port-range/);
  });
});

describe('updateService: type transitions (storage_test.go TestFeatureType)', () => {
  const from = (type: string): Service =>
    service('foo', type === 'Headless' ? { ...typeFields('ClusterIP'), clusterIP: 'None', ports: [port('p', 80)] } : { ...typeFields(type), ports: [port('p', 80)] });
  /** A patch of the stored object: the new type's fields replace the old type's; allocated values stay. */
  const to = (stored: Service, type: string): Service => {
    const svc = structuredClone(stored);
    const spec = svc.spec!;
    for (const k of ['type', 'externalName', 'externalTrafficPolicy', 'allocateLoadBalancerNodePorts', 'internalTrafficPolicy'] as const) delete spec[k];
    if (type === 'Headless') Object.assign(spec, typeFields('ClusterIP'), { clusterIP: 'None', clusterIPs: ['None'] });
    else Object.assign(spec, typeFields(type));
    // A user leaving a type keeps old fields in a patch; dropTypeDependentFields clears them when unchanged.
    if (stored.spec!.externalTrafficPolicy && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = stored.spec!.externalTrafficPolicy;
    if (stored.spec!.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === undefined) {
      spec.allocateLoadBalancerNodePorts = stored.spec!.allocateLoadBalancerNodePorts;
    }
    return svc;
  };

  type Outcome = { clusterIPs?: string[]; nodePorts: (number | undefined)[]; allocated: { clusterIPs: string[]; nodePorts: number[] } };
  const ip = '10.96.1.1';
  const np = 30086;
  const none: Outcome['allocated'] = { clusterIPs: [], nodePorts: [] };
  const cases: [string, string, Outcome][] = [
    ['ExternalName', 'ClusterIP', { clusterIPs: [ip], nodePorts: [undefined], allocated: { clusterIPs: [ip], nodePorts: [] } }],
    ['ExternalName', 'NodePort', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['ExternalName', 'LoadBalancer', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['ExternalName', 'Headless', { clusterIPs: ['None'], nodePorts: [undefined], allocated: none }],
    ['ClusterIP', 'ExternalName', { nodePorts: [undefined], allocated: none }],
    ['ClusterIP', 'NodePort', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['ClusterIP', 'LoadBalancer', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['NodePort', 'ExternalName', { nodePorts: [undefined], allocated: none }],
    ['NodePort', 'ClusterIP', { clusterIPs: [ip], nodePorts: [undefined], allocated: { clusterIPs: [ip], nodePorts: [] } }],
    ['NodePort', 'LoadBalancer', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['LoadBalancer', 'ExternalName', { nodePorts: [undefined], allocated: none }],
    ['LoadBalancer', 'ClusterIP', { clusterIPs: [ip], nodePorts: [undefined], allocated: { clusterIPs: [ip], nodePorts: [] } }],
    ['LoadBalancer', 'NodePort', { clusterIPs: [ip], nodePorts: [np], allocated: { clusterIPs: [ip], nodePorts: [np] } }],
    ['Headless', 'ExternalName', { nodePorts: [undefined], allocated: none }],
  ];
  it.each(cases)('%s → %s', (fromType, toType, expected) => {
    const created = mustCreate(from(fromType), emptyServiceAllocations(config));
    const r = updateService(to(created.service, toType), created.service, created.state, ctx);
    if (!r.ok) throw new Error(r.message);
    const outcome: Outcome = { nodePorts: r.service.spec!.ports!.map((p) => p.nodePort), allocated: allocated(r.state) };
    if (r.service.spec!.clusterIPs !== undefined) outcome.clusterIPs = r.service.spec!.clusterIPs;
    expect(outcome).toEqual(expected);
    expect(r.service.spec!.clusterIP).toBe(expected.clusterIPs?.[0]);
  });

  it('LoadBalancer → ClusterIP returns the whole object without type-dependent fields', () => {
    const created = mustCreate(from('LoadBalancer'), emptyServiceAllocations(config));
    const withStatus = { ...created.service, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } };
    const r = updateService(to(withStatus, 'ClusterIP'), withStatus, created.state, ctx);
    expect(r.ok && r.service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'foo', namespace: 'default', uid: 'uid-foo', resourceVersion: '1' },
      spec: {
        selector: { app: 'foo' },
        sessionAffinity: 'None',
        ports: [{ name: 'p', port: 80, protocol: 'TCP', targetPort: 80 }],
        clusterIP: '10.96.1.1',
        clusterIPs: ['10.96.1.1'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
  });

  it.each([
    ['Headless', 'NodePort', invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services")],
    ['NodePort', 'Headless', invalid('spec.clusterIPs[0]', ['None'], 'may not change once set')],
  ])('%s → %s is refused by validation, and the allocations it made are given back', (fromType, toType, error) => {
    const created = mustCreate(from(fromType), emptyServiceAllocations(config));
    vi.mocked(validateServiceUpdate).mockImplementation(() => [error]);
    const r = updateService(to(created.service, toType), created.service, created.state, ctx);
    expect(r.ok || r.errors).toEqual([error]);
    expect(allocated(created.state)).toEqual(allocated(mustCreate(from(fromType), emptyServiceAllocations(config)).state));
  });

  it('keeps a nodePort the user added when leaving NodePort, so that validation can refuse it', () => {
    const created = mustCreate(from('NodePort'), emptyServiceAllocations(config));
    const next = to(created.service, 'ClusterIP');
    next.spec!.ports![0]!.nodePort = 30500;
    const refusal = forbidden('spec.ports[0].nodePort', "may not be used when `type` is 'ClusterIP'");
    vi.mocked(validateServiceUpdate).mockImplementation((s) => (s.spec?.ports?.[0]?.nodePort ? [refusal] : []));
    const r = updateService(next, created.service, created.state, ctx);
    expect(r.ok || r.errors).toEqual([refusal]);
  });
});

describe('updateService: healthCheckNodePort (TestFeatureExternalTrafficPolicy)', () => {
  const lb = (etp: string, extra: ServiceSpec = {}) => service('foo', { ...typeFields('LoadBalancer'), externalTrafficPolicy: etp, ports: [port('p', 80)], ...extra });
  const cases: [string, Service, (stored: Service) => Service, { hcnp: number | undefined; nodePorts: number[] }][] = [
    ['LoadBalancer Cluster → Local allocates one', lb('Cluster'), (s) => ({ ...s, spec: { ...s.spec, externalTrafficPolicy: 'Local' } }), { hcnp: 30087, nodePorts: [30086, 30087] }],
    [
      'LoadBalancer Cluster → Local honours a requested one',
      lb('Cluster'),
      (s) => ({ ...s, spec: { ...s.spec, externalTrafficPolicy: 'Local', healthCheckNodePort: 30100 } }),
      { hcnp: 30100, nodePorts: [30086, 30100] },
    ],
    ['LoadBalancer Local → Cluster releases it', lb('Local'), (s) => ({ ...s, spec: { ...s.spec, externalTrafficPolicy: 'Cluster' } }), { hcnp: undefined, nodePorts: [30086] }],
    [
      'LoadBalancer Local → Local without the value keeps it',
      lb('Local'),
      (s) => {
        const next = structuredClone(s);
        delete next.spec!.healthCheckNodePort;
        return next;
      },
      { hcnp: 30087, nodePorts: [30086, 30087] },
    ],
    [
      'LoadBalancer Local → NodePort Local releases it',
      lb('Local'),
      (s) => {
        const next = structuredClone(s);
        next.spec!.type = 'NodePort';
        delete next.spec!.allocateLoadBalancerNodePorts;
        return next;
      },
      { hcnp: undefined, nodePorts: [30086] },
    ],
    [
      'NodePort Local → LoadBalancer Local allocates one',
      service('foo', { ...typeFields('NodePort'), externalTrafficPolicy: 'Local', ports: [port('p', 80)] }),
      (s) => ({ ...s, spec: { ...s.spec, type: 'LoadBalancer', allocateLoadBalancerNodePorts: true } }),
      { hcnp: 30087, nodePorts: [30086, 30087] },
    ],
  ];
  it.each(cases)('%s', (_name, initial, change, expected) => {
    const created = mustCreate(initial, emptyServiceAllocations(config));
    const r = updateService(change(created.service), created.service, created.state, ctx);
    if (!r.ok) throw new Error(r.message);
    expect({ hcnp: r.service.spec!.healthCheckNodePort, nodePorts: allocated(r.state).nodePorts }).toEqual(expected);
  });

  it('refuses a requested one that is taken, as an InternalError', () => {
    let state = mustCreate(service('other', { ...typeFields('NodePort'), ports: [port('p', 80, 'TCP', 30100)] }), emptyServiceAllocations(config)).state;
    const created = mustCreate(lb('Cluster'), state);
    state = created.state;
    const r = updateService({ ...created.service, spec: { ...created.service.spec, externalTrafficPolicy: 'Local', healthCheckNodePort: 30100 } }, created.service, state, ctx);
    expect(r).toEqual({
      ok: false,
      reason: 'InternalError',
      errors: [],
      message: 'Internal error occurred: failed to allocate requested HealthCheck NodePort 30100: provided port is already allocated',
    });
  });
});

describe('updateService: re-applying a manifest (patchAllocatedValues)', () => {
  /** What `kubectl replace` sends: the manifest, with the stored resourceVersion. */
  const manifest = (ports: ServicePort[]) => {
    const svc = service('web', { ...typeFields('NodePort'), ports });
    svc.metadata!.resourceVersion = '1';
    return svc;
  };

  it('keeps clusterIP and nodePorts the manifest does not carry, and changes nothing', () => {
    const created = mustCreate(manifest([port('http', 80), port('https', 443)]), emptyServiceAllocations(config));
    const r = updateService(manifest([port('http', 80), port('https', 443)]), created.service, created.state, ctx);
    expect(r.ok && { service: r.service, allocated: allocated(r.state) }).toEqual({ service: created.service, allocated: allocated(created.state) });
  });

  it('matches nodePorts by port name: a renamed port gets a new one, the old one is released', () => {
    const created = mustCreate(manifest([port('http', 80), port('https', 443)]), emptyServiceAllocations(config));
    const r = updateService(manifest([port('web', 80), port('https', 443)]), created.service, created.state, ctx);
    expect(r.ok && { nodePorts: r.service.spec!.ports!.map((p) => p.nodePort), allocated: allocated(r.state).nodePorts }).toEqual({
      nodePorts: [30088, 30087],
      allocated: [30087, 30088],
    });
  });

  it('does not reuse, within the same update, a nodePort it releases', () => {
    const created = mustCreate(manifest([port('http', 80, 'TCP', 30080)]), emptyServiceAllocations(config));
    const r = updateService(manifest([port('http', 80, 'TCP', 30081), port('admin', 81, 'TCP', 30080)]), created.service, created.state, ctx);
    // 30080 is still the old object's; the new spec keeps it, so it is not allocated again.
    expect(r.ok && allocated(r.state).nodePorts).toEqual([30080, 30081]);
  });

  it('reports a repeated (protocol, nodePort) as a plain 500, like the Go error it is', () => {
    const created = mustCreate(manifest([port('a', 80)]), emptyServiceAllocations(config));
    const r = updateService(manifest([port('a', 80, 'TCP', 30100), port('b', 81, 'TCP', 30100)]), created.service, created.state, ctx);
    expect(r).toEqual({ ok: false, reason: 'Unknown', errors: [], message: 'duplicate nodePort: {TCP 30100}' });
  });
});

describe('updateService: IP families (alloc.go updateClusterIPs cases C and D)', () => {
  const dual: ServiceRegistryContext = { random: zero, config: serviceAllocationConfig({ serviceClusterIPRange: '10.96.0.0/12,fd00:10:96::/112' }) };
  const createIn = (c: ServiceRegistryContext, svc: Service) => {
    const r = createService(svc, emptyServiceAllocations(c.config), c);
    if (!r.ok) throw new Error(r.message);
    return { service: { ...r.service, metadata: { ...r.service.metadata, resourceVersion: '1' } }, state: r.state };
  };
  const families = (svc: Service) => ({ clusterIPs: svc.spec!.clusterIPs, ipFamilies: svc.spec!.ipFamilies, ipFamilyPolicy: svc.spec!.ipFamilyPolicy });

  it('upgrades to dual-stack when the policy asks for it, allocating the secondary address', () => {
    const created = createIn(dual, service('a', { ...typeFields('ClusterIP'), ports: [port('p', 80)] }));
    const r = updateService({ ...created.service, spec: { ...created.service.spec, ipFamilyPolicy: 'PreferDualStack' } }, created.service, created.state, dual);
    if (!r.ok) throw new Error(r.message);
    expect({ ...families(r.service), allocated: allocated(r.state) }).toEqual({
      clusterIPs: ['10.96.1.1', 'fd00:10:96::101'],
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
      allocated: { clusterIPs: ['10.96.1.1', 'fd00:10:96::101'], nodePorts: [] },
    });
  });

  it('downgrades to single-stack when the policy becomes SingleStack, releasing the secondary address', () => {
    const created = createIn(dual, service('a', { ...typeFields('ClusterIP'), ipFamilyPolicy: 'RequireDualStack', ports: [port('p', 80)] }));
    expect(allocated(created.state).clusterIPs).toEqual(['10.96.1.1', 'fd00:10:96::101']);
    const r = updateService({ ...created.service, spec: { ...created.service.spec, ipFamilyPolicy: 'SingleStack' } }, created.service, created.state, dual);
    if (!r.ok) throw new Error(r.message);
    expect({ ...families(r.service), allocated: allocated(r.state) }).toEqual({
      clusterIPs: ['10.96.1.1'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      allocated: { clusterIPs: ['10.96.1.1'], nodePorts: [] },
    });
  });

  it('refuses to drop the secondary address without SingleStack', () => {
    const created = createIn(dual, service('a', { ...typeFields('ClusterIP'), ipFamilyPolicy: 'RequireDualStack', ports: [port('p', 80)] }));
    const spec = { ...created.service.spec, clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'] };
    const r = updateService({ ...created.service, spec }, created.service, created.state, dual);
    expect(r.ok || r.errors).toEqual([
      invalid('spec.ipFamilyPolicy', 'RequireDualStack', "must be 'SingleStack' to release the secondary cluster IP"),
      invalid('spec.ipFamilyPolicy', 'RequireDualStack', "must be 'SingleStack' to release the secondary IP family"),
    ]);
  });

  it('allocates from an IPv6 primary range', () => {
    const v6: ServiceRegistryContext = { random: zero, config: serviceAllocationConfig({ serviceClusterIPRange: 'fd00:10:96::/112' }) };
    const created = createIn(v6, service('a', { ...typeFields('ClusterIP'), ports: [port('p', 80)] }));
    expect(families(created.service)).toEqual({ clusterIPs: ['fd00:10:96::101'], ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' });
  });
});

describe('deleteService', () => {
  it('releases clusterIPs, nodePorts and the healthCheckNodePort', () => {
    const created = mustCreate(
      service('lb', { ...typeFields('LoadBalancer'), externalTrafficPolicy: 'Local', ports: [port('p', 80)] }),
      emptyServiceAllocations(config),
    );
    expect(allocated(created.state)).toEqual({ clusterIPs: ['10.96.1.1'], nodePorts: [30086, 30087] });
    expect(allocated(deleteService(created.service, created.state).state)).toEqual({ clusterIPs: [], nodePorts: [] });
  });
});

describe('patchAllocatedValues (storage.go)', () => {
  const np = (type: string, ports: ServicePort[], extra: ServiceSpec = {}) => service('x', { ...typeFields(type), ports, ...extra });
  const cases: [string, Service, Service, ServiceSpec][] = [
    [
      'nodePorts copied by name',
      np('NodePort', [port('a', 80, 'TCP', 30001), port('b', 81, 'TCP', 30002)]),
      np('NodePort', [port('b', 81), port('a', 80)]),
      { ports: [port('b', 81, 'TCP', 30002), port('a', 80, 'TCP', 30001)] },
    ],
    [
      'a renamed port gets nothing',
      np('NodePort', [port('a', 80, 'TCP', 30001), port('b', 81, 'TCP', 30002)]),
      np('NodePort', [port('a', 80), port('c', 81)]),
      { ports: [port('a', 80, 'TCP', 30001), port('c', 81)] },
    ],
    [
      'not a value another port of the new spec already uses',
      np('NodePort', [port('a', 80, 'TCP', 30001)]),
      np('NodePort', [port('a', 80), port('b', 81, 'TCP', 30001)]),
      { ports: [port('a', 80), port('b', 81, 'TCP', 30001)] },
    ],
    ['not for a type without nodePorts', np('NodePort', [port('a', 80, 'TCP', 30001)]), np('ClusterIP', [port('a', 80)]), { ports: [port('a', 80)] }],
    [
      'clusterIP(s) when both types need one',
      np('ClusterIP', [port('a', 80)], { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] }),
      np('NodePort', [port('a', 80)]),
      { ports: [port('a', 80)], clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] },
    ],
    [
      'no clusterIP for ExternalName',
      np('ClusterIP', [port('a', 80)], { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] }),
      np('ExternalName', [port('a', 80)]),
      { ports: [port('a', 80)] },
    ],
    [
      'healthCheckNodePort for LoadBalancer Local → Local',
      np('LoadBalancer', [port('a', 80, 'TCP', 30001)], { externalTrafficPolicy: 'Local', healthCheckNodePort: 30009 }),
      np('LoadBalancer', [port('a', 80)], { externalTrafficPolicy: 'Local' }),
      { ports: [port('a', 80, 'TCP', 30001)], healthCheckNodePort: 30009 },
    ],
    [
      'no healthCheckNodePort for LoadBalancer Local → Cluster',
      np('LoadBalancer', [port('a', 80, 'TCP', 30001)], { externalTrafficPolicy: 'Local', healthCheckNodePort: 30009 }),
      np('LoadBalancer', [port('a', 80)]),
      { ports: [port('a', 80, 'TCP', 30001)] },
    ],
  ];
  it.each(cases)('%s', (_name, old, next, expected) => {
    const s = patchAllocatedValues(next, old).spec!;
    const got: ServiceSpec = { ports: s.ports };
    for (const k of ['clusterIP', 'clusterIPs', 'healthCheckNodePort'] as const) if (s[k] !== undefined) Object.assign(got, { [k]: s[k] });
    expect(got).toEqual(expected);
  });
});

describe('normalizeClusterIPs and defaultOnReadService (storage.go)', () => {
  const ips = (clusterIP?: string, clusterIPs?: string[]) => service('x', { type: 'ClusterIP', ...(clusterIP ? { clusterIP } : {}), ...(clusterIPs ? { clusterIPs } : {}) });
  const cases: [string, Service, Service | undefined, string[] | undefined][] = [
    ['create: singular only', ips('10.96.0.5'), undefined, ['10.96.0.5']],
    ['create: both', ips('10.96.0.5', ['10.96.0.5']), undefined, ['10.96.0.5']],
    ['update: an old client sent only the same singular', ips('10.96.0.5'), ips('10.96.0.5', ['10.96.0.5']), ['10.96.0.5']],
    ['update: clearing the singular clears the same plural', ips(undefined, ['10.96.0.5']), ips('10.96.0.5', ['10.96.0.5']), undefined],
    ['update: a new singular replaces the same plural', ips('10.96.0.6', ['10.96.0.5']), ips('10.96.0.5', ['10.96.0.5']), ['10.96.0.6']],
  ];
  it.each(cases)('%s', (_name, next, old, expected) => {
    expect(normalizeClusterIPs(next, old).spec!.clusterIPs).toEqual(expected);
  });

  it('fills IP families of objects stored without them', () => {
    const read = (spec: ServiceSpec) => {
      const s = defaultOnReadService(service('x', spec), 'IPv4').spec!;
      return { clusterIPs: s.clusterIPs, ipFamilies: s.ipFamilies, ipFamilyPolicy: s.ipFamilyPolicy };
    };
    expect([
      read({ type: 'ClusterIP', clusterIP: '10.96.0.5' }),
      read({ type: 'ClusterIP', clusterIP: 'None' }),
      read({ type: 'ClusterIP', clusterIP: 'None', selector: {} }),
    ]).toEqual([
      { clusterIPs: ['10.96.0.5'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
      { clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
      { clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' },
    ]);
    expect(defaultOnReadService(service('x', { type: 'ExternalName', internalTrafficPolicy: 'Cluster' }), 'IPv4').spec).toEqual({
      type: 'ExternalName',
      selector: { app: 'x' },
      sessionAffinity: 'None',
    });
  });
});

describe('dropTypeDependentFields (strategy.go)', () => {
  const lb = service('x', {
    ...typeFields('LoadBalancer'),
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 30009,
    loadBalancerClass: 'example.com/lb',
    clusterIP: '10.96.0.5',
    clusterIPs: ['10.96.0.5'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [port('a', 80, 'TCP', 30001)],
  });
  const withType = (type: string, extra: ServiceSpec = {}): Service => ({ ...lb, spec: { ...lb.spec, type, ...extra } });

  it('LoadBalancer → ClusterIP: drops nodePorts, healthCheckNodePort, LB-only fields and externalTrafficPolicy; clears the LB status', () => {
    const old = { ...lb, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } };
    const r = dropTypeDependentFields({ ...withType('ClusterIP'), status: old.status }, old);
    expect(r).toEqual({
      ...lb,
      spec: {
        selector: { app: 'x' },
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
        clusterIP: '10.96.0.5',
        clusterIPs: ['10.96.0.5'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [port('a', 80)],
      },
      status: { loadBalancer: {} },
    });
  });

  it('LoadBalancer → ExternalName: also drops the IP fields', () => {
    const s = dropTypeDependentFields(withType('ExternalName', { externalName: 'example.com' }), lb).spec!;
    expect([s.clusterIP, s.clusterIPs, s.ipFamilies, s.ipFamilyPolicy]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps what the user changed while leaving the type', () => {
    const changed = withType('ClusterIP', { ports: [port('a', 80, 'TCP', 30002)], healthCheckNodePort: 30010, allocateLoadBalancerNodePorts: false, externalTrafficPolicy: 'Cluster' });
    const s = dropTypeDependentFields(changed, lb).spec!;
    expect([s.ports![0]!.nodePort, s.healthCheckNodePort, s.allocateLoadBalancerNodePorts, s.externalTrafficPolicy]).toEqual([30002, 30010, false, 'Cluster']);
  });

  it('keeps externalTrafficPolicy for a ClusterIP Service with externalIPs (still externally accessible)', () => {
    const s = dropTypeDependentFields(withType('ClusterIP', { externalIPs: ['192.0.2.7'] }), lb).spec!;
    expect(s.externalTrafficPolicy).toBe('Local');
  });
});
