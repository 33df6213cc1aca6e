// Kubernetes protobuf bodies → Kubernetes JSON. The bytes come from kubectl itself (testdata) or
// are written field by field with protobufjs' Writer from Kubernetes' field numbers, never by the
// decoder under test.
import { readFileSync } from 'node:fs';
import $protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import {
  decodeKubernetesEnvelope,
  decodeKubernetesProtobuf,
  goDurationString,
  KubernetesProtobufError,
  MAX_KUBERNETES_PROTOBUF_BYTES,
  MAX_KUBERNETES_PROTOBUF_DEPTH,
} from './kubernetes-protobuf.js';

const fixtures = JSON.parse(readFileSync(new URL('./testdata/kubectl-create-bodies.json', import.meta.url), 'utf8')) as {
  bodies: { command: string; base64: string }[];
};
const body = (command: string): Uint8Array => Buffer.from(fixtures.bodies.find((b) => b.command === command)!.base64, 'base64');

type Build = (w: $protobuf.Writer) => void;
const message = (build: Build): Uint8Array => {
  const w = $protobuf.Writer.create();
  build(w);
  return w.finish();
};
const sub = (w: $protobuf.Writer, id: number, build: Build): void => {
  w.uint32((id << 3) | 2).bytes(message(build));
};
const str = (w: $protobuf.Writer, id: number, s: string): void => {
  w.uint32((id << 3) | 2).string(s);
};
const num = (w: $protobuf.Writer, id: number, n: number): void => {
  w.uint32(id << 3).int64(n);
};
const mapEntry = (w: $protobuf.Writer, id: number, key: string, value: Build): void => sub(w, id, (e) => (str(e, 1, key), value(e)));
const envelope = (apiVersion: string, kind: string, raw: Build): Uint8Array => {
  const unknown = message((w) => {
    sub(w, 1, (t) => (str(t, 1, apiVersion), str(t, 2, kind)));
    w.uint32((2 << 3) | 2).bytes(message(raw));
  });
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
};
const intOrString = (w: $protobuf.Writer, id: number, v: number | string): void =>
  sub(w, id, (x) => (typeof v === 'number' ? (num(x, 1, 0), num(x, 2, v), str(x, 3, '')) : (num(x, 1, 1), num(x, 2, 0), str(x, 3, v))));
// 2024-03-01T12:30:45Z
const SECONDS = 1709296245;

describe('kubectl create bodies (captured from kubectl v1.32)', () => {
  const cases: [string, object][] = [
    ['kubectl create namespace foo', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' }, spec: {}, status: {} }],
    [
      'kubectl create deployment hello --image=registry.k8s.io/e2e-test-images/agnhost:2.39 --replicas=2',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', labels: { app: 'hello' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'hello' } },
          template: {
            metadata: { labels: { app: 'hello' } },
            spec: { containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.39', resources: {} }] },
          },
          strategy: {},
        },
        status: {},
      },
    ],
    [
      'kubectl create deployment zero --image=nginx --replicas=0 --port=8080 -n foo',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'zero', namespace: 'foo', labels: { app: 'zero' } },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'zero' } },
          template: {
            metadata: { labels: { app: 'zero' } },
            spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }], resources: {} }] },
          },
          strategy: {},
        },
        status: {},
      },
    ],
    [
      'kubectl create service nodeport bad --tcp=80:8080 --node-port=40000',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bad', labels: { app: 'bad' } },
        spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 40000 }], selector: { app: 'bad' }, type: 'NodePort' },
        status: { loadBalancer: {} },
      },
    ],
    [
      'kubectl create service externalname ext --external-name=example.com',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ext', labels: { app: 'ext' } },
        spec: { selector: { app: 'ext' }, type: 'ExternalName', externalName: 'example.com' },
        status: { loadBalancer: {} },
      },
    ],
    [
      'kubectl create service clusterip headless --clusterip=None',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'headless', labels: { app: 'headless' } },
        spec: { selector: { app: 'headless' }, clusterIP: 'None', type: 'ClusterIP' },
        status: { loadBalancer: {} },
      },
    ],
    [
      'kubectl create service loadbalancer lb --tcp=443:https',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'lb', labels: { app: 'lb' } },
        spec: { ports: [{ name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' }], selector: { app: 'lb' }, type: 'LoadBalancer' },
        status: { loadBalancer: {} },
      },
    ],
  ];
  it.each(cases)('%s', (command, expected) => {
    expect(decodeKubernetesProtobuf(body(command))).toEqual(expected);
  });

  it('the envelope: type, raw message, no content type', () => {
    const e = decodeKubernetesEnvelope(body('kubectl create namespace foo'));
    expect({ ...e, raw: e.raw.length }).toEqual({ apiVersion: 'v1', kind: 'Namespace', raw: 27, contentEncoding: '', contentType: '' });
  });
});

