// Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf, what client-go's typed
// clients and so `kubectl create namespace|deployment|service` send) decoded to the Kubernetes JSON
// object the same request would carry as JSON, so admission sees one shape whatever the wire.
//
// The body is "k8s\0" then a runtime.Unknown whose raw field holds the object's own message
// (apimachinery runtime/serializer/protobuf). The schemas are proto/k8s; the walk below reads them
// by reflection, checking wire types and bounds the way Go's generated Unmarshal does, and turns
// the special types (Time, MicroTime, Duration, IntOrString, Quantity) into their JSON forms.
import './long-as-number.js';
import $protobuf from 'protobufjs/light.js';
import descriptor from '../generated/k8s-descriptor.js';

export const KUBERNETES_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** kube-apiserver's --max-request-bytes default: no body it accepts is larger. */
export const MAX_KUBERNETES_PROTOBUF_BYTES = 3 * 1024 * 1024;
/** Deepest message nesting decoded; a Deployment's probe port sits 10 messages deep. */
export const MAX_KUBERNETES_PROTOBUF_DEPTH = 32;

/** runtime/serializer/protobuf protoEncodingPrefix. */
const PREFIX = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export type KubernetesProtobufErrorReason = 'empty' | 'prefix' | 'malformed' | 'unserved' | 'too-large';

/**
 * A body that cannot be decoded. The message is Go's text for the same failure (apimachinery's
 * protobuf serializer and the generated Unmarshal code). typeMeta is set once the envelope decoded:
 * kube-apiserver then names the body's kind in its error.
 */
export class KubernetesProtobufError extends Error {
  override name = 'KubernetesProtobufError';
  constructor(
    readonly reason: KubernetesProtobufErrorReason,
    message: string,
    readonly typeMeta?: { apiVersion: string; kind: string },
  ) {
    super(message);
  }
}

