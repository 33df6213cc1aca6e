// kubectl's typed clients send protobuf bodies (`kubectl create namespace|deployment|service …`):
// the real kubectl binary against a real api-store, whole output lines compared.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFor, startApiStore, startNats, type ApiStoreHandle, type NatsHandle, KUBECTL, runKubectl, type KubectlRun } from '@kubemu/testkit';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.39';
let nats: NatsHandle;
let api: ApiStoreHandle;
let dir: string;

function kubectl(args: string[]): Promise<KubectlRun> {
  return runKubectl(dir, args);
}

const ok = (stdout: string): { code: number; stdout: string; stderr: string } => ({ code: 0, stdout, stderr: '' });

/** The fields only the server knows, replaced so a whole -o yaml can be compared. */
function normalizeYaml(yaml: string): string {
  return yaml
    .replace(/creationTimestamp: "[^"]+"/g, 'creationTimestamp: "TIME"')
    .replace(/resourceVersion: "\d+"/g, 'resourceVersion: "RV"')
    .replace(/uid: [0-9a-f-]{36}/g, 'uid: UID');
}

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl is required for this suite and was not found at ${KUBECTL} (set KUBECTL=/path/to/kubectl)`);
  dir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-protobuf-'));
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
}, 60_000);

afterAll(async () => {
  await api?.process.stop();
  await nats?.stop();
});

describe('kubectl create with protobuf bodies', () => {
  it('create namespace', async () => {
    expect(await kubectl(['create', 'namespace', 'foo'])).toEqual(ok('namespace/foo created\n'));
    const got = await kubectl(['get', 'namespace', 'foo', '--no-headers']);
    expect(got.stdout).toMatch(/^foo {3}Active {3}\d+s\n$/);
  });

  it('create deployment: -o yaml shows what kubectl sent, defaulted', async () => {
    expect(await kubectl(['create', 'deployment', 'hello', `--image=${AGNHOST}`, '--replicas=2'])).toEqual(ok('deployment.apps/hello created\n'));
    const yaml = await kubectl(['get', 'deploy', 'hello', '-o', 'yaml']);
    expect(yaml.stderr).toBe('');
    expect(normalizeYaml(yaml.stdout)).toBe(EXPECTED_DEPLOYMENT_YAML);
  });

  it('create service nodeport allocates a clusterIP and a nodePort', async () => {
    expect(await kubectl(['create', 'service', 'nodeport', 'my-svc', '--tcp=80:8080'])).toEqual(ok('service/my-svc created\n'));
    const got = await kubectl(['get', 'svc', 'my-svc']);
    expect(got.stdout).toMatch(
      /^NAME {5}TYPE {7}CLUSTER-IP +EXTERNAL-IP   PORT\(S\) {8}AGE\nmy-svc   NodePort   10\.\d+\.\d+\.\d+ +<none> {8}80:3\d{4}\/TCP   \d+s\n$/,
    );
  });

  it('create service nodeport with a nodePort out of range: kube-apiserver\'s Invalid text', async () => {
    expect(await kubectl(['create', 'service', 'nodeport', 'bad', '--tcp=80:8080', '--node-port=40000'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: failed to create NodePort service: Service "bad" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    });
  });

  it('create service externalname, clusterip headless, loadbalancer', async () => {
    expect(await kubectl(['create', 'service', 'externalname', 'ext', '--external-name=example.com'])).toEqual(ok('service/ext created\n'));
    expect(await kubectl(['create', 'service', 'clusterip', 'headless', '--clusterip=None'])).toEqual(ok('service/headless created\n'));
    expect(await kubectl(['create', 'service', 'loadbalancer', 'lb', '--tcp=443:https'])).toEqual(ok('service/lb created\n'));
    const got = await kubectl(['get', 'svc', 'ext', 'headless', 'lb', '--no-headers']);
    const rows = got.stdout.split('\n').filter(Boolean);
    const expected = [
      // CLUSTER-IP is as wide as lb's allocated address.
      /^ext {8}ExternalName   <none> +example\.com   <none> {10}\d+s$/,
      /^headless   ClusterIP {6}None +<none> {8}<none> {10}\d+s$/,
      /^lb {9}LoadBalancer   10\.\d+\.\d+\.\d+ +<pending> {5}443:3\d{4}\/TCP   \d+s$/,
    ];
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, i) => expect(row).toMatch(expected[i]!));
  });
});

// Protobuf bodies assembled by hand (field numbers from Kubernetes' generated.proto), so these
// tests do not lean on the decoder they check.
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
};
const bytesField = (id: number, bytes: number[]): number[] => [...varint((id << 3) | 2), ...varint(bytes.length), ...bytes];
const stringField = (id: number, s: string): number[] => bytesField(id, [...Buffer.from(s, 'utf8')]);
const varintField = (id: number, n: number): number[] => [...varint(id << 3), ...varint(n)];
const envelope = (apiVersion: string, kind: string, raw: number[]): Buffer =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, [...stringField(1, apiVersion), ...stringField(2, kind)]), ...bytesField(2, raw)]);
const PROTOBUF = { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/vnd.kubernetes.protobuf,application/json' };

describe('protobuf bodies over the API', () => {
  async function send(method: string, path: string, body: Buffer): Promise<{ code: number; type: string | null; body: any }> {
    // Content-Length: node:https sends a DELETE body without one otherwise.
    const res = await api.fetch(path, { method, headers: { ...PROTOBUF, 'Content-Length': String(body.length) }, body });
    return { code: res.status, type: res.headers.get('content-type'), body: JSON.parse(await res.text()) };
  }
  const badRequest = (message: string): object => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });

  it('create and update a Namespace; the answer is JSON', async () => {
    const created = await send('POST', '/api/v1/namespaces', envelope('v1', 'Namespace', bytesField(1, stringField(1, 'wire'))));
    expect([created.code, created.type, created.body.metadata.name, created.body.status]).toEqual([201, 'application/json', 'wire', { phase: 'Active' }]);
    const meta = [...stringField(1, 'wire'), ...stringField(6, created.body.metadata.resourceVersion), ...bytesField(11, [...stringField(1, 'team'), ...stringField(2, 'net')])];
    const updated = await send('PUT', '/api/v1/namespaces/wire', envelope('v1', 'Namespace', bytesField(1, meta)));
    expect([updated.code, updated.body.metadata.labels]).toEqual([200, { team: 'net', 'kubernetes.io/metadata.name': 'wire' }]);
  });

  it('fieldValidation=Strict does not apply to protobuf: unknown wire fields are dropped', async () => {
    const raw = [...bytesField(1, [...stringField(1, 'strict-wire'), ...stringField(99, 'from a newer client')]), ...varintField(77, 1)];
    const created = await send('POST', '/api/v1/namespaces?fieldValidation=Strict', envelope('v1', 'Namespace', raw));
    expect([created.code, created.body.metadata.name]).toEqual([201, 'strict-wire']);
  });

  it('decode errors: kube-apiserver\'s 400 texts', async () => {
    expect(await send('POST', '/api/v1/namespaces', Buffer.from('not protobuf'))).toEqual({
      code: 400,
      type: 'application/json',
      body: badRequest('the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6e6f742070726f746f627566)'),
    });
    const truncated = envelope('v1', 'Namespace', [0x0a, 0x10, 0x0a, 0x03, 0x66]);
    expect((await send('POST', '/api/v1/namespaces', truncated)).body).toEqual(badRequest('Namespace in version "v1" cannot be handled as a Namespace: unexpected EOF'));
    const wrongWire = envelope('apps/v1', 'Deployment', bytesField(2, varintField(1, 1).concat(bytesField(2, [])).slice(0, 2).concat(varintField(2, 3))));
    expect((await send('POST', '/apis/apps/v1/namespaces/default/deployments', wrongWire)).body).toEqual(
      badRequest('Deployment in version "v1" cannot be handled as a Deployment: proto: wrong wireType = 0 for field Selector'),
    );
  });

  it('a body of another kind or version is refused as its JSON form is', async () => {
    expect((await send('POST', '/api/v1/namespaces', envelope('v1', 'Service', bytesField(1, stringField(1, 'x'))))).body).toEqual(
      badRequest('the kind in the data (Service) does not match the expected kind (Namespace)'),
    );
    expect((await send('POST', '/apis/apps/v1/namespaces/default/deployments', envelope('apps/v1beta1', 'Deployment', [])))).toMatchObject({
      code: 400,
      body: badRequest('the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)'),
    });
  });

  it('DELETE with protobuf DeleteOptions: preconditions are read', async () => {
    const stale = envelope('meta.k8s.io/v1', 'DeleteOptions', bytesField(2, stringField(1, 'not-the-uid')));
    const refused = await send('DELETE', '/api/v1/namespaces/wire', stale);
    expect([refused.code, refused.body.reason]).toEqual([409, 'Conflict']);
    const now = envelope('v1', 'DeleteOptions', [...varintField(1, 0), ...stringField(4, 'Background')]);
    const deleted = await send('DELETE', '/api/v1/namespaces/wire', now);
    expect([deleted.code, deleted.body.metadata.name]).toEqual([200, 'wire']);
  });

  it('PATCH stays JSON: protobuf is not a patch type', async () => {
    const patched = await send('PATCH', '/api/v1/namespaces/foo', envelope('v1', 'Namespace', []));
    expect([patched.code, patched.body.reason]).toEqual([415, 'UnsupportedMediaType']);
  });
});

const EXPECTED_DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: "TIME"
  generation: 1
  labels:
    app: hello
  name: hello
  namespace: default
  resourceVersion: "RV"
  uid: UID
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: hello
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
    type: RollingUpdate
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - image: ${AGNHOST}
        imagePullPolicy: IfNotPresent
        name: agnhost
        resources: {}
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      terminationGracePeriodSeconds: 30
status: {}
`;
