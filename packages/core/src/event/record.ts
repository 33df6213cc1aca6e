// Building core/v1 Events as client-go's recorders do (tools/record/event.go makeEvent and
// generateEvent; tools/events/event_recorder.go for the events.k8s.io kind the scheduler writes).
// Pure: the time comes in as an argument.
import type { Event, EventSource, KubeObject, ObjectReference } from '../api/types.js';
import { resourceByKind } from '../api/resources.js';

export const EVENT_TYPE_NORMAL = 'Normal';
export const EVENT_TYPE_WARNING = 'Warning';

/** reference.GetReference: kind, namespace, name, uid, apiVersion, resourceVersion of the object. */
export function objectReference(obj: KubeObject, fieldPath?: string): ObjectReference {
  const r = resourceByKind(obj.kind ?? '');
  const apiVersion = obj.apiVersion ?? (r === undefined ? undefined : r.group === '' ? r.version : `${r.group}/${r.version}`);
  const md = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind ?? '' };
  if (md.namespace) ref.namespace = md.namespace;
  ref.name = md.name ?? '';
  if (md.uid) ref.uid = md.uid;
  if (apiVersion) ref.apiVersion = apiVersion;
  if (md.resourceVersion) ref.resourceVersion = md.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/**
 * The kubelet's reference to its Node (kubelet.go nodeRef): no apiVersion, the node's name as its
 * uid. Cluster-scoped, so the event lives in "default"; kubectl describe node asks for both uids.
 */
export function kubeletNodeReference(nodeName: string): ObjectReference {
  return { kind: 'Node', name: nodeName, uid: nodeName };
}

/** nodeutil.RecordNodeEvent / RecordNodeStatusChange: the node controller's reference. */
export function controllerNodeReference(nodeName: string, uid: string): ObjectReference {
  return { kind: 'Node', name: nodeName, uid, apiVersion: 'v1' };
}

/** Go's `fmt.Sprintf("%v.%x", name, t.UnixNano())`: the event's name. */
export function eventName(objectName: string, unixNanos: bigint): string {
  return `${objectName}.${unixNanos.toString(16)}`;
}

/**
 * The clock reading for the next event: `nowNanos`, or just after `lastNanos` so one recorder never
 * names two events alike. (Across processes, the sub-millisecond part of `nowNanos` keeps names
 * apart as Go's nanosecond clock does: the kubelet and the node controller name events of one Node.)
 */
export function nextEventNanos(lastNanos: bigint, nowNanos: bigint): bigint {
  return nowNanos > lastNanos ? nowNanos : lastNanos + 1n;
}

/** metav1.Time in JSON: RFC 3339 to the second. */
export function eventTimestamp(unixNanos: bigint): string {
  return new Date(Number(unixNanos / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime in JSON: RFC 3339 with six fractional digits. */
export function eventMicroTime(unixNanos: bigint): string {
  const micros = (unixNanos / 1000n) % 1_000_000n;
  return eventTimestamp(unixNanos).replace(/Z$/, `.${micros.toString().padStart(6, '0')}Z`);
}

/** record/event.go makeEvent: a new core/v1 event, count 1, first = last = now. */
export function makeEvent(ref: ObjectReference, source: EventSource, type: string, reason: string, message: string, unixNanos: bigint): Event {
  const at = eventTimestamp(unixNanos);
  const event: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(ref.name ?? '', unixNanos), namespace: ref.namespace || 'default' },
    involvedObject: { ...ref },
    reason,
    message,
    source: { ...source },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type,
    eventTime: undefined,
    reportingComponent: source.component ?? '',
    reportingInstance: source.host ?? '',
  };
  delete event.eventTime;
  return event;
}

/**
 * events/event_recorder.go generateEvent, as core/v1 sees an events.k8s.io/v1 Event: eventTime,
 * action and the reporting controller and instance; no source, first or last timestamp, count.
 */
export function makeNewStyleEvent(
  regarding: ObjectReference,
  related: ObjectReference | undefined,
  reportingController: string,
  reportingInstance: string,
  type: string,
  reason: string,
  action: string,
  note: string,
  unixNanos: bigint,
): Event {
  const event: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(regarding.name ?? '', unixNanos), namespace: regarding.namespace || 'default' },
    involvedObject: { ...regarding },
    reason,
    message: note,
    source: {},
    type,
    eventTime: eventMicroTime(unixNanos),
    action,
    reportingComponent: reportingController,
    reportingInstance,
  };
  if (related !== undefined) event.related = { ...related };
  return event;
}
