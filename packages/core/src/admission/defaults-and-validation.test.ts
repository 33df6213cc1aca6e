import { describe, expect, it } from 'vitest';
import { errorString } from '../api/field-errors.js';
import type { EndpointSlice, Service } from '../api/types.js';
import { setDefaults, validate } from './defaults-and-validation.js';

const lines = (kind: string, obj: object, old?: object): string[] => validate(kind, obj, old).map(errorString);

describe('setDefaults by kind', () => {
  it.each<[string, object, (o: any) => unknown, unknown]>([
    ['Service', { spec: { ports: [{ port: 80 }] } }, (o) => o.spec.type, 'ClusterIP'],
    ['Pod', { spec: { containers: [{ name: 'c', image: 'x' }] } }, (o) => o.spec.restartPolicy, 'Always'],
    ['Deployment', { spec: {} }, (o) => o.spec.replicas, 1],
    ['StatefulSet', { spec: {} }, (o) => o.spec.podManagementPolicy, 'OrderedReady'],
    ['Namespace', { metadata: { name: 'a' } }, (o) => o.status.phase, 'Active'],
    ['Node', { status: { capacity: { cpu: '2' } } }, (o) => o.status.allocatable, { cpu: '2' }],
    ['Endpoints', { subsets: [{ ports: [{ port: 1 }] }] }, (o) => o.subsets[0].ports[0].protocol, 'TCP'],
    ['EndpointSlice', { ports: [{ port: 1 }] }, (o) => o.ports[0].name, ''],
    ['Lease', { spec: { holderIdentity: 'n' } }, (o) => o.spec, { holderIdentity: 'n' }],
  ])('%s', (kind, obj, pick, want) => {
    expect(pick(setDefaults(kind, obj))).toEqual(want);
  });

  it('refuses an unknown kind', () => {
    expect(() => setDefaults('ConfigMap', {})).toThrow('defaults-and-validation: unknown kind "ConfigMap"');
    expect(() => validate('ConfigMap', {})).toThrow('defaults-and-validation: unknown kind "ConfigMap"');
  });
});

describe('validate by kind', () => {
  it('create: the kind validator, ObjectMeta included', () => {
    expect(lines('Service', setDefaults('Service', { metadata: { namespace: 'default' }, spec: { ports: [{ port: 80 }] } }))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('update: an object without resourceVersion is accepted (the api-store owns revisions)', () => {
    const old = setDefaults('Service', { metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '12' }, spec: { ports: [{ port: 80 }] } });
    const next = setDefaults('Service', { metadata: { name: 'web', namespace: 'default', uid: 'u' }, spec: { ports: [{ port: 80 }] } }) as Service;
    expect(lines('Service', next, old)).toEqual([]);
    expect(lines('Service', { ...next, metadata: { ...next.metadata, name: 'api' } }, old)).toEqual(['metadata.name: Invalid value: "api": field is immutable']);
  });

  it('update: rest.BeforeUpdate metadata rules apply to every kind, without repeats', () => {
    const old: EndpointSlice = { metadata: { name: 'web-1', namespace: 'default', uid: 'u', resourceVersion: '3' }, addressType: 'IPv4' };
    const next: EndpointSlice = { metadata: { name: 'web-1', namespace: 'default', uid: 'other', resourceVersion: '3', labels: { '-x': 'y' } }, addressType: 'IPv4' };
    expect(lines('EndpointSlice', next, old)).toEqual([
      "metadata.labels: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'metadata.uid: Invalid value: "other": field is immutable',
    ]);
  });

  it('update: cluster-scoped kinds keep the namespace rule', () => {
    const old = { metadata: { name: 'n1', resourceVersion: '1' } };
    expect(lines('Node', { metadata: { name: 'n1', namespace: 'x', resourceVersion: '1' } }, old)).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
      'metadata.namespace: Invalid value: "x": field is immutable',
    ]);
  });
});
