// The /scale subresource of Deployments, ReplicaSets and StatefulSets: autoscaling/v1 Scale
// (pkg/registry/apps/{deployment,replicaset,statefulset}/storage ScaleREST, scaleFromDeployment /
// scaleFromReplicaSet / scaleFromStatefulSet).
import { labelSelectorString } from '../printers/labels.js';
import type { KubeObject, LabelSelector } from './types.js';

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface Scalable extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

export const SCALABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

export function scaleOf(obj: KubeObject, resourceVersion: string): Scale {
  const o = obj as Scalable;
  const m = o.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: labelSelectorString(o.spec?.selector) },
  };
}

/** The object with the Scale's spec.replicas; the Scale's resourceVersion is the object's precondition. */
export function withScale(obj: KubeObject, scale: Scale): KubeObject {
  const o = structuredClone(obj) as Scalable;
  o.spec = { ...o.spec, replicas: scale.spec?.replicas ?? 0 };
  const rv = scale.metadata?.resourceVersion;
  o.metadata = { ...o.metadata };
  if (rv !== undefined && rv !== '') o.metadata.resourceVersion = rv;
  else delete o.metadata.resourceVersion;
  return o;
}
