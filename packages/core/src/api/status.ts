// metav1.Status errors exactly as k8s.io/apimachinery/pkg/api/errors builds them, and the lines
// kubectl prints for them (k8s.io/kubectl/pkg/cmd/util/helpers.go checkErr).
import { aggregateMessage, errorBody, type FieldError } from './field-errors.js';
import type { ResourceInfo } from './resources.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** schema.GroupResource.String(): "services", "deployments.apps". */
export function qualifiedResource(r: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) s.details = details;
  return s;
}

function groupDetails(r: Pick<ResourceInfo, 'group'>): { group?: string } {
  return r.group === '' ? {} : { group: r.group };
}

export function statusNotFound(r: Pick<ResourceInfo, 'group' | 'resource'>, name: string): Status {
  return failure(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, { name, ...groupDetails(r), kind: r.resource });
}

export function statusAlreadyExists(r: Pick<ResourceInfo, 'group' | 'resource'>, name: string): Status {
  return failure(409, 'AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, { name, ...groupDetails(r), kind: r.resource });
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function statusConflict(r: Pick<ResourceInfo, 'group' | 'resource'>, name: string, why: string = OBJECT_MODIFIED): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, {
    name,
    ...groupDetails(r),
    kind: r.resource,
  });
}

/** NewInvalid: 422, one cause per field error, message "<Kind> "<name>" is invalid: <aggregate>". */
export function statusInvalid(r: Pick<ResourceInfo, 'group' | 'kind'>, name: string, errors: readonly FieldError[]): Status {
  const causes = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return failure(422, 'Invalid', `${r.kind} "${name}" is invalid: ${aggregateMessage(errors)}`, { name, ...groupDetails(r), kind: r.kind, causes });
}

export function statusBadRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

export function statusUnauthorized(): Status {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function statusForbidden(r: Pick<ResourceInfo, 'group' | 'resource'>, name: string, why: string): Status {
  return failure(403, 'Forbidden', `${qualifiedResource(r)} "${name}" is forbidden: ${why}`, { name, ...groupDetails(r), kind: r.resource });
}

export function statusPathNotFound(): Status {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function statusMethodNotSupported(r: Pick<ResourceInfo, 'group' | 'resource'>, action: string): Status {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualifiedResource(r)}"`, {
    ...groupDetails(r),
    kind: r.resource,
  });
}

/** NewResourceExpired: a watch or list from a revision older than the server still holds. */
export function statusExpired(requested: number, oldest: number): Status {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

export function statusInternalError(message: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function statusUnavailable(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

/** apimachinery runtime/serializer negotiation errUnsupportedMediaType: lists what this endpoint decodes. */
export function statusUnsupportedMediaType(accepted: readonly string[]): Status {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** The line(s) kubectl prints for a Status error from the server (checkErr / StandardErrorMessage). */
export function kubectlErrorText(s: Status): string {
  if (s.reason === 'Invalid' && s.details?.causes && s.details.kind && s.details.name !== undefined) {
    const causes = s.details.causes;
    const head = `The ${s.details.kind} "${s.details.name}" is invalid: `;
    if (causes.length === 1) {
      const c = causes[0]!;
      return c.field ? `${head}${c.field}: ${c.message}` : `${head}${c.message}`;
    }
    return `${head}\n${causes.map((c) => `* ${c.field ? `${c.field}: ` : ''}${c.message}`).join('\n')}`;
  }
  const reason = s.reason && s.reason !== '' ? s.reason : 'Unknown';
  return `Error from server (${reason}): ${s.message ?? ''}`;
}

/** NewNotAcceptableError (handlers/negotiation): nothing in Accept can be produced. */
export function statusNotAcceptable(): Status {
  return failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io');
}

/** A body with unknown fields under fieldValidation=Strict (apiserver handlers, runtime.NewStrictDecodingError). */
export function statusStrictDecoding(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>, unknownFields: readonly string[]): Status {
  const version = r.group === '' ? r.version : `${r.group}/${r.version}`;
  const fields = unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ');
  return statusBadRequest(`${r.kind} in version ${JSON.stringify(version)} cannot be handled as a ${r.kind}: strict decoding error: ${fields}`);
}

/** The Warning header values for unknown fields under fieldValidation=Warn (RFC 7234 code 299). */
export function unknownFieldWarnings(unknownFields: readonly string[]): string[] {
  return unknownFields.map((f) => `299 - ${JSON.stringify(`unknown field ${JSON.stringify(f)}`)}`);
}
