import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { applyLogEvent } from '../store/object-store.js';
import { emptyApiState } from './api-state.js';
import { admitPodBinding } from './pod-binding.js';

const ctx = { now: new Date('2026-01-01T00:00:00Z'), random: seededRandom(1), newUid: () => 'uid', config: { serviceClusterIPRange: '10.96.0.0/12', serviceNodePortRange: '30000-32767' } };
const binding = (node: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', ...extra }, target: { kind: 'Node', name: node } });

function stateWith(nodeName?: string) {
  const state = emptyApiState();
  applyLogEvent(state.store, {
    revision: 1,
    type: 'ADDED',
    kind: 'Pod',
    timeUnixMilli: 0,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '1' }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) } },
  });
  return state;
}

describe('pods/binding', () => {
  it('sets spec.nodeName and PodScheduled=True', () => {
    const d = admitPodBinding(binding('node-1'), 'default', 'p', stateWith(), ctx);
    expect(d).toMatchObject({ ok: true, write: { type: 'MODIFIED', object: { spec: { nodeName: 'node-1' }, status: { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } } } });
  });

  it('answers the apiserver\'s errors', () => {
    const message = (d: ReturnType<typeof admitPodBinding>) => (d.ok ? 'ok' : `${d.status.code} ${d.status.message}`);
    expect(message(admitPodBinding(binding('node-2'), 'default', 'p', stateWith('node-1'), ctx))).toBe(
      '409 Operation cannot be fulfilled on pods "p": pod p is already assigned to node "node-1"',
    );
    expect(message(admitPodBinding(binding('node-1', { uid: 'other' }), 'default', 'p', stateWith(), ctx))).toBe(
      '409 Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: other, UID in object meta: u1',
    );
    expect(message(admitPodBinding(binding('node-1'), 'default', 'q', stateWith(), ctx))).toBe('400 name in URL does not match name in Binding object');
    expect(message(admitPodBinding({ ...binding('node-1'), metadata: { name: 'q' } }, 'default', 'q', stateWith(), ctx))).toBe('404 pods "q" not found');
    expect(message(admitPodBinding({ ...binding(''), target: { kind: 'Pod', name: '' } }, 'default', 'p', stateWith(), ctx))).toMatch(/^422 Binding "p" is invalid: \[target.kind: Unsupported value: "Pod": supported values: "Node", target.name: Required value\]$/);
  });
});