describe('every kind, written field by field', () => {
  it('Pod: probes inline their handler, Time and Quantity convert, pointer zeros stay', () => {
    const bytes = envelope('v1', 'Pod', (w) => {
      sub(w, 1, (m) => {
        str(m, 1, 'web-0');
        str(m, 3, 'default');
        sub(m, 8, (t) => (num(t, 1, SECONDS), num(t, 2, 500_000_000)));
        sub(m, 13, (o) => (str(o, 5, 'apps/v1'), str(o, 1, 'StatefulSet'), str(o, 3, 'web'), str(o, 4, 'u-1'), num(o, 6, 1), num(o, 7, 0)));
      });
      sub(w, 2, (s) => {
        sub(s, 2, (c) => {
          str(c, 1, 'web');
          str(c, 2, 'nginx');
          sub(c, 6, (p) => (str(p, 1, 'http'), num(p, 2, 0), num(p, 3, 80), str(p, 4, 'TCP'), str(p, 5, '')));
          sub(c, 7, (e) => (str(e, 1, 'MODE'), str(e, 2, '')));
          sub(c, 8, (r) => mapEntry(r, 2, 'cpu', (q) => sub(q, 2, (v) => str(v, 1, '500m'))));
          sub(c, 10, (p) => (sub(p, 1, (h) => sub(h, 3, (t) => intOrString(t, 1, 8080))), num(p, 2, 0), num(p, 4, 10)));
          sub(c, 11, (p) => sub(p, 1, (h) => sub(h, 2, (g) => (str(g, 1, '/healthz'), intOrString(g, 2, 'http')))));
          str(c, 13, '/dev/termination-log');
        });
        num(s, 4, 0);
        str(s, 10, 'node-1');
        num(s, 11, 0);
      });
      sub(w, 3, (st) => {
        str(st, 1, 'Running');
        sub(st, 2, (c) => (str(c, 1, 'Ready'), str(c, 2, 'True'), sub(c, 3, () => {}), sub(c, 4, (t) => num(t, 1, SECONDS))));
        str(st, 6, '10.244.1.5');
        sub(st, 7, (t) => num(t, 1, SECONDS));
        sub(st, 8, (cs) => {
          str(cs, 1, 'web');
          sub(cs, 2, (state) => sub(state, 1, (wt) => str(wt, 1, 'ContainerCreating')));
          sub(cs, 3, () => {});
          num(cs, 4, 0);
          num(cs, 5, 0);
          str(cs, 6, 'nginx');
          str(cs, 7, '');
          num(cs, 9, 0);
        });
        sub(st, 12, (ip) => str(ip, 1, '10.244.1.5'));
      });
    });
    expect(decodeKubernetesProtobuf(bytes)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-0',
        namespace: 'default',
        creationTimestamp: '2024-03-01T12:30:45Z',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: false }],
      },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'MODE' }],
            resources: { requests: { cpu: '500m' } },
            livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            terminationMessagePath: '/dev/termination-log',
          },
        ],
        terminationGracePeriodSeconds: 0,
        nodeName: 'node-1',
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-03-01T12:30:45Z' }],
        podIP: '10.244.1.5',
        startTime: '2024-03-01T12:30:45Z',
        containerStatuses: [{ name: 'web', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'nginx', imageID: '', started: false }],
        podIPs: [{ ip: '10.244.1.5' }],
      },
    });
  });

  it('EndpointSlice: pointer fields keep false, 0 and ""', () => {
    const bytes = envelope('discovery.k8s.io/v1', 'EndpointSlice', (w) => {
      sub(w, 1, (m) => str(m, 1, 'web-abc'));
      str(w, 4, 'IPv4');
      sub(w, 2, (e) => {
        str(e, 1, '10.244.1.5');
        sub(e, 2, (c) => (num(c, 1, 0), num(c, 2, 1), num(c, 3, 0)));
        sub(e, 4, (r) => (str(r, 1, 'Pod'), str(r, 2, 'default'), str(r, 3, 'web-0'), str(r, 4, '')));
        str(e, 6, 'node-1');
        sub(e, 8, (h) => (sub(h, 1, (z) => str(z, 1, 'a')), sub(h, 2, (n) => str(n, 1, 'node-1'))));
      });
      sub(w, 3, (p) => (str(p, 1, ''), str(p, 2, 'TCP'), num(p, 3, 0)));
    });
    expect(decodeKubernetesProtobuf(bytes)).toEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc' },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.244.1.5'],
          conditions: { ready: false, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0' },
          nodeName: 'node-1',
          hints: { forZones: [{ name: 'a' }], forNodes: [{ name: 'node-1' }] },
        },
      ],
      ports: [{ name: '', protocol: 'TCP', port: 0 }],
    });
  });

  it('Endpoints, Node, StatefulSet and Lease', () => {
    const endpoints = envelope('v1', 'Endpoints', (w) => {
      sub(w, 1, (m) => (str(m, 1, 'web'), mapEntry(m, 12, 'note', (v) => str(v, 2, ''))));
      sub(w, 2, (s) => (sub(s, 1, (a) => (str(a, 1, '10.244.1.5'), str(a, 4, 'node-1'))), sub(s, 3, (p) => (str(p, 1, ''), num(p, 2, 80), str(p, 3, 'TCP')))));
    });
    expect(decodeKubernetesProtobuf(endpoints)).toEqual({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', annotations: { note: '' } },
      subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });

    const node = envelope('v1', 'Node', (w) => {
      sub(w, 1, (m) => str(m, 1, 'node-1'));
      sub(w, 2, (s) => (str(s, 1, '10.244.1.0/24'), str(s, 7, '10.244.1.0/24'), num(s, 4, 0)));
      sub(w, 3, (st) => {
        mapEntry(st, 1, 'pods', (q) => sub(q, 2, (v) => str(v, 1, '110')));
        sub(st, 4, (c) => (str(c, 1, 'Ready'), str(c, 2, 'True'), sub(c, 3, (t) => num(t, 1, SECONDS)), str(c, 5, 'KubeletReady'), str(c, 6, '')));
        sub(st, 5, (a) => (str(a, 1, 'InternalIP'), str(a, 2, '127.0.1.1')));
        sub(st, 7, (i) => (str(i, 1, ''), str(i, 7, 'v1.32.0'), str(i, 9, 'linux')));
      });
    });
    expect(decodeKubernetesProtobuf(node)).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: {
        capacity: { pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-03-01T12:30:45Z', reason: 'KubeletReady' }],
        addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
        nodeInfo: { machineID: '', kubeletVersion: 'v1.32.0', operatingSystem: 'linux' },
      },
    });

    const sts = envelope('apps/v1', 'StatefulSet', (w) => {
      sub(w, 1, (m) => str(m, 1, 'web'));
      sub(w, 2, (s) => {
        num(s, 1, 3);
        sub(s, 2, (l) => sub(l, 2, (r) => (str(r, 1, 'app'), str(r, 2, 'In'), str(r, 3, 'web'))));
        str(s, 5, 'web');
        sub(s, 7, (u) => (str(u, 1, 'RollingUpdate'), sub(u, 2, (r) => (num(r, 1, 0), intOrString(r, 2, '50%')))));
      });
      sub(w, 3, (st) => (num(st, 2, 0), num(st, 11, 0), num(st, 3, 0)));
    });
    expect(decodeKubernetesProtobuf(sts)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        serviceName: 'web',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
      },
      status: { replicas: 0, availableReplicas: 0 },
    });

    const lease = envelope('coordination.k8s.io/v1', 'Lease', (w) => {
      sub(w, 1, (m) => (str(m, 1, 'node-1'), str(m, 3, 'kube-node-lease')));
      sub(w, 2, (s) => (str(s, 1, 'node-1'), num(s, 2, 40), sub(s, 4, (t) => (num(t, 1, SECONDS), num(t, 2, 123_456_789)))));
    });
    expect(decodeKubernetesProtobuf(lease)).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-03-01T12:30:45.123456Z' },
    });
  });

  it('DeleteOptions: gracePeriodSeconds 0 is kept, under any served group version', () => {
    for (const apiVersion of ['meta.k8s.io/v1', 'v1', 'apps/v1']) {
      const bytes = envelope(apiVersion, 'DeleteOptions', (w) => (num(w, 1, 0), sub(w, 2, (p) => str(p, 1, 'u-1')), str(w, 4, 'Foreground'), str(w, 5, 'All')));
      expect(decodeKubernetesProtobuf(bytes)).toEqual({
        apiVersion,
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: 'u-1' },
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      });
    }
  });

  it('unknown fields are skipped; a message seen twice merges', () => {
    const bytes = envelope('v1', 'Namespace', (w) => {
      sub(w, 1, (m) => (str(m, 1, 'foo'), num(m, 99, 7), str(m, 4, '/api/v1/namespaces/foo')));
      sub(w, 1, (m) => mapEntry(m, 11, 'team', (v) => str(v, 2, 'net')));
      w.uint32((50 << 3) | 5).fixed32(1);
    });
    expect(decodeKubernetesProtobuf(bytes)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo', labels: { team: 'net' } } });
  });
});

