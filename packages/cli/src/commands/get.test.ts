import { describe, expect, it } from 'vitest';
import { RESOURCES, type KubeObject } from '@kubemu/core';
import { renderTables, type Found } from './get.js';

const r = (kind: string) => RESOURCES.find((x) => x.kind === kind)!;
const created = Date.parse('2026-01-01T00:00:00Z');
const meta = (name: string, namespace: string) => ({ name, namespace, creationTimestamp: '2026-01-01T00:00:00Z' });

const kubernetes = {
  metadata: meta('kubernetes', 'default'),
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
} as KubeObject;
const myNginx = {
  metadata: meta('my-nginx', 'default'),
  spec: {
    type: 'NodePort',
    clusterIP: '10.96.107.207',
    clusterIPs: ['10.96.107.207'],
    selector: { app: 'nginx' },
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP', targetPort: 80, nodePort: 31589 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 443, nodePort: 30134 },
    ],
  },
} as KubeObject;
const kubeDns = {
  metadata: meta('kube-dns', 'kube-system'),
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
  },
} as KubeObject;
const ns = { metadata: { name: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Active' } } as KubeObject;

const options = { wide: false, allNamespaces: false, noHeaders: false, showLabels: false, now: created + 5_000 };
const found = (kind: string, ...objects: KubeObject[]): Found[] => objects.map((object) => ({ resource: r(kind), object }));

describe('renderTables', () => {
  it("prints the seed's layout", () => {
    expect(renderTables(found('Service', kubernetes, myNginx), [r('Service')], options)).toBe(
      'NAME         TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)                        AGE\n' +
        'kubernetes   ClusterIP   10.96.0.1       <none>        443/TCP                        5s\n' +
        'my-nginx     NodePort    10.96.107.207   <none>        8080:31589/TCP,443:30134/TCP   5s\n',
    );
  });

  it('adds NAMESPACE with -A and SELECTOR with -o wide', () => {
    expect(renderTables(found('Service', kubernetes, kubeDns), [r('Service')], { ...options, allNamespaces: true, wide: true })).toBe(
      'NAMESPACE     NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE   SELECTOR\n' +
        'default       kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP                  5s    <none>\n' +
        'kube-system   kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   5s    <none>\n',
    );
  });

  it('names objects with their kind and separates the tables when several kinds print', () => {
    expect(renderTables([...found('Service', kubernetes), ...found('Namespace', ns)], [r('Service'), r('Namespace')], options)).toBe(
      'NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n' +
        'service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5s\n' +
        '\n' +
        'NAME                STATUS   AGE\n' +
        'namespace/default   Active   5s\n',
    );
    expect(
      renderTables([...found('Service', kubernetes), ...found('Namespace', ns)], [r('Service'), r('Namespace')], { ...options, noHeaders: true }),
    ).toBe('service/kubernetes   ClusterIP   10.96.0.1   <none>   443/TCP   5s\nnamespace/default   Active   5s\n');
  });

  it('prints nothing for nothing', () => {
    expect(renderTables([], [r('Service')], options)).toBe('');
  });
});
