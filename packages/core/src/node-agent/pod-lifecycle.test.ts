import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { planPod, runtimeFromStatus, type PodPlan, type PodRuntime } from './pod-lifecycle.js';

const T0 = Date.parse('2026-01-02T03:04:05Z');
const runtime: PodRuntime = { podIP: '10.244.1.2', hostIP: '127.0.1.1', startedAtMs: T0 };

function pod(extra: { readinessDelay?: number; deletionTimestamp?: string; status?: Pod['status'] } = {}): Pod {
  return {
    metadata: {
      name: 'web',
      namespace: 'default',
      creationTimestamp: '2026-01-02T03:04:00Z',
      ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp, deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'nginx',
          image: 'nginx',
          ...(extra.readinessDelay !== undefined ? { readinessProbe: { httpGet: { port: 80 }, initialDelaySeconds: extra.readinessDelay } } : {}),
        },
      ],
    },
    status: extra.status ?? { phase: 'Pending' },
  };
}

const running = (ready: boolean, readyTime: string): Pod['status'] => ({
  phase: 'Running',
  conditions: [
    { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z' },
    { type: 'Initialized', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z' },
    ready
      ? { type: 'Ready', status: 'True', lastTransitionTime: readyTime }
      : { type: 'Ready', status: 'False', lastTransitionTime: readyTime, reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' },
    ready
      ? { type: 'ContainersReady', status: 'True', lastTransitionTime: readyTime }
      : { type: 'ContainersReady', status: 'False', lastTransitionTime: readyTime, reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-02T03:04:00Z' },
  ],
  hostIP: '127.0.1.1',
  podIP: '10.244.1.2',
  podIPs: [{ ip: '10.244.1.2' }],
  startTime: '2026-01-02T03:04:05Z',
  containerStatuses: [{ name: 'nginx', image: 'nginx', ready, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-02T03:04:05Z' } } }],
});

describe('planPod', () => {
  it.each<[string, Pod, PodRuntime | undefined, number, PodPlan]>([
    ['not started yet: nothing to write', pod(), undefined, T0, { action: 'none' }],
    ['no probe: Running and Ready at once', pod(), runtime, T0, { action: 'updateStatus', status: running(true, '2026-01-02T03:04:05Z') }],
    ['probe delay: Running, not ready, wake at the delay', pod({ readinessDelay: 5 }), runtime, T0 + 1000, { action: 'updateStatus', status: running(false, '2026-01-02T03:04:05Z'), wakeAtMs: T0 + 5000 }],
    ['already written: nothing, still waiting', pod({ readinessDelay: 5, status: running(false, '2026-01-02T03:04:05Z') }), runtime, T0 + 2000, { action: 'none', wakeAtMs: T0 + 5000 }],
    ['delay passed: Ready, transition at the delay', pod({ readinessDelay: 5, status: running(false, '2026-01-02T03:04:05Z') }), runtime, T0 + 6000, { action: 'updateStatus', status: running(true, '2026-01-02T03:04:10Z') }],
    ['steady', pod({ status: running(true, '2026-01-02T03:04:05Z') }), runtime, T0 + 60_000, { action: 'none' }],
    ['terminating: keeps serving until the deadline', pod({ deletionTimestamp: '2026-01-02T03:05:00Z', status: running(true, '2026-01-02T03:04:05Z') }), runtime, T0 + 10_000, { action: 'none', wakeAtMs: Date.parse('2026-01-02T03:05:00Z') }],
    ['terminating: deadline passed, delete', pod({ deletionTimestamp: '2026-01-02T03:05:00Z' }), runtime, Date.parse('2026-01-02T03:05:00Z'), { action: 'delete' }],
    ['terminating before it ever ran: delete', pod({ deletionTimestamp: '2026-01-02T03:05:00Z' }), undefined, T0, { action: 'delete' }],
    ['failed pods stay as they are', pod({ status: { phase: 'Failed', reason: 'OutOfpods' } }), runtime, T0, { action: 'none' }],
  ])('%s', (_name, p, rt, now, want) => expect(planPod(p, rt, now)).toEqual(want));

  it('rebuilds the runtime from status after a restart', () => {
    expect(runtimeFromStatus(pod({ status: running(true, '2026-01-02T03:04:05Z') }), '127.0.1.1')).toEqual(runtime);
    expect(runtimeFromStatus(pod(), '127.0.1.1')).toBeUndefined();
  });
});
