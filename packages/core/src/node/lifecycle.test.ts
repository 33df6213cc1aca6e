import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '../api/types.js';
import { heartbeatsStopped, nodeStatusUnknown, observeNodeHealth, podNotReadyStatus, podsToMarkNotReady } from './lifecycle.js';

const readyNode = (transition: string): Node => ({
  metadata: { name: 'node-2' },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: transition },
    ],
  },
});

const pod = (name: string, node: string, readySince: string, ready = 'True'): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName: node },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready, lastTransitionTime: readySince }] },
});

describe('node health', () => {
  it('starts every node with a full grace period and moves the probe only on a new heartbeat', () => {
    const first = observeNodeHealth(undefined, 'a', 1000);
    expect(first).toEqual({ heartbeat: 'a', probeMs: 1000 });
    expect(observeNodeHealth(first, 'a', 5000)).toBe(first);
    expect(observeNodeHealth(first, 'b', 5000)).toEqual({ heartbeat: 'b', probeMs: 5000 });
    expect(heartbeatsStopped(first, 41_000, 40_000)).toBe(false);
    expect(heartbeatsStopped(first, 41_001, 40_000)).toBe(true);
  });

  it('sets Ready and the pressure conditions Unknown, once', () => {
    const status = nodeStatusUnknown(readyNode('2026-01-01T00:00:00Z'), '2026-01-01T00:01:00Z');
    expect(status?.conditions).toEqual([
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:01:00Z',
      },
      ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
        lastTransitionTime: '2026-01-01T00:01:00Z',
      })),
    ]);
    expect(nodeStatusUnknown({ metadata: { name: 'node-2' }, status }, '2026-01-01T00:02:00Z')).toBeUndefined();
  });

  it('marks not ready the pods that were ready before the node went Unknown, on that node only', () => {
    const node: Node = { metadata: { name: 'node-2' }, status: nodeStatusUnknown(readyNode('2026-01-01T00:00:00Z'), '2026-01-01T00:01:00Z')! };
    const pods = [
      pod('before', 'node-2', '2026-01-01T00:00:30Z'),
      pod('reposted', 'node-2', '2026-01-01T00:01:30Z'),
      pod('elsewhere', 'node-1', '2026-01-01T00:00:30Z'),
      pod('not-ready', 'node-2', '2026-01-01T00:00:30Z', 'False'),
    ];
    expect(podsToMarkNotReady(node, pods).map((p) => p.metadata?.name)).toEqual(['before']);
    expect(podsToMarkNotReady(readyNode('2026-01-01T00:00:00Z'), pods)).toEqual([]);
    expect(podNotReadyStatus(pods[0]!, '2026-01-01T00:01:05Z')).toEqual({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:01:05Z' }],
    });
  });
});
