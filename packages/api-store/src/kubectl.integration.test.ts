// The real kubectl binary against a real api-store (issue 3). kubectl is part of this machine kind
// and of CI; when it is missing the suite fails saying so rather than skipping.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFor, startApiStore, startNats, type ApiStoreHandle, type NatsHandle, KUBECTL, runKubectl, type KubectlRun } from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;
let dir: string;

function kubectl(args: string[], stdin?: string): Promise<KubectlRun> {
  return runKubectl(dir, args, stdin !== undefined ? { stdin } : {});
}

const myNginx = (extraPort: number): string => `apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
  - port: ${extraPort}
    protocol: TCP
    name: https
  selector:
    run: my-nginx
`;

const AGE = '\\d+s';
const IP = '10\\.\\d+\\.\\d+\\.\\d+';
const NODE_PORT = '3\\d{4}';

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl is required for this suite and was not found at ${KUBECTL} (set KUBECTL=/path/to/kubectl)`);
  dir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-'));
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
}, 60_000);

afterAll(async () => {
  await api?.process.stop();
  await nats?.stop();
});

describe('kubectl against the api-store', () => {
  it('api-resources lists the kinds with their short names', async () => {
    const r = await kubectl(['api-resources', '--no-headers']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).join(' '))).toEqual([
      'endpoints ep v1 true Endpoints',
      'events ev v1 true Event',
      'namespaces ns v1 false Namespace',
      'nodes no v1 false Node',
      'pods po v1 true Pod',
      'services svc v1 true Service',
      'deployments deploy apps/v1 true Deployment',
      'replicasets rs apps/v1 true ReplicaSet',
      'statefulsets sts apps/v1 true StatefulSet',
      'leases coordination.k8s.io/v1 true Lease',
      'endpointslices discovery.k8s.io/v1 true EndpointSlice',
    ]);
  });

  it('apply: created, unchanged, configured', async () => {
    expect(await kubectl(['apply', '-f', '-'], myNginx(443))).toEqual({ code: 0, stdout: 'service/my-nginx created\n', stderr: '' });
    expect(await kubectl(['apply', '-f', '-'], myNginx(443))).toEqual({ code: 0, stdout: 'service/my-nginx unchanged\n', stderr: '' });
    expect(await kubectl(['apply', '-f', '-'], myNginx(8443))).toEqual({ code: 0, stdout: 'service/my-nginx configured\n', stderr: '' });
  });

  it('get prints tables: plain, -o wide, -A, -l; -o yaml the object', async () => {
    const plain = await kubectl(['get', 'svc', 'my-nginx']);
    expect(plain.stdout).toMatch(
      new RegExp(`^NAME       TYPE       CLUSTER-IP +EXTERNAL-IP   PORT\\(S\\)                         AGE\\nmy-nginx   NodePort   ${IP} +<none>        8080:${NODE_PORT}/TCP,8443:${NODE_PORT}/TCP   ${AGE}\\n$`),
    );
    const wide = await kubectl(['get', 'svc', '-l', 'run=my-nginx', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME {7}TYPE {7}CLUSTER-IP +EXTERNAL-IP   PORT\(S\) +AGE +SELECTOR$/);
    expect(wide.stdout.split('\n')[1]).toMatch(new RegExp(`^my-nginx   NodePort   ${IP} +<none> +8080:${NODE_PORT}/TCP,8443:${NODE_PORT}/TCP +${AGE} +run=my-nginx$`));
    const all = await kubectl(['get', 'svc', '-A']);
    const rows = all.stdout.split('\n').filter(Boolean);
    const expected = [
      /^NAMESPACE {5}NAME {9}TYPE {8}CLUSTER-IP +EXTERNAL-IP   PORT\(S\) {25}AGE$/,
      new RegExp(`^default {7}kubernetes   ClusterIP   10\\.96\\.0\\.1 +<none> {8}443/TCP {25}${AGE}$`),
      new RegExp(`^default {7}my-nginx {5}NodePort {4}${IP} +<none> {8}8080:${NODE_PORT}/TCP,8443:${NODE_PORT}/TCP   ${AGE}$`),
      new RegExp(`^kube-system   kube-dns {5}ClusterIP   10\\.96\\.0\\.10 +<none> {8}53/UDP,53/TCP,9153/TCP {10}${AGE}$`),
    ];
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, i) => expect(row).toMatch(expected[i]!));
    const yaml = await kubectl(['get', 'svc', 'my-nginx', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    kubectl\.kubernetes\.io\/last-applied-configuration: \|\n/);
    expect(yaml.stdout).not.toContain('managedFields');
  });

  it('get -w sees a change', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', 'svc', 'my-nginx', '-w', '--show-labels'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    let out = '';
    const waiting = new Set<() => void>();
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const check of waiting) check();
    });
    const seen = (re: RegExp): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!re.test(out)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    await seen(/run=my-nginx\n/);
    expect(await kubectl(['label', 'svc', 'my-nginx', 'tier=web'])).toEqual({ code: 0, stdout: 'service/my-nginx labeled\n', stderr: '' });
    await seen(/run=my-nginx,tier=web\n/);
    child.kill();
    const lines = out.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE +LABELS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).at(-1))).toEqual(['run=my-nginx', 'run=my-nginx,tier=web']);
  }, 30_000);

  it('describe, patch (strategic, merge, json), annotate', async () => {
    expect((await kubectl(['patch', 'svc', 'my-nginx', '-p', '{"spec":{"ports":[{"port":9090,"name":"extra"}]}}'])).stdout).toBe('service/my-nginx patched\n');
    expect((await kubectl(['patch', 'svc', 'my-nginx', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}'])).stdout).toBe('service/my-nginx patched\n');
    expect((await kubectl(['patch', 'svc', 'my-nginx', '--type=json', '-p', '[{"op":"remove","path":"/metadata/labels/x"}]'])).stdout).toBe('service/my-nginx patched\n');
    expect((await kubectl(['annotate', 'svc', 'my-nginx', 'note=hi'])).stdout).toBe('service/my-nginx annotated\n');
    const d = await kubectl(['describe', 'svc', 'my-nginx']);
    const lines = d.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'Name:                     my-nginx',
      'Namespace:                default',
      'Labels:                   run=my-nginx',
      '                          tier=web',
      'Annotations:              note: hi',
      'Selector:                 run=my-nginx',
    ]);
    expect(lines.filter((l) => l.startsWith('Port:'))).toEqual(['Port:                     http  8080/TCP', 'Port:                     https  8443/TCP', 'Port:                     extra  9090/TCP']);
  });

  it('scale a Deployment through /scale, then delete it with a propagation policy', async () => {
    const deploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: 'nginx:1.27'}]
`;
    expect((await kubectl(['apply', '-f', '-'], deploy)).stdout).toBe('deployment.apps/web created\n');
    expect((await kubectl(['scale', 'deploy/web', '--replicas=3'])).stdout).toBe('deployment.apps/web scaled\n');
    const got = await kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']);
    expect(got.stdout).toBe('3');
    expect(await kubectl(['delete', 'deploy', 'web', '--cascade=foreground'])).toEqual({ code: 0, stdout: 'deployment.apps "web" deleted\n', stderr: '' });
  });

  it('prints the api-store errors as kubectl prints kube-apiserver errors', async () => {
    const bad = `apiVersion: v1
kind: Service
metadata: {name: x}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 40000}]
`;
    expect(await kubectl(['create', '-f', '-'], bad)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'The Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    });
    expect(await kubectl(['get', 'svc', 'x'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): services "x" not found\n' });
    const unknownField = 'apiVersion: v1\nkind: Service\nmetadata: {name: strict-svc}\nspec:\n  bogus: 1\n  ports: [{port: 80}]\n';
    expect(await kubectl(['create', '-f', '-'], unknownField)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.bogus"\n',
    });
    expect(await kubectl(['create', '-f', '-'], myNginx(443))).toEqual({ code: 1, stdout: '', stderr: 'Error from server (AlreadyExists): error when creating "STDIN": services "my-nginx" already exists\n' });
    const stale = (await kubectl(['get', 'svc', 'my-nginx', '-o', 'json'])).stdout;
    const obj = JSON.parse(stale) as { metadata: { labels: Record<string, string> } };
    await kubectl(['label', 'svc', 'my-nginx', 'moved=yes']);
    obj.metadata.labels.stale = 'yes';
    expect(await kubectl(['replace', '-f', '-'], JSON.stringify(obj))).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on services "my-nginx": the object has been modified; please apply your changes to the latest version and try again\n',
    });
    expect(await kubectl(['delete', 'svc', 'my-nginx'])).toEqual({ code: 0, stdout: 'service "my-nginx" deleted\n', stderr: '' });
  });
});
