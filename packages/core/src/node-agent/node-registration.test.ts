import { describe, expect, it } from 'vitest';
import { nodeLease, nodeRoute, nodeStatusDue, reconcileExistingNode, registrationNode, type NodeIdentity } from './node-registration.js';
import type { Node } from '../api/types.js';

const id: NodeIdentity = { name: 'node-2', address: '127.0.1.2', podCIDR: '10.244.2.0/24', hostname: 'node-2', maxPods: 110, kubeletPort: 10250, overlayTcpPort: 4790, overlayUdpPort: 4789 };
const T = Date.parse('2026-01-02T03:04:05.123Z');

describe('node registration', () => {
  it('registers as the kubelet does', () => {
    const conditions = (t: string) =>
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ].map(([type, status, reason, message]) => ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message }));
    const capacity = { cpu: '2', memory: '4Gi', 'ephemeral-storage': '20Gi', pods: '110' };
    expect(registrationNode(id, T)).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'node-2',
        labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': 'node-2', 'kubernetes.io/os': 'linux' },
        annotations: { 'kubemu.io/kubelet-port': '10250', 'kubemu.io/overlay-tcp-port': '4790', 'kubemu.io/overlay-udp-port': '4789' },
      },
      spec: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] },
      status: {
        addresses: [
          { type: 'InternalIP', address: '127.0.1.2' },
          { type: 'Hostname', address: 'node-2' },
        ],
        conditions: conditions('2026-01-02T03:04:05Z'),
        nodeInfo: {
          kubeletVersion: 'v1.32.0-kubemu',
          kubeProxyVersion: 'v1.32.0-kubemu',
          osImage: 'kubemu',
          kernelVersion: 'kubemu',
          containerRuntimeVersion: 'kubemu://0.1.0',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
        capacity,
        allocatable: capacity,
      },
    });
  });

  it('a restart keeps transition times and refuses another podCIDR', () => {
    const first = registrationNode(id, T);
    const again = reconcileExistingNode(first, id, T + 60_000);
    expect('node' in again && again.node.status?.conditions?.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      lastHeartbeatTime: '2026-01-02T03:05:05Z',
      lastTransitionTime: '2026-01-02T03:04:05Z',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    });
    expect(reconcileExistingNode(first, { ...id, podCIDR: '10.244.9.0/24' }, T)).toEqual({
      problem: { kind: 'podCIDR', message: 'Node node-2 has podCIDR 10.244.2.0/24, this node was started with --pod-cidr 10.244.9.0/24' },
    });
  });

  it('leases and routes', () => {
    expect(nodeLease('node-2', T, undefined, 'uid-2')).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'node-2', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-2', uid: 'uid-2' }] },
      spec: { holderIdentity: 'node-2', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.123000Z' },
    });
    expect(nodeRoute(registrationNode(id, T))).toEqual({ node: 'node-2', podCIDR: '10.244.2.0/24', address: '127.0.1.2', overlayTcpPort: 4790, overlayUdpPort: 4789, kubeletPort: 10250 });
  });

  it('posts status when the report frequency passed or a condition differs from its own (Ready=Unknown set by the controller)', () => {
    const posted = registrationNode(id, T);
    const withReady = (status: string): Node => ({
      ...posted,
      status: { ...posted.status, conditions: posted.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status } : c)) },
    });
    const cases: [string, Node | undefined, number, boolean][] = [
      ['not registered yet', undefined, 1_000, false],
      ['its own status, within the report frequency', posted, 1_000, false],
      ['its own status, report frequency passed', posted, 300_000, true],
      ['Ready=Unknown from the node lifecycle controller', withReady('Unknown'), 1_000, true],
      ['Ready=False', withReady('False'), 1_000, true],
    ];
    for (const [name, stored, elapsed, due] of cases) expect([name, nodeStatusDue(stored, T + elapsed, T, 300_000)]).toEqual([name, due]);
  });
});