export interface KubernetesEnvelope {
  apiVersion: string;
  kind: string;
  /** The object's own message. */
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export interface KubernetesJsonObject {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}

const root = $protobuf.Root.fromJSON(descriptor).resolveAll();
const lookup = (name: string): $protobuf.Type => root.lookupType(`kubemu.k8s.${name}`);

/** The group versions kubemu serves. DeleteOptions travels under any of them or meta.k8s.io/v1. */
const SERVED_VERSIONS = ['v1', 'apps/v1', 'discovery.k8s.io/v1', 'coordination.k8s.io/v1'];

/** The kinds kubemu decodes, with the group versions they may arrive under. */
export const KUBERNETES_PROTOBUF_KINDS: Readonly<Record<string, { apiVersions: readonly string[]; type: $protobuf.Type }>> = {
  Namespace: { apiVersions: ['v1'], type: lookup('core.v1.Namespace') },
  Service: { apiVersions: ['v1'], type: lookup('core.v1.Service') },
  Endpoints: { apiVersions: ['v1'], type: lookup('core.v1.Endpoints') },
  Pod: { apiVersions: ['v1'], type: lookup('core.v1.Pod') },
  Node: { apiVersions: ['v1'], type: lookup('core.v1.Node') },
  EndpointSlice: { apiVersions: ['discovery.k8s.io/v1'], type: lookup('discovery.v1.EndpointSlice') },
  Deployment: { apiVersions: ['apps/v1'], type: lookup('apps.v1.Deployment') },
  StatefulSet: { apiVersions: ['apps/v1'], type: lookup('apps.v1.StatefulSet') },
  ReplicaSet: { apiVersions: ['apps/v1'], type: lookup('apps.v1.ReplicaSet') },
  Lease: { apiVersions: ['coordination.k8s.io/v1'], type: lookup('coordination.v1.Lease') },
  Event: { apiVersions: ['v1'], type: lookup('core.v1.Event') },
  DeleteOptions: { apiVersions: ['meta.k8s.io/v1', ...SERVED_VERSIONS], type: lookup('meta.v1.DeleteOptions') },
};

const UNKNOWN = lookup('runtime.Unknown');
const TIME = 'kubemu.k8s.meta.v1.Time';
const MICRO_TIME = 'kubemu.k8s.meta.v1.MicroTime';
const DURATION = 'kubemu.k8s.meta.v1.Duration';
const INT_OR_STRING = 'kubemu.k8s.intstr.IntOrString';
const QUANTITY = 'kubemu.k8s.resource.Quantity';

// ---- the wire walk --------------------------------------------------------------------------

/** A decoded message before its JSON form: field name → scalar, Fields, array or map. */
type Fields = Map<string, unknown>;

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool', 'enum']);

/** Go's generated code names the struct field in its errors: the JSON name, capitalised. */
const goName = (field: string): string => field.charAt(0).toUpperCase() + field.slice(1);

function wireError(err: unknown): KubernetesProtobufError {
  if (err instanceof KubernetesProtobufError) return err;
  const message = String((err as Error)?.message ?? err);
  if (err instanceof RangeError || /index out of range/.test(message)) return new KubernetesProtobufError('malformed', 'unexpected EOF');
  if (/invalid varint/.test(message)) return new KubernetesProtobufError('malformed', 'proto: integer overflow');
  const wire = /invalid wire type (\d+)/.exec(message);
  if (wire) return new KubernetesProtobufError('malformed', `proto: illegal wireType ${wire[1]}`);
  return new KubernetesProtobufError('malformed', `proto: ${message}`);
}

function readScalar(reader: $protobuf.Reader, type: string): unknown {
  switch (type) {
    case 'string':
      return reader.string();
    case 'bytes':
      return reader.bytes();
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'int64':
      return Number(reader.int64());
    case 'uint64':
      return Number(reader.uint64());
    default:
      throw new KubernetesProtobufError('malformed', `proto: field type ${type} is not decoded`);
  }
}

function expectedWireType(field: $protobuf.Field): number {
  if (field.map || field.resolvedType instanceof $protobuf.Type) return WIRE_BYTES;
  return VARINT_TYPES.has(field.type) ? WIRE_VARINT : WIRE_BYTES;
}

function readValue(reader: $protobuf.Reader, field: $protobuf.Field, depth: number, into?: Fields): unknown {
  if (field.resolvedType instanceof $protobuf.Type) {
    const length = reader.uint32();
    return readMessage(reader, reader.pos + length, field.resolvedType, depth + 1, into);
  }
  return readScalar(reader, field.type);
}

/** A map entry is a message of key = 1 and value = 2, either of which may be absent. */
function readMapEntry(reader: $protobuf.Reader, field: $protobuf.Field, depth: number): [string, unknown] {
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
  let key = '';
  let value: unknown;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    if (id === 1 && wire === WIRE_BYTES) key = reader.string();
    else if (id === 2 && wire === WIRE_BYTES) value = readValue(reader, field, depth);
    else reader.skipType(wire);
  }
  if (reader.pos !== end) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
  return [key, value ?? (field.resolvedType instanceof $protobuf.Type ? new Map() : '')];
}

const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;

/** Skips an unknown field; groups are walked without recursion, their nesting bounded. */
function skipField(reader: $protobuf.Reader, wire: number, depth: number): void {
  if (wire === WIRE_VARINT) {
    // Go's skip refuses a varint longer than 64 bits; protobufjs' skipType would not.
    for (let n = 1; reader.buf[reader.pos++]! & 0x80; n++) {
      if (reader.pos >= reader.len) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
      if (n >= 10) throw new KubernetesProtobufError('malformed', 'proto: integer overflow');
    }
    if (reader.pos > reader.len) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
    return;
  }
  if (wire !== WIRE_START_GROUP) {
    reader.skipType(wire);
    return;
  }
  let open = 1;
  while (open > 0) {
    if (depth + open > MAX_KUBERNETES_PROTOBUF_DEPTH) {
      throw new KubernetesProtobufError('malformed', `protobuf message nesting exceeds ${MAX_KUBERNETES_PROTOBUF_DEPTH} levels`);
    }
    const inner = reader.uint32() & 7;
    if (inner === WIRE_START_GROUP) open++;
    else if (inner === WIRE_END_GROUP) open--;
    else reader.skipType(inner);
  }
}

