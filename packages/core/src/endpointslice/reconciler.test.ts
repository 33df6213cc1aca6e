import { describe, expect, it } from 'vitest';
import type { ContainerPort, Endpoint, EndpointSlice, Node, Pod, Service } from '../api/types.js';
import { reconcileEndpointSlices, type EndpointSliceChanges } from './reconciler.js';

interface PodOptions {
  ready?: boolean;
  deleting?: boolean;
  phase?: string;
  labels?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  ports?: ContainerPort[];
  podIPs?: string[];
}

function pod(name: string, ip: string | undefined, nodeName: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'nginx' },
      ...(o.deleting ? { deletionTimestamp: '2026-11-27T21:10:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      nodeName,
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      containers: [{ name: 'nginx', image: 'nginx', ports: o.ports ?? [{ containerPort: 80, protocol: 'TCP' }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      ...(ip ? { podIP: ip, podIPs: (o.podIPs ?? [ip]).map((x) => ({ ip: x })) } : {}),
    },
  };
}

const myNginx: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', namespace: 'default', uid: 'uid-my-nginx', labels: { run: 'my-nginx' } },
  spec: {
    type: 'NodePort',
    selector: { app: 'nginx' },
    clusterIP: '10.96.107.207',
    clusterIPs: ['10.96.107.207'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
    ],
  },
};

const nodes: Node[] = [1, 2, 3].map((n): Node => ({
  metadata: { name: `node-${n}`, labels: n === 1 ? { 'topology.kubernetes.io/zone': 'zone-a' } : {} },
}));

const ownerRef = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'Service', name, uid, controller: true, blockOwnerDeletion: true });

/** Gives created slices the names the api-store would, to feed them back as existing state. */
function stored(slices: EndpointSlice[], names: string[]): EndpointSlice[] {
  return slices.map((s, i) => {
    const copy = structuredClone(s);
    const { generateName: _g, ...meta } = copy.metadata!;
    return { ...copy, metadata: { ...meta, name: names[i]!, resourceVersion: String(100 + i) } };
  });
}

const noChanges: EndpointSliceChanges = { create: [], update: [], delete: [], podsOnMissingNodes: [] };

