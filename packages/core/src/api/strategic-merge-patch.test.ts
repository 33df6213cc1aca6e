import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch, patchSchemaFor } from './strategic-merge-patch.js';
import { PatchError } from './patch.js';

const svc = {
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' }, finalizers: ['a'] },
  spec: {
    type: 'NodePort',
    selector: { run: 'my-nginx' },
    ports: [
      { name: 'http', port: 8080, targetPort: 80, nodePort: 30001 },
      { name: 'https', port: 443, nodePort: 30002 },
    ],
  },
};

const deploy = {
  spec: {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'b:1' },
        ],
      },
    },
  },
};

describe('applyStrategicMergePatch', () => {
  const cases: { name: string; kind: string; original: unknown; patch: unknown; want: unknown }[] = [
    {
      name: 'Service ports merge by port; a new port is appended; null deletes a map key',
      kind: 'Service',
      original: svc,
      patch: { metadata: { labels: { run: null, tier: 'web' } }, spec: { ports: [{ port: 443, name: 'tls' }, { port: 9090, name: 'extra' }] } },
      want: {
        metadata: { name: 'my-nginx', labels: { tier: 'web' }, finalizers: ['a'] },
        spec: {
          type: 'NodePort',
          selector: { run: 'my-nginx' },
          ports: [
            { name: 'http', port: 8080, targetPort: 80, nodePort: 30001 },
            { name: 'tls', port: 443, nodePort: 30002 },
            { name: 'extra', port: 9090 },
          ],
        },
      },
    },
    {
      name: 'kubectl apply: $patch delete of one port, $setElementOrder, a new port',
      kind: 'Service',
      original: svc,
      patch: {
        spec: {
          '$setElementOrder/ports': [{ port: 8443 }, { port: 8080 }],
          ports: [{ name: 'https', port: 8443 }, { port: 443, $patch: 'delete' }],
        },
      },
      want: { ...svc, spec: { ...svc.spec, ports: [{ name: 'https', port: 8443 }, { name: 'http', port: 8080, targetPort: 80, nodePort: 30001 }] } },
    },
    {
      name: 'a list without a merge strategy is replaced; finalizers merge as a set; $deleteFromPrimitiveList',
      kind: 'Service',
      original: { metadata: { finalizers: ['a', 'b'] }, spec: { externalIPs: ['1.1.1.1'] } },
      patch: { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] }, spec: { externalIPs: ['2.2.2.2'] } },
      want: { metadata: { finalizers: ['a', 'c'] }, spec: { externalIPs: ['2.2.2.2'] } },
    },
    {
      name: 'containers by name, their env by name and ports by containerPort; $retainKeys on the strategy',
      kind: 'Deployment',
      original: deploy,
      patch: {
        spec: {
          strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
          template: { spec: { containers: [{ name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] }] } },
        },
      },
      want: {
        spec: {
          strategy: { type: 'Recreate' },
          template: {
            spec: {
              containers: [
                { name: 'a', image: 'a:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] },
                { name: 'b', image: 'b:1' },
              ],
            },
          },
        },
      },
    },
    {
      name: '$patch: replace on a list and on a map',
      kind: 'Deployment',
      original: deploy,
      patch: { spec: { strategy: { $patch: 'replace', type: 'Recreate' }, template: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c:1' }] } } } },
      want: { spec: { strategy: { type: 'Recreate' }, template: { spec: { containers: [{ name: 'c', image: 'c:1' }] } } } },
    },
    {
      name: 'status conditions merge by type',
      kind: 'Deployment',
      original: { status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Progressing', status: 'True' }] } },
      patch: { status: { conditions: [{ type: 'Available', status: 'True' }] } },
      want: { status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(applyStrategicMergePatch(c.original, c.patch, patchSchemaFor(c.kind))).toEqual(c.want);
    });
  }

  it('refuses a list element without the merge key, as patch.go does', () => {
    expect(() => applyStrategicMergePatch(svc, { spec: { ports: [{ name: 'x' }] } }, patchSchemaFor('Service'))).toThrow(
      new PatchError('map: {"name":"x"} does not contain declared merge key: port'),
    );
  });

  it('leaves its inputs untouched', () => {
    const before = JSON.stringify(svc);
    applyStrategicMergePatch(svc, { spec: { ports: [{ port: 443, $patch: 'delete' }] } }, patchSchemaFor('Service'));
    expect(JSON.stringify(svc)).toBe(before);
  });
});