function readMessage(reader: $protobuf.Reader, end: number, type: $protobuf.Type, depth: number, into?: Fields): Fields {
  if (depth > MAX_KUBERNETES_PROTOBUF_DEPTH) {
    throw new KubernetesProtobufError('malformed', `protobuf message nesting exceeds ${MAX_KUBERNETES_PROTOBUF_DEPTH} levels`);
  }
  if (end > reader.len) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
  const fields: Fields = into ?? new Map();
  while (reader.pos < end) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    if (wire === WIRE_END_GROUP) throw new KubernetesProtobufError('malformed', `proto: ${type.name}: wiretype end group for non-group`);
    if (id <= 0) throw new KubernetesProtobufError('malformed', `proto: ${type.name}: illegal tag ${id} (wire type ${wire})`);
    const field = type.fieldsById[id];
    if (field === undefined) {
      skipField(reader, wire, depth); // unknown fields are dropped, as kube-apiserver drops them
      continue;
    }
    if (wire !== expectedWireType(field)) {
      throw new KubernetesProtobufError('malformed', `proto: wrong wireType = ${wire} for field ${goName(field.name)}`);
    }
    if (field.map) {
      const [key, value] = readMapEntry(reader, field, depth);
      const map = (fields.get(field.name) as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
      map.set(key, value);
      fields.set(field.name, map);
    } else if (field.repeated) {
      const list = (fields.get(field.name) as unknown[] | undefined) ?? [];
      list.push(readValue(reader, field, depth));
      fields.set(field.name, list);
    } else {
      // A message field seen twice merges, a scalar's last value wins (proto2 semantics, as Go's).
      const previous = fields.get(field.name);
      fields.set(field.name, readValue(reader, field, depth, previous instanceof Map ? (previous as Fields) : undefined));
    }
  }
  if (reader.pos !== end) throw new KubernetesProtobufError('malformed', 'unexpected EOF');
  return fields;
}

function decodeFields(bytes: Uint8Array, type: $protobuf.Type): Fields {
  const reader = $protobuf.Reader.create(bytes);
  try {
    return readMessage(reader, bytes.length, type, 0);
  } catch (err) {
    throw wireError(err);
  }
}

// ---- the JSON form ---------------------------------------------------------------------------

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Go's time.Unix(seconds, nanos).UTC(), rejected like Time.MarshalJSON outside years 0-9999. */
function utcDate(fields: Fields): { date: Date; nanos: number } {
  const seconds = (fields.get('seconds') as number | undefined) ?? 0;
  const nanos = (fields.get('nanos') as number | undefined) ?? 0;
  const date = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999) {
    throw new KubernetesProtobufError('malformed', 'Time.MarshalJSON: year outside of range [0,9999]');
  }
  return { date, nanos: ((nanos % 1e9) + 1e9) % 1e9 };
}

function rfc3339Seconds(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
}

/** metav1.Time: "2006-01-02T15:04:05Z"; an empty message is the zero time, which JSON writes as null. */
function timeJson(fields: Fields): string | undefined {
  if (fields.size === 0) return undefined;
  return `${rfc3339Seconds(utcDate(fields).date)}Z`;
}

