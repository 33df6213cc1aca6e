import { describe, expect, it } from 'vitest';
import { RESOURCES } from '@kubemu/core';
import { deletedLine, kindString, operationLine, resourceForObject } from './object-names.js';

describe('kubectl names', () => {
  it('lower-cases the GroupKind', () => {
    expect(Object.fromEntries(RESOURCES.map((r) => [r.kind, kindString(r)]))).toEqual({
      Namespace: 'namespace',
      Node: 'node',
      Service: 'service',
      Endpoints: 'endpoints',
      Event: 'event',
      Pod: 'pod',
      EndpointSlice: 'endpointslice.discovery.k8s.io',
      Deployment: 'deployment.apps',
      ReplicaSet: 'replicaset.apps',
      StatefulSet: 'statefulset.apps',
      Lease: 'lease.coordination.k8s.io',
    });
  });

  it('prints apply and delete lines', () => {
    const svc = RESOURCES.find((r) => r.kind === 'Service')!;
    const deploy = RESOURCES.find((r) => r.kind === 'Deployment')!;
    expect(operationLine(svc, 'my-nginx', 'created')).toBe('service/my-nginx created\n');
    expect(operationLine(deploy, 'web', 'configured')).toBe('deployment.apps/web configured\n');
    expect(deletedLine(svc, 'my-nginx')).toBe('service "my-nginx" deleted\n');
    expect(deletedLine(deploy, 'web')).toBe('deployment.apps "web" deleted\n');
  });

  it('maps apiVersion and kind, or says what kubectl says', () => {
    expect(resourceForObject({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }, 'x.yaml').resource).toBe('endpointslices');
    expect(() => resourceForObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } }, 'x.yaml')).toThrow(
      'resource mapping not found for name: "c" namespace: "n" from "x.yaml": no matches for kind "ConfigMap" in version "v1"\nensure CRDs are installed first',
    );
    expect(() => resourceForObject({ apiVersion: 'apps/v1beta1', kind: 'Deployment' }, 'x.yaml')).toThrow('no matches for kind "Deployment" in version "apps/v1beta1"');
  });
});
