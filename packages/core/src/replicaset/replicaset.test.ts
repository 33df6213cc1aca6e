import { describe, it, expect } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Pod, ReplicaSet, ReplicaSetSpec } from '../api/types.js';
import { seededRandom } from '../random.js';
import { setDefaultsReplicaSet } from './defaults.js';
import { reconcileReplicaSet } from './reconcile.js';
import { validateReplicaSet, validateReplicaSetUpdate } from './validation.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);
const iso = (s: number): string => at(s).toISOString().replace('.000Z', 'Z');
const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const template = { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php', image: 'gb-frontend:v5' }] } };
const replicaSet = (spec: ReplicaSetSpec): ReplicaSet => setDefaultsReplicaSet({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'frontend', namespace: 'default' }, spec });

describe('ReplicaSet defaults and validation', () => {
  it('defaults replicas to 1 and the pod template', () => {
    const rs = replicaSet({ selector: { matchLabels: { tier: 'frontend' } }, template });
    expect(rs.spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { tier: 'frontend' } },
      template: {
        metadata: { labels: { tier: 'frontend' } },
        spec: {
          containers: [{ name: 'php', image: 'gb-frontend:v5', imagePullPolicy: 'IfNotPresent' }],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          schedulerName: 'default-scheduler',
        },
      },
    });
  });

  it.each<[string, ReplicaSet, string[]]>([
    ['valid', replicaSet({ selector: { matchLabels: { tier: 'frontend' } }, template }), []],
    [
      'selector does not match the template',
      replicaSet({ selector: { matchLabels: { tier: 'backend' } }, template }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"tier":"frontend"}: `selector` does not match template `labels`'],
    ],
    ['no selector', replicaSet({ template }), ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"tier":"frontend"}: `selector` does not match template `labels`']],
    [
      'empty selector (upstream says "deployment" for ReplicaSets too)',
      replicaSet({ selector: {}, template }),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ],
    [
      'negative replicas and minReadySeconds',
      replicaSet({ replicas: -1, minReadySeconds: -2, selector: { matchLabels: { tier: 'frontend' } }, template }),
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0', 'spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0'],
    ],
    [
      'restartPolicy other than Always',
      replicaSet({ selector: { matchLabels: { tier: 'frontend' } }, template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } }),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
  ])('%s', (_name, rs, expected) => {
    expect(lines(validateReplicaSet(rs))).toEqual(expected);
  });

  it('the selector is immutable', () => {
    const old = { ...replicaSet({ selector: { matchLabels: { tier: 'frontend' } }, template }), metadata: { name: 'frontend', namespace: 'default', resourceVersion: '1' } };
    const next = replicaSet({ selector: { matchLabels: { tier: 'frontend', x: 'y' } }, template: { ...template, metadata: { labels: { tier: 'frontend', x: 'y' } } } });
    expect(lines(validateReplicaSetUpdate({ ...next, metadata: old.metadata }, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"tier":"frontend", "x":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

const rsFrontend = (replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'frontend', namespace: 'default', uid: 'uid-rs', generation: 2 },
  spec: { replicas, selector: { matchLabels: { tier: 'frontend' } }, template },
});
const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: 'uid-rs', controller: true, blockOwnerDeletion: true };

function pod(name: string, node: string, extra: Partial<Pod> & { ready?: boolean; owner?: object | null; labels?: Record<string, string> } = {}): Pod {
  const ready = extra.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '5',
      creationTimestamp: iso(0),
      labels: extra.labels ?? { tier: 'frontend' },
      ...(extra.owner === null ? {} : { ownerReferences: [(extra.owner as never) ?? ref] }),
    },
    spec: { nodeName: node, containers: [{ name: 'php', image: 'gb-frontend:v5' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(1) }], ...extra.status },
  };
}

