// Request bodies in application/vnd.kubernetes.protobuf (client-go's typed clients: `kubectl create
// namespace|deployment|service …`, Go controllers). Decoded to the Kubernetes JSON object, after
// which a body is a body: admission never knows which wire it came on. The error texts are
// kube-apiserver's: apiserver/pkg/endpoints/handlers/rest.go transformDecodeError for objects,
// handlers/delete.go (the decoder's own error, unwrapped) for DeleteOptions.
import { apiVersionOf, statusBadRequest, type ResourceInfo, type Status } from '@kubemu/core';
import { decodeKubernetesEnvelope, decodeKubernetesObject, KubernetesProtobufError, type KubernetesEnvelope } from '@kubemu/proto';

export type DecodedBody = { ok: true; body: Record<string, unknown> } | { ok: false; status: Status };

/** handlers/rest.go summarizeData: the start of a body a decoder could not even type. */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  if (data[0] === 0x7b) {
    const text = Buffer.from(data.subarray(0, maxLength)).toString('utf8');
    return data.length > maxLength ? `${text} ...` : text;
  }
  const hex = Buffer.from(data.subarray(0, maxLength)).toString('hex');
  return data.length > maxLength ? `${hex} ...` : hex;
}

const versionOf = (apiVersion: string): string => apiVersion.slice(apiVersion.indexOf('/') + 1);

/** A POST or PUT body for resource r. */
export function decodeProtobufObject(r: ResourceInfo, bytes: Uint8Array): DecodedBody {
  let envelope: KubernetesEnvelope;
  try {
    envelope = decodeKubernetesEnvelope(bytes);
  } catch (err) {
    if (!(err instanceof KubernetesProtobufError)) throw err;
    return { ok: false, status: statusBadRequest(`the object provided is unrecognized (must be of type ${r.kind}): ${err.message} (${summarizeData(bytes)})`) };
  }
  // runtime/serializer/protobuf copyKindDefaults: an envelope without a kind or version takes the endpoint's.
  const expected = apiVersionOf(r);
  const apiVersion = envelope.apiVersion || expected;
  const kind = envelope.kind || r.kind;
  // Another type's body: admission refuses it with the same text as the JSON body would get.
  if (apiVersion !== expected || kind !== r.kind) return { ok: true, body: { apiVersion, kind } };
  try {
    return { ok: true, body: decodeKubernetesObject({ apiVersion, kind, raw: envelope.raw }) };
  } catch (err) {
    if (!(err instanceof KubernetesProtobufError)) throw err;
    return { ok: false, status: statusBadRequest(`${kind} in version ${JSON.stringify(versionOf(apiVersion))} cannot be handled as a ${r.kind}: ${err.message}`) };
  }
}

/**
 * A DELETE body. kube-apiserver's delete handler passes the decoder's error through unwrapped, so
 * it answers 500 with the bare message and no reason (apimachinery ErrorToAPIStatus).
 */
export function decodeProtobufDeleteOptions(bytes: Uint8Array): DecodedBody {
  const failed = (message: string): DecodedBody => ({
    ok: false,
    status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 } as Status,
  });
  try {
    const envelope = decodeKubernetesEnvelope(bytes);
    const kind = envelope.kind || 'DeleteOptions';
    const apiVersion = envelope.apiVersion || 'meta.k8s.io/v1';
    if (kind !== 'DeleteOptions') return failed(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
    return { ok: true, body: decodeKubernetesObject({ apiVersion, kind, raw: envelope.raw }) };
  } catch (err) {
    if (!(err instanceof KubernetesProtobufError)) throw err;
    return failed(err.message);
  }
}
