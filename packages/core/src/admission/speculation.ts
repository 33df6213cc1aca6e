// Deciding a batch of writes before the log has confirmed any of them: each write is decided
// against the folded state plus the writes ahead of it in the batch. The speculative state is an
// overlay; the folded state is never touched, so a refused append leaves nothing behind.
import { applyCommittedService } from '../service/allocation.js';
import type { Service } from '../api/types.js';
import { applyLogEvent, keyOf, type LogEvent } from '../store/object-store.js';
import { OverlayMap } from '../store/overlay-map.js';
import type { ApiState } from './api-state.js';

export function speculativeState(state: ApiState): ApiState {
  return { store: { revision: state.store.revision, objects: new OverlayMap(state.store.objects) }, allocations: state.allocations };
}

/** Folds a decided (not yet appended) write into a speculative state. */
export function evolveSpeculative(spec: ApiState, event: LogEvent): ApiState {
  let allocations = spec.allocations;
  if (event.kind === 'Service') {
    const prev = spec.store.objects.get(keyOf(event.kind, event.object))?.object as Service | undefined;
    // The pure path: the folded state's allocators stay as the log left them.
    allocations = applyCommittedService(allocations, prev, event.type === 'DELETED' ? undefined : (event.object as Service));
  }
  applyLogEvent(spec.store, event);
  return { store: spec.store, allocations };
}
