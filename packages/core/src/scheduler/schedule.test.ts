import { describe, it, expect } from 'vitest';
import type { Node, Pod } from '../api/types.js';
import { seededRandom } from '../random.js';
import { needsScheduling, schedulePod, unschedulablePodStatus } from './schedule.js';
import { applyBinding, newBinding } from './binding.js';

function node(name: string, opts: { ready?: string; unschedulable?: boolean; labels?: Record<string, string>; maxPods?: string } = {}): Node {
  const n: Node = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: opts.ready === undefined ? { conditions: [{ type: 'Ready', status: 'True' }] } : { conditions: [{ type: 'Ready', status: opts.ready }] },
  };
  if (opts.maxPods) n.status!.allocatable = { pods: opts.maxPods };
  return n;
}

function pod(name: string, owner?: string, spec: Pod['spec'] = {}): Pod {
  const metadata: Pod['metadata'] = { name, namespace: 'default', uid: `uid-${name}` };
  if (owner) metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `uid-${owner}`, controller: true }];
  return { metadata, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec }, status: { phase: 'Pending' } };
}

/** Schedules pods one after another, as the scheduler's queue does, each seeing the earlier bindings. */
function scheduleAll(pods: Pod[], nodes: Node[], seed: number, existing: Record<string, Pod[]> = {}): Record<string, string> {
  const random = seededRandom(seed);
  const byNode = new Map<string, Pod[]>(nodes.map((n) => [n.metadata!.name!, [...(existing[n.metadata!.name!] ?? [])]]));
  const out: Record<string, string> = {};
  for (const p of pods) {
    const r = schedulePod(p, nodes, byNode, random);
    if (!('nodeName' in r)) throw new Error(`unschedulable: ${r.unschedulable.message}`);
    out[p.metadata!.name!] = r.nodeName;
    byNode.get(r.nodeName)!.push({ ...p, spec: { ...p.spec, nodeName: r.nodeName } });
  }
  return out;
}