describe('reconcileEndpointSlices: the seed my-nginx Service', () => {
  const pods = [pod('nginx-c', '10.244.3.4', 'node-3'), pod('nginx-a', '10.244.1.5', 'node-1'), pod('nginx-b', '10.244.2.3', 'node-2')];
  const mine: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: 'my-nginx-',
      namespace: 'default',
      labels: {
        run: 'my-nginx',
        'kubernetes.io/service-name': 'my-nginx',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [ownerRef('my-nginx', 'uid-my-nginx')],
    },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.244.1.5'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'nginx-a', uid: 'uid-nginx-a' },
        nodeName: 'node-1',
        zone: 'zone-a',
      },
      {
        addresses: ['10.244.2.3'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'nginx-b', uid: 'uid-nginx-b' },
        nodeName: 'node-2',
      },
      {
        addresses: ['10.244.3.4'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'nginx-c', uid: 'uid-nginx-c' },
        nodeName: 'node-3',
      },
    ],
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
    ],
  };

  it('creates one slice with the three pods over three nodes', () => {
    expect(reconcileEndpointSlices(myNginx, pods, [], { nodes })).toEqual({ ...noChanges, create: [mine] });
  });

  it('writes nothing on a resync of what it wrote', () => {
    const existing = stored([mine], ['my-nginx-x7k2p']);
    expect(reconcileEndpointSlices(myNginx, pods, existing, { nodes })).toEqual(noChanges);
    expect(reconcileEndpointSlices(myNginx, [...pods].reverse(), existing, { nodes })).toEqual(noChanges);
  });

  it('updates the slice in place when a pod stops being ready, and stamps the trigger time', () => {
    const existing = stored([mine], ['my-nginx-x7k2p']);
    const changed = [pods[0]!, pods[1]!, pod('nginx-b', '10.244.2.3', 'node-2', { ready: false })];
    const got = reconcileEndpointSlices(myNginx, changed, existing, { nodes, lastChangeTriggerTime: '2026-11-27T21:11:00Z' });
    const want = structuredClone(existing[0]!);
    want.endpoints![1]!.conditions = { ready: false, serving: false, terminating: false };
    want.metadata!.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-27T21:11:00Z' };
    expect(got).toEqual({ ...noChanges, update: [want] });
  });

  it('follows a change of the Service labels, keeping the reserved ones', () => {
    const existing = stored([mine], ['my-nginx-x7k2p']);
    const relabelled: Service = { ...myNginx, metadata: { ...myNginx.metadata, labels: { run: 'web', 'kubernetes.io/service-name': 'spoof' } } };
    const want = structuredClone(existing[0]!);
    want.metadata!.labels = {
      run: 'web',
      'kubernetes.io/service-name': 'my-nginx',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    };
    expect(reconcileEndpointSlices(relabelled, pods, existing, { nodes })).toEqual({ ...noChanges, update: [want] });
  });

  it('leaves out pods on an unknown node and reports them, unless publishNotReadyAddresses', () => {
    const strays = [...pods, pod('nginx-d', '10.244.9.9', 'node-9')];
    expect(reconcileEndpointSlices(myNginx, strays, [], { nodes })).toEqual({ ...noChanges, create: [mine], podsOnMissingNodes: ['default/nginx-d'] });
    const publish: Service = { ...myNginx, spec: { ...myNginx.spec, publishNotReadyAddresses: true } };
    const got = reconcileEndpointSlices(publish, strays, [], { nodes });
    expect(got.podsOnMissingNodes).toEqual([]);
    expect(got.create[0]!.endpoints!.map((e) => e.targetRef!.name)).toEqual(['nginx-a', 'nginx-b', 'nginx-c', 'nginx-d']);
  });

  it('ignores pods of other namespaces or labels, Services without a selector and ExternalName Services', () => {
    const other = pod('other', '10.244.1.9', 'node-1', { labels: { app: 'web' } });
    const elsewhere = { ...pod('far', '10.244.1.8', 'node-1'), metadata: { ...pod('far', '', 'node-1').metadata, namespace: 'prod' } };
    expect(reconcileEndpointSlices(myNginx, [...pods, other, elsewhere], [], { nodes })).toEqual({ ...noChanges, create: [mine] });
    const userSlice = stored([mine], ['my-nginx-manual'])[0]!;
    const noSelector: Service = { ...myNginx, spec: { ...myNginx.spec, selector: undefined } };
    expect(reconcileEndpointSlices(noSelector, pods, [userSlice])).toEqual(noChanges);
    const external: Service = { ...myNginx, spec: { type: 'ExternalName', externalName: 'example.com', selector: { app: 'nginx' } } };
    expect(reconcileEndpointSlices(external, pods, [userSlice])).toEqual(noChanges);
  });

  it('only touches slices labelled for this Service and this controller', () => {
    const foreign = stored([mine], ['my-nginx-mirror'])[0]!;
    foreign.metadata!.labels!['endpointslice.kubernetes.io/managed-by'] = 'endpointslicemirroring-controller.k8s.io';
    expect(reconcileEndpointSlices(myNginx, pods, [foreign], { nodes })).toEqual({ ...noChanges, create: [mine] });
  });

  it('deletes a slice owned by an older Service of the same name instead of reusing it', () => {
    const orphan = stored([mine], ['my-nginx-old12'])[0]!;
    orphan.metadata!.ownerReferences = [ownerRef('my-nginx', 'uid-previous')];
    expect(reconcileEndpointSlices(myNginx, pods, [orphan], { nodes })).toEqual({ ...noChanges, create: [mine], delete: [orphan] });
  });

  it('rejects a maxEndpointsPerSlice past 1000', () => {
    expect(() => reconcileEndpointSlices(myNginx, pods, [], { maxEndpointsPerSlice: 1001 })).toThrow(
      'maxEndpointsPerSlice must be an integer between 1 and 1000, got 1001',
    );
  });
});

