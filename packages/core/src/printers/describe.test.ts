import { describe, it, expect } from 'vitest';
import type { Deployment, EndpointSlice, Endpoints, Lease, Namespace, Node, Pod, Service, StatefulSet } from '../api/types.js';
import { describe as kubectlDescribe, formatEndpointSlices, type CoreEvent } from './describe.js';

const now = Date.parse('2026-11-27T21:29:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString();
const MIN = 60_000;
/** Whole expected outputs, one string per line, so trailing spaces stay visible. */
const lines = (...ls: string[]): string => ls.join('\n') + '\n';

// The seed's NodePort service, as the api-store stores it after defaulting and allocation.
const myNginx: Service = {
  kind: 'Service',
  metadata: { name: 'my-nginx', namespace: 'default', labels: { run: 'my-nginx' }, creationTimestamp: ago(19 * MIN) },
  spec: {
    type: 'NodePort',
    selector: { app: 'nginx' },
    clusterIP: '10.96.107.207',
    clusterIPs: ['10.96.107.207'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
    ],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
  },
};

const myNginxSlice: EndpointSlice = {
  kind: 'EndpointSlice',
  metadata: { name: 'my-nginx-7xq2k', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
  addressType: 'IPv4',
  ports: [
    { name: 'http', port: 80, protocol: 'TCP' },
    { name: 'https', port: 443, protocol: 'TCP' },
  ],
  endpoints: [
    { addresses: ['10.244.1.5'], conditions: { ready: true } },
    { addresses: ['10.244.2.7'], conditions: { ready: true } },
    { addresses: ['10.244.2.9'], conditions: { ready: false } },
  ],
};

describe('kubectl describe service', () => {
  it('NodePort: per-port Port/TargetPort/NodePort/Endpoints, one alignment down to Events', () => {
    expect(kubectlDescribe('Service', myNginx, { endpointSlices: [myNginxSlice] }, now)).toBe(
      lines(
        'Name:                     my-nginx',
        'Namespace:                default',
        'Labels:                   run=my-nginx',
        'Annotations:              <none>',
        'Selector:                 app=nginx',
        'Type:                     NodePort',
        'IP Family Policy:         SingleStack',
        'IP Families:              IPv4',
        'IP:                       10.96.107.207',
        'IPs:                      10.96.107.207',
        'Port:                     http  8080/TCP',
        'TargetPort:               80/TCP',
        'NodePort:                 http  31589/TCP',
        'Endpoints:                10.244.1.5:80,10.244.2.7:80',
        'Port:                     https  443/TCP',
        'TargetPort:               443/TCP',
        'NodePort:                 https  30134/TCP',
        'Endpoints:                10.244.1.5:443,10.244.2.7:443',
        'Session Affinity:         None',
        'External Traffic Policy:  Cluster',
        'Internal Traffic Policy:  Cluster',
        'Events:                   <none>',
      ),
    );
  });

  it('LoadBalancer with ingress, health check port and events: the event table aligns on its own', () => {
    const lb: Service = {
      kind: 'Service',
      metadata: {
        name: 'example-service',
        namespace: 'default',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x'.repeat(150) },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'example' },
        clusterIP: '10.96.45.201',
        clusterIPs: ['10.96.45.201'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ protocol: 'TCP', port: 8765, targetPort: 9376, nodePort: 30467 }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Local',
        internalTrafficPolicy: 'Cluster',
        healthCheckNodePort: 32000,
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] } },
    };
    const events: CoreEvent[] = [
      { type: 'Normal', reason: 'EnsuredLoadBalancer', message: 'Ensured load balancer', source: { component: 'service-controller' }, firstTimestamp: ago(8000), lastTimestamp: ago(8000), count: 1 },
      { type: 'Normal', reason: 'EnsuringLoadBalancer', message: 'Ensuring load balancer', source: { component: 'service-controller' }, firstTimestamp: ago(70000), lastTimestamp: ago(10000), count: 2 },
    ];
    expect(kubectlDescribe('Service', lb, { endpointSlices: [], events }, now)).toBe(
      lines(
        'Name:                     example-service',
        'Namespace:                default',
        'Labels:                   <none>',
        'Annotations:              note:',
        '                            ' + 'x'.repeat(138) + '...',
        'Selector:                 app=example',
        'Type:                     LoadBalancer',
        'IP Family Policy:         SingleStack',
        'IP Families:              IPv4',
        'IP:                       10.96.45.201',
        'IPs:                      10.96.45.201',
        'LoadBalancer Ingress:     192.0.2.10 (VIP), lb.example.com',
        'Port:                     <unset>  8765/TCP',
        'TargetPort:               9376/TCP',
        'NodePort:                 <unset>  30467/TCP',
        'Endpoints:                <none>',
        'Session Affinity:         None',
        'External Traffic Policy:  Local',
        'Internal Traffic Policy:  Cluster',
        'HealthCheck NodePort:     32000',
        'Events:',
        '  Type    Reason                Age                From                Message',
        '  ----    ------                ----               ----                -------',
        '  Normal  EnsuringLoadBalancer  10s (x2 over 70s)  service-controller  Ensuring load balancer',
        '  Normal  EnsuredLoadBalancer   8s                 service-controller  Ensured load balancer',
      ),
    );
  });

  it('ExternalName: empty IP, External Name, no ports', () => {
    const svc: Service = {
      kind: 'Service',
      metadata: { name: 'my-service', namespace: 'default' },
      spec: { type: 'ExternalName', externalName: 'my.database.example.com', sessionAffinity: 'None' },
    };
    expect(kubectlDescribe('Service', svc, {}, now)).toBe(
      lines(
        'Name:              my-service',
        'Namespace:         default',
        'Labels:            <none>',
        'Annotations:       <none>',
        'Selector:          <none>',
        'Type:              ExternalName',
        'IP Families:       <none>',
        'IP:                ',
        'IPs:               <none>',
        'External Name:     my.database.example.com',
        'Session Affinity:  None',
        'Events:            <none>',
      ),
    );
  });

  it('--show-events=false drops the Events line', () => {
    const out = kubectlDescribe('Service', myNginx, { endpointSlices: [myNginxSlice] }, now, { showEvents: false });
    expect(out.endsWith('Internal Traffic Policy:  Cluster\n')).toBe(true);
  });
});

