import { describe, it, expect } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '../api/types.js';
import { seededRandom } from '../random.js';
import { canonicalJson, computePodTemplateHash, fnv32, fnv32a, safeEncodeString } from './reconcile-hash.js';
import { newReplicaSetName, reconcileDeployment, resolveFenceposts, type DeploymentReconcile } from './reconcile.js';
import { reconcileReplicaSet } from '../replicaset/reconcile.js';

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


/**
 * A cluster in miniature: the api-store's side of the writes (uids, creation times, generations),
 * the ReplicaSet controller, and kubelets that make a pod Running and Ready `readyAfter` seconds
 * after it was created.
 */
class Cluster {
  rss: ReplicaSet[] = [];
  pods: Pod[] = [];
  private n = 0;
  constructor(
    public d: Deployment,
    private readonly readyAfter = 0,
  ) {}

  syncDeployment(t: number): DeploymentReconcile {
    const r = reconcileDeployment(this.d, this.rss, this.pods, at(t));
    for (const rs of r.create) this.rss.push({ ...structuredClone(rs), metadata: { ...rs.metadata, uid: `uid-${rs.metadata!.name}`, creationTimestamp: iso(t), generation: 1 } });
    for (const rs of r.update) {
      const i = this.rss.findIndex((x) => x.metadata!.name === rs.metadata!.name);
      const old = this.rss[i]!;
      const changed = JSON.stringify(old.spec) !== JSON.stringify(rs.spec);
      this.rss[i] = { ...structuredClone(rs), status: old.status, metadata: { ...rs.metadata, generation: old.metadata!.generation! + (changed ? 1 : 0) } };
    }
    this.rss = this.rss.filter((x) => !r.delete.some((rs) => rs.metadata!.name === x.metadata!.name));
    this.d = { ...this.d, metadata: { ...this.d.metadata, ...(r.annotations ? { annotations: r.annotations } : {}) }, status: r.status };
    return r;
  }

  syncReplicaSets(t: number): void {
    for (const p of this.pods) {
      const born = Date.parse(p.metadata!.creationTimestamp!);
      if (p.status?.phase === 'Pending' && born + this.readyAfter * 1000 <= at(t).getTime()) {
        p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(t) }] };
      }
    }
    for (const rs of this.rss) {
      const r = reconcileReplicaSet(rs, this.pods, this.rss, seededRandom(t), at(t));
      const gone = new Set(r.delete.map((p) => p.metadata!.name));
      this.pods = this.pods.filter((p) => !gone.has(p.metadata!.name));
      for (const p of r.create) {
        this.n++;
        this.pods.push({ ...p, metadata: { ...p.metadata, uid: `uid-pod-${this.n}`, creationTimestamp: iso(t) }, spec: { ...p.spec, nodeName: `node-${(this.n % 3) + 1}` }, status: { phase: 'Pending' } });
      }
      rs.status = r.status;
    }
  }

  /** One round: the Deployment controller, then the ReplicaSet controller (which also reports status). */
  step(t: number): DeploymentReconcile {
    const r = this.syncDeployment(t);
    this.syncReplicaSets(t);
    return r;
  }

  sizes(): string {
    return [...this.rss]
      .sort((a, b) => Number(a.metadata!.annotations!['deployment.kubernetes.io/revision']) - Number(b.metadata!.annotations!['deployment.kubernetes.io/revision']))
      .map((rs) => `${rs.spec!.template!.spec!.containers![0]!.image}:${rs.spec!.replicas}/${rs.status?.availableReplicas ?? 0}`)
      .join(' ');
  }
}

const withTemplate = (d: Deployment, image: string, generation: number): Deployment => ({
  ...d,
  metadata: { ...d.metadata, generation },
  spec: { ...d.spec, template: { ...d.spec!.template, spec: { containers: [{ name: 'nginx', image }] } } },
});

