import { describe, it, expect } from 'vitest';
import type { Deployment, Pod } from '../api/types.js';
import { seededRandom } from '../random.js';
import { canonicalJson, computePodTemplateHash, fnv32, fnv32a, safeEncodeString } from './reconcile-hash.js';
import { newReplicaSetName, reconcileDeployment, resolveFenceposts } from './reconcile.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);
const iso = (s: number): string => at(s).toISOString().replace('.000Z', 'Z');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function deployment(replicas: number, image = 'nginx:1.27', strategy?: Deployment['spec'] extends infer S ? (S extends { strategy?: infer X } ? X : never) : never): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
      strategy: strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      progressDeadlineSeconds: 600,
    },
  };
}

/** The cluster's side: created pods appear (Running and Ready at once unless told), deleted pods go. */
function apply(pods: Pod[], r: { create: Pod[]; delete: Pod[] }, t: number, ready = true): Pod[] {
  const gone = new Set(r.delete.map((p) => p.metadata!.name));
  const created = r.create.map((p, i) => ({
    ...p,
    metadata: { ...p.metadata, uid: `uid-${p.metadata!.name}`, creationTimestamp: iso(t) },
    spec: { ...p.spec, nodeName: `node-${(i % 3) + 1}` },
    status: ready ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(t) }] } : { phase: 'Pending' },
  }));
  return [...pods.filter((p) => !gone.has(p.metadata!.name)), ...created];
}

describe('pod-template-hash', () => {
  it('uses FNV-1a/FNV-1 and rand.SafeEncodeString as upstream', () => {
    expect(fnv32a(enc(''))).toBe(0x811c9dc5);
    expect(fnv32a(enc('a'))).toBe(0xe40c292c);
    expect(fnv32(enc('a'))).toBe(0x050c5d7e);
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('is stable for a template, changes with it and with the collision count', () => {
    const t = deployment(1).spec!.template;
    const h = computePodTemplateHash(t);
    expect(h).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computePodTemplateHash(structuredClone(t))).toBe(h);
    expect(computePodTemplateHash(deployment(1, 'nginx:1.28').spec!.template)).not.toBe(h);
    expect(computePodTemplateHash(t, 1)).not.toBe(h);
  });
});

describe('resolveFenceposts', () => {
  it.each([
    ['25%', '25%', 10, { surge: 3, unavailable: 2 }],
    ['25%', '25%', 4, { surge: 1, unavailable: 1 }],
    ['25%', '25%', 1, { surge: 1, unavailable: 0 }],
    ['0%', '10%', 5, { surge: 0, unavailable: 1 }],
    [2, 0, 5, { surge: 2, unavailable: 0 }],
  ] as const)('maxSurge %s maxUnavailable %s of %i', (surge, unavailable, desired, expected) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual(expected);
  });
});