describe('formatEndpointSlices (describe.go)', () => {
  const slice = (ports: EndpointSlice['ports'], ready: (boolean | undefined)[]): EndpointSlice => ({
    addressType: 'IPv4',
    ports,
    endpoints: ready.map((r, i) => ({ addresses: [`10.0.0.${i + 1}`], conditions: r === undefined ? {} : { ready: r } })),
  });
  it.each([
    ['no slices', [], new Set(['']), '<none>'],
    ['slices but nothing ready', [slice([{ name: '', port: 80 }], [false])], new Set(['']), ''],
    ['unset ready counts as ready', [slice([{ name: '', port: 80 }], [undefined])], new Set(['']), '10.0.0.1:80'],
    ['only the named port', [slice([{ name: 'a', port: 80 }, { name: 'b', port: 81 }], [true])], new Set(['b']), '10.0.0.1:81'],
    ['more than three', [slice([{ name: '', port: 80 }], [true, true, false, true, true])], new Set(['']), '10.0.0.1:80,10.0.0.2:80,10.0.0.4:80 + 1 more...'],
    ['portless slices list addresses', [slice([], [true, true])], new Set(['']), '10.0.0.1,10.0.0.2'],
  ] as const)('%s', (_name, slices, ports, want) => {
    expect(formatEndpointSlices(slices, ports)).toBe(want);
  });
});

