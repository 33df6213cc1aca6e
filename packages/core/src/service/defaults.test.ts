import { describe, expect, it } from 'vitest';
import type { Service } from '../api/types.js';
import { setDefaultsService } from './defaults.js';

const meta = { name: 'web', namespace: 'default' };

describe('setDefaultsService', () => {
  it.each<[string, Service, Service]>([
    [
      'minimal ClusterIP Service',
      { metadata: meta, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
      {
        metadata: meta,
        spec: {
          selector: { app: 'web' },
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
          sessionAffinity: 'None',
          type: 'ClusterIP',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
    [
      'NodePort with a named targetPort and ClientIP affinity',
      {
        metadata: meta,
        spec: { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'UDP' }] },
      },
      {
        metadata: meta,
        spec: {
          type: 'NodePort',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
          ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'UDP' }],
          externalTrafficPolicy: 'Cluster',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
    [
      'LoadBalancer: allocateLoadBalancerNodePorts, eTP, ingress ipMode',
      {
        metadata: meta,
        spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 0 }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com' }] } },
      },
      {
        metadata: meta,
        spec: {
          type: 'LoadBalancer',
          ports: [{ port: 443, targetPort: 443, protocol: 'TCP' }],
          sessionAffinity: 'None',
          externalTrafficPolicy: 'Cluster',
          internalTrafficPolicy: 'Cluster',
          allocateLoadBalancerNodePorts: true,
        },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.7', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] } },
      },
    ],
    [
      'ClusterIP with externalIPs is externally accessible',
      { metadata: meta, spec: { externalIPs: ['198.51.100.1'], ports: [{ port: 80 }] } },
      {
        metadata: meta,
        spec: {
          externalIPs: ['198.51.100.1'],
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
          sessionAffinity: 'None',
          type: 'ClusterIP',
          externalTrafficPolicy: 'Cluster',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
    [
      'ExternalName gets no iTP; affinity config with None is dropped',
      { metadata: meta, spec: { type: 'ExternalName', externalName: 'db.example.com', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } } },
      { metadata: meta, spec: { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' } },
    ],
    [
      'headless: clusterIPs and IP families are left to the registry',
      { metadata: meta, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
      {
        metadata: meta,
        spec: {
          clusterIP: 'None',
          selector: { app: 'db' },
          ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }],
          sessionAffinity: 'None',
          type: 'ClusterIP',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
    [
      'headless without a selector',
      { metadata: meta, spec: { clusterIP: 'None' } },
      {
        metadata: meta,
        spec: {
          clusterIP: 'None',
          sessionAffinity: 'None',
          type: 'ClusterIP',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
    [
      'a requested clusterIP is kept as given',
      { metadata: meta, spec: { clusterIP: 'fd00::10', ports: [{ port: 80 }] } },
      {
        metadata: meta,
        spec: {
          clusterIP: 'fd00::10',
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
          sessionAffinity: 'None',
          type: 'ClusterIP',
          internalTrafficPolicy: 'Cluster',
        },
      },
    ],
  ])('%s', (_name, input, want) => {
    const before = structuredClone(input);
    expect(setDefaultsService(input)).toEqual(want);
    expect(input).toEqual(before);
  });
});
