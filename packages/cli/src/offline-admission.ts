// Admission without a cluster: the api-store's own decider (core admitCreate/admitUpdate) over an
// in-memory state that starts as a new cluster does (bootstrapObjects) and folds in every object
// it accepts, so a nodePort or a name taken earlier in the same files is reported like the
// api-store would report it.
import { randomInt, randomUUID } from 'node:crypto';
import {
  admitCreate,
  admitUpdate,
  applyMergePatch,
  bootstrapObjects,
  emptyApiState,
  evolveApiState,
  getObject,
  resourceByKind,
  type AdmissionConfig,
  type AdmissionContext,
  type ApiState,
  type Decision,
  type KubeObject,
  type ResourceInfo,
} from '@kubemu/core';
import { planApply } from './apply-patch.js';

/** What the default/kubernetes Endpoints point at in a new cluster (kubemu up's api-store). */
const BOOTSTRAP_API_ADDRESS = '127.0.0.1';
const BOOTSTRAP_API_PORT = 6443;

export class OfflineCluster {
  private state: ApiState;
  private revision = 0;

  constructor(
    private readonly config: AdmissionConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = emptyApiState(config);
    // As the api-store's bootstrap: what admission refuses is left out, not fatal (the loopback
    // address of default/kubernetes Endpoints is refused, as kube-apiserver would refuse it).
    for (const object of bootstrapObjects(config.serviceClusterIPRange, BOOTSTRAP_API_ADDRESS, BOOTSTRAP_API_PORT)) {
      this.commit(admitCreate(resourceByKind(object.kind!)!, object, object.metadata?.namespace, this.state, this.context()));
    }
  }

  private context(): AdmissionContext {
    return { now: this.now(), random: { int: (n) => randomInt(n) }, newUid: randomUUID, config: this.config };
  }

  private commit(d: Decision): Decision {
    if (d.ok && 'write' in d) {
      this.revision++;
      const object: KubeObject = { ...d.write.object, metadata: { ...d.write.object.metadata, resourceVersion: String(this.revision) } };
      this.state = evolveApiState(this.state, {
        revision: this.revision,
        type: d.write.type,
        kind: object.kind!,
        object,
        timeUnixMilli: this.now().getTime(),
        writer: 'kubemu validate',
      });
    }
    return d;
  }

  /** What `kubemu apply` of this object would get from a cluster holding everything admitted so far. */
  apply(r: ResourceInfo, object: KubeObject): Decision {
    const namespace = r.namespaced ? (object.metadata?.namespace ?? 'default') : '';
    const name = object.metadata?.name ?? '';
    const live = getObject(this.state.store, r.kind, namespace, name)?.object;
    const plan = planApply(object, live);
    switch (plan.action) {
      case 'create':
        return this.commit(admitCreate(r, plan.object, r.namespaced ? namespace : undefined, this.state, this.context()));
      case 'unchanged':
        return { ok: true, noop: live! };
      case 'patch': {
        const body = applyMergePatch(live, plan.patch) as KubeObject;
        return this.commit(admitUpdate(r, body, r.namespaced ? namespace : undefined, name, this.state, this.context()));
      }
    }
  }
}
