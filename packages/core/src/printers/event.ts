// `kubectl get events`: printers.go eventColumnDefinitions, printEvent. LAST SEEN falls back to the
// first time, which falls back to eventTime (events written the events.k8s.io way); a series wins.
import type { Event } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { column, NAME_DESCRIPTION, type KindPrinter, type TableRow } from './table.js';

const FIELD_PATH_DESCRIPTION =
  'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.';

export const eventColumns = [
  column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'The object that this event is about.'),
  column('Subobject', FIELD_PATH_DESCRIPTION, { priority: 1 }),
  column('Source', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'The number of times this event has occurred.', { type: 'integer', priority: 1 }),
  column('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
] as const;

/** printers.go formatEventSource: component (or reportingController), then ", host" (or reportingInstance). */
export function formatEventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventPrinter: KindPrinter<Event> = {
  columns: eventColumns,
  printRow(e, options): TableRow {
    let firstTimestamp = translateTimestampSince(e.firstTimestamp, options.now);
    if (!e.firstTimestamp) firstTimestamp = translateTimestampSince(e.eventTime, options.now);
    let lastTimestamp = translateTimestampSince(e.lastTimestamp, options.now);
    if (!e.lastTimestamp) lastTimestamp = firstTimestamp;
    let count = e.count ?? 0;
    if (e.series) {
      lastTimestamp = translateTimestampSince(e.series.lastObservedTime, options.now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events don't have a count set in the new API.
      count = 1;
    }
    const kind = (e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    const message = (e.message ?? '').trim();
    const cells = options.wide
      ? [lastTimestamp, e.type ?? '', e.reason ?? '', target, e.involvedObject?.fieldPath ?? '', formatEventSource(e), message, firstTimestamp, count, e.metadata?.name ?? '']
      : [lastTimestamp, e.type ?? '', e.reason ?? '', target, message];
    return { cells, object: e };
  },
};