describe('reconcileEndpointSlices: StatefulSet web behind headless Service nginx', () => {
  const headless: Service = {
    metadata: { name: 'nginx', namespace: 'default', uid: 'uid-nginx', labels: { app: 'nginx' } },
    spec: { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }] },
  };
  const web = [0, 1, 2].map((i) => pod(`web-${i}`, `10.244.${i + 1}.10`, `node-${i + 1}`, { hostname: `web-${i}`, subdomain: 'nginx' }));
  const stray = pod('other-0', '10.244.1.11', 'node-1', { hostname: 'other-0', subdomain: 'elsewhere' });

  it('puts hostnames web-0..web-2 on the endpoints and labels the slice headless', () => {
    const ep = (i: number): Endpoint => ({
      addresses: [`10.244.${i + 1}.10`],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: `web-${i}`,
      targetRef: { kind: 'Pod', namespace: 'default', name: `web-${i}`, uid: `uid-web-${i}` },
      nodeName: `node-${i + 1}`,
    });
    expect(reconcileEndpointSlices(headless, [...web, stray], [])).toEqual({
      ...noChanges,
      create: [
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            generateName: 'nginx-',
            namespace: 'default',
            labels: {
              app: 'nginx',
              'service.kubernetes.io/headless': '',
              'kubernetes.io/service-name': 'nginx',
              'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
            },
            ownerReferences: [ownerRef('nginx', 'uid-nginx')],
          },
          addressType: 'IPv4',
          endpoints: [
            {
              addresses: ['10.244.1.11'],
              conditions: { ready: true, serving: true, terminating: false },
              targetRef: { kind: 'Pod', namespace: 'default', name: 'other-0', uid: 'uid-other-0' },
              nodeName: 'node-1',
            },
            ep(0),
            ep(1),
            ep(2),
          ],
          ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('without ipFamilies, a headless Service gets one slice set per family (dual stack as upstream)', () => {
    const legacy: Service = { ...headless, spec: { ...headless.spec, ipFamilies: undefined } };
    const dual = pod('web-0', '10.244.1.10', 'node-1', { hostname: 'web-0', subdomain: 'nginx', podIPs: ['10.244.1.10', 'fd00:10:244:1::a'] });
    const got = reconcileEndpointSlices(legacy, [dual], []);
    expect(got.create.map((s) => [s.addressType, s.endpoints!.map((e) => e.addresses)])).toEqual([
      ['IPv4', [['10.244.1.10']]],
      ['IPv6', [['fd00:10:244:1::a']]],
    ]);
  });
});

describe('reconcileEndpointSlices: named targetPort', () => {
  const svc: Service = {
    metadata: { name: 'api', namespace: 'default', uid: 'uid-api' },
    spec: { clusterIP: '10.96.0.50', ipFamilies: ['IPv4'], selector: { app: 'api' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http-web' }] },
  };
  const labels = { app: 'api' };
  const pods = [
    pod('api-a', '10.244.1.2', 'node-1', { labels, ports: [{ name: 'http-web', containerPort: 8080, protocol: 'TCP' }] }),
    pod('api-b', '10.244.2.2', 'node-2', { labels, ports: [{ name: 'http-web', containerPort: 9090, protocol: 'TCP' }] }),
    pod('api-c', '10.244.3.2', 'node-3', { labels, ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }] }),
    // The name matches but not the protocol: FindPort requires both.
    pod('api-d', '10.244.3.3', 'node-3', { labels, ports: [{ name: 'http-web', containerPort: 8080, protocol: 'UDP' }] }),
  ];
  const slice = (ports: EndpointSlice['ports'], names: string[]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: 'api-',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'api', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [ownerRef('api', 'uid-api')],
    },
    addressType: 'IPv4',
    endpoints: names.map((n) => {
      const p = pods.find((x) => x.metadata!.name === n)!;
      return {
        addresses: [p.status!.podIP!],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: n, uid: `uid-${n}` },
        nodeName: p.spec!.nodeName!,
      };
    }),
    ports,
  });

  it('resolves the name per pod: one slice per port mapping, pods lacking the name in a port-less slice', () => {
    expect(reconcileEndpointSlices(svc, pods, [])).toEqual({
      ...noChanges,
      create: [
        slice([{ name: 'http', port: 8080, protocol: 'TCP' }], ['api-a']),
        slice([{ name: 'http', port: 9090, protocol: 'TCP' }], ['api-b']),
        slice([], ['api-c', 'api-d']),
      ],
    });
  });
});

