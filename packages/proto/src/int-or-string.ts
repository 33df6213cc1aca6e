// intstr.IntOrString is a number or a string in Kubernetes JSON and a two-field message on the wire.
// Encoding wraps the scalars at the places the schema has an IntOrString (the generated fromObject
// insists on an object there); decoding unwraps them through a converter registered on the message
// (protobufjs looks converters up at call time, as it does for its own well-known-type wrappers).
import { kubemu } from '../generated/kubemu.js';

const IntOrString = kubemu.v1.IntOrString;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

IntOrString.toObject = ((message: kubemu.v1.IntOrString): unknown => {
  if (hasOwn(message, 'intVal') && message.intVal != null) return message.intVal;
  if (hasOwn(message, 'strVal') && message.strVal != null) return message.strVal;
  return undefined;
}) as typeof IntOrString.toObject;

type Path = readonly string[]; // '*' walks every array element

const PROBE_PORTS: Path[] = ['readinessProbe', 'livenessProbe'].flatMap((probe) => [
  [probe, 'httpGet', 'port'],
  [probe, 'tcpSocket', 'port'],
]);
const podSpecPaths = (prefix: Path): Path[] => PROBE_PORTS.map((p) => [...prefix, 'containers', '*', ...p]);

/** Where each kind's schema holds an IntOrString. */
const INT_OR_STRING_PATHS: Readonly<Record<string, Path[]>> = {
  Service: [['spec', 'ports', '*', 'targetPort']],
  Pod: podSpecPaths(['spec']),
  Deployment: [
    ['spec', 'strategy', 'rollingUpdate', 'maxSurge'],
    ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
    ...podSpecPaths(['spec', 'template', 'spec']),
  ],
  ReplicaSet: podSpecPaths(['spec', 'template', 'spec']),
  StatefulSet: [['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'], ...podSpecPaths(['spec', 'template', 'spec'])],
};

function wrapAt(node: unknown, path: Path): unknown {
  if (node === null || typeof node !== 'object') return node;
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(node) ? node.map((item) => wrapAt(item, rest)) : node;
  const record = node as Record<string, unknown>;
  if (!hasOwn(record, head!)) return node;
  const value = record[head!];
  if (rest.length === 0) {
    if (typeof value === 'number') return { ...record, [head!]: { intVal: value } };
    if (typeof value === 'string') return { ...record, [head!]: { strVal: value } };
    return node;
  }
  return { ...record, [head!]: wrapAt(value, rest) };
}

/** A copy of a Kubernetes JSON object with its IntOrString scalars in wire form. */
export function wrapIntOrStrings<T>(kind: string, object: T): T {
  return (INT_OR_STRING_PATHS[kind] ?? []).reduce<unknown>((node, path) => wrapAt(node, path), object) as T;
}