describe('kubectl describe endpoints and endpointslices', () => {
  it('Endpoints: a block per subset, then a blank line', () => {
    const ep: Endpoints = {
      kind: 'Endpoints',
      metadata: { name: 'hostnames', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }], notReadyAddresses: [{ ip: '10.244.0.7' }], ports: [{ port: 9376, protocol: 'TCP' }] }],
    };
    expect(kubectlDescribe('Endpoints', ep, {}, now)).toBe(
      lines(
        'Name:         hostnames',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Subsets:',
        '  Addresses:          10.244.0.5,10.244.0.6',
        '  NotReadyAddresses:  10.244.0.7',
        '  Ports:',
        '    Name     Port  Protocol',
        '    ----     ----  --------',
        '    <unset>  9376  TCP',
        '',
        'Events:  <none>',
      ),
    );
  });

  it('EndpointSlice: ports table and one block per endpoint', () => {
    const eps: EndpointSlice = {
      kind: 'EndpointSlice',
      metadata: {
        name: 'hostnames-x7k2p',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'hostnames', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      },
      addressType: 'IPv4',
      ports: [{ name: '', port: 9376, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'kubemu-worker', targetRef: { kind: 'Pod', name: 'hostnames-0', namespace: 'default' } },
        { addresses: ['10.244.0.7'], conditions: { ready: false }, nodeName: 'kubemu-worker2', zone: 'zone-b' },
      ],
    };
    expect(kubectlDescribe('EndpointSlice', eps, {}, now)).toBe(
      lines(
        'Name:         hostnames-x7k2p',
        'Namespace:    default',
        'Labels:       endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io',
        '              kubernetes.io/service-name=hostnames',
        'Annotations:  <none>',
        'AddressType:  IPv4',
        'Ports:',
        '  Name     Port  Protocol',
        '  ----     ----  --------',
        '  <unset>  9376  TCP',
        'Endpoints:',
        '  - Addresses:  10.244.0.5',
        '    Conditions:',
        '      Ready:    true',
        '    Hostname:   <unset>',
        '    TargetRef:  Pod/hostnames-0',
        '    NodeName:   kubemu-worker',
        '    Zone:       <unset>',
        '  - Addresses:  10.244.0.7',
        '    Conditions:',
        '      Ready:   false',
        '    Hostname:  <unset>',
        '    NodeName:  kubemu-worker2',
        '    Zone:      zone-b',
        'Events:        <none>',
      ),
    );
  });

  it('an EndpointSlice with neither ports nor endpoints', () => {
    const eps: EndpointSlice = { kind: 'EndpointSlice', metadata: { name: 'empty', namespace: 'default' }, addressType: 'IPv4' };
    expect(kubectlDescribe('EndpointSlice', eps, {}, now)).toBe(
      lines(
        'Name:         empty',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        'AddressType:  IPv4',
        'Ports: <unset>',
        'Endpoints: <none>',
        'Events:  <none>',
      ),
    );
  });
});

const web0: Pod = {
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'default',
    labels: { app: 'nginx', 'apps.kubernetes.io/pod-index': '0' },
    creationTimestamp: ago(5 * MIN),
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'ss-uid', controller: true }],
  },
  spec: {
    nodeName: 'kubemu-worker',
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        env: [{ name: 'MODE', value: 'demo' }],
        resources: { requests: { cpu: '0.1', memory: '64Mi' } },
      },
    ],
  },
  status: {
    phase: 'Running',
    hostIP: '127.0.1.2',
    podIP: '10.244.1.5',
    podIPs: [{ ip: '10.244.1.5' }],
    startTime: ago(5 * MIN),
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [{ name: 'nginx', image: 'nginx:1.27', ready: true, restartCount: 0, state: { running: { startedAt: ago(4 * MIN) } } }],
  },
};

