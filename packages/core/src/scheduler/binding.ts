// The Binding the scheduler posts to pods/<name>/binding (DefaultBinder, pkg/scheduler/framework/
// plugins/defaultbinder) and what kube-apiserver does with it (BindingREST.setPodNodeAndMetadata,
// pkg/registry/core/pod/storage/storage.go).

import type { ObjectMeta, ObjectReference, Pod } from '../api/types.js';
import { updatePodCondition } from './schedule.js';

/** core/v1 Binding. Not in api/types.ts yet: it is only ever posted, never stored. */
export interface Binding {
  apiVersion: 'v1';
  kind: 'Binding';
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'uid'>;
  target: ObjectReference;
}

export function newBinding(pod: Pod, nodeName: string): Binding {
  const metadata: Binding['metadata'] = { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '' };
  if (pod.metadata?.uid !== undefined) metadata.uid = pod.metadata.uid;
  return { apiVersion: 'v1', kind: 'Binding', metadata, target: { kind: 'Node', name: nodeName } };
}

export type BindingOutcome = { pod: Pod } | { conflict: string };

/**
 * The pod after a binding, or the error text the apiserver answers with (409 Conflict). The caller
 * checks the uid precondition and that target.kind is Node (both 4xx before this point upstream).
 */
export function applyBinding(pod: Pod, binding: Binding, now: string): BindingOutcome {
  const name = pod.metadata?.name ?? '';
  if (pod.metadata?.deletionTimestamp !== undefined) return { conflict: `pod ${name} is being deleted, cannot be assigned to a host` };
  if (pod.spec?.nodeName) return { conflict: `pod ${name} is already assigned to node "${pod.spec.nodeName}"` };
  const nodeName = binding.target.name ?? '';
  return {
    pod: {
      ...pod,
      spec: { ...pod.spec, nodeName },
      status: updatePodCondition(pod.status, { type: 'PodScheduled', status: 'True' }, now),
    },
  };
}
