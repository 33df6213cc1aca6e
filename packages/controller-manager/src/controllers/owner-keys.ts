// Which owner an object's change concerns, for the controllers that own by selector and controller
// reference: the ReplicaSet controller for pods (replica_set.go getPodReplicaSets), the Deployment
// controller for ReplicaSets (deployment_controller.go getDeploymentsForReplicaSet).
import { controllerOf, labelSelectorIsEmpty, labelSelectorMatches, objectKey, type KubeObject, type LabelSelector, type ObjectStore } from '@kubemu/core';
import { objectsOfKind } from './service-keys.js';

/**
 * The owner of kind `ownerKind` that controls the object, or, for an orphan not being deleted,
 * every owner in its namespace whose non-empty selector matches its labels.
 */
export function ownerKeysFor<O extends KubeObject>(
  object: KubeObject | undefined,
  ownerKind: string,
  store: ObjectStore,
  selectorOf: (owner: O) => LabelSelector | undefined,
): string[] {
  if (!object) return [];
  const ns = object.metadata?.namespace ?? '';
  const ref = controllerOf(object);
  if (ref) return ref.kind === ownerKind && ref.name ? [objectKey(ownerKind, ns, ref.name)] : [];
  if (object.metadata?.deletionTimestamp !== undefined) return [];
  return objectsOfKind<O>(store, ownerKind, ns)
    .filter((owner) => !labelSelectorIsEmpty(selectorOf(owner)) && labelSelectorMatches(selectorOf(owner), object.metadata?.labels))
    .map((owner) => objectKey(ownerKind, ns, owner.metadata?.name ?? ''));
}