describe('kubectl describe pod', () => {
  it('a running pod: alignment restarts at every heading line', () => {
    expect(kubectlDescribe('Pod', web0, {}, now)).toBe(
      lines(
        'Name:         web-0',
        'Namespace:    default',
        'Node:         kubemu-worker/127.0.1.2',
        'Start Time:   Fri, 27 Nov 2026 21:24:00 +0000',
        'Labels:       app=nginx',
        '              apps.kubernetes.io/pod-index=0',
        'Annotations:  <none>',
        'Status:       Running',
        'IP:           10.244.1.5',
        'IPs:',
        '  IP:           10.244.1.5',
        'Controlled By:  StatefulSet/web',
        'Containers:',
        '  nginx:',
        '    Container ID:   ',
        '    Image:          nginx:1.27',
        '    Image ID:       ',
        '    Port:           80/TCP (web)',
        '    Host Port:      0/TCP (web)',
        '    State:          Running',
        '      Started:      Fri, 27 Nov 2026 21:25:00 +0000',
        '    Ready:          True',
        '    Restart Count:  0',
        '    Requests:',
        '      cpu:      100m',
        '      memory:   64Mi',
        '    Readiness:  http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3',
        '    Environment:',
        '      MODE:  demo',
        '    Mounts:  <none>',
        'Conditions:',
        '  Type              Status',
        '  Initialized       True ',
        '  Ready             True ',
        '  ContainersReady   True ',
        '  PodScheduled      True ',
        'Volumes:            <none>',
        'QoS Class:          Burstable',
        'Node-Selectors:     <none>',
        'Tolerations:        <none>',
        'Events:             <none>',
      ),
    );
  });

  it('a terminating, unscheduled pod; times in the local zone kubectl runs in', () => {
    const pod: Pod = {
      kind: 'Pod',
      metadata: { name: 'old', namespace: 'default', deletionTimestamp: new Date(now + 20_000).toISOString(), deletionGracePeriodSeconds: 30 },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c'], args: ['sleep 3600'] }] },
      status: { phase: 'Pending', startTime: '2026-11-27T21:00:00Z' },
    };
    const cet = (): number => 60;
    expect(kubectlDescribe('Pod', pod, {}, now, { timeZoneOffsetMinutes: cet })).toBe(
      lines(
        'Name:                      old',
        'Namespace:                 default',
        'Node:                      <none>',
        'Start Time:                Fri, 27 Nov 2026 22:00:00 +0100',
        'Labels:                    <none>',
        'Annotations:               <none>',
        'Status:                    Terminating (lasts <invalid>)',
        'Termination Grace Period:  30s',
        'IP:                        ',
        'IPs:                       <none>',
        'Containers:',
        '  c:',
        '    Image:      busybox',
        '    Port:       <none>',
        '    Host Port:  <none>',
        '    Command:',
        '      sh',
        '      -c',
        '    Args:',
        '      sleep 3600',
        '    Environment:  <none>',
        '    Mounts:       <none>',
        'Volumes:          <none>',
        'QoS Class:        BestEffort',
        'Node-Selectors:   <none>',
        'Tolerations:      <none>',
        'Events:           <none>',
      ),
    );
  });
});