describe('reconcileEndpointSlices: readiness, termination, publishNotReadyAddresses', () => {
  const pods = [
    pod('p-ready', '10.244.1.1', 'node-1'),
    pod('p-unready', '10.244.1.2', 'node-1', { ready: false }),
    pod('p-terminating', '10.244.1.3', 'node-1', { deleting: true }),
    pod('p-terminating-unready', '10.244.1.4', 'node-1', { deleting: true, ready: false }),
    pod('p-succeeded', '10.244.1.5', 'node-1', { phase: 'Succeeded' }),
    pod('p-failed', '10.244.1.6', 'node-1', { phase: 'Failed' }),
    pod('p-pending', undefined, 'node-1', { ready: false }),
  ];
  const conditions = (s: Service) => reconcileEndpointSlices(s, pods, []).create.flatMap((x) => x.endpoints!.map((e) => [e.targetRef!.name, e.conditions]));

  it('ready = Ready and not terminating; serving = Ready; terminating = deletionTimestamp; terminal and IP-less pods left out', () => {
    expect(conditions(myNginx)).toEqual([
      ['p-ready', { ready: true, serving: true, terminating: false }],
      ['p-terminating', { ready: false, serving: true, terminating: true }],
      ['p-terminating-unready', { ready: false, serving: false, terminating: true }],
      ['p-unready', { ready: false, serving: false, terminating: false }],
    ]);
  });

  it('publishNotReadyAddresses makes every endpoint ready, serving and terminating unchanged', () => {
    const publish: Service = { ...myNginx, spec: { ...myNginx.spec, publishNotReadyAddresses: true } };
    expect(conditions(publish)).toEqual([
      ['p-ready', { ready: true, serving: true, terminating: false }],
      ['p-terminating', { ready: true, serving: true, terminating: true }],
      ['p-terminating-unready', { ready: true, serving: false, terminating: true }],
      ['p-unready', { ready: true, serving: false, terminating: false }],
    ]);
  });
});