describe('reconcileReplicaSet', () => {
  it('creates the missing pods from the template, named <rs>-<5 chars>, controlled by the ReplicaSet', () => {
    const r = reconcileReplicaSet(rsFrontend(2), [], [], seededRandom(1), at(10));
    expect(r).toEqual({
      create: r.create.map((p) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.metadata!.name, generateName: 'frontend-', namespace: 'default', labels: { tier: 'frontend' }, ownerReferences: [ref] },
        spec: { containers: [{ name: 'php', image: 'gb-frontend:v5' }] },
      })),
      delete: [],
      adopt: [],
      release: [],
      status: { replicas: 0, observedGeneration: 2 },
      more: false,
    });
    expect(r.create.map((p) => /^frontend-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(p.metadata!.name!))).toEqual([true, true]);
  });

  it('adopts a matching orphan, releases a pod whose labels no longer match, ignores pods of other controllers, and counts status', () => {
    const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'uid-other', controller: true };
    const pods = [
      pod('a', 'node-1'),
      pod('b', 'node-2', { ready: false }),
      pod('orphan', 'node-3', { owner: null }),
      pod('strayed', 'node-1', { labels: { tier: 'backend' } }),
      pod('theirs', 'node-1', { owner: other }),
      pod('partial', 'node-2', { labels: { tier: 'frontend' } }),
    ];
    const r = reconcileReplicaSet(rsFrontend(4), pods, [], seededRandom(1), at(10));
    expect(r.adopt.map((p) => [p.metadata!.name, p.metadata!.ownerReferences, p.metadata!.resourceVersion])).toEqual([['orphan', [ref], '5']]);
    expect(r.release.map((p) => [p.metadata!.name, p.metadata!.ownerReferences])).toEqual([['strayed', undefined]]);
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.status).toEqual({ replicas: 4, fullyLabeledReplicas: 4, readyReplicas: 3, availableReplicas: 3, observedGeneration: 2 });
  });

  it('deletes in ActivePods order, ranked by the pods of the ReplicaSets sharing its controller on the same node', () => {
    const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true };
    const rs = { ...rsFrontend(2), metadata: { ...rsFrontend(2).metadata, ownerReferences: [deploymentRef] } };
    const sibling: ReplicaSet = {
      ...rsFrontend(2),
      metadata: { name: 'frontend-old', namespace: 'default', uid: 'uid-old', ownerReferences: [deploymentRef] },
      spec: { replicas: 1, selector: { matchLabels: { tier: 'old' } }, template },
    };
    const pods = [
      pod('on-1', 'node-1'),
      pod('on-2', 'node-2'),
      pod('not-ready', 'node-3', { ready: false }),
      pod('pending', 'node-3', { status: { phase: 'Pending' } }),
      pod('old-on-2', 'node-2', { labels: { tier: 'old' }, owner: { ...ref, name: 'frontend-old', uid: 'uid-old' } }),
    ];
    const r = reconcileReplicaSet(rs, pods, [rs, sibling], seededRandom(1), at(10));
    // Pending first, then not ready, then the pod on node-2 where the Deployment has two pods.
    expect(r.delete.map((p) => p.metadata!.name)).toEqual(['pending', 'not-ready']);
    const three = reconcileReplicaSet({ ...rs, spec: { ...rs.spec, replicas: 1 } }, pods, [rs, sibling], seededRandom(1), at(10));
    expect(three.delete.map((p) => p.metadata!.name)).toEqual(['pending', 'not-ready', 'on-2']);
  });

  it('makes at most burstReplicas creates per sync and asks for another', () => {
    const r = reconcileReplicaSet(rsFrontend(7), [], [], seededRandom(1), at(0), 5);
    expect([r.create.length, r.more]).toEqual([5, true]);
    expect(new Set(r.create.map((p) => p.metadata!.name)).size).toBe(5);
  });

  it('a ReplicaSet being deleted neither creates, deletes, adopts nor releases', () => {
    const rs = { ...rsFrontend(3), metadata: { ...rsFrontend(3).metadata, deletionTimestamp: iso(5) } };
    const r = reconcileReplicaSet(rs, [pod('orphan', 'node-1', { owner: null }), pod('strayed', 'node-1', { labels: { x: 'y' } })], [], seededRandom(1), at(10));
    expect(r).toEqual({ create: [], delete: [], adopt: [], release: [], status: { replicas: 0, observedGeneration: 2 }, more: false });
  });
});
