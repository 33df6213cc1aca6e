import { describe, it, expect } from 'vitest';
import type { ContainerStatus, Deployment, Lease, Namespace, Node, Pod, StatefulSet } from '../api/types.js';
import { renderTable } from './render.js';
import { tableFor } from './registry.js';

const now = Date.parse('2026-11-27T21:29:00Z');
const MIN = 60_000;
const ago = (ms: number): string => new Date(now - ms).toISOString();

function pod(name: string, status: Pod['status'], extra: { deleting?: boolean; containers?: number; nodeName?: string } = {}): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: ago(5 * MIN),
      ...(extra.deleting ? { deletionTimestamp: new Date(now + 30_000).toISOString(), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      containers: Array.from({ length: extra.containers ?? 1 }, (_, i) => ({ name: `c${i}`, image: 'nginx' })),
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
    status,
  };
}

const running = { name: 'c0', ready: true, restartCount: 0, state: { running: { startedAt: ago(4 * MIN) } } };

// lastState is core/v1 but not (yet) in api/types.ts.
const crashLooping: ContainerStatus & { lastState: { terminated: { exitCode: number; finishedAt: string } } } = {
  name: 'c0',
  ready: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } },
};

const pods: Pod[] = [
  pod('web-0', { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [running] }, { nodeName: 'kubemu-worker' }),
  pod('web-1', { phase: 'Pending' }),
  pod('web-2', { phase: 'Pending', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }, { nodeName: 'kubemu-worker2' }),
  pod('web-3', { phase: 'Running', containerStatuses: [running] }, { deleting: true }),
  pod('job-x', { phase: 'Succeeded', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
  pod('crashy', { phase: 'Running', containerStatuses: [crashLooping] }),
];

describe('kubectl get pods', () => {
  it('STATUS of printPod: Running, Pending, ContainerCreating, Terminating, Completed, CrashLoopBackOff with last restart', () => {
    expect(renderTable(tableFor('Pod', pods, { now }))).toBe(
      'NAME     READY   STATUS              RESTARTS     AGE\n' +
        'web-0    1/1     Running             0            5m\n' +
        'web-1    0/1     Pending             0            5m\n' +
        'web-2    0/1     ContainerCreating   0            5m\n' +
        'web-3    1/1     Terminating         0            5m\n' +
        'job-x    0/1     Completed           0            5m\n' +
        'crashy   0/1     CrashLoopBackOff    3 (2m ago)   5m\n',
    );
  });

  it('-o wide: IP NODE NOMINATED NODE READINESS GATES', () => {
    expect(renderTable(tableFor('Pod', pods.slice(0, 3), { now }), { wide: true })).toBe(
      'NAME    READY   STATUS              RESTARTS   AGE   IP           NODE             NOMINATED NODE   READINESS GATES\n' +
        'web-0   1/1     Running             0          5m    10.244.1.5   kubemu-worker    <none>           <none>\n' +
        'web-1   0/1     Pending             0          5m    <none>       <none>           <none>           <none>\n' +
        'web-2   0/1     ContainerCreating   0          5m    <none>       kubemu-worker2   <none>           <none>\n',
    );
  });

  it('a Completed container with another still running shows Running when the pod is Ready', () => {
    const p = pod('sidecar', {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'c0', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        running,
      ],
    }, { containers: 2 });
    expect(tableFor('Pod', [p], { now }).rows[0]!.cells.slice(1, 3)).toEqual(['1/2', 'Running']);
  });

  it('Succeeded and Failed pods carry the Completed row condition', () => {
    const t = tableFor('Pod', pods, { now });
    expect(t.rows.map((r) => r.conditions?.[0]?.reason)).toEqual([undefined, undefined, undefined, undefined, 'Succeeded', undefined]);
  });
});

function node(name: string, labels: Record<string, string>, ready: string | undefined, unschedulable = false): Node {
  return {
    kind: 'Node',
    metadata: { name, labels, creationTimestamp: ago(2 * 24 * 60 * MIN) },
    spec: { unschedulable },
    status: {
      conditions: ready === undefined ? [] : [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }],
      addresses: [{ type: 'InternalIP', address: `127.0.1.${name.length}` }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'kubemu', kernelVersion: '', containerRuntimeVersion: 'kubemu://0.1.0' },
    },
  };
}

