// The real kubectl against a real api-store, part two (issue 3): the seed document's manifests
// (service-access-modes.zh.md) applied unchanged, describe of every core kind kubemu serves,
// deletion with finalizers and propagation policies, replace/edit round trips, aggregated
// discovery. Like kubectl.integration.test.ts, a missing kubectl fails the suite and says so.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_EXAMPLE_SERVICE,
  SEED_EXTERNAL_IPS,
  SEED_EXTERNAL_NAME,
  SEED_MY_NGINX,
  kubeconfigFor,
  startApiStore,
  startNats,
  type ApiStoreHandle,
  type NatsHandle, KUBECTL, runKubectl
} from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin?: string, env: Record<string, string> = {}, cacheDir = join(dir, 'cache')): Promise<Run> {
  return runKubectl(dir, args, { ...(stdin !== undefined ? { stdin } : {}), env, cacheDir });
}

/** Every output line equals its string, or matches its RegExp as a whole line; no line more, none less. */
function expectLines(out: string, expected: readonly (string | RegExp)[]): void {
  const lines = out.replace(/\n$/, '').split('\n');
  const shown = lines.map((line, i) => {
    const want = expected[i];
    if (want instanceof RegExp) return new RegExp(`^(?:${want.source})$`).test(line) ? want : line;
    return line;
  });
  expect(shown).toEqual(expected);
}

const ok = (stdout: string): Run => ({ code: 0, stdout, stderr: '' });