describe('reconcileDeployment', () => {
  it('creates the pods a ReplicaSet would, named <deployment>-<hash>-<5 chars>', () => {
    const d = deployment(2);
    const { name: rs, hash } = newReplicaSetName(d);
    const r = reconcileDeployment(d, [], seededRandom(1), at(0));
    const names = r.create.map((p) => p.metadata!.name!);
    expect(names.every((n) => new RegExp(`^${rs}-[bcdfghjklmnpqrstvwxz2456789]{5}$`).test(n))).toBe(true);
    expect(r.create).toEqual(
      names.map((name) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${rs}-`,
          namespace: 'default',
          labels: { app: 'web', 'pod-template-hash': hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
        },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      })),
    );
    expect(r.delete).toEqual([]);
    expect(r.status).toEqual({
      observedGeneration: 1,
      replicas: 0,
      updatedReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 2,
      conditions: [
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rs}"`, lastUpdateTime: iso(0), lastTransitionTime: iso(0) },
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: iso(0), lastTransitionTime: iso(0) },
      ],
    });
    // Once the pods are Running and Ready the rollout completes.
    const pods = apply([], r, 1);
    const done = reconcileDeployment({ ...d, status: r.status }, pods, seededRandom(2), at(2));
    expect(done.create).toEqual([]);
    expect(done.delete).toEqual([]);
    expect(done.status).toEqual({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 0,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(2), lastTransitionTime: iso(2) },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.`, lastUpdateTime: iso(2), lastTransitionTime: iso(0) },
      ],
    });
  });

  it('scales 3 → 30 → 3 with unique names, deleting in ActivePods order', () => {
    let pods = apply([], reconcileDeployment(deployment(3), [], seededRandom(1), at(0)), 0);
    const up = reconcileDeployment(deployment(30), pods, seededRandom(2), at(10));
    expect(up.create).toHaveLength(27);
    pods = apply(pods, up, 10);
    const names = pods.map((p) => p.metadata!.name!);
    expect(new Set(names).size).toBe(30);
    expect(reconcileDeployment(deployment(30), pods, seededRandom(3), at(20))).toMatchObject({ create: [], delete: [] });

    // Make the order visible: one pod unscheduled, one Pending, one Unknown, one not ready, one with a restart.
    const byName = (n: string): Pod => pods.find((p) => p.metadata!.name === n)!;
    const [p0, p1, p2, p3, p4, p5] = [3, 4, 5, 6, 7, 8].map((i) => names[i]!);
    byName(p0).spec = { ...byName(p0).spec, nodeName: undefined };
    byName(p0).status = { phase: 'Pending' };
    byName(p1).status = { phase: 'Pending' };
    byName(p2).status = { phase: 'Unknown' };
    byName(p3).status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    byName(p4).status = { ...byName(p4).status, containerStatuses: [{ name: 'nginx', restartCount: 3 }] };
    byName(p5).metadata!.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '-100' };
    const down = reconcileDeployment(deployment(3), pods, seededRandom(4), at(20));
    expect(down.create).toEqual([]);
    const deleted = down.delete.map((p) => p.metadata!.name!);
    expect(deleted).toHaveLength(27);
    // Unassigned, then Pending, Unknown, not ready, then the lowest deletion cost.
    expect(deleted.slice(0, 5)).toEqual([p0, p1, p2, p3, p5]);
    // Then "doubled up": node-1 lost p0 to unassigned, so it holds fewer of web's pods and its pods go last.
    // Among those, ready for less time goes first (log2 buckets: 10 s < 20 s), equal buckets by uid.
    const node1 = pods.filter((p) => p.spec?.nodeName === 'node-1' && ![p0, p3].includes(p.metadata!.name!)).map((p) => p.metadata!.name!);
    const kept = names.filter((n) => !deleted.includes(n));
    expect(kept.sort()).toEqual([names[0]!, ...node1.filter((n) => n !== names[0]).sort().slice(-2)].sort());
    expect(deleted.slice(5, 22).every((n) => !node1.includes(n))).toBe(true);
  });

  it('rolls a template change honouring maxSurge and maxUnavailable', () => {
    // 4 replicas, 25%/25%: surge 1, unavailable 1 → at most 5 pods, at least 3 available.
    let pods = apply([], reconcileDeployment(deployment(4), [], seededRandom(1), at(0)), 0);
    const next = deployment(4, 'nginx:1.28');
    next.metadata!.generation = 2;
    const newHash = newReplicaSetName(next).hash;
    const steps: { create: number; delete: number; old: number; new: number; newReady: number }[] = [];
    for (let t = 1; t <= 8; t++) {
      const r = reconcileDeployment(next, pods, seededRandom(t), at(t * 10));
      // New pods come up not ready; they become ready one step later.
      pods = apply(pods, r, t * 10, false).map((p) =>
        p.status?.phase === 'Pending' && p.metadata!.creationTimestamp! < iso(t * 10)
          ? { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(t * 10) }] } }
          : p,
      );
      const isNew = (p: Pod): boolean => p.metadata!.labels!['pod-template-hash'] === newHash;
      steps.push({
        create: r.create.length,
        delete: r.delete.length,
        old: pods.filter((p) => !isNew(p)).length,
        new: pods.filter(isNew).length,
        newReady: pods.filter((p) => isNew(p) && p.status?.phase === 'Running').length,
      });
    }
    expect(steps).toEqual([
      { create: 1, delete: 0, old: 4, new: 1, newReady: 0 }, // surge: 5 pods
      { create: 0, delete: 1, old: 3, new: 1, newReady: 1 }, // 4 available of min 3 → one old goes
      { create: 1, delete: 0, old: 3, new: 2, newReady: 1 },
      { create: 0, delete: 1, old: 2, new: 2, newReady: 2 },
      { create: 1, delete: 0, old: 2, new: 3, newReady: 2 },
      { create: 0, delete: 1, old: 1, new: 3, newReady: 3 },
      { create: 1, delete: 0, old: 1, new: 4, newReady: 3 },
      { create: 0, delete: 1, old: 0, new: 4, newReady: 4 },
    ]);
  });

  it('Recreate deletes every old pod before creating new ones', () => {
    const recreate = { type: 'Recreate' };
    let pods = apply([], reconcileDeployment(deployment(3, 'nginx:1.27', recreate), [], seededRandom(1), at(0)), 0);
    const next = deployment(3, 'nginx:1.28', recreate);
    const first = reconcileDeployment(next, pods, seededRandom(2), at(10));
    expect([first.create.length, first.delete.length]).toEqual([0, 3]);
    // The old pods are terminating: nothing new yet.
    pods = pods.map((p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: iso(40) } }));
    expect(reconcileDeployment(next, pods, seededRandom(3), at(11))).toMatchObject({ create: [], delete: [] });
    const second = reconcileDeployment(next, [], seededRandom(4), at(20));
    expect([second.create.length, second.delete.length]).toEqual([3, 0]);
  });
});
