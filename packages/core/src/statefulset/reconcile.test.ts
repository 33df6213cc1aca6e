import { describe, it, expect } from 'vitest';
import type { Pod, StatefulSet } from '../api/types.js';
import { reconcileStatefulSet, updateRevisionName } from './reconcile.js';

const NOW = new Date('2026-01-01T00:10:00Z');

function web(replicas: number, policy = 'OrderedReady', image = 'nginx:1.27'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1 },
    spec: {
      replicas,
      serviceName: 'nginx',
      podManagementPolicy: policy,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
  };
}

const running = (p: Pod): Pod => ({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
const pending = (p: Pod): Pod => ({ ...p, status: { phase: 'Pending' } });
const terminating = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:10:30Z' } });
const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata!.name!);

describe('reconcileStatefulSet', () => {
  it('creates web-0 with its stable identity', () => {
    const set = web(3);
    const rev = updateRevisionName(set);
    expect(rev).toMatch(/^web-[456789bcdf]{1,10}$/);
    const r = reconcileStatefulSet(set, [], NOW);
    expect(r).toEqual({
      create: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'web-0',
            generateName: 'web-',
            namespace: 'default',
            labels: { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': rev },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
          },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], hostname: 'web-0', subdomain: 'nginx' },
        },
      ],
      delete: [],
      status: { observedGeneration: 1, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, currentRevision: rev, updateRevision: rev },
    });
  });

  it('OrderedReady: creates the next ordinal only when all lower ones are Running and Ready', () => {
    const set = web(3);
    const trace: { pods: string; create: string[] }[] = [];
    let pods: Pod[] = [];
    for (let step = 0; step < 7; step++) {
      const r = reconcileStatefulSet(set, pods, NOW);
      trace.push({ pods: pods.map((p) => `${p.metadata!.name}:${p.status!.phase}`).join(','), create: names(r.create) });
      // A created pod is Pending for one sync, then Running and Ready.
      pods = [...pods.map((p) => (p.status?.phase === 'Pending' ? running(p) : p)), ...r.create.map(pending)];
    }
    expect(trace).toEqual([
      { pods: '', create: ['web-0'] },
      { pods: 'web-0:Pending', create: [] },
      { pods: 'web-0:Running', create: ['web-1'] },
      { pods: 'web-0:Running,web-1:Pending', create: [] },
      { pods: 'web-0:Running,web-1:Running', create: ['web-2'] },
      { pods: 'web-0:Running,web-1:Running,web-2:Pending', create: [] },
      { pods: 'web-0:Running,web-1:Running,web-2:Running', create: [] },
    ]);
    const rev = updateRevisionName(set);
    expect(reconcileStatefulSet(set, pods, NOW).status).toEqual({
      observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, currentRevision: rev, updateRevision: rev,
    });
  });

  it('OrderedReady: a failed pod is deleted and the ordinals above it wait', () => {
    const set = web(3);
    const p0 = running(reconcileStatefulSet(set, [], NOW).create[0]!);
    const p1 = running(reconcileStatefulSet(set, [p0], NOW).create[0]!);
    expect(names([p0, p1])).toEqual(['web-0', 'web-1']);
    const failed = { ...p0, status: { phase: 'Failed' } };
    expect(reconcileStatefulSet(set, [failed, p1], NOW)).toMatchObject({ create: [], delete: [failed] });
    // Until web-0 is gone and re-created, web-2 is not created.
    expect(names(reconcileStatefulSet(set, [terminating(failed), p1], NOW).create)).toEqual([]);
    expect(names(reconcileStatefulSet(set, [p1], NOW).create)).toEqual(['web-0']);
  });

  it('OrderedReady: scales down from the highest ordinal, one pod at a time', () => {
    const built: Pod[] = [];
    for (let i = 0; i < 3; i++) built.push(running(reconcileStatefulSet(web(3), built, NOW).create[0]!));
    expect(names(built)).toEqual(['web-0', 'web-1', 'web-2']);
    const set = web(1);
    const first = reconcileStatefulSet(set, built, NOW);
    expect([names(first.create), names(first.delete)]).toEqual([[], ['web-2']]);
    // While web-2 terminates, nothing else happens.
    const waiting = reconcileStatefulSet(set, [built[0]!, built[1]!, terminating(built[2]!)], NOW);
    expect([names(waiting.create), names(waiting.delete)]).toEqual([[], []]);
    const second = reconcileStatefulSet(set, [built[0]!, built[1]!], NOW);
    expect([names(second.create), names(second.delete)]).toEqual([[], ['web-1']]);
    expect(names(reconcileStatefulSet(set, [built[0]!], NOW).delete)).toEqual([]);
  });

  it('Parallel: creates and deletes all at once', () => {
    const up = reconcileStatefulSet(web(3, 'Parallel'), [], NOW);
    expect(names(up.create)).toEqual(['web-0', 'web-1', 'web-2']);
    const pods = up.create.map(running);
    expect(names(reconcileStatefulSet(web(1, 'Parallel'), pods, NOW).delete)).toEqual(['web-2', 'web-1']);
  });

  it('RollingUpdate: replaces the highest ordinal first and waits for it to be healthy', () => {
    const pods = reconcileStatefulSet(web(3, 'Parallel'), [], NOW).create.map(running);
    const next = web(3, 'OrderedReady', 'nginx:1.28');
    next.status = { currentRevision: updateRevisionName(web(3)) };
    expect(names(reconcileStatefulSet(next, pods, NOW).delete)).toEqual(['web-2']);
    // web-2 came back at the new revision but is not ready yet: wait.
    const web2 = pending(reconcileStatefulSet(next, pods.slice(0, 2), NOW).create[0]!);
    expect(reconcileStatefulSet(next, [...pods.slice(0, 2), web2], NOW)).toMatchObject({ create: [], delete: [] });
    const r = reconcileStatefulSet(next, [...pods.slice(0, 2), running(web2)], NOW);
    expect(names(r.delete)).toEqual(['web-1']);
    expect(r.status).toMatchObject({ replicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: updateRevisionName(web(3)), updateRevision: updateRevisionName(next) });
  });
});