/** metav1.MicroTime: "2006-01-02T15:04:05.000000Z". */
function microTimeJson(fields: Fields): string | undefined {
  if (fields.size === 0) return undefined;
  const { date, nanos } = utcDate(fields);
  return `${rfc3339Seconds(date)}.${pad(Math.floor(nanos / 1000), 6)}Z`;
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function goDurationString(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let n = Math.abs(nanoseconds);
  const fraction = (value: number, digits: number): string => {
    const whole = Math.floor(value / 10 ** digits);
    const rest = String(value % 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
    return rest === '' ? String(whole) : `${whole}.${rest}`;
  };
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${fraction(n, 3)}µs`;
  if (n < 1e9) return `${sign}${fraction(n, 6)}ms`;
  const hours = Math.floor(n / 3.6e12);
  n -= hours * 3.6e12;
  const minutes = Math.floor(n / 6e10);
  n -= minutes * 6e10;
  const seconds = `${fraction(n, 9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

/** The JSON value of a present message field; undefined leaves the field out. */
function messageJson(type: $protobuf.Type, fields: Fields): unknown {
  switch (type.fullName.slice(1)) {
    case TIME:
      return timeJson(fields);
    case MICRO_TIME:
      return microTimeJson(fields);
    case DURATION:
      return goDurationString((fields.get('duration') as number | undefined) ?? 0);
    case INT_OR_STRING:
      // intstr.Type: 0 is Int, 1 is String.
      return fields.get('type') === 1 ? ((fields.get('strVal') as string | undefined) ?? '') : ((fields.get('intVal') as number | undefined) ?? 0);
    case QUANTITY:
      return (fields.get('string') as string | undefined) ?? '';
    default:
      return objectJson(type, fields);
  }
}

const isZero = (v: unknown): boolean => v === '' || v === 0 || v === false;

function objectJson(type: $protobuf.Type, fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!fields.has(field.name)) continue;
    const value = fields.get(field.name);
    const message = field.resolvedType instanceof $protobuf.Type ? field.resolvedType : undefined;
    const json = (v: unknown): unknown => (message ? messageJson(message, v as Fields) : v);
    if (field.map) {
      out[field.name] = Object.fromEntries([...(value as Map<string, unknown>)].map(([k, v]) => [k, json(v)]));
    } else if (field.repeated) {
      out[field.name] = (value as unknown[]).map(json);
    } else if (field.options?.['(kubemu.k8s.json_inline)'] === true && message) {
      Object.assign(out, json(value));
    } else {
      const v = json(value);
      if (v === undefined) continue;
      if (!message && isZero(v) && field.options?.['(kubemu.k8s.json_zero)'] !== true) continue;
      out[field.name] = v;
    }
  }
  return out;
}

// ---- entry points ----------------------------------------------------------------------------

/** The envelope of a body: its type and the object's message, not yet decoded. */
export function decodeKubernetesEnvelope(bytes: Uint8Array): KubernetesEnvelope {
  if (bytes.length > MAX_KUBERNETES_PROTOBUF_BYTES) {
    throw new KubernetesProtobufError('too-large', `protobuf body is ${bytes.length} bytes; the limit is ${MAX_KUBERNETES_PROTOBUF_BYTES}`);
  }
  if (bytes.length === 0) throw new KubernetesProtobufError('empty', 'empty data');
  if (bytes.length < PREFIX.length || PREFIX.some((b, i) => bytes[i] !== b)) {
    throw new KubernetesProtobufError('prefix', `provided data does not appear to be a protobuf message, expected prefix [${PREFIX.join(' ')}]`);
  }
  if (bytes.length === PREFIX.length) throw new KubernetesProtobufError('empty', 'empty body');
  const fields = decodeFields(bytes.subarray(PREFIX.length), UNKNOWN);
  const typeMeta = (fields.get('typeMeta') as Fields | undefined) ?? new Map();
  return {
    apiVersion: (typeMeta.get('apiVersion') as string | undefined) ?? '',
    kind: (typeMeta.get('kind') as string | undefined) ?? '',
    raw: (fields.get('raw') as Uint8Array | undefined) ?? new Uint8Array(0),
    contentEncoding: (fields.get('contentEncoding') as string | undefined) ?? '',
    contentType: (fields.get('contentType') as string | undefined) ?? '',
  };
}

/** The object an envelope carries, as Kubernetes JSON with apiVersion and kind first. */
export function decodeKubernetesObject(envelope: Pick<KubernetesEnvelope, 'apiVersion' | 'kind' | 'raw'>): KubernetesJsonObject {
  const { apiVersion, kind } = envelope;
  const served = Object.prototype.hasOwnProperty.call(KUBERNETES_PROTOBUF_KINDS, kind) ? KUBERNETES_PROTOBUF_KINDS[kind] : undefined;
  if (served === undefined || !served.apiVersions.includes(apiVersion)) {
    throw new KubernetesProtobufError('unserved', `kubemu does not serve kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`, { apiVersion, kind });
  }
  let object: Record<string, unknown>;
  try {
    object = objectJson(served.type, decodeFields(envelope.raw, served.type));
  } catch (err) {
    const e = wireError(err);
    throw new KubernetesProtobufError(e.reason, e.message, { apiVersion, kind });
  }
  return { apiVersion, kind, ...object };
}

/** A whole body: prefix, envelope and object. */
export function decodeKubernetesProtobuf(bytes: Uint8Array): KubernetesJsonObject {
  return decodeKubernetesObject(decodeKubernetesEnvelope(bytes));
}
