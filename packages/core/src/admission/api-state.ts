// The api-store's whole domain state: the folded objects plus the Service allocations derived from
// them. evolveApiState is the decider's evolve: the only way either changes.
import { emptyObjectStore, applyLogEvent, getObject, keyOf, type LogEvent, type ObjectStore } from '../store/object-store.js';
import type { Service } from '../api/types.js';
import {
  applyCommittedServiceInPlace,
  emptyServiceAllocations,
  serviceAllocationConfig,
  type ServiceAllocationConfig,
  type ServiceAllocations,
} from '../service/allocation.js';

export interface ApiState {
  store: ObjectStore;
  allocations: ServiceAllocations;
}

export interface AllocationFlags {
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
}

const configCache = new Map<string, ServiceAllocationConfig>();

/** serviceAllocationConfig, parsed once per distinct pair of flags. */
export function allocationConfigFor(flags: AllocationFlags): ServiceAllocationConfig {
  const key = `${flags.serviceClusterIPRange ?? ''}|${flags.serviceNodePortRange ?? ''}`;
  let config = configCache.get(key);
  if (!config) {
    config = serviceAllocationConfig(flags);
    configCache.set(key, config);
  }
  return config;
}

export function emptyApiState(flags: AllocationFlags = {}): ApiState {
  return { store: emptyObjectStore(), allocations: emptyServiceAllocations(allocationConfigFor(flags)) };
}

/**
 * Folds one log event into the objects and, for Services, into the allocations. Like the store,
 * the allocations are updated in place: the fold owns its state alone, and a copy per event would
 * make every write cost as much as all the Services before it. Speculation and admission work on
 * O(1) clones (speculation.ts, service/allocation.ts), which later folds leave untouched.
 */
export function evolveApiState(state: ApiState, event: LogEvent): ApiState {
  if (event.kind === 'Service') {
    const key = keyOf(event.kind, event.object);
    const prev = state.store.objects.get(key)?.object as Service | undefined;
    applyCommittedServiceInPlace(state.allocations, prev, event.type === 'DELETED' ? undefined : (event.object as Service));
  }
  applyLogEvent(state.store, event);
  return { store: state.store, allocations: state.allocations };
}

export { getObject };