describe('kubectl get nodes', () => {
  const nodes = [
    node('kubemu-control-plane', { 'node-role.kubernetes.io/control-plane': '' }, 'True'),
    node('kubemu-worker', { 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' }, 'True'),
    node('kubemu-worker2', {}, 'False', true),
    node('kubemu-worker3', {}, undefined),
  ];
  it('STATUS Ready/NotReady/Unknown, SchedulingDisabled, roles from labels', () => {
    expect(renderTable(tableFor('Node', nodes, { now }))).toBe(
      'NAME                   STATUS                        ROLES           AGE   VERSION\n' +
        'kubemu-control-plane   Ready                         control-plane   2d    v1.31.0\n' +
        'kubemu-worker          Ready                         edge            2d    v1.31.0\n' +
        'kubemu-worker2         NotReady,SchedulingDisabled   <none>          2d    v1.31.0\n' +
        'kubemu-worker3         Unknown                       <none>          2d    v1.31.0\n',
    );
  });

  it('-o wide: addresses and node info, <unknown> when empty', () => {
    expect(renderTable(tableFor('Node', nodes.slice(0, 1), { now }), { wide: true })).toBe(
      'NAME                   STATUS   ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE   KERNEL-VERSION   CONTAINER-RUNTIME\n' +
        'kubemu-control-plane   Ready    control-plane   2d    v1.31.0   127.0.1.20    <none>        kubemu     <unknown>        kubemu://0.1.0\n',
    );
  });
});

describe('kubectl get namespaces, deployments, statefulsets, leases', () => {
  it('namespaces: NAME STATUS AGE', () => {
    const ns = (name: string): Namespace => ({ kind: 'Namespace', metadata: { name, creationTimestamp: ago(3 * 60 * MIN) }, status: { phase: 'Active' } });
    expect(renderTable(tableFor('Namespace', [ns('default'), ns('kube-system')], { now }))).toBe(
      'NAME          STATUS   AGE\n' + 'default       Active   3h\n' + 'kube-system   Active   3h\n',
    );
  });

  const deployment: Deployment = {
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', creationTimestamp: ago(10 * MIN) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'front'] }] },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } },
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };

  it('deployments: READY UP-TO-DATE AVAILABLE, and CONTAINERS IMAGES SELECTOR wide', () => {
    expect(renderTable(tableFor('Deployment', [deployment], { now }))).toBe(
      'NAME    READY   UP-TO-DATE   AVAILABLE   AGE\n' + 'nginx   2/3     3            2           10m\n',
    );
    expect(renderTable(tableFor('Deployment', [deployment], { now }), { wide: true })).toBe(
      'NAME    READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES               SELECTOR\n' +
        'nginx   2/3     3            2           10m   nginx,log    nginx:1.27,busybox   app=nginx,tier in (front,web)\n',
    );
  });

  it('statefulsets: READY, and CONTAINERS IMAGES wide', () => {
    const ss: StatefulSet = {
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10 * MIN) },
      spec: { replicas: 2, serviceName: 'nginx', template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
      status: { replicas: 2, readyReplicas: 2 },
    };
    expect(renderTable(tableFor('StatefulSet', [ss], { now }), { wide: true })).toBe(
      'NAME   READY   AGE   CONTAINERS   IMAGES\n' + 'web    2/2     10m   nginx        nginx:1.27\n',
    );
  });

  it('leases: NAME HOLDER AGE', () => {
    const lease: Lease = {
      kind: 'Lease',
      metadata: { name: 'kubemu-worker', namespace: 'kube-node-lease', creationTimestamp: ago(2 * 24 * 60 * MIN) },
      spec: { holderIdentity: 'kubemu-worker', leaseDurationSeconds: 40 },
    };
    expect(renderTable(tableFor('Lease', [lease], { now }))).toBe(
      'NAME            HOLDER          AGE\n' + 'kubemu-worker   kubemu-worker   2d\n',
    );
  });

  it('refuses a kind it has no printer for', () => {
    expect(() => tableFor('ConfigMap', [], { now })).toThrow(/no table printer/);
  });
});
