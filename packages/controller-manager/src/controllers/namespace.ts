// The namespace controller (pkg/controller/namespace/deletion/namespaced_resources_deleter.go): a namespace
// with a deletionTimestamp has its content deleted; once nothing is left, the `kubernetes` finalizer is
// removed through namespaces/<name>/finalize, and the api-store deletes the namespace.
import { getObject, objectKey, RESOURCES, type KubeObject, type Namespace } from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isNotFound } from '../controller.js';
import { objectsOfKind, parseKey } from './service-keys.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
/** deleteAllContent is retried while pods finish terminating (namespace_controller.go requeues the namespace). */
const CONTENT_REMAINING_RETRY_MS = 1_000;

export function namespaceController(): ControllerDefinition {
  const nsKey = (name: string): string => objectKey('Namespace', '', name);
  return {
    name: 'namespace',
    keysFor(event) {
      if (event.kind === 'Namespace') return [nsKey(event.object.metadata?.name ?? '')];
      // Content leaving a terminating namespace may be what it waits for.
      if (event.type === 'DELETED' && event.object.metadata?.namespace) return [nsKey(event.object.metadata.namespace)];
      return [];
    },
    initialKeys: (store) => objectsOfKind<Namespace>(store, 'Namespace').filter((n) => n.metadata?.deletionTimestamp).map((n) => nsKey(n.metadata?.name ?? '')),
    async sync(key, { store, api, log }) {
      const { name } = parseKey(key);
      const ns = getObject(store, 'Namespace', '', name)?.object as Namespace | undefined;
      if (!ns || ns.metadata?.deletionTimestamp === undefined) return;
      const content: KubeObject[] = [];
      for (const r of RESOURCES) if (r.namespaced) content.push(...objectsOfKind(store, r.kind, name));
      if (content.length > 0) {
        const pending = content.filter((o) => o.metadata?.deletionTimestamp === undefined);
        const results = await Promise.allSettled(pending.map((o) => api.delete({ ...o, kind: o.kind ?? '' })));
        const failed = results.find((r) => r.status === 'rejected' && !isNotFound((r as PromiseRejectedResult).reason));
        if (failed) throw (failed as PromiseRejectedResult).reason;
        log.info({ namespace: name, remaining: content.length }, 'deleting namespace content');
        return { requeueAfterMs: CONTENT_REMAINING_RETRY_MS };
      }
      const finalizers = ns.spec?.finalizers ?? [];
      if (!finalizers.includes(FINALIZER_KUBERNETES)) return;
      await api.put(`/api/v1/namespaces/${name}/finalize`, {
        ...ns,
        spec: { ...ns.spec, finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) },
      });
      log.info({ namespace: name }, 'namespace finalized');
      return undefined;
    },
  };
}