const AGE = /\d+s/.source;
const IP = /10\.\d+\.\d+\.\d+/.source;
const NP = /3\d{4}/.source;
const TIME = /[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000/.source;
const re = (s: string): RegExp => new RegExp(s);

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl is required for this suite and was not found at ${KUBECTL} (set KUBECTL=/path/to/kubectl)`);
  dir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-seed-'));
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor(api));
}, 60_000);

afterAll(async () => {
  await api?.process.stop();
  await nats?.stop();
});

describe('kubectl: the seed manifests', () => {
  it('apply unchanged, and get svc prints the seed table', async () => {
    expect(await kubectl(['apply', '-f', '-'], SEED_MY_NGINX)).toEqual(ok('service/my-nginx created\n'));
    expect(await kubectl(['apply', '-f', '-'], SEED_EXAMPLE_SERVICE)).toEqual(ok('service/example-service created\n'));
    expect(await kubectl(['apply', '-f', '-'], SEED_EXTERNAL_NAME)).toEqual(ok('service/my-service created\n'));
    expect(await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ext\n')).toEqual(ok('namespace/ext created\n'));
    expect(await kubectl(['apply', '-n', 'ext', '-f', '-'], SEED_EXTERNAL_IPS)).toEqual(ok('service/my-service created\n'));

    const got = await kubectl(['get', 'svc']);
    expect(got.stderr).toBe('');
    expectLines(got.stdout, [
      re(`NAME              TYPE           CLUSTER-IP +EXTERNAL-IP               PORT\\(S\\)                        AGE`),
      re(`example-service   LoadBalancer   ${IP} +<pending>                 8765:${NP}/TCP                 ${AGE}`),
      re(`kubernetes        ClusterIP      10\\.96\\.0\\.1 +<none>                    443/TCP                        ${AGE}`),
      re(`my-nginx          NodePort       ${IP} +<none>                    8080:${NP}/TCP,443:${NP}/TCP   ${AGE}`),
      re(`my-service        ExternalName   <none> +my\\.database\\.example\\.com   <none>                         ${AGE}`),
    ]);
    expectLines((await kubectl(['get', 'svc', '-n', 'ext'])).stdout, [
      re(`NAME         TYPE        CLUSTER-IP +EXTERNAL-IP   PORT\\(S\\)   AGE`),
      re(`my-service   ClusterIP   ${IP} +80\\.11\\.12\\.10   80/TCP    ${AGE}`),
    ]);
  });

  it('the two my-service manifests apply over each other in turn', async () => {
    expect(await kubectl(['apply', '-f', '-'], SEED_EXTERNAL_IPS)).toEqual(ok('service/my-service configured\n'));
    expectLines((await kubectl(['get', 'svc', 'my-service'])).stdout, [
      re(`NAME         TYPE        CLUSTER-IP +EXTERNAL-IP   PORT\\(S\\)   AGE`),
      re(`my-service   ClusterIP   ${IP} +80\\.11\\.12\\.10   80/TCP    ${AGE}`),
    ]);
    expect(await kubectl(['apply', '-f', '-'], SEED_EXTERNAL_NAME)).toEqual(ok('service/my-service configured\n'));
    expectLines((await kubectl(['get', 'svc', 'my-service'])).stdout, [
      re(`NAME         TYPE           CLUSTER-IP   EXTERNAL-IP               PORT\\(S\\)   AGE`),
      re(`my-service   ExternalName   <none>       my\\.database\\.example\\.com   <none>    ${AGE}`),
    ]);
  });

  it('describe svc prints kubectl\'s layout for each seed Service', async () => {
    const nginx = await kubectl(['describe', 'svc', 'my-nginx']);
    expect(nginx.stderr).toBe('');
    expectLines(nginx.stdout, [
      'Name:                     my-nginx',
      'Namespace:                default',
      'Labels:                   run=my-nginx',
      'Annotations:              <none>',
      'Selector:                 app=nginx',
      'Type:                     NodePort',
      'IP Family Policy:         SingleStack',
      'IP Families:              IPv4',
      re(`IP:                       ${IP}`),
      re(`IPs:                      ${IP}`),
      'Port:                     http  8080/TCP',
      'TargetPort:               80/TCP',
      re(`NodePort:                 http  ${NP}/TCP`),
      'Endpoints:                <none>',
      'Port:                     https  443/TCP',
      'TargetPort:               443/TCP',
      re(`NodePort:                 https  ${NP}/TCP`),
      'Endpoints:                <none>',
      'Session Affinity:         None',
      'External Traffic Policy:  Cluster',
      'Internal Traffic Policy:  Cluster',
      'Events:                   <none>',
    ]);
    expectLines((await kubectl(['describe', 'svc', 'example-service'])).stdout, [
      'Name:                     example-service',
      'Namespace:                default',
      'Labels:                   <none>',
      'Annotations:              <none>',
      'Selector:                 app=example',
      'Type:                     LoadBalancer',
      'IP Family Policy:         SingleStack',
      'IP Families:              IPv4',
      re(`IP:                       ${IP}`),
      re(`IPs:                      ${IP}`),
      'Port:                     <unset>  8765/TCP',
      'TargetPort:               9376/TCP',
      re(`NodePort:                 <unset>  ${NP}/TCP`),
      'Endpoints:                <none>',
      'Session Affinity:         None',
      'External Traffic Policy:  Cluster',
      'Internal Traffic Policy:  Cluster',
      'Events:                   <none>',
    ]);
    // ClusterIP → ExternalName keeps internalTrafficPolicy (service strategy dropTypeDependentFields
    // leaves it; validateServiceInternalTrafficPolicy allows it "because of historical reasons"),
    // while externalTrafficPolicy, no longer needed and unchanged, is dropped.
    expectLines((await kubectl(['describe', 'svc', 'my-service'])).stdout, [
      'Name:                     my-service',
      'Namespace:                default',
      'Labels:                   <none>',
      'Annotations:              <none>',
      'Selector:                 <none>',
      'Type:                     ExternalName',
      'IP Families:              <none>',
      'IP:                       ',
      'IPs:                      <none>',
      'External Name:            my.database.example.com',
      'Session Affinity:         None',
      'Internal Traffic Policy:  Cluster',
      'Events:                   <none>',
    ]);
    expectLines((await kubectl(['describe', 'svc', 'my-service', '-n', 'ext'])).stdout, [
      'Name:                     my-service',
      'Namespace:                ext',
      'Labels:                   <none>',
      'Annotations:              <none>',
      'Selector:                 app=MyApp',
      'Type:                     ClusterIP',
      'IP Family Policy:         SingleStack',
      'IP Families:              IPv4',
      re(`IP:                       ${IP}`),
      re(`IPs:                      ${IP}`),
      'External IPs:             80.11.12.10',
      'Port:                     http  80/TCP',
      'TargetPort:               9376/TCP',
      'Endpoints:                <none>',
      'Session Affinity:         None',
      'External Traffic Policy:  Cluster',
      'Internal Traffic Policy:  Cluster',
      'Events:                   <none>',
    ]);
  });

  it('delete -f of the seed manifests', async () => {
    expect(await kubectl(['delete', '-f', '-'], `${SEED_MY_NGINX}${SEED_EXAMPLE_SERVICE}---\n${SEED_EXTERNAL_NAME}`)).toEqual(
      ok('service "my-nginx" deleted\nservice "example-service" deleted\nservice "my-service" deleted\n'),
    );
    expect(await kubectl(['delete', '-n', 'ext', '-f', '-'], SEED_EXTERNAL_IPS)).toEqual(ok('service "my-service" deleted\n'));
    expectLines((await kubectl(['get', 'svc'])).stdout, [
      'NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
      re(`kubernetes   ClusterIP   10\\.96\\.0\\.1    <none>        443/TCP   ${AGE}`),
    ]);
    expect(await kubectl(['get', 'svc', '-n', 'ext'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in ext namespace.\n' });
  });
});

describe('kubectl describe node, pod and endpoints', () => {
  it('prints kubectl\'s layout for objects created through kubectl', async () => {
    const node = `apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
    kubernetes.io/os: linux
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: [10.244.1.0/24]
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
  addresses:
  - {type: InternalIP, address: 127.0.1.1}
  - {type: Hostname, address: node-1}
  nodeInfo:
    machineID: m1
    systemUUID: u1
    bootID: b1
    kernelVersion: 6.1.0
    osImage: kubemu
    operatingSystem: linux
    architecture: amd64
    containerRuntimeVersion: kubemu://0.1.0
    kubeletVersion: v1.32.0
    kubeProxyVersion: v1.32.0
`;
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: nginx-1
  labels:
    app: nginx
spec:
  nodeName: node-1
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {cpu: 200m, memory: 256Mi}
`;
    const endpoints = `apiVersion: v1
kind: Endpoints
metadata:
  name: manual
subsets:
- addresses:
  - ip: 10.244.1.5
  - ip: 10.244.1.6
  notReadyAddresses:
  - ip: 10.244.1.7
  ports:
  - name: http
    port: 80
    protocol: TCP
`;
    expect(await kubectl(['apply', '-f', '-'], `${node}---\n${pod}---\n${endpoints}`)).toEqual(ok('node/node-1 created\npod/nginx-1 created\nendpoints/manual created\n'));

    const n = await kubectl(['describe', 'node', 'node-1']);
    expect(n.stderr).toBe('');
    expectLines(n.stdout, [
      'Name:               node-1',
      'Roles:              <none>',
      'Labels:             kubernetes.io/hostname=node-1',
      '                    kubernetes.io/os=linux',
      'Annotations:        <none>',
      re(`CreationTimestamp:  ${TIME}`),
      'Taints:             <none>',
      'Unschedulable:      false',
      // kubectl reads the node's Lease; nothing heartbeats for this hand-made Node.
      'Lease:              Failed to get lease: leases.coordination.k8s.io "node-1" not found',
      'Addresses:',
      '  InternalIP:  127.0.1.1',
      '  Hostname:    node-1',
      'Capacity:',
      '  cpu:     4',
      '  memory:  8Gi',
      '  pods:    110',
      'Allocatable:',
      '  cpu:     4',
      '  memory:  8Gi',
      '  pods:    110',
      'System Info:',
      '  Machine ID:                 m1',
      '  System UUID:                u1',
      '  Boot ID:                    b1',
      '  Kernel Version:             6.1.0',
      '  OS Image:                   kubemu',
      '  Operating System:           linux',
      '  Architecture:               amd64',
      '  Container Runtime Version:  kubemu://0.1.0',
      '  Kubelet Version:            v1.32.0',
      '  Kube-Proxy Version:         v1.32.0',
      'PodCIDR:                      10.244.1.0/24',
      'PodCIDRs:                     10.244.1.0/24',
      'Non-terminated Pods:          (1 in total)',
      '  Namespace                   Name       CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age',
      '  ---------                   ----       ------------  ----------  ---------------  -------------  ---',
      re(`  default                     nginx-1    100m \\(2%\\)     200m \\(5%\\)   128Mi \\(1%\\)       256Mi \\(3%\\)     ${AGE}`),
      'Allocated resources:',
      '  (Total limits may be over 100 percent, i.e., overcommitted.)',
      '  Resource           Requests    Limits',
      '  --------           --------    ------',
      '  cpu                100m (2%)   200m (5%)',
      '  memory             128Mi (1%)  256Mi (3%)',
      '  ephemeral-storage  0 (0%)      0 (0%)',
      'Events:              <none>',
    ]);

    const p = await kubectl(['describe', 'pod', 'nginx-1']);
    expect(p.stderr).toBe('');
    expectLines(p.stdout, [
      'Name:         nginx-1',
      'Namespace:    default',
      'Node:         node-1/',
      'Labels:       app=nginx',
      'Annotations:  <none>',
      'Status:       Pending',
      'IP:           ',
      'IPs:          <none>',
      'Containers:',
      '  nginx:',
      '    Image:      nginx:1.27',
      '    Port:       80/TCP',
      '    Host Port:  0/TCP',
      '    Limits:',
      '      cpu:     200m',
      '      memory:  256Mi',
      '    Requests:',
      '      cpu:        100m',
      '      memory:     128Mi',
      '    Environment:  <none>',
      '    Mounts:       <none>',
      'Volumes:          <none>',
      'QoS Class:        Burstable',
      'Node-Selectors:   <none>',
      'Tolerations:      <none>',
      'Events:           <none>',
    ]);

    const ep = await kubectl(['describe', 'ep', 'manual']);
    expect(ep.stderr).toBe('');
    expectLines(ep.stdout, [
      'Name:         manual',
      'Namespace:    default',
      'Labels:       <none>',
      'Annotations:  <none>',
      'Subsets:',
      '  Addresses:          10.244.1.5,10.244.1.6',
      '  NotReadyAddresses:  10.244.1.7',
      '  Ports:',
      '    Name  Port  Protocol',
      '    ----  ----  --------',
      '    http  80    TCP',
      '',
      'Events:  <none>',
    ]);
  });
});

