import { describe, it, expect } from 'vitest';
import type { Service } from '../api/types.js';
import { renderTable } from './render.js';
import { tableFor } from './registry.js';
import { getServiceExternalIP, makePortString } from './service.js';

const now = Date.parse('2026-11-27T21:29:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString();
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function svc(name: string, spec: Service['spec'], extra: Partial<Service> = {}, namespace = 'default', age = 19 * MIN): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, creationTimestamp: ago(age) },
    spec,
    ...extra,
  };
}

// The seed (service-access-modes.zh.md, 2.2): my-nginx, NodePort, 19 minutes old.
const myNginx = svc('my-nginx', {
  type: 'NodePort',
  selector: { app: 'nginx' },
  clusterIP: '10.96.107.207',
  clusterIPs: ['10.96.107.207'],
  ports: [
    { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
    { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
  ],
});

const kubernetes = svc(
  'kubernetes',
  { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }] },
  {},
  'default',
  5 * DAY,
);
const kubeDns = svc(
  'kube-dns',
  {
    type: 'ClusterIP',
    selector: { 'k8s-app': 'kube-dns' },
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153 },
    ],
  },
  {},
  'kube-system',
  5 * DAY,
);

const lb = (ingress: { ip?: string; hostname?: string }[], externalIPs?: string[]): Service =>
  svc(
    'example-service',
    {
      type: 'LoadBalancer',
      selector: { app: 'example' },
      clusterIP: '10.96.45.201',
      clusterIPs: ['10.96.45.201'],
      ports: [{ protocol: 'TCP', port: 8765, targetPort: 9376, nodePort: 30467 }],
      ...(externalIPs ? { externalIPs } : {}),
    },
    { status: { loadBalancer: { ingress } } },
    'default',
    8_000,
  );

describe('kubectl get services', () => {
  it('prints the seed table byte for byte', () => {
    expect(renderTable(tableFor('Service', [myNginx], { now }))).toBe(
      'NAME       TYPE       CLUSTER-IP      EXTERNAL-IP   PORT(S)                        AGE\n' +
        'my-nginx   NodePort   10.96.107.207   <none>        8080:31589/TCP,443:30134/TCP   19m\n',
    );
  });

  it('-A adds a leading NAMESPACE column', () => {
    const table = tableFor('Service', [kubernetes, kubeDns], { now });
    expect(renderTable(table, { withNamespace: true })).toBe(
      'NAMESPACE     NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE\n' +
        'default       kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP                  5d\n' +
        'kube-system   kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   5d\n',
    );
  });

  it('-o wide adds SELECTOR, <none> when there is no selector', () => {
    const table = tableFor('Service', [kubernetes, kubeDns], { now });
    expect(renderTable(table, { wide: true })).toBe(
      'NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE   SELECTOR\n' +
        'kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP                  5d    <none>\n' +
        'kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   5d    k8s-app=kube-dns\n',
    );
  });

  it('a LoadBalancer without ingress is <pending>', () => {
    expect(renderTable(tableFor('Service', [lb([])], { now }))).toBe(
      'NAME              TYPE           CLUSTER-IP     EXTERNAL-IP   PORT(S)          AGE\n' +
        'example-service   LoadBalancer   10.96.45.201   <pending>     8765:30467/TCP   8s\n',
    );
  });

  it('ingress is de-duplicated and sorted; client-side non-wide printing cuts it to 16 characters', () => {
    const s = lb([{ ip: '203.0.113.10' }, { ip: '203.0.113.9' }, { ip: '203.0.113.10' }]);
    expect(getServiceExternalIP(s, true)).toBe('203.0.113.10,203.0.113.9');
    expect(getServiceExternalIP(s, false)).toBe('203.0.113.10,...');
    // Exactly 16 characters is not cut.
    expect(getServiceExternalIP(lb([{ hostname: 'lb-0123.example' }]), false)).toBe('lb-0123.example');
    expect(getServiceExternalIP(lb([{ hostname: 'lb-01234.example' }]), false)).toBe('lb-01234.example');
    expect(getServiceExternalIP(lb([{ hostname: 'lb-012345.example' }]), false)).toBe('lb-012345.exa...');
  });

  it('externalIPs follow the (possibly cut) load-balancer addresses', () => {
    const s = lb([{ ip: '203.0.113.10' }, { ip: '203.0.113.9' }], ['80.11.12.10']);
    expect(getServiceExternalIP(s, false)).toBe('203.0.113.10,...,80.11.12.10');
    expect(getServiceExternalIP(lb([], ['80.11.12.10']), false)).toBe('80.11.12.10');
  });

  it('kube-apiserver builds tables wide, so kubectl shows the whole ingress; a client-side table is cut', () => {
    const s = lb([{ ip: '203.0.113.10' }, { ip: '203.0.113.9' }]);
    expect(renderTable(tableFor('Service', [s], { now }))).toBe(
      'NAME              TYPE           CLUSTER-IP     EXTERNAL-IP                PORT(S)          AGE\n' +
        'example-service   LoadBalancer   10.96.45.201   203.0.113.10,203.0.113.9   8765:30467/TCP   8s\n',
    );
    expect(renderTable(tableFor('Service', [s], { now, wide: false }))).toBe(
      'NAME              TYPE           CLUSTER-IP     EXTERNAL-IP        PORT(S)          AGE\n' +
        'example-service   LoadBalancer   10.96.45.201   203.0.113.10,...   8765:30467/TCP   8s\n',
    );
  });

  it('ExternalName shows the name and <none>; headless shows None; externalIPs are listed', () => {
    const external = svc('my-service', { type: 'ExternalName', externalName: 'my.database.example.com' }, {}, 'default', 90_000);
    const headless = svc('nginx', {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      selector: { app: 'nginx' },
      ports: [{ name: 'web', protocol: 'TCP', port: 80, targetPort: 80 }],
    });
    const withExternalIP = svc('my-service2', {
      type: 'ClusterIP',
      clusterIP: '10.96.3.4',
      clusterIPs: ['10.96.3.4'],
      selector: { app: 'MyApp' },
      externalIPs: ['80.11.12.10'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9376 }],
    });
    expect(renderTable(tableFor('Service', [external, headless, withExternalIP], { now }))).toBe(
      'NAME          TYPE           CLUSTER-IP   EXTERNAL-IP               PORT(S)   AGE\n' +
        'my-service    ExternalName   <none>       my.database.example.com   <none>    90s\n' +
        'nginx         ClusterIP      None         <none>                    80/TCP    19m\n' +
        'my-service2   ClusterIP      10.96.3.4    80.11.12.10               80/TCP    19m\n',
    );
  });

  it('makePortString: nodePort only when set, protocol as stored', () => {
    expect(makePortString([{ port: 53, protocol: 'UDP' }, { port: 80, protocol: 'TCP', nodePort: 30080 }])).toBe('53/UDP,80:30080/TCP');
    expect(makePortString([])).toBe('');
  });

  it('an unknown type prints <unknown> as EXTERNAL-IP', () => {
    expect(getServiceExternalIP(svc('x', { type: 'Bogus' }), true)).toBe('<unknown>');
  });
});
