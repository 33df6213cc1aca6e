// The Kubernetes REST API over node:http. Routing and I/O only: every decision is core's
// (admission, selectors, patches, watch filtering, discovery documents, Status errors).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  admitCreate,
  admitDelete,
  admitUpdate,
  admitPodBinding,
  bindingCreatedStatus,
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroupList,
  negotiateDiscoveryForm,
  apiResourceList,
  apiVersionOf,
  apiVersions,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  patchSchemaFor,
  scaleOf,
  withScale,
  SCALABLE_KINDS,
  getObject,

  listObjects,
  negotiateResponseForm,
  openApiV3Document,
  openApiV3Index,
  parseIncludeObject,
  statusNotAcceptable,
  tableResponse,
  matchesFields,
  matchesRequirements,
  parseApiPath,
  parseFieldSelector,
  parseLabelSelector,
  PatchError,
  SelectorParseError,
  statusBadRequest,
  statusStrictDecoding,
  unknownFieldWarnings,
  statusExpired,
  statusInternalError,
  statusMethodNotSupported,
  statusNotFound,
  statusPathNotFound,
  statusUnauthorized,
  statusUnavailable,
  statusUnsupportedMediaType,
  unsupportedField,
  versionInfo,
  watchEventFor,
  type AdmissionContext,
  type ApiState,
  type Decision,
  type DeleteOptions,
  type FieldRequirement,
  type KubeObject,
  type Requirement,
  type ResourceInfo,
  type ResponseForm,
  type Status,
} from '@kubemu/core';
import { KUBERNETES_PROTOBUF_MEDIA_TYPE, unknownFields, type JsonObject } from '@kubemu/proto';
import { decodeProtobufDeleteOptions, decodeProtobufObject } from './protobuf-body.js';
import { bearerMatches } from './token.js';
import type { LiveStore, WatchedEvent } from './live-store.js';
import type { Metrics } from './metrics.js';
import type { Writer } from './writer.js';
import { canRead, canWrite } from './lifecycle.js';
import { servePodLog } from './pod-logs.js';

/** kube-apiserver's --max-request-bytes default is 3 MiB. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
/** A watch whose client reads slower than this much unsent output is closed; the client re-watches. */
export const MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

/** The OpenAPI documents are fixed per build: clients may cache them under this hash. */
const OPENAPI_HASH = 'kubemu-v1';

export interface HttpDeps {
  live: LiveStore;
  writer: Writer;
  metrics: Metrics;
  token: string;
  serverAddress: string;
  lifecycleState: () => string;
  admissionContext: () => AdmissionContext;
  log: { info: (o: object, msg?: string) => void; warn: (o: object, msg?: string) => void; error: (o: object, msg?: string) => void };
}

class HttpError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendStatus(res: ServerResponse, s: Status): void {
  sendJson(res, s.code, s);
}

