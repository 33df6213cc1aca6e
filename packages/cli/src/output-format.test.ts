import { describe, expect, it } from 'vitest';
import { RESOURCES, type KubeObject } from '@kubemu/core';
import { formatNames, formatObjects, withTypeMeta } from './output-format.js';

const svc = RESOURCES.find((r) => r.kind === 'Service')!;
const a: KubeObject = { metadata: { name: 'a', namespace: 'default', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { ports: [{ port: 80, protocol: 'TCP' }], type: 'ClusterIP' } } as KubeObject;

describe('-o yaml / json / name', () => {
  it('prints one named object as it is, keys sorted', () => {
    expect(formatObjects('yaml', [withTypeMeta(svc, a)], true)).toBe(
      'apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: "2026-01-01T00:00:00Z"\n  name: a\n  namespace: default\n  resourceVersion: "5"\nspec:\n  ports:\n  - port: 80\n    protocol: TCP\n  type: ClusterIP\n',
    );
    expect(formatObjects('json', [withTypeMeta(svc, a)], true)).toBe(
      '{\n    "apiVersion": "v1",\n    "kind": "Service",\n    "metadata": {\n        "creationTimestamp": "2026-01-01T00:00:00Z",\n        "name": "a",\n        "namespace": "default",\n        "resourceVersion": "5"\n    },\n' +
        '    "spec": {\n        "ports": [\n            {\n                "port": 80,\n                "protocol": "TCP"\n            }\n        ],\n        "type": "ClusterIP"\n    }\n}\n',
    );
  });

  it('prints a list request, or nothing found, as a v1 List', () => {
    expect(formatObjects('yaml', [], false)).toBe('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
    expect(formatObjects('yaml', [withTypeMeta(svc, { metadata: { name: 'a' } })], false)).toBe(
      'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\nkind: List\nmetadata:\n  resourceVersion: ""\n',
    );
  });

  it('prints names kind-qualified', () => {
    const deploy = RESOURCES.find((r) => r.kind === 'Deployment')!;
    expect(formatNames([{ resource: svc, object: a }, { resource: deploy, object: { metadata: { name: 'web' } } }])).toBe('service/a\ndeployment.apps/web\n');
  });
});