describe('kubectl describe deployment and statefulset', () => {
  it('Deployment: the pod template, then Conditions sharing a block with Events', () => {
    const d: Deployment = {
      kind: 'Deployment',
      metadata: {
        name: 'nginx-deployment',
        namespace: 'default',
        labels: { app: 'nginx' },
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        creationTimestamp: '2026-11-27T21:19:00Z',
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'nginx' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        minReadySeconds: 0,
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
      },
      status: {
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
        ],
      },
    };
    expect(kubectlDescribe('Deployment', d, {}, now)).toBe(
      lines(
        'Name:                   nginx-deployment',
        'Namespace:              default',
        'CreationTimestamp:      Fri, 27 Nov 2026 21:19:00 +0000',
        'Labels:                 app=nginx',
        'Annotations:            deployment.kubernetes.io/revision: 1',
        'Selector:               app=nginx',
        'Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable',
        'StrategyType:           RollingUpdate',
        'MinReadySeconds:        0',
        'RollingUpdateStrategy:  25% max unavailable, 25% max surge',
        'Pod Template:',
        '  Labels:  app=nginx',
        '  Containers:',
        '   nginx:',
        '    Image:         nginx:1.14.2',
        '    Port:          80/TCP',
        '    Host Port:     0/TCP',
        '    Environment:   <none>',
        '    Mounts:        <none>',
        '  Volumes:         <none>',
        '  Node-Selectors:  <none>',
        '  Tolerations:     <none>',
        'Conditions:',
        '  Type          Status  Reason',
        '  ----          ------  ------',
        '  Available     True    MinimumReplicasAvailable',
        '  Progressing   True    NewReplicaSetAvailable',
        'Events:         <none>',
      ),
    );
  });

  it('StatefulSet: pods status counts only the pods it controls', () => {
    const ss: StatefulSet = {
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default', uid: 'ss-uid', creationTimestamp: '2026-11-27T21:19:00Z' },
      spec: {
        replicas: 2,
        serviceName: 'nginx',
        selector: { matchLabels: { app: 'nginx' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }] }] } },
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    const web1: Pod = { ...web0, metadata: { ...web0.metadata, name: 'web-1' }, status: { phase: 'Pending' } };
    const orphan: Pod = { ...web0, metadata: { name: 'stray', namespace: 'default', labels: { app: 'nginx' } } };
    expect(kubectlDescribe('StatefulSet', ss, { pods: [web0, web1, orphan] }, now)).toBe(
      lines(
        'Name:               web',
        'Namespace:          default',
        'CreationTimestamp:  Fri, 27 Nov 2026 21:19:00 +0000',
        'Selector:           app=nginx',
        'Labels:             <none>',
        'Annotations:        <none>',
        'Replicas:           2 desired | 2 total',
        'Update Strategy:    RollingUpdate',
        '  Partition:        0',
        'Pods Status:        1 Running / 1 Waiting / 0 Succeeded / 0 Failed',
        'Pod Template:',
        '  Labels:  app=nginx',
        '  Containers:',
        '   nginx:',
        '    Image:         nginx:1.27',
        '    Port:          80/TCP (web)',
        '    Host Port:     0/TCP (web)',
        '    Environment:   <none>',
        '    Mounts:        <none>',
        '  Volumes:         <none>',
        '  Node-Selectors:  <none>',
        '  Tolerations:     <none>',
        'Volume Claims:     <none>',
        'Events:            <none>',
      ),
    );
  });
});

const worker: Node = {
  kind: 'Node',
  metadata: { name: 'kubemu-worker', labels: { 'kubernetes.io/hostname': 'kubemu-worker', 'kubernetes.io/os': 'linux' }, creationTimestamp: '2026-11-25T21:29:00Z' },
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-27T21:28:50Z', lastTransitionTime: '2026-11-25T21:29:10Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ],
    addresses: [{ type: 'InternalIP', address: '127.0.1.2' }, { type: 'Hostname', address: 'kubemu-worker' }],
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'kubemu', kernelVersion: '6.1.0', containerRuntimeVersion: 'kubemu://0.1.0', operatingSystem: 'linux', architecture: 'amd64' },
  },
};

