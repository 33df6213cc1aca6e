import { describe, expect, it } from 'vitest';
import type { ContainerPort, EndpointAddress, Endpoints, Pod, Service } from '../api/types.js';
import { desiredEndpoints, endpointsEqual, endpointsForUpdate } from './reconciler.js';

interface PodOptions {
  ready?: boolean;
  deleting?: boolean;
  labels?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  ports?: ContainerPort[];
}

function pod(name: string, ip: string, nodeName: string, o: PodOptions = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'nginx' },
      ...(o.deleting ? { deletionTimestamp: '2026-11-27T21:10:00Z' } : {}),
    },
    spec: {
      nodeName,
      ...(o.hostname ? { hostname: o.hostname, subdomain: o.subdomain } : {}),
      containers: [{ name: 'c', ports: o.ports ?? [{ containerPort: 80, protocol: 'TCP' }] }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }], podIP: ip, podIPs: [{ ip }] },
  };
}

const address = (p: Pod, hostname?: string): EndpointAddress => ({
  ip: p.status!.podIP!,
  ...(hostname ? { hostname } : {}),
  nodeName: p.spec!.nodeName!,
  targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata!.name!, uid: p.metadata!.uid! },
});

const myNginx: Service = {
  metadata: { name: 'my-nginx', namespace: 'default', uid: 'uid-my-nginx', labels: { run: 'my-nginx' } },
  spec: {
    type: 'NodePort',
    selector: { app: 'nginx' },
    clusterIP: '10.96.107.207',
    ipFamilies: ['IPv4'],
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
    ],
  },
};
const managedLabels = { run: 'my-nginx', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' };

describe('desiredEndpoints', () => {
  const a = pod('nginx-a', '10.244.1.5', 'node-1');
  const b = pod('nginx-b', '10.244.2.3', 'node-2');
  const c = pod('nginx-c', '10.244.3.4', 'node-3');

  it('my-nginx: one repacked subset, addresses sorted, both ports', () => {
    expect(desiredEndpoints(myNginx, [b, c, a])).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'my-nginx', namespace: 'default', labels: managedLabels },
      subsets: [
        {
          addresses: [address(a), address(b), address(c)],
          ports: [
            { name: 'http', port: 80, protocol: 'TCP' },
            { name: 'https', port: 443, protocol: 'TCP' },
          ],
        },
      ],
    });
  });

  it('StatefulSet web behind headless nginx: hostnames web-0..web-2 and the headless label', () => {
    const headless: Service = {
      metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
      spec: { clusterIP: 'None', ipFamilies: ['IPv4'], selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }] },
    };
    const web = [0, 1, 2].map((i) => pod(`web-${i}`, `10.244.${i + 1}.10`, `node-${i + 1}`, { hostname: `web-${i}`, subdomain: 'nginx' }));
    expect(desiredEndpoints(headless, web)).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'nginx',
        namespace: 'default',
        labels: { app: 'nginx', 'service.kubernetes.io/headless': '', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
      },
      subsets: [{ addresses: [address(web[0]!, 'web-0'), address(web[1]!, 'web-1'), address(web[2]!, 'web-2')], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }],
    });
    const portless: Service = { ...headless, spec: { ...headless.spec, ports: undefined } };
    expect(desiredEndpoints(portless, web)?.subsets).toEqual([{ addresses: [address(web[0]!, 'web-0'), address(web[1]!, 'web-1'), address(web[2]!, 'web-2')] }]);
  });

  it('named targetPort: pods grouped by the port they resolve to; a pod lacking the name is left out', () => {
    const svc: Service = {
      metadata: { name: 'api', namespace: 'default' },
      spec: { clusterIP: '10.96.0.50', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http-web' }] },
    };
    const labels = { app: 'api' };
    const pa = pod('api-a', '10.244.1.2', 'node-1', { labels, ports: [{ name: 'http-web', containerPort: 8080, protocol: 'TCP' }] });
    const pa2 = pod('api-a2', '10.244.2.9', 'node-2', { labels, ports: [{ name: 'http-web', containerPort: 8080, protocol: 'TCP' }] });
    const pb = pod('api-b', '10.244.2.2', 'node-2', { labels, ports: [{ name: 'http-web', containerPort: 9090, protocol: 'TCP' }] });
    const pc = pod('api-c', '10.244.3.2', 'node-3', { labels, ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }] });
    expect(desiredEndpoints(svc, [pa, pa2, pb, pc])).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'api', namespace: 'default', labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } },
      subsets: [
        { addresses: [address(pa), address(pa2)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { addresses: [address(pb)], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      ],
    });
  });

  it('not-ready pods go to notReadyAddresses; terminating pods are left out', () => {
    const unready = pod('nginx-u', '10.244.1.7', 'node-1', { ready: false });
    const leaving = pod('nginx-t', '10.244.1.8', 'node-1', { deleting: true });
    expect(desiredEndpoints(myNginx, [a, unready, leaving])?.subsets).toEqual([
      {
        addresses: [address(a)],
        notReadyAddresses: [address(unready)],
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'https', port: 443, protocol: 'TCP' },
        ],
      },
    ]);
  });

  it('sorts addresses as upstream does, by IP string then pod UID', () => {
    const ten = pod('nginx-x', '10.244.1.10', 'node-1');
    const twin = { ...pod('nginx-y', '10.244.1.10', 'node-1'), metadata: { ...pod('nginx-y', '', '').metadata, uid: 'a-first' } };
    expect(desiredEndpoints(myNginx, [a, ten, twin])?.subsets?.[0]?.addresses).toEqual([address(twin), address(ten), address(a)]);
  });

  it('publishNotReadyAddresses publishes not-ready and terminating pods as ready addresses', () => {
    const publish: Service = { ...myNginx, spec: { ...myNginx.spec, publishNotReadyAddresses: true } };
    const unready = pod('nginx-u', '10.244.1.7', 'node-1', { ready: false });
    const leaving = pod('nginx-t', '10.244.1.8', 'node-1', { deleting: true });
    expect(desiredEndpoints(publish, [a, unready, leaving])?.subsets).toEqual([
      {
        addresses: [address(a), address(unready), address(leaving)],
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'https', port: 443, protocol: 'TCP' },
        ],
      },
    ]);
  });

  it('a Service without a selector keeps its user-managed Endpoints: undefined', () => {
    expect(desiredEndpoints({ ...myNginx, spec: { ...myNginx.spec, selector: undefined } }, [a])).toBeUndefined();
    expect(desiredEndpoints({ ...myNginx, spec: { type: 'ExternalName', externalName: 'x.example.com', selector: { app: 'nginx' } } }, [a])).toBeUndefined();
  });

  it('no pods: an Endpoints with no subsets', () => {
    expect(desiredEndpoints(myNginx, [])).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'my-nginx', namespace: 'default', labels: managedLabels },
      subsets: [],
    });
  });
});