describe('errors', () => {
  const failure = (bytes: Uint8Array): { reason: string; message: string; typeMeta?: object } => {
    try {
      decodeKubernetesProtobuf(bytes);
    } catch (err) {
      if (!(err instanceof KubernetesProtobufError)) throw err;
      return { reason: err.reason, message: err.message, ...(err.typeMeta ? { typeMeta: err.typeMeta } : {}) };
    }
    throw new Error('decoded');
  };
  const prefix = [0x6b, 0x38, 0x73, 0x00];
  it.each([
    ['empty', new Uint8Array(0), { reason: 'empty', message: 'empty data' }],
    ['only the prefix', Uint8Array.from(prefix), { reason: 'empty', message: 'empty body' }],
    ['JSON', Buffer.from('{"kind":"Namespace"}'), { reason: 'prefix', message: 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]' }],
    ['a truncated envelope', Uint8Array.from([...prefix, 0x0a, 0x05, 0x0a]), { reason: 'malformed', message: 'unexpected EOF' }],
    ['a tag longer than 64 bits', Uint8Array.from([...prefix, ...Array(11).fill(0xff), 0x01]), { reason: 'malformed', message: 'proto: integer overflow' }],
    [
      'an unknown varint field longer than 64 bits',
      Uint8Array.from([...prefix, 0x98, 0x06, ...Array(11).fill(0xff), 0x01]),
      { reason: 'malformed', message: 'proto: integer overflow' },
    ],
    ['field number 0', Uint8Array.from([...prefix, 0x00, 0x00]), { reason: 'malformed', message: 'proto: Unknown: illegal tag 0 (wire type 0)' }],
    [
      'a truncated object',
      envelope('v1', 'Service', (w) => w.uint32(0x0a).uint32(40).string('x')),
      { reason: 'malformed', message: 'unexpected EOF', typeMeta: { apiVersion: 'v1', kind: 'Service' } },
    ],
    [
      'a wrong wire type',
      envelope('v1', 'Service', (w) => sub(w, 2, (s) => num(s, 3, 1))),
      { reason: 'malformed', message: 'proto: wrong wireType = 0 for field ClusterIP', typeMeta: { apiVersion: 'v1', kind: 'Service' } },
    ],
    [
      'a kind kubemu does not serve',
      envelope('v1', 'ConfigMap', () => {}),
      { reason: 'unserved', message: 'kubemu does not serve kind "ConfigMap" in version "v1"', typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' } },
    ],
    [
      'a served kind in another version',
      envelope('apps/v1beta2', 'Deployment', () => {}),
      { reason: 'unserved', message: 'kubemu does not serve kind "Deployment" in version "apps/v1beta2"', typeMeta: { apiVersion: 'apps/v1beta2', kind: 'Deployment' } },
    ],
    [
      'a year past 9999',
      envelope('v1', 'Namespace', (w) => sub(w, 1, (m) => sub(m, 8, (t) => num(t, 1, 253402300800)))),
      { reason: 'malformed', message: 'Time.MarshalJSON: year outside of range [0,9999]', typeMeta: { apiVersion: 'v1', kind: 'Namespace' } },
    ],
  ] as const)('%s', (_name, bytes, expected) => {
    expect(failure(bytes)).toEqual(expected);
  });

  it('bounds: body size and nesting depth', () => {
    expect(failure(new Uint8Array(MAX_KUBERNETES_PROTOBUF_BYTES + 1))).toEqual({
      reason: 'too-large',
      message: `protobuf body is ${MAX_KUBERNETES_PROTOBUF_BYTES + 1} bytes; the limit is ${MAX_KUBERNETES_PROTOBUF_BYTES}`,
    });
    // Unknown fields are skipped, groups included; nested groups count towards the bound.
    const groups = (depth: number): Build => (w) => {
      for (let i = 0; i < depth; i++) w.uint32((50 << 3) | 3);
      for (let i = 0; i < depth; i++) w.uint32((50 << 3) | 4);
    };
    expect(decodeKubernetesProtobuf(envelope('v1', 'Namespace', groups(MAX_KUBERNETES_PROTOBUF_DEPTH)))).toEqual({ apiVersion: 'v1', kind: 'Namespace' });
    expect(failure(envelope('v1', 'Namespace', groups(MAX_KUBERNETES_PROTOBUF_DEPTH + 1)))).toEqual({
      reason: 'malformed',
      message: `protobuf message nesting exceeds ${MAX_KUBERNETES_PROTOBUF_DEPTH} levels`,
      typeMeta: { apiVersion: 'v1', kind: 'Namespace' },
    });
  });
});

describe('goDurationString (Go time.Duration.String, metav1.Duration in JSON)', () => {
  it.each([
    [0, '0s'],
    [999, '999ns'],
    [1500, '1.5µs'],
    [1_500_000, '1.5ms'],
    [90e9, '1m30s'],
    [3_723_500_000_000, '1h2m3.5s'],
    [-2e9, '-2s'],
  ])('%d ns → %s', (n, expected) => {
    expect(goDurationString(n)).toBe(expected);
  });
});