async function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) throw new HttpError({ ...statusBadRequest('request entity too large'), code: 413, reason: 'RequestEntityTooLarge' });
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_REQUEST_BYTES) throw new HttpError({ ...statusBadRequest('request entity too large'), code: 413, reason: 'RequestEntityTooLarge' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

/**
 * The bodies kubemu decodes: JSON, and protobuf (what kubectl's typed clients send, e.g. `kubectl
 * create namespace`). kube-apiserver also takes application/yaml; kubemu answers that with 415, as
 * kube-apiserver does for a type it cannot decode. A Scale arrives as JSON only.
 */
const BODY_MEDIA_TYPES = ['application/json', KUBERNETES_PROTOBUF_MEDIA_TYPE];
const SCALE_MEDIA_TYPES = ['application/json'];
/** handlers/patch.go patchTypes, less application/apply-patch+yaml: kubemu has no server-side apply. */
const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

interface ObjectBody {
  body: unknown;
  /** Strict decoding applies: kube-apiserver has none for protobuf (serializer/codec_factory.go). */
  strict: boolean;
}

async function readObjectBody(req: IncomingMessage, r: ResourceInfo, sub: string | undefined): Promise<ObjectBody> {
  const type = mediaType(req);
  const accepted = sub === 'scale' ? SCALE_MEDIA_TYPES : BODY_MEDIA_TYPES;
  if (type !== '' && !accepted.includes(type)) throw new HttpError(statusUnsupportedMediaType(accepted));
  if (type === KUBERNETES_PROTOBUF_MEDIA_TYPE) {
    const decoded = decodeProtobufObject(r, await readBodyBytes(req));
    if (!decoded.ok) throw new HttpError(decoded.status);
    return { body: decoded.body, strict: false };
  }
  return { body: parseJson(await readBody(req)), strict: true };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(statusBadRequest(`error decoding request body: ${(err as Error).message}`));
  }
}

interface Selection {
  labels: Requirement[];
  fields: FieldRequirement[];
}

function selection(r: ResourceInfo, q: URLSearchParams): Selection {
  try {
    const fields = parseFieldSelector(q.get('fieldSelector') ?? '');
    const bad = unsupportedField(r.kind, fields);
    if (bad !== undefined) throw new HttpError(statusBadRequest(`field label not supported: ${bad}`));
    return { labels: parseLabelSelector(q.get('labelSelector') ?? ''), fields };
  } catch (err) {
    if (err instanceof SelectorParseError) throw new HttpError(statusBadRequest(`unable to parse requirement: ${err.message}`));
    throw err;
  }
}

function matcher(r: ResourceInfo, namespace: string | undefined, sel: Selection): (o: KubeObject) => boolean {
  return (o) =>
    (namespace === undefined || !r.namespaced || o.metadata?.namespace === namespace) &&
    matchesRequirements(o.metadata?.labels, sel.labels) &&
    matchesFields(r.kind, o, sel.fields);
}

/**
 * The fieldValidation query parameter (KEP-2885): unknown fields are an error with Strict, a
 * Warning header with Warn (the default), nothing with Ignore. Returns false when it answered.
 */
function fieldValidation(r: ResourceInfo, { body, strict }: ObjectBody, q: URLSearchParams, res: ServerResponse): boolean {
  const mode = q.get('fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
    sendStatus(res, statusBadRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(mode)}`));
    return false;
  }
  if (mode === 'Ignore' || !strict || typeof body !== 'object' || body === null || Array.isArray(body)) return true;
  let unknown: string[];
  try {
    unknown = unknownFields({ ...(body as JsonObject), kind: r.kind });
  } catch {
    return true; // a body the codec refuses is admission's to reject, with its own message
  }
  if (unknown.length === 0) return true;
  if (mode === 'Strict') {
    sendStatus(res, statusStrictDecoding(r, unknown));
    return false;
  }
  res.setHeader('Warning', unknownFieldWarnings(unknown));
  return true;
}

function listKind(r: ResourceInfo): string {
  return `${r.kind}List`;
}

/** Builds the Table answer of a get, list or watch event for `as=Table` requests. */
type TableView = (objects: readonly KubeObject[], resourceVersion: string | undefined, noHeaders?: boolean) => unknown;

function tableView(kind: string, form: Extract<ResponseForm, { as: 'Table' }>, q: URLSearchParams): TableView {
  const includeObject = parseIncludeObject(q.get('includeObject'));
  if (typeof includeObject !== 'string') throw new HttpError(includeObject);
  return (objects, resourceVersion, noHeaders) => {
    return tableResponse(kind, objects, {
      now: new Date(),
      apiVersion: form.apiVersion,
      includeObject,
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(noHeaders ? { noHeaders } : {}),
    });
  };
}

export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    handle(deps, req, res)
      .catch((err: unknown) => {
        if (err instanceof HttpError) {
          if (!res.headersSent) sendStatus(res, err.status);
          return;
        }
        deps.log.error({ err: String((err as Error)?.stack ?? err), url: req.url }, 'request failed');
        if (!res.headersSent) sendStatus(res, statusInternalError(String((err as Error)?.message ?? err)));
        else res.destroy();
      })
      .finally(() => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const verb = (res as ServerResponse & { kubeVerb?: string }).kubeVerb ?? req.method ?? 'UNKNOWN';
        const resource = (res as ServerResponse & { kubeResource?: string }).kubeResource ?? '';
        deps.metrics.requests.inc({ verb, resource, code: String(res.statusCode) });
        if (verb !== 'WATCH') deps.metrics.requestDuration.observe({ verb, resource }, seconds);
      });
  };
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  if (path === '/healthz' || path === '/livez') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (path === '/readyz') {
    const ready = deps.lifecycleState() === 'serving';
    res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' });
    res.end(ready ? 'ok' : `not ready: ${deps.lifecycleState()}`);
    return;
  }
  if (path === '/metrics') {
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (path === '/version') {
    sendJson(res, 200, versionInfo());
    return;
  }
  if (!bearerMatches(req.headers.authorization, deps.token)) {
    sendStatus(res, statusUnauthorized());
    return;
  }
  if (!canRead(deps.lifecycleState())) {
    sendStatus(res, statusUnavailable(`the api-store is ${deps.lifecycleState()}`));
    return;
  }

  if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Index(OPENAPI_HASH));
  if (path.startsWith('/openapi/v3/')) {
    const doc = openApiV3Document(path.slice('/openapi/v3/'.length));
    return doc ? sendJson(res, 200, doc) : sendStatus(res, statusPathNotFound());
  }
  if (path === '/api' || path === '/apis') {
    const form = negotiateDiscoveryForm(req.headers.accept);
    res.setHeader('Vary', 'Accept');
    if (form === 'legacy') return sendJson(res, 200, path === '/api' ? apiVersions(deps.serverAddress) : apiGroupList());
    return sendJson(res, 200, aggregatedDiscovery(path === '/api' ? 'api' : 'apis', form), aggregatedDiscoveryContentType(form));
  }

  const target = parseApiPath(path);
  if (target.type === 'discovery') {
    const parts = path.split('/').filter(Boolean);
    const doc = parts[0] === 'api' ? apiResourceList('', parts[1] ?? '') : parts.length === 3 ? apiResourceList(parts[1]!, parts[2]!) : undefined;
    if (doc) return sendJson(res, 200, doc);
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = (apiGroupList().groups as { name: string }[]).find((g) => g.name === parts[1]);
      if (group) return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
    }
    return sendStatus(res, statusPathNotFound());
  }
  if (target.type !== 'resource') return sendStatus(res, statusPathNotFound());

  const r = target.resource;
  const q = url.searchParams;
  const namespace = target.namespace;
  const name = target.name;
  const sub = target.subresource;
  (res as ServerResponse & { kubeResource?: string }).kubeResource = r.resource;
  const setVerb = (v: string): void => {
    (res as ServerResponse & { kubeVerb?: string }).kubeVerb = v;
  };
  if (sub === 'log' && r.kind === 'Pod' && method === 'GET' && name !== undefined) return servePodLog(deps, req, res, namespace ?? 'default', name, q);
  const controllerSub = (sub === 'binding' && r.kind === 'Pod') || (sub === 'finalize' && r.kind === 'Namespace');
  if (sub !== undefined && sub !== 'status' && !(sub === 'scale' && SCALABLE_KINDS.has(r.kind)) && !controllerSub) return sendStatus(res, statusPathNotFound());
  const author = String(req.headers['user-agent'] ?? 'unknown');
  const dryRun = q.getAll('dryRun').includes('All');

  // The /scale subresource answers with the Scale of the object it wrote.
  const present = sub === 'scale' ? (o: KubeObject): unknown => scaleOf(o, o.metadata?.resourceVersion ?? '') : (o: KubeObject): unknown => o;
  const write = async (decide: (s: ApiState) => Decision, successCode: (created: boolean) => number): Promise<void> => {
    if (!canWrite(deps.lifecycleState())) return sendStatus(res, statusUnavailable(`the api-store is ${deps.lifecycleState()}; writes are refused until the event log is reachable`));
    if (dryRun) {
      const d = decide(deps.live.state);
      if (!d.ok) return sendStatus(res, d.status);
      return sendJson(res, 200, present('noop' in d ? d.noop : d.write.object));
    }
    const result = await deps.writer.write(decide, author);
    if (!result.ok) return sendStatus(res, result.status);
    sendJson(res, successCode(result.created), present(result.object));
  };
  const current = (s: ApiState): { object: KubeObject; revision: number } | undefined =>
    getObject(s.store, r.kind, r.namespaced ? (namespace ?? 'default') : '', name ?? '');

  if (controllerSub && name !== undefined) {
    // pods/<name>/binding (POST, the scheduler) and namespaces/<name>/finalize (PUT, the namespace controller).
    const verb = sub === 'binding' ? 'POST' : 'PUT';
    if (method !== verb) return sendStatus(res, statusMethodNotSupported(r, method.toLowerCase()));
    setVerb(sub === 'binding' ? 'CREATE' : 'UPDATE');
    const body = parseJson(await readBody(req));
    if (sub === 'finalize') return write((s) => admitUpdate(r, body, namespace, name, s, deps.admissionContext(), { subresource: 'finalize' }), () => 200);
    if (!canWrite(deps.lifecycleState())) return sendStatus(res, statusUnavailable(`the api-store is ${deps.lifecycleState()}; writes are refused until the event log is reachable`));
    const result = await deps.writer.write((s) => admitPodBinding(body, namespace ?? 'default', name, s, deps.admissionContext()), author);
    if (!result.ok) return sendStatus(res, result.status);
    return sendJson(res, 201, bindingCreatedStatus());
  }

  switch (method) {
    case 'GET': {
      const form = negotiateResponseForm(req.headers.accept);
      if (form === undefined) return sendStatus(res, statusNotAcceptable());
      const view = form.as === 'Table' ? tableView(r.kind, form, q) : undefined;
      const watch = q.get('watch') === 'true' || q.get('watch') === '1';
      if (watch) {
        setVerb('WATCH');
        const sel = selection(r, q);
        if (name !== undefined) sel.fields.push({ field: 'metadata.name', op: '=', value: name });
        return serveWatch(deps, req, res, r, namespace, sel, q, view);
      }
      if (name !== undefined) {
        setVerb('GET');
        const got = getObject(deps.live.state.store, r.kind, r.namespaced ? (namespace ?? 'default') : '', name);
        if (!got) return sendStatus(res, statusNotFound(r, name));
        if (sub === 'scale') return sendJson(res, 200, scaleOf(got.object, String(got.revision)));
        if (view) return sendJson(res, 200, view([got.object], String(got.revision)));
        return sendJson(res, 200, got.object);
      }
      setVerb('LIST');
      const sel = selection(r, q);
      const match = matcher(r, namespace, sel);
      const items = listObjects(deps.live.state.store, r, namespace)
        .map((s) => s.object)
        .filter(match);
      if (view) return sendJson(res, 200, view(items, String(deps.live.revision)));
      return sendJson(res, 200, {
        kind: listKind(r),
        apiVersion: apiVersionOf(r),
        metadata: { resourceVersion: String(deps.live.revision) },
        items,
      });
    }
    case 'POST': {
      setVerb('CREATE');
      if (name !== undefined) return sendStatus(res, statusMethodNotSupported(r, 'create'));
      const read = await readObjectBody(req, r, sub);
      if (!fieldValidation(r, read, q, res)) return;
      const body = read.body;
      return write((s) => admitCreate(r, body, namespace, s, deps.admissionContext()), () => 201);
    }
    case 'PUT': {
      setVerb('UPDATE');
      if (name === undefined) return sendStatus(res, statusMethodNotSupported(r, 'update'));
      const read = await readObjectBody(req, r, sub);
      if (sub === undefined && !fieldValidation(r, read, q, res)) return;
      const body = read.body;
      if (sub === 'scale') {
        return write((s) => {
          const got = current(s);
          if (!got) return { ok: false, status: statusNotFound(r, name) };
          return admitUpdate(r, withScale(got.object, body as KubeObject), namespace, name, s, deps.admissionContext());
        }, () => 200);
      }
      return write(
        (s) => admitUpdate(r, body, namespace, name, s, deps.admissionContext(), sub === 'status' ? { subresource: 'status' } : {}),
        (created) => (created ? 201 : 200),
      );
    }
    case 'PATCH': {
      setVerb('PATCH');
      if (name === undefined) return sendStatus(res, statusMethodNotSupported(r, 'patch'));
      const contentType = mediaType(req);
      if (!PATCH_MEDIA_TYPES.includes(contentType)) return sendStatus(res, statusUnsupportedMediaType(PATCH_MEDIA_TYPES));
      const patch = parseJson(await readBody(req));
      let apply: (current: unknown) => unknown;
      if (contentType === 'application/merge-patch+json') apply = (c) => applyMergePatch(c, patch);
      else if (contentType === 'application/json-patch+json') apply = (c) => applyJsonPatch(c, patch);
      else if (contentType === 'application/strategic-merge-patch+json') apply = (c) => applyStrategicMergePatch(c, patch, patchSchemaFor(sub === 'scale' ? 'Scale' : r.kind));
      else return sendStatus(res, statusUnsupportedMediaType(PATCH_MEDIA_TYPES));
      return write(
        (s) => {
          const got = current(s);
          if (!got) return { ok: false, status: statusNotFound(r, name) };
          let patched: unknown;
          try {
            patched = apply(sub === 'scale' ? scaleOf(got.object, String(got.revision)) : got.object);
          } catch (err) {
            if (err instanceof PatchError) return { ok: false, status: { ...statusBadRequest(err.message), code: 422, reason: 'Invalid' } };
            throw err;
          }
          // A patch applies to the version it read: no resourceVersion precondition unless the patch sets one.
          const body = patched as KubeObject;
          const patchRv = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
          if (body.metadata && patchRv === undefined) body.metadata.resourceVersion = String(got.revision);
          if (sub === 'scale') return admitUpdate(r, withScale(got.object, body), namespace, name, s, deps.admissionContext());
          return admitUpdate(r, body, namespace, name, s, deps.admissionContext(), sub === 'status' ? { subresource: 'status' } : {});
        },
        () => 200,
      );
    }
    case 'DELETE': {
      setVerb('DELETE');
      if (name === undefined) return sendStatus(res, statusMethodNotSupported(r, 'deletecollection'));
      const bytes = await readBodyBytes(req);
      let body: DeleteOptions & { kind?: string };
      if (bytes.length > 0 && mediaType(req) === KUBERNETES_PROTOBUF_MEDIA_TYPE) {
        const decoded = decodeProtobufDeleteOptions(bytes);
        if (!decoded.ok) return sendStatus(res, decoded.status);
        body = decoded.body;
      } else {
        const text = bytes.toString('utf8');
        body = (text.trim() === '' ? {} : parseJson(text)) as DeleteOptions & { kind?: string };
      }
      const options: DeleteOptions = {};
      if (body.preconditions) options.preconditions = body.preconditions;
      const grace = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
      if (grace !== undefined) options.gracePeriodSeconds = grace;
      const policy = body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
      if (policy !== undefined) options.propagationPolicy = policy;
      return write((s) => admitDelete(r, namespace, name, s, deps.admissionContext(), options), () => 200);
    }
    default:
      return sendStatus(res, statusMethodNotSupported(r, method.toLowerCase()));
  }
}

function serveWatch(
  deps: HttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceInfo,
  namespace: string | undefined,
  sel: Selection,
  q: URLSearchParams,
  view: TableView | undefined,
): void {
  const match = matcher(r, namespace, sel);
  const ofKind = (e: WatchedEvent): boolean => e.event.kind === r.kind;
  const rvParam = q.get('resourceVersion') ?? '';
  const initial: { type: string; object: KubeObject }[] = [];
  let backlog: WatchedEvent[] = [];
  if (rvParam === '' || rvParam === '0') {
    for (const s of listObjects(deps.live.state.store, r, namespace)) if (match(s.object)) initial.push({ type: 'ADDED', object: s.object });
  } else {
    const from = Number(rvParam);
    if (!Number.isInteger(from) || from < 0) return sendStatus(res, statusBadRequest(`invalid resource version: ${rvParam}`));
    const since = deps.live.window.since(from);
    if (since === undefined) return sendStatus(res, statusExpired(from, deps.live.window.oldestResumable() + 1));
    backlog = since.filter(ofKind);
  }
  const unsubscribeHolder: { off?: () => void } = {};
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
  let timer: NodeJS.Timeout | undefined;
  const close = (): void => {
    unsubscribeHolder.off?.();
    deps.metrics.watchers.set(deps.live.watcherCount());
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  let headersSent = false;
  const send = (type: string, object: KubeObject): void => {
    if (res.writableEnded) return;
    // kube-apiserver serveWatch: a Table watch carries column definitions on its first event only.
    const body = view ? view([object], object.metadata?.resourceVersion, headersSent) : object;
    headersSent = true;
    res.write(`${JSON.stringify({ type, object: body })}\n`);
    if (res.writableLength > MAX_WATCH_BACKLOG_BYTES) {
      deps.log.warn({ resource: r.resource }, 'closing a watch whose client is not reading');
      close();
    }
  };
  const deliver = (e: WatchedEvent): void => {
    if (!ofKind(e)) return;
    const out = watchEventFor(e.event, e.prev, match);
    if (out) send(out.type, out.object);
  };
  const off = deps.live.subscribe(deliver);
  if (!off) return sendStatus(res, { ...statusUnavailable('too many open watches'), code: 429, reason: 'TooManyRequests' });
  unsubscribeHolder.off = off;
  deps.metrics.watchers.set(deps.live.watcherCount());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  for (const i of initial) send(i.type, i.object);
  for (const e of backlog) deliver(e);
  if (timeoutSeconds > 0) timer = setTimeout(close, timeoutSeconds * 1000);
  req.on('close', close);
  res.on('close', close);
}