describe('desiredEndpoints: over capacity', () => {
  const svc: Service = {
    metadata: { name: 'big', namespace: 'default' },
    spec: { clusterIP: '10.96.0.60', selector: { app: 'nginx' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
  };
  const ip = (i: number) => `10.${100 + Math.floor(i / 250)}.0.${i % 250}`;
  const many = (n: number, ready: boolean, offset = 0) =>
    Array.from({ length: n }, (_, k) => pod(`p-${String(offset + k).padStart(4, '0')}`, ip(offset + k), 'node-1', { ready }));
  const sorted = (pods: Pod[]) => pods.map((p) => address(p)).sort((x, y) => (x.ip! < y.ip! ? -1 : 1));

  it('1200 ready pods: the first 1000 addresses by IP, and the annotation', () => {
    const pods = many(1200, true);
    expect(desiredEndpoints(svc, pods)).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'big',
        namespace: 'default',
        labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
        annotations: { 'endpoints.kubernetes.io/over-capacity': 'truncated' },
      },
      subsets: [{ addresses: sorted(pods).slice(0, 1000), ports: [{ name: '', port: 80, protocol: 'TCP' }] }],
    });
  });

  it('900 ready + 300 not ready: every ready address, not-ready ones up to the cap', () => {
    const ready = many(900, true);
    const unready = many(300, false, 900);
    expect(desiredEndpoints(svc, [...ready, ...unready])?.subsets).toEqual([
      { addresses: sorted(ready), notReadyAddresses: sorted(unready).slice(0, 100), ports: [{ name: '', port: 80, protocol: 'TCP' }] },
    ]);
  });

  it('exactly 1000 is not over capacity', () => {
    expect(desiredEndpoints(svc, many(1000, true))?.metadata?.annotations).toBeUndefined();
  });
});

describe('endpointsEqual and endpointsForUpdate', () => {
  const a = pod('nginx-a', '10.244.1.5', 'node-1');
  const desired = desiredEndpoints(myNginx, [a], { lastChangeTriggerTime: '2026-11-27T21:11:00Z' })!;
  const stored: Endpoints = structuredClone(desired);
  stored.metadata = { ...stored.metadata, resourceVersion: '42', annotations: { note: 'kept', 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-27T21:00:00Z' } };
  stored.subsets![0]!.addresses![0]!.targetRef!.resourceVersion = '17';

  it('ignores the pod resourceVersion and the trigger time', () => {
    expect(endpointsEqual(stored, desired)).toBe(true);
  });

  it('sees a changed address, label or capacity annotation', () => {
    expect(endpointsEqual(stored, desiredEndpoints(myNginx, [a, pod('nginx-b', '10.244.2.3', 'node-2')])!)).toBe(false);
    expect(endpointsEqual(stored, desiredEndpoints({ ...myNginx, metadata: { ...myNginx.metadata, labels: {} } }, [a])!)).toBe(false);
    expect(endpointsEqual(stored, desiredEndpoints({ ...myNginx, spec: { ...myNginx.spec, clusterIP: 'None' } }, [a])!)).toBe(false);
    const over = structuredClone(desired);
    over.metadata!.annotations = { 'endpoints.kubernetes.io/over-capacity': 'truncated' };
    expect(endpointsEqual(stored, over)).toBe(false);
  });

  it('an update keeps resourceVersion and foreign annotations, and replaces the rest', () => {
    const next = desiredEndpoints(myNginx, [a, pod('nginx-b', '10.244.2.3', 'node-2')], { lastChangeTriggerTime: '2026-11-27T21:12:00Z' })!;
    expect(endpointsForUpdate(stored, next)).toEqual({
      ...next,
      metadata: { ...next.metadata, resourceVersion: '42', annotations: { note: 'kept', 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-27T21:12:00Z' } },
    });
  });
});