describe('kubectl describe node and namespace', () => {
  const nodeHead = [
    'Name:               kubemu-worker',
    'Roles:              <none>',
    'Labels:             kubernetes.io/hostname=kubemu-worker',
    '                    kubernetes.io/os=linux',
    'Annotations:        <none>',
    'CreationTimestamp:  Wed, 25 Nov 2026 21:29:00 +0000',
    'Taints:             <none>',
    'Unschedulable:      false',
  ];
  const conditions = [
    'Conditions:',
    '  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message',
    '  ----    ------  -----------------                 ------------------                ------         -------',
    '  Ready   True    Fri, 27 Nov 2026 21:28:50 +0000   Wed, 25 Nov 2026 21:29:10 +0000   KubeletReady   kubelet is posting ready status',
    'Addresses:',
    '  InternalIP:  127.0.1.2',
    '  Hostname:    kubemu-worker',
  ];
  const systemInfo = [
    'System Info:',
    '  Machine ID:                 ',
    '  System UUID:                ',
    '  Boot ID:                    ',
    '  Kernel Version:             6.1.0',
    '  OS Image:                   kubemu',
    '  Operating System:           linux',
    '  Architecture:               amd64',
    '  Container Runtime Version:  kubemu://0.1.0',
    '  Kubelet Version:            v1.31.0',
    'PodCIDR:                      10.244.1.0/24',
    'PodCIDRs:                     10.244.1.0/24',
    'Non-terminated Pods:          (1 in total)',
  ];
  const lease: Lease = {
    kind: 'Lease',
    metadata: { name: 'kubemu-worker', namespace: 'kube-node-lease' },
    spec: { holderIdentity: 'kubemu-worker', acquireTime: '2026-11-25T21:29:00.000000Z', renewTime: '2026-11-27T21:28:55.123456Z' },
  };
  const finished: Pod = { ...web0, metadata: { ...web0.metadata, name: 'done' }, status: { phase: 'Succeeded' } };
  const elsewhere: Pod = { ...web0, metadata: { ...web0.metadata, name: 'far' }, spec: { ...web0.spec, nodeName: 'kubemu-worker2' } };

  it('Node with its lease, resources and the pods bound to it', () => {
    expect(kubectlDescribe('Node', worker, { pods: [web0, finished, elsewhere], lease }, now)).toBe(
      lines(
        ...nodeHead,
        'Lease:',
        '  HolderIdentity:  kubemu-worker',
        '  AcquireTime:     Wed, 25 Nov 2026 21:29:00 +0000',
        '  RenewTime:       Fri, 27 Nov 2026 21:28:55 +0000',
        ...conditions,
        'Capacity:',
        '  cpu:     2',
        '  memory:  4Gi',
        '  pods:    110',
        'Allocatable:',
        '  cpu:     2',
        '  memory:  4Gi',
        '  pods:    110',
        ...systemInfo,
        '  Namespace                   Name     CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age',
        '  ---------                   ----     ------------  ----------  ---------------  -------------  ---',
        '  default                     web-0    100m (5%)     0 (0%)      64Mi (1%)        0 (0%)         5m',
        'Allocated resources:',
        '  (Total limits may be over 100 percent, i.e., overcommitted.)',
        '  Resource           Requests   Limits',
        '  --------           --------   ------',
        '  cpu                100m (5%)  0 (0%)',
        '  memory             64Mi (1%)  0 (0%)',
        '  ephemeral-storage  0 (0%)     0 (0%)',
        'Events:              <none>',
      ),
    );
  });

  it('Node without lease or capacity: the lease error, and per-pod shares as amd64 kubectl divides by zero', () => {
    const bare: Node = { ...worker, status: { ...worker.status, capacity: undefined, allocatable: undefined } };
    const min = '-9223372036854775808';
    expect(kubectlDescribe('Node', bare, { pods: [web0] }, now)).toBe(
      lines(
        ...nodeHead,
        'Lease:              Failed to get lease: leases.coordination.k8s.io "kubemu-worker" not found',
        ...conditions,
        ...systemInfo,
        '  Namespace                   Name     CPU Requests                  CPU Limits                 Memory Requests               Memory Limits              Age',
        '  ---------                   ----     ------------                  ----------                 ---------------               -------------              ---',
        `  default                     web-0    100m (${min}%)  0 (${min}%)  64Mi (${min}%)  0 (${min}%)  5m`,
        'Allocated resources:',
        '  (Total limits may be over 100 percent, i.e., overcommitted.)',
        '  Resource           Requests   Limits',
        '  --------           --------   ------',
        '  cpu                100m (0%)  0 (0%)',
        '  memory             64Mi (0%)  0 (0%)',
        '  ephemeral-storage  0 (0%)     0 (0%)',
        'Events:              <none>',
      ),
    );
  });

  it('Namespace: no quota or limit-range sections, as kubemu serves neither', () => {
    const ns: Namespace = { kind: 'Namespace', metadata: { name: 'demo', labels: { 'kubernetes.io/metadata.name': 'demo' } }, status: { phase: 'Active' } };
    expect(kubectlDescribe('Namespace', ns, {}, now)).toBe(
      lines('Name:         demo', 'Labels:       kubernetes.io/metadata.name=demo', 'Annotations:  <none>', 'Status:       Active'),
    );
  });

  it('refuses a kind it has no describer for', () => {
    expect(() => kubectlDescribe('ConfigMap', {}, {}, now)).toThrow(/no describer/);
  });
});
