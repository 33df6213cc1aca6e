// Stream and subject names of the event log.
//   kubemu.obj.<logKind>.<namespace or _>.<name>   one ObjectEvent per accepted write
//   kubemu.status.<agent>.<what>                   one Observation per thing an agent did
// A NATS subject token cannot carry '.', so a value's '.' travels as '~': Kubernetes names may hold
// dots (DNS subdomains, e.g. a node "node-1.example") but never '~', so the escape is reversible.

export const OBJECTS_STREAM = 'KUBEMU_OBJECTS';
export const STATUS_STREAM = 'KUBEMU_STATUS';
export const OBJECT_SUBJECT_PREFIX = 'kubemu.obj';
export const STATUS_SUBJECT_PREFIX = 'kubemu.status';
export const OBJECTS_SUBJECTS = `${OBJECT_SUBJECT_PREFIX}.>`;
export const STATUS_SUBJECTS = `${STATUS_SUBJECT_PREFIX}.>`;
/** The namespace token of cluster-scoped objects (Nodes, Namespaces). '_' is no valid namespace. */
export const CLUSTER_SCOPE_TOKEN = '_';
/** A DNS subdomain, Kubernetes' longest name, is 253 characters. */
export const MAX_SUBJECT_TOKEN_CHARS = 253;

export class SubjectError extends Error {
  override name = 'SubjectError';
}

export interface ObjectKey {
  /** The log's kind token, the resource's plural as core's ResourceInfo.logKind has it: "services". */
  logKind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export interface StatusKey {
  agent: string;
  what: string;
}

const LOG_KIND = /^[a-z][a-z0-9]*$/;
// Printable ASCII except the subject separator '.', the wildcards '*' and '>', and the escape '~'.
const RAW_VALUE = /^[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7d]+$/;
const TOKEN = /^[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7e]+$/;

function describe(value: string): string {
  return JSON.stringify(value);
}

/** One value as a subject token: '.' becomes '~'. */
export function encodeSubjectToken(value: string, what = 'value'): string {
  if (value.length === 0) throw new SubjectError(`${what} must not be empty`);
  if (value.length > MAX_SUBJECT_TOKEN_CHARS) throw new SubjectError(`${what} is ${value.length} characters; the limit is ${MAX_SUBJECT_TOKEN_CHARS}`);
  const raw = value.replaceAll('.', '');
  if (raw.length > 0 && !RAW_VALUE.test(raw)) {
    throw new SubjectError(`${what} ${describe(value)} cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`);
  }
  return value.replaceAll('.', '~');
}

/** The value a token carries, or undefined when the token is not one encodeSubjectToken makes. */
export function decodeSubjectToken(token: string): string | undefined {
  if (token.length === 0 || token.length > MAX_SUBJECT_TOKEN_CHARS || !TOKEN.test(token)) return undefined;
  return token.replaceAll('~', '.');
}

function checkLogKind(logKind: string): void {
  if (!LOG_KIND.test(logKind)) throw new SubjectError(`log kind ${describe(logKind)} must be lowercase letters and digits, like "services"`);
}

export function objectSubject(logKind: string, namespace: string, name: string): string {
  checkLogKind(logKind);
  if (namespace === CLUSTER_SCOPE_TOKEN) throw new SubjectError(`namespace ${describe(namespace)} is reserved for cluster-scoped objects`);
  const ns = namespace === '' ? CLUSTER_SCOPE_TOKEN : encodeSubjectToken(namespace, 'namespace');
  return `${OBJECT_SUBJECT_PREFIX}.${logKind}.${ns}.${encodeSubjectToken(name, 'name')}`;
}

export function parseObjectSubject(subject: string): ObjectKey | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 5 || tokens[0] !== 'kubemu' || tokens[1] !== 'obj') return undefined;
  const [, , logKind, nsToken, nameToken] = tokens as [string, string, string, string, string];
  if (!LOG_KIND.test(logKind)) return undefined;
  const namespace = nsToken === CLUSTER_SCOPE_TOKEN ? '' : decodeSubjectToken(nsToken);
  const name = decodeSubjectToken(nameToken);
  if (namespace === undefined || name === undefined) return undefined;
  return { logKind, namespace, name };
}

/**
 * A filter for one kind, optionally one namespace ('' for cluster-scoped kinds). nats-server 2.9
 * takes one filter subject per consumer; several kinds need several readers or no filter.
 */
export function objectSubjectFilter(logKind?: string, namespace?: string): string {
  if (logKind === undefined) return OBJECTS_SUBJECTS;
  checkLogKind(logKind);
  if (namespace === undefined) return `${OBJECT_SUBJECT_PREFIX}.${logKind}.>`;
  const ns = namespace === '' ? CLUSTER_SCOPE_TOKEN : encodeSubjectToken(namespace, 'namespace');
  return `${OBJECT_SUBJECT_PREFIX}.${logKind}.${ns}.*`;
}

/** `agent` like "proxy-agent/node-1", `what` like "rulesProgrammed". */
export function statusSubject(agent: string, what: string): string {
  return `${STATUS_SUBJECT_PREFIX}.${encodeSubjectToken(agent, 'agent')}.${encodeSubjectToken(what, 'observation kind')}`;
}

export function parseStatusSubject(subject: string): StatusKey | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 4 || tokens[0] !== 'kubemu' || tokens[1] !== 'status') return undefined;
  const agent = decodeSubjectToken(tokens[2]!);
  const what = decodeSubjectToken(tokens[3]!);
  if (agent === undefined || what === undefined) return undefined;
  return { agent, what };
}

/** Observations of one agent. */
export function statusSubjectFilter(agent?: string): string {
  return agent === undefined ? STATUS_SUBJECTS : `${STATUS_SUBJECT_PREFIX}.${encodeSubjectToken(agent, 'agent')}.*`;
}
