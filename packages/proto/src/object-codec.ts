// ObjectEvent <-> Kubernetes JSON objects. The wire schema mirrors the JSON field names, so the
// conversion is protobufjs' own fromObject/toObject plus the IntOrString wrapper.
import './long-as-number.js';
import { wrapIntOrStrings } from './int-or-string.js';
import { kubemu } from '../generated/kubemu.js';
import { MAX_OBJECT_EVENT_BYTES } from './limits.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Kinds the log carries, by their AnyObject oneof field. */
export const OBJECT_FIELD_BY_KIND: Readonly<Record<string, keyof kubemu.v1.IAnyObject>> = {
  Service: 'service',
  Endpoints: 'endpoints',
  EndpointSlice: 'endpointSlice',
  Pod: 'pod',
  Node: 'node',
  Namespace: 'namespace',
  Deployment: 'deployment',
  StatefulSet: 'statefulSet',
  Lease: 'lease',
  ReplicaSet: 'replicaSet',
  Event: 'event',
};

const KIND_BY_FIELD: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OBJECT_FIELD_BY_KIND).map(([kind, field]) => [field, kind]),
);

export interface JsonObject {
  kind?: string;
  metadata?: { resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ObjectEventData {
  type: WatchEventType;
  object: JsonObject;
  timeUnixMilli: number;
  writer: string;
  author: string;
  notes?: string[];
}

export interface DecodedObjectEvent extends ObjectEventData {
  revision: number;
  kind: string;
}

export class CodecError extends Error {
  override name = 'CodecError';
}

const TO_OBJECT: Parameters<typeof kubemu.v1.ObjectEvent.toObject>[1] = { longs: Number, enums: String, defaults: false, arrays: false };

/** Encodes an accepted write. resourceVersion is not stored: it is the stream sequence. */
export function encodeObjectEvent(event: ObjectEventData): Uint8Array {
  const kind = event.object.kind;
  const field = kind === undefined ? undefined : OBJECT_FIELD_BY_KIND[kind];
  if (field === undefined) throw new CodecError(`kind ${JSON.stringify(kind)} is not carried by the event log`);
  const object = wrapIntOrStrings(kind!, { ...event.object, metadata: { ...event.object.metadata } });
  delete object.metadata.resourceVersion;
  let message: kubemu.v1.ObjectEvent;
  try {
    message = kubemu.v1.ObjectEvent.fromObject({
    type: event.type,
    object: { [field]: object },
    timeUnixMilli: event.timeUnixMilli,
    writer: event.writer,
    author: event.author,
    notes: event.notes ?? [],
    });
  } catch (err) {
    throw new CodecError(`cannot encode ${kind}: ${(err as Error).message}`);
  }
  const bytes = kubemu.v1.ObjectEvent.encode(message).finish();
  if (bytes.length > MAX_OBJECT_EVENT_BYTES) {
    throw new CodecError(`event is ${bytes.length} bytes; the limit is ${MAX_OBJECT_EVENT_BYTES}`);
  }
  return bytes;
}

/** Decodes a stored event, filling in revision and metadata.resourceVersion from the stream sequence. */
export function decodeObjectEvent(bytes: Uint8Array, revision: number): DecodedObjectEvent {
  if (bytes.length > MAX_OBJECT_EVENT_BYTES) throw new CodecError(`event is ${bytes.length} bytes; the limit is ${MAX_OBJECT_EVENT_BYTES}`);
  let message: kubemu.v1.ObjectEvent;
  try {
    message = kubemu.v1.ObjectEvent.decode(bytes);
  } catch (err) {
    throw new CodecError(`malformed ObjectEvent: ${(err as Error).message}`);
  }
  const plain = kubemu.v1.ObjectEvent.toObject(message, TO_OBJECT) as Record<string, unknown>;
  const type = plain.type as string | undefined;
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') throw new CodecError(`ObjectEvent has no valid type (${String(type)})`);
  const wrapper = (plain.object ?? {}) as Record<string, JsonObject>;
  const fields = Object.keys(wrapper).filter((k) => wrapper[k] != null && k in KIND_BY_FIELD);
  if (fields.length !== 1) throw new CodecError('ObjectEvent carries no object');
  const field = fields[0]!;
  const kind = KIND_BY_FIELD[field]!;
  const object: JsonObject = { ...wrapper[field]!, kind };
  object.metadata = { ...(object.metadata ?? {}), resourceVersion: String(revision) };
  return {
    revision,
    type,
    kind,
    object,
    timeUnixMilli: (plain.timeUnixMilli as number | undefined) ?? 0,
    writer: (plain.writer as string | undefined) ?? '',
    author: (plain.author as string | undefined) ?? '',
    notes: (plain.notes as string[] | undefined) ?? [],
  };
}

/** The object as the wire keeps it: unknown fields dropped, as kube-apiserver's decoding prunes them. */
export function roundTripObject(object: JsonObject): JsonObject {
  const bytes = encodeObjectEvent({ type: 'ADDED', object, timeUnixMilli: 0, writer: '', author: '' });
  const back = decodeObjectEvent(bytes, 0).object;
  if (back.metadata) delete back.metadata.resourceVersion;
  if (object.metadata?.resourceVersion !== undefined) back.metadata = { ...back.metadata, resourceVersion: object.metadata.resourceVersion };
  return back;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);

function collectUnknown(input: unknown, kept: unknown, path: string, out: string[]): void {
  if (Array.isArray(input)) {
    const keptArray = Array.isArray(kept) ? kept : [];
    input.forEach((item, i) => collectUnknown(item, keptArray[i], `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(input)) return;
  const keptObject = isPlainObject(kept) ? kept : {};
  for (const [k, v] of Object.entries(input)) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!(k in keptObject)) {
      if (!isEmpty(v)) out.push(p);
    } else collectUnknown(v, keptObject[k], p, out);
  }
}

/**
 * The fields of a Kubernetes JSON object the schema does not know, as strict decoding names them
 * ("spec.bogus", "spec.ports[0].nodeport"). Maps (labels, selector, …) keep every key, so only
 * real schema misses are reported.
 */
export function unknownFields(object: JsonObject): string[] {
  const out: string[] = [];
  collectUnknown(object, roundTripObject(object), '', out);
  return out.filter((p) => p !== 'metadata.resourceVersion');
}
