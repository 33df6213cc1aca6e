// The Endpoints controller (pkg/controller/endpoint): the core/v1 Endpoints mirror of each selector
// Service, decided by core's desiredEndpoints/endpointsEqual/endpointsForUpdate.
import { desiredEndpoints, endpointsEqual, endpointsForUpdate, getObject, type Endpoints, type Pod, type Service } from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isNotFound } from '../controller.js';
import { objectsOfKind, parseKey, serviceKey, serviceKeysFor } from './service-keys.js';

export function endpointsController(): ControllerDefinition {
  return {
    name: 'endpoints',
    keysFor: (event, previous, store) => serviceKeysFor(event, previous, store, 'Endpoints'),
    initialKeys: (store) => [
      ...objectsOfKind<Service>(store, 'Service').map((s) => serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? '')),
      // checkLeftoverEndpoints: Endpoints whose Service went while the controller was down.
      ...objectsOfKind<Endpoints>(store, 'Endpoints').map((e) => serviceKey(e.metadata?.namespace ?? '', e.metadata?.name ?? '')),
    ],
    async sync(key, { store, api }) {
      const { namespace, name } = parseKey(key);
      const service = getObject(store, 'Service', namespace, name)?.object as Service | undefined;
      const current = getObject(store, 'Endpoints', namespace, name)?.object as Endpoints | undefined;
      if (!service) {
        // syncService: the Service has been deleted, so is its Endpoints.
        if (current) await api.delete({ ...current, kind: 'Endpoints' }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
        return;
      }
      if (service.metadata?.deletionTimestamp !== undefined) return;
      const desired = desiredEndpoints(service, objectsOfKind<Pod>(store, 'Pod', namespace));
      if (desired === undefined) return; // selector-less: the user's Endpoints, untouched
      if (!current) {
        await api.create(desired);
        return;
      }
      if (endpointsEqual(current, desired)) return;
      await api.update({ ...endpointsForUpdate(current, desired), kind: 'Endpoints', apiVersion: 'v1' });
    },
  };
}