describe('reconcileEndpointSlices: packing', () => {
  const svc: Service = {
    metadata: { name: 'big', namespace: 'default', uid: 'uid-big' },
    spec: { clusterIP: '10.96.0.60', ipFamilies: ['IPv4'], selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
  };
  const name = (i: number) => `big-${String(i).padStart(4, '0')}`;
  const bigPod = (i: number) => pod(name(i), `10.244.${1 + Math.floor(i / 200)}.${i % 200}`, `node-${1 + (i % 3)}`);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
  const podsOf = (ids: number[]) => ids.map(bigPod);
  const endpointOf = (i: number): Endpoint => ({
    addresses: [bigPod(i).status!.podIP!],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: name(i), uid: `uid-${name(i)}` },
    nodeName: `node-${1 + (i % 3)}`,
  });
  const newSlice = (ids: number[]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: 'big-',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'big', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [ownerRef('big', 'uid-big')],
    },
    addressType: 'IPv4',
    endpoints: ids.map(endpointOf),
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
  const withEndpoints = (s: EndpointSlice, ids: number[]): EndpointSlice => ({ ...structuredClone(s), endpoints: ids.map(endpointOf) });

  const first = reconcileEndpointSlices(svc, podsOf(range(0, 250)), []);
  const [a, b, c] = stored(first.create, ['big-aaaaa', 'big-bbbbb', 'big-ccccc']) as [EndpointSlice, EndpointSlice, EndpointSlice];

  it('250 pods → slices of 100, 100 and 50', () => {
    expect(first).toEqual({ ...noChanges, create: [newSlice(range(0, 100)), newSlice(range(100, 200)), newSlice(range(200, 250))] });
  });

  it('a resync with nothing changed writes nothing', () => {
    expect(reconcileEndpointSlices(svc, podsOf(range(0, 250)).reverse(), [c, a, b])).toEqual(noChanges);
  });

  it('honours a configured maxEndpointsPerSlice', () => {
    const got = reconcileEndpointSlices(svc, podsOf(range(0, 250)), [], { maxEndpointsPerSlice: 1000 });
    expect(got).toEqual({ ...noChanges, create: [newSlice(range(0, 250))] });
  });

  it('scale-down emptying a slice deletes just that slice; the others are not repacked', () => {
    expect(reconcileEndpointSlices(svc, podsOf(range(0, 200)), [a, b, c])).toEqual({ ...noChanges, delete: [c] });
    expect(reconcileEndpointSlices(svc, podsOf([...range(0, 100), ...range(150, 250)]), [a, b, c])).toEqual({
      ...noChanges,
      update: [withEndpoints(b, range(150, 200))],
    });
  });

  it('new endpoints first top up slices already being updated', () => {
    const pods = podsOf([...range(10, 250), ...range(250, 255)]);
    expect(reconcileEndpointSlices(svc, pods, [a, b, c])).toEqual({ ...noChanges, update: [withEndpoints(a, [...range(10, 100), ...range(250, 255)])] });
  });

  it('otherwise go to the unchanged slice that ends closest to full', () => {
    const b60 = withEndpoints(b, range(100, 160));
    const c90 = withEndpoints(c, range(200, 290));
    const pods = podsOf([...range(0, 160), ...range(200, 298)]);
    expect(reconcileEndpointSlices(svc, pods, [a, b60, c90])).toEqual({ ...noChanges, update: [withEndpoints(c90, range(200, 298))] });
  });

  it('which may fill a slice exactly', () => {
    expect(reconcileEndpointSlices(svc, podsOf(range(0, 300)), [a, b, c])).toEqual({ ...noChanges, update: [withEndpoints(c, range(200, 300))] });
  });

  it('and to a new slice when none has room', () => {
    expect(reconcileEndpointSlices(svc, podsOf(range(0, 330)), [a, b, c])).toEqual({
      ...noChanges,
      create: [newSlice(range(250, 330))],
    });
  });

  it('scale to zero keeps one empty placeholder slice (reusing a name), and a resync leaves it be', () => {
    const got = reconcileEndpointSlices(svc, [], [a, b, c]);
    const placeholder: EndpointSlice = { ...newSlice([]), ports: [] };
    placeholder.metadata = { ...placeholder.metadata, name: 'big-aaaaa', resourceVersion: '100' };
    expect(got).toEqual({ ...noChanges, update: [placeholder], delete: [b, c] });
    const [storedPlaceholder] = stored([{ ...newSlice([]), ports: [] }], ['big-ccccc']);
    expect(reconcileEndpointSlices(svc, [], [storedPlaceholder!])).toEqual(noChanges);
  });

  it('a port change rewrites the slices under their old names', () => {
    const moved: Service = { ...svc, spec: { ...svc.spec, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] } };
    const got = reconcileEndpointSlices(moved, podsOf(range(0, 250)), [a, b, c]);
    expect(got.create).toEqual([]);
    expect(got.delete).toEqual([]);
    expect(got.update.map((s) => [s.metadata!.name, s.metadata!.resourceVersion, s.ports, s.endpoints!.length])).toEqual([
      ['big-aaaaa', '100', [{ name: 'http', port: 8080, protocol: 'TCP' }], 50],
      ['big-bbbbb', '101', [{ name: 'http', port: 8080, protocol: 'TCP' }], 100],
      ['big-ccccc', '102', [{ name: 'http', port: 8080, protocol: 'TCP' }], 100],
    ]);
  });
});