describe('reconcileDeployment', () => {
  it('creates the new ReplicaSet <deployment>-<hash> with the hash label, the revision and replicas annotations', () => {
    const d = deployment(2);
    const { name, hash } = newReplicaSetName(d);
    const r = reconcileDeployment(d, [], [], at(0));
    expect(r).toEqual({
      create: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace: 'default',
            labels: { app: 'web', 'pod-template-hash': hash },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
            annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' },
          },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
            template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
          },
        },
      ],
      update: [],
      delete: [],
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      events: [`Scaled up replica set ${name} from 0 to 2`],
      status: {
        observedGeneration: 1,
        replicas: 0,
        updatedReplicas: 0,
        readyReplicas: 0,
        availableReplicas: 0,
        unavailableReplicas: 2,
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"`, lastUpdateTime: iso(0), lastTransitionTime: iso(0) },
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: iso(0), lastTransitionTime: iso(0) },
        ],
      },
    });
  });

  it('completes once the ReplicaSet reports its pods available (pods ready at 1 s, the ReplicaSet says so at 1 s, the Deployment sees it at 2 s)', () => {
    const c = new Cluster(deployment(2));
    const { name } = newReplicaSetName(c.d);
    c.step(0);
    c.step(1);
    const done = c.step(2);
    expect(done).toEqual({
      create: [],
      update: [],
      delete: [],
      events: [],
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 0,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(2), lastTransitionTime: iso(2) },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.`, lastUpdateTime: iso(2), lastTransitionTime: iso(0) },
        ],
      },
    });
    expect(c.pods.map((p) => p.metadata!.name!.replace(/-[bcdfghjklmnpqrstvwxz2456789]{5}$/, ''))).toEqual([name, name]);
  });

  it('rolls a template change through a second ReplicaSet, honouring maxSurge and maxUnavailable', () => {
    // 4 replicas, 25%/25%: surge 1, unavailable 1 → at most 5 pods, at least 3 available. Each line:
    // what one Deployment sync did → each ReplicaSet's spec.replicas/status.availableReplicas after the
    // ReplicaSet controller's sync that follows (its status counts the pods it found, before its deletes).
    // As rolling.go: the new ReplicaSet is created at 1 (not a scale-up), so the same sync scales the old down.
    const c = new Cluster(deployment(4), 5);
    for (let t = 0; t <= 10; t += 5) c.step(t);
    expect(c.sizes()).toBe('nginx:1.27:4/4');
    c.d = withTemplate(c.d, 'nginx:1.28', 2);
    const steps: string[] = [];
    for (let t = 20; t <= 80; t += 5) steps.push(`${c.step(t).events.join('; ')} → ${c.sizes()}`);
    const [oldRS, newRS] = [...c.rss].sort((a, b) => a.metadata!.creationTimestamp!.localeCompare(b.metadata!.creationTimestamp!)).map((rs) => rs.metadata!.name);
    expect(steps).toEqual([
      `Scaled up replica set ${newRS} from 0 to 1; Scaled down replica set ${oldRS} to 3 from 4 → nginx:1.27:3/4 nginx:1.28:1/0`,
      `Scaled up replica set ${newRS} to 2 from 1 → nginx:1.27:3/3 nginx:1.28:2/1`,
      `Scaled down replica set ${oldRS} to 2 from 3 → nginx:1.27:2/3 nginx:1.28:2/2`,
      `Scaled up replica set ${newRS} to 3 from 2 → nginx:1.27:2/2 nginx:1.28:3/2`,
      `Scaled down replica set ${oldRS} to 1 from 2 → nginx:1.27:1/2 nginx:1.28:3/3`,
      `Scaled up replica set ${newRS} to 4 from 3 → nginx:1.27:1/1 nginx:1.28:4/3`,
      `Scaled down replica set ${oldRS} to 0 from 1 → nginx:1.27:0/1 nginx:1.28:4/4`,
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
      ' → nginx:1.27:0/0 nginx:1.28:4/4',
    ]);
    expect(c.d.status!.conditions!.find((x) => x.type === 'Progressing')!.reason).toBe('NewReplicaSetAvailable');
    expect(c.d.metadata!.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
  });

  it('scales proportionally during a rollout (sync.go scale)', () => {
    // 10 replicas, maxSurge 3, maxUnavailable 2: a rollout stuck with new pods that never get ready.
    const d = deployment(10);
    d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    const c = new Cluster(d, 0);
    for (let t = 0; t <= 2; t++) c.step(t);
    c.d = withTemplate(c.d, 'nginx:1.28', 2);
    const stuck = new Cluster(c.d, 1000);
    stuck.rss = c.rss;
    stuck.pods = c.pods;
    for (let t = 10; t <= 14; t++) stuck.step(t);
    expect(stuck.sizes()).toBe('nginx:1.27:8/8 nginx:1.28:5/0');
    // Scaling to 20 while two ReplicaSets are active: 23 allowed, 10 more, shared by size (8:5 of 13).
    stuck.d = { ...stuck.d, metadata: { ...stuck.d.metadata, generation: 3 }, spec: { ...stuck.d.spec, replicas: 20 } };
    const r = stuck.step(20);
    expect(r.events).toEqual([
      `Scaled up replica set ${stuck.rss[0]!.metadata!.name} to 14 from 8`,
      `Scaled up replica set ${stuck.rss[1]!.metadata!.name} to 9 from 5`,
    ]);
    expect(r.update.map((rs) => [rs.spec!.replicas, rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas']])).toEqual([
      [14, '20', '23'],
      [9, '20', '23'],
    ]);
  });

  it('keeps revisionHistoryLimit old ReplicaSets, deleting the lowest revisions once the rollout is complete', () => {
    const d = deployment(1);
    d.spec!.revisionHistoryLimit = 1;
    const c = new Cluster(d);
    let t = 0;
    for (const [i, image] of ['nginx:1', 'nginx:2', 'nginx:3'].entries()) {
      c.d = withTemplate(c.d, image, i + 1);
      for (let k = 0; k < 6; k++) c.step(t++);
    }
    expect(c.sizes()).toBe('nginx:2:0/0 nginx:3:1/1');
  });

  it('rollback: the template of an old ReplicaSet makes it the new one, with the next revision and its old ones in revision-history', () => {
    const c = new Cluster(deployment(2));
    let t = 0;
    for (const [i, image] of ['nginx:1', 'nginx:2', 'nginx:1'].entries()) {
      c.d = withTemplate(c.d, image, i + 1);
      for (let k = 0; k < 8; k++) c.step(t++);
    }
    expect(c.sizes()).toBe('nginx:2:0/0 nginx:1:2/2');
    expect(c.rss.map((rs) => rs.metadata!.annotations)).toEqual([
      { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' },
      { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' },
    ]);
    expect(c.d.metadata!.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3' });
  });

  it('Recreate scales the old ReplicaSet to 0, waits for its pods to go, then scales the new one up', () => {
    const c = new Cluster(deployment(3, 'nginx:1.27', { type: 'Recreate' }));
    for (let t = 0; t <= 2; t++) c.step(t);
    c.d = withTemplate(c.d, 'nginx:1.28', 2);
    const first = c.syncDeployment(10);
    expect([first.create.length, first.update.map((rs) => rs.spec!.replicas)]).toEqual([0, [0]]);
    // The old ReplicaSet has not deleted its pods yet: no new ReplicaSet.
    expect(c.syncDeployment(11)).toMatchObject({ create: [], update: [] });
    // The ReplicaSet controller deletes the pods, then reports 0 replicas on its next sync.
    c.syncReplicaSets(12);
    expect(c.syncDeployment(13)).toMatchObject({ create: [], update: [] });
    c.syncReplicaSets(14);
    const second = c.syncDeployment(15);
    expect(second.create.map((rs) => rs.spec!.replicas)).toEqual([3]);
  });

  it('adopts an orphan ReplicaSet its selector matches and releases one it no longer matches', () => {
    const d = deployment(1);
    const orphan: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'orphan', namespace: 'default', uid: 'uid-orphan', labels: { app: 'web' }, creationTimestamp: iso(0), resourceVersion: '7' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'other', image: 'x' }] } } },
    };
    const strayed: ReplicaSet = {
      ...structuredClone(orphan),
      metadata: { name: 'strayed', namespace: 'default', uid: 'uid-strayed', labels: { app: 'other' }, creationTimestamp: iso(0), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }] },
    };
    const r = reconcileDeployment(d, [orphan, strayed], [], at(1));
    expect(r.update.map((rs) => [rs.metadata!.name, rs.metadata!.ownerReferences, rs.metadata!.resourceVersion])).toEqual([
      ['orphan', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }], '7'],
      ['strayed', undefined, undefined],
    ]);
  });

  it('a name taken by another template bumps collisionCount and writes nothing else', () => {
    const d = deployment(1);
    const { name } = newReplicaSetName(d);
    const squatter: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid: 'uid-x', labels: { other: 'x' } }, spec: { replicas: 0, selector: { matchLabels: { other: 'x' } } } };
    const r = reconcileDeployment(d, [squatter], [], at(0));
    expect(r).toEqual({ create: [], update: [], delete: [], events: [], status: { collisionCount: 1 } });
    expect(newReplicaSetName({ ...d, status: r.status }).name).not.toBe(name);
  });
});
