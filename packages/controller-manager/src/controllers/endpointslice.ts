// The EndpointSlice controller (pkg/controller/endpointslice): one sync per Service; the decision is
// core's reconcileEndpointSlices, this file performs its creates, updates and deletes.
import { EVENT_TYPE_WARNING, getObject, reconcileEndpointSlices, type EndpointSlice, type Node, type Pod, type Service } from '@kubemu/core';
import { isConflict, type ControllerDefinition } from '../controller.js';
import { objectsOfKind, parseKey, serviceKey, serviceKeysFor } from './service-keys.js';

/** Slices of one Service written at once. */
const WRITE_BATCH = 16;

export function endpointSliceController(options: { maxEndpointsPerSlice: number }): ControllerDefinition {
  return {
    name: 'endpointslice',
    keysFor: (event, previous, store) => serviceKeysFor(event, previous, store, 'EndpointSlice'),
    initialKeys: (store) => objectsOfKind<Service>(store, 'Service').map((s) => serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? '')),
    async sync(key, { store, api, now, events }) {
      const { namespace, name } = parseKey(key);
      // A deleted Service's slices go through the garbage collector (their ownerReference).
      const service = getObject(store, 'Service', namespace, name)?.object as Service | undefined;
      if (!service || service.metadata?.deletionTimestamp !== undefined) return;
      const changes = reconcileEndpointSlices(service, objectsOfKind<Pod>(store, 'Pod', namespace), objectsOfKind<EndpointSlice>(store, 'EndpointSlice', namespace), {
        maxEndpointsPerSlice: options.maxEndpointsPerSlice,
        nodes: objectsOfKind<Node>(store, 'Node'),
        lastChangeTriggerTime: now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      // reconciler.go finalize: creates and updates before deletes, so a Service never has a moment without endpoints.
      const writes: (() => Promise<unknown>)[] = [
        ...changes.create.map((s) => () => api.create({ ...s, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })),
        ...changes.update.map((s) => () => api.update({ ...s, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })),
      ];
      try {
        for (let i = 0; i < writes.length; i += WRITE_BATCH) await Promise.all(writes.slice(i, i + WRITE_BATCH).map((w) => w()));
        for (let i = 0; i < changes.delete.length; i += WRITE_BATCH) {
          await Promise.all(changes.delete.slice(i, i + WRITE_BATCH).map((s) => api.delete({ ...s, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })));
        }
      } catch (err) {
        // endpointslice_controller.go syncService: a failed reconcile is a Warning on the Service (a stale cache's conflict is not).
        if (!isConflict(err)) {
          events('endpointslice-controller').event(
            service,
            EVENT_TYPE_WARNING,
            'FailedToUpdateEndpointSlices',
            `Error updating Endpoint Slices for Service ${namespace}/${name}: ${(err as Error)?.message ?? String(err)}`,
          );
        }
        throw err;
      }
      // endpointslice_controller.go: pods on nodes not yet known are retried once the node shows up (a Node event requeues).
      return undefined;
    },
  };
}