describe('kubectl delete: finalizers and propagation policies', () => {
  it('an object with a finalizer stays, with a deletionTimestamp, until the finalizer goes', async () => {
    expect(await kubectl(['apply', '-f', '-'], SEED_MY_NGINX)).toEqual(ok('service/my-nginx created\n'));
    expect(await kubectl(['patch', 'svc', 'my-nginx', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}'])).toEqual(ok('service/my-nginx patched\n'));
    // --wait=false: kubectl otherwise waits for the object to disappear, as against any cluster.
    expect(await kubectl(['delete', 'svc', 'my-nginx', '--wait=false'])).toEqual(ok('service "my-nginx" deleted\n'));
    expectLines((await kubectl(['get', 'svc', 'my-nginx'])).stdout, [
      re(`NAME       TYPE       CLUSTER-IP +EXTERNAL-IP   PORT\\(S\\)                        AGE`),
      re(`my-nginx   NodePort   ${IP} +<none>        8080:${NP}/TCP,443:${NP}/TCP   ${AGE}`),
    ]);
    const yaml = (await kubectl(['get', 'svc', 'my-nginx', '-o', 'yaml'])).stdout.split('\n');
    expectLines(yaml.filter((l) => /^  (deletion|finalizers)|^  - example/.test(l)).join('\n'), [
      '  deletionGracePeriodSeconds: 0',
      re(`  deletionTimestamp: "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"`),
      '  finalizers:',
      '  - example.com/hold',
    ]);
    expect(await kubectl(['delete', 'svc', 'my-nginx', '--wait=false'])).toEqual(ok('service "my-nginx" deleted\n'));
    expect(await kubectl(['patch', 'svc', 'my-nginx', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'])).toEqual(ok('service/my-nginx patched\n'));
    expect(await kubectl(['get', 'svc', 'my-nginx'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): services "my-nginx" not found\n' });
  });

  it('--cascade=foreground|background|orphan are accepted', async () => {
    for (const cascade of ['foreground', 'background', 'orphan']) {
      expect(await kubectl(['apply', '-f', '-'], SEED_EXAMPLE_SERVICE)).toEqual(ok('service/example-service created\n'));
      expect(await kubectl(['delete', 'svc', 'example-service', `--cascade=${cascade}`])).toEqual(ok('service "example-service" deleted\n'));
      expect((await kubectl(['get', 'svc', 'example-service'])).stderr).toBe('Error from server (NotFound): services "example-service" not found\n');
    }
  });
});

describe('kubectl replace and edit (PUT)', () => {
  const nodePorts = async (): Promise<string> => (await kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.ports[*].nodePort}'])).stdout;

  it('get -o json | replace -f - round-trips; replace -f and edit change the object and keep allocations', async () => {
    expect(await kubectl(['apply', '-f', '-'], SEED_MY_NGINX)).toEqual(ok('service/my-nginx created\n'));
    const allocated = await nodePorts();
    expect(allocated).toMatch(new RegExp(`^${NP} ${NP}$`));
    // kubectl replace itself rewrites an existing last-applied annotation (UpdateApplyAnnotation),
    // and the write bumps resourceVersion; everything else comes back as it went.
    const comparable = (json: string): unknown => {
      const o = JSON.parse(json) as { metadata: { resourceVersion?: string; annotations?: Record<string, string> } };
      delete o.metadata.resourceVersion;
      delete o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
      return o;
    };
    const before = (await kubectl(['get', 'svc', 'my-nginx', '-o', 'json'])).stdout;
    expect(await kubectl(['replace', '-f', '-'], before)).toEqual(ok('service/my-nginx replaced\n'));
    expect(comparable((await kubectl(['get', 'svc', 'my-nginx', '-o', 'json'])).stdout)).toEqual(comparable(before));

    // The manifest has neither clusterIP nor nodePorts: the update keeps them (patchAllocatedValues, by port name).
    expect(await kubectl(['replace', '-f', '-'], SEED_MY_NGINX.replace('- port: 443', '- port: 8443'))).toEqual(ok('service/my-nginx replaced\n'));
    expect(await nodePorts()).toBe(allocated);
    expect(await kubectl(['edit', 'svc', 'my-nginx'], undefined, { EDITOR: 'sed -i s/8443/9443/' })).toEqual(ok('service/my-nginx edited\n'));
    const ports = allocated.split(' ');
    expectLines((await kubectl(['get', 'svc', 'my-nginx'])).stdout, [
      re(`NAME       TYPE       CLUSTER-IP +EXTERNAL-IP   PORT\\(S\\)                         AGE`),
      re(`my-nginx   NodePort   ${IP} +<none>        8080:${ports[0]}/TCP,9443:${ports[1]}/TCP   ${AGE}`),
    ]);
    expect(await kubectl(['delete', 'svc', 'my-nginx'])).toEqual(ok('service "my-nginx" deleted\n'));
  });
});

describe('kubectl discovery', () => {
  it('aggregated discovery: one request for /api and one for /apis', async () => {
    const r = await kubectl(['api-resources', '-v=6'], undefined, {}, join(dir, 'fresh-cache'));
    expect(r.code).toBe(0);
    const requests = r.stderr
      .split('\n')
      .filter((l) => l.includes('round_trippers.go'))
      .map((l) => l.replace(/^.*\] /, '').replace(/ in \d+ milliseconds$/, '').replace(api.url, 'SERVER'));
    expect(requests).toEqual(['GET SERVER/api?timeout=32s 200 OK', 'GET SERVER/apis?timeout=32s 200 OK']);
  });
});
