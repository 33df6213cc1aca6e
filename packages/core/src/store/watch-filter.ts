// What a filtered watch sends for one event (k8s.io/apiserver/pkg/storage/cacher cacheWatcher
// convertToWatchEvent): an object entering the selection is ADDED, leaving it is DELETED.
import type { KubeObject } from '../api/types.js';
import type { LogEvent, WatchEventType } from './object-store.js';

export function watchEventFor(
  event: LogEvent,
  prev: KubeObject | undefined,
  matches: (o: KubeObject) => boolean,
): { type: WatchEventType; object: KubeObject } | undefined {
  const prevPasses = prev !== undefined && matches(prev);
  if (event.type === 'DELETED') return prevPasses || matches(event.object) ? { type: 'DELETED', object: event.object } : undefined;
  const curPasses = matches(event.object);
  if (curPasses && prevPasses) return { type: 'MODIFIED', object: event.object };
  if (curPasses) return { type: 'ADDED', object: event.object };
  if (prevPasses) {
    // The old version, stamped with the revision at which it stopped matching.
    const gone = structuredClone(prev);
    gone.metadata = { ...gone.metadata, resourceVersion: String(event.revision) };
    return { type: 'DELETED', object: gone };
  }
  return undefined;
}
