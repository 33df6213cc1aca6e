// Which Services an event concerns, for the EndpointSlice and Endpoints controllers
// (endpointslice_controller.go onServiceUpdate/onPodUpdate/onEndpointSliceUpdate, via
// endpointsliceutil.GetPodServiceMemberships: the Services whose selector matches the pod's old or new labels).
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  ENDPOINTSLICE_CONTROLLER_NAME,
  objectKey,
  selectorMatches,
  type KubeObject,
  type LogEvent,
  type ObjectStore,
  type Pod,
  type Service,
} from '@kubemu/core';

export function serviceKey(namespace: string, name: string): string {
  return objectKey('Service', namespace, name);
}

export function parseKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

export function servicesInNamespace(store: ObjectStore, namespace: string): Service[] {
  const prefix = `Service/${namespace}/`;
  const out: Service[] = [];
  for (const [key, stored] of store.objects) if (key.startsWith(prefix)) out.push(stored.object as Service);
  return out;
}

export function objectsOfKind<T extends KubeObject>(store: ObjectStore, kind: string, namespace?: string): T[] {
  const prefix = namespace === undefined ? `${kind}/` : `${kind}/${namespace}/`;
  const out: T[] = [];
  for (const [key, stored] of store.objects) if (key.startsWith(prefix)) out.push(stored.object as T);
  return out;
}

export function serviceKeysFor(event: LogEvent, previous: KubeObject | undefined, store: ObjectStore, endpointsKind: 'EndpointSlice' | 'Endpoints'): string[] {
  const ns = event.object.metadata?.namespace ?? '';
  switch (event.kind) {
    case 'Service':
      return [serviceKey(ns, event.object.metadata?.name ?? '')];
    case 'Pod': {
      const pod = event.object as Pod;
      const before = previous as Pod | undefined;
      return servicesInNamespace(store, ns)
        .filter((s) => selectorMatches(s.spec?.selector, pod.metadata?.labels) || (before !== undefined && selectorMatches(s.spec?.selector, before.metadata?.labels)))
        .map((s) => serviceKey(ns, s.metadata?.name ?? ''));
    }
    case 'EndpointSlice': {
      if (endpointsKind !== 'EndpointSlice') return [];
      const labels = event.object.metadata?.labels ?? {};
      const service = labels[LABEL_SERVICE_NAME];
      if (service === undefined || labels[LABEL_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER_NAME) return [];
      return [serviceKey(ns, service)];
    }
    case 'Endpoints':
      return endpointsKind === 'Endpoints' ? [serviceKey(ns, event.object.metadata?.name ?? '')] : [];
    case 'Node':
      // A node appearing or going changes which pods count (their node must exist) and zones.
      if (endpointsKind === 'EndpointSlice' && (event.type !== 'MODIFIED' || previous === undefined)) {
        return objectsOfKind<Service>(store, 'Service').map((s) => serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? ''));
      }
      return [];
    default:
      return [];
  }
}