describe('schedulePod', () => {
  const three = [node('node-1'), node('node-2'), node('node-3')];

  it('spreads 3 replicas over 3 Ready nodes, one per node, whatever the seed', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const placed = scheduleAll([pod('a', 'web'), pod('b', 'web'), pod('c', 'web')], three, seed);
      expect(Object.values(placed).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    }
  });

  it('spreads the pods of one owner first, then by total pods', () => {
    // node-1 already runs two pods of another owner, node-2 one pod of `web`: the web pod goes to node-3.
    const existing = { 'node-1': [pod('x1', 'other'), pod('x2', 'other')], 'node-2': [pod('w0', 'web')] };
    expect(scheduleAll([pod('w1', 'web')], three, 7, existing)).toEqual({ w1: 'node-3' });
    // Without an owner only totals count: node-3 is empty.
    expect(scheduleAll([pod('solo')], three, 7, existing)).toEqual({ solo: 'node-3' });
    // Two web pods: node-3 gets the first; the second ties node-1 (0 web, 2 total) vs node-3 (1 web) → node-1.
    expect(scheduleAll([pod('w1', 'web'), pod('w2', 'web')], three, 7, existing)).toEqual({ w1: 'node-3', w2: 'node-1' });
  });

  it('breaks ties with the seeded random, reproducibly', () => {
    const first = scheduleAll([pod('a')], three, 99);
    expect(scheduleAll([pod('a')], three, 99)).toEqual(first);
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) seen.add(scheduleAll([pod('a')], three, seed)['a']!);
    expect([...seen].sort()).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('honours spec.nodeName without filtering', () => {
    const p = pod('pinned', undefined, { nodeName: 'node-9' });
    expect(schedulePod(p, three, new Map(), seededRandom(1))).toEqual({ nodeName: 'node-9' });
    expect(needsScheduling(p)).toBe(false);
    expect(needsScheduling(pod('free'))).toBe(true);
    expect(needsScheduling(pod('other', undefined, { schedulerName: 'my-scheduler' }))).toBe(false);
  });

  it('honours nodeSelector', () => {
    const nodes = [node('node-1'), node('node-2', { labels: { disktype: 'ssd' } }), node('node-3')];
    const p = pod('db', undefined, { nodeSelector: { disktype: 'ssd' } });
    expect(schedulePod(p, nodes, new Map(), seededRandom(5))).toEqual({ nodeName: 'node-2' });
  });

  it('writes kube-scheduler’s exact message when the nodeSelector matches no node', () => {
    const p = pod('db', undefined, { nodeSelector: { disktype: 'ssd' } });
    const result = schedulePod(p, three, new Map(), seededRandom(5));
    expect(result).toEqual({
      unschedulable: {
        reason: 'Unschedulable',
        message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      },
    });
    expect(unschedulablePodStatus(p, (result as { unschedulable: { message: string } }).unschedulable.message, '2026-01-01T00:00:00Z')).toEqual({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    });
  });

  it('keeps lastTransitionTime when the pod stays unschedulable', () => {
    const p = pod('db');
    p.status = unschedulablePodStatus(p, 'first', '2026-01-01T00:00:00Z');
    expect(unschedulablePodStatus(p, 'second', '2026-01-01T00:05:00Z').conditions).toEqual([
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'second', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
  });

  it('gives each node the reason of the first filter that rejects it, sorted as a histogram', () => {
    const nodes = [
      node('node-1', { unschedulable: true, ready: 'False' }),
      node('node-2', { ready: 'False' }),
      node('node-3', { ready: 'Unknown' }),
      node('node-4', { ready: 'Unknown' }),
      node('node-5'),
    ];
    const p = pod('db', undefined, { nodeSelector: { disktype: 'ssd' } });
    expect(schedulePod(p, nodes, new Map(), seededRandom(1))).toEqual({
      unschedulable: {
        reason: 'Unschedulable',
        message:
          "0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable, 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
      },
    });
  });

  it('reports full nodes as Too many pods, where preemption finds no victims', () => {
    const nodes = [node('node-1', { maxPods: '1' }), node('node-2', { maxPods: '1' }), node('node-3', { ready: 'False' })];
    const byNode = new Map([
      ['node-1', [pod('x')]],
      ['node-2', [pod('y')]],
    ]);
    expect(schedulePod(pod('z'), nodes, byNode, seededRandom(1))).toEqual({
      unschedulable: {
        reason: 'Unschedulable',
        message:
          '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
      },
    });
    // A finished pod frees its slot.
    byNode.get('node-1')![0]!.status = { phase: 'Succeeded' };
    expect(schedulePod(pod('z'), nodes, byNode, seededRandom(1))).toEqual({ nodeName: 'node-1' });
  });

  it('says there are no nodes when there are none', () => {
    expect(schedulePod(pod('a'), [], new Map(), seededRandom(1))).toEqual({ unschedulable: { reason: 'Unschedulable', message: 'no nodes available to schedule pods' } });
  });
});

describe('Binding', () => {
  it('is what DefaultBinder posts', () => {
    expect(newBinding(pod('web-0'), 'node-2')).toEqual({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web-0', namespace: 'default', uid: 'uid-web-0' },
      target: { kind: 'Node', name: 'node-2' },
    });
  });

  it('sets nodeName and PodScheduled=True, and refuses a bound or deleted pod', () => {
    const p = pod('web-0');
    p.status = unschedulablePodStatus(p, 'nope', '2026-01-01T00:00:00Z');
    const bound = applyBinding(p, newBinding(p, 'node-2'), '2026-01-01T00:01:00Z');
    expect(bound).toEqual({
      pod: {
        metadata: { name: 'web-0', namespace: 'default', uid: 'uid-web-0' },
        spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'node-2' },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z' }] },
      },
    });
    const again = applyBinding((bound as { pod: Pod }).pod, newBinding(p, 'node-3'), '2026-01-01T00:02:00Z');
    expect(again).toEqual({ conflict: 'pod web-0 is already assigned to node "node-2"' });
    const deleted = { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' } };
    expect(applyBinding(deleted, newBinding(p, 'node-3'), '2026-01-01T00:02:00Z')).toEqual({ conflict: 'pod web-0 is being deleted, cannot be assigned to a host' });
  });
});
