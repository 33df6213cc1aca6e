// Defaulting and validation by kind, as kube-apiserver's scheme defaulters and REST strategies
// apply them. Updates also get rest.BeforeUpdate's validateCommonFields (ObjectMeta with the
// path-segment name rule, then ValidateObjectMetaUpdate) ahead of the kind's ValidateUpdate; the
// list is de-duplicated by message, first occurrence kept, as ErrorList.ToAggregate does.
// The strategies' PrepareForCreate/PrepareForUpdate (status resets, generation) are the api-store's.

import { errorString, type FieldError } from '../api/field-errors.js';
import { nameIsPathSegment, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import { resourceByKind } from '../api/resources.js';
import type { Deployment, Endpoints, EndpointSlice, Event, KubeObject, Lease, Namespace, Node, Pod, ReplicaSet, Service, StatefulSet } from '../api/types.js';
import { setDefaultsDeployment } from '../deployment/defaults.js';
import { validateDeployment, validateDeploymentUpdate } from '../deployment/validation.js';
import { setDefaultsEndpoints } from '../endpoints/defaults.js';
import { setDefaultsEvent, validateEvent, validateEventUpdate } from '../event/validation.js';
import { validateEndpoints, validateEndpointsUpdate } from '../endpoints/validation.js';
import { setDefaultsEndpointSlice } from '../endpointslice/defaults.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../endpointslice/validation.js';
import { setDefaultsLease } from '../lease/defaults.js';
import { validateLease, validateLeaseUpdate } from '../lease/validation.js';
import { setDefaultsNamespace } from '../namespace/defaults.js';
import { validateNamespace, validateNamespaceUpdate } from '../namespace/validation.js';
import { setDefaultsNode } from '../node/defaults.js';
import { validateNode, validateNodeUpdate } from '../node/validation.js';
import { setDefaultsPod } from '../pod/defaults.js';
import { validatePod, validatePodUpdate } from '../pod/validation.js';
import { setDefaultsReplicaSet } from '../replicaset/defaults.js';
import { validateReplicaSet, validateReplicaSetUpdate } from '../replicaset/validation.js';
import { setDefaultsService } from '../service/defaults.js';
import { validateService, validateServiceUpdate } from '../service/validation.js';
import { setDefaultsStatefulSet } from '../statefulset/defaults.js';
import { validateStatefulSet, validateStatefulSetUpdate } from '../statefulset/validation.js';

interface KindRules {
  defaults: (obj: any) => KubeObject;
  validate: (obj: any) => FieldError[];
  validateUpdate: (obj: any, old: any) => FieldError[];
}

const RULES: Readonly<Record<string, KindRules>> = {
  Service: { defaults: (o: Service) => setDefaultsService(o), validate: validateService, validateUpdate: validateServiceUpdate },
  Pod: { defaults: (o: Pod) => setDefaultsPod(o), validate: validatePod, validateUpdate: validatePodUpdate },
  Deployment: { defaults: (o: Deployment) => setDefaultsDeployment(o), validate: validateDeployment, validateUpdate: validateDeploymentUpdate },
  ReplicaSet: { defaults: (o: ReplicaSet) => setDefaultsReplicaSet(o), validate: validateReplicaSet, validateUpdate: validateReplicaSetUpdate },
  StatefulSet: { defaults: (o: StatefulSet) => setDefaultsStatefulSet(o), validate: validateStatefulSet, validateUpdate: validateStatefulSetUpdate },
  Namespace: { defaults: (o: Namespace) => setDefaultsNamespace(o), validate: validateNamespace, validateUpdate: validateNamespaceUpdate },
  Node: { defaults: (o: Node) => setDefaultsNode(o), validate: validateNode, validateUpdate: validateNodeUpdate },
  Endpoints: { defaults: (o: Endpoints) => setDefaultsEndpoints(o), validate: validateEndpoints, validateUpdate: validateEndpointsUpdate },
  EndpointSlice: {
    defaults: (o: EndpointSlice) => setDefaultsEndpointSlice(o),
    validate: validateEndpointSlice,
    validateUpdate: validateEndpointSliceUpdate,
  },
  Lease: { defaults: (o: Lease) => setDefaultsLease(o), validate: validateLease, validateUpdate: validateLeaseUpdate },
  Event: { defaults: (o: Event) => setDefaultsEvent(o), validate: validateEvent, validateUpdate: validateEventUpdate },
};

function rulesFor(kind: string): KindRules {
  const rules = RULES[kind];
  if (rules === undefined) throw new Error(`defaults-and-validation: unknown kind ${JSON.stringify(kind)}`);
  return rules;
}

/**
 * A new, defaulted object: the scheme defaulters of the kind. Services get only SetDefaults_Service;
 * clusterIPs and IP families are the Service registry's (service/registry.ts).
 */
export function setDefaults(kind: string, obj: object): object {
  return rulesFor(kind).defaults(obj);
}

function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const s = errorString(e);
    if (seen.has(s)) return false;
    seen.add(s);
    return true;
  });
}

/** The field errors kube-apiserver reports for a create (no `old`) or an update, in its order. */
export function validate(kind: string, obj: object, old?: object): FieldError[] {
  const rules = rulesFor(kind);
  if (old === undefined) return rules.validate(obj);
  const o = obj as KubeObject;
  const prev = old as KubeObject;
  const namespaced = resourceByKind(kind)?.namespaced ?? true;
  return dedupe([
    ...validateObjectMeta(o.metadata, namespaced, nameIsPathSegment, 'metadata'),
    ...validateObjectMetaUpdate(o.metadata, prev.metadata, 'metadata'),
    ...rules.validateUpdate(o, prev),
  ]);
}
