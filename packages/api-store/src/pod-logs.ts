// pods/log, as kube-apiserver serves it (pkg/registry/core/pod/rest/log.go, strategy.go
// LogLocation): the options validated (ValidatePodLogOptions), the pod looked up, its container
// chosen (validateContainer), and the request passed to the kubelet of the pod's node, whose
// answer streams back as it comes (follow included). The node's kubelet API is found as the
// proxy agent finds it: the Node's InternalIP and its kubemu.io/kubelet-port annotation.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  getObject,
  kubeletErrorStatus,
  kubeletLocation,
  podLogContainer,
  parsePodLogOptions,
  resourceByKind,
  statusBadRequest,
  statusInternalError,
  statusInvalid,
  statusNotFound,
  type Node,
  type Pod,
  type ResourceInfo,
  type Status,
} from '@kubemu/core';
import type { LiveStore } from './live-store.js';

const PODS = resourceByKind('Pod') as ResourceInfo;
/** GenericHttpResponseChecker reads at most this much of a kubelet's error answer. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

export interface PodLogDeps {
  live: LiveStore;
  token: string;
}

function sendStatus(res: ServerResponse, s: Status): void {
  const text = JSON.stringify(s);
  res.writeHead(s.code ?? 500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function servePodLog(deps: PodLogDeps, req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
  const parsed = parsePodLogOptions(query);
  if (!parsed.ok) return sendStatus(res, parsed.errors.length > 0 ? statusInvalid({ group: '', kind: 'PodLogOptions' }, name, parsed.errors) : statusBadRequest(parsed.message));
  const pod = getObject(deps.live.state.store, 'Pod', namespace, name)?.object as Pod | undefined;
  if (!pod) return sendStatus(res, statusNotFound(PODS, name));
  const chosen = podLogContainer(pod, parsed.options.container);
  if ('status' in chosen) return sendStatus(res, chosen.status);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) {
    // LogLocation: a pod not yet assigned a host has no location, and LocationStreamer then
    // answers with an empty stream.
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    res.end();
    return;
  }
  const node = getObject(deps.live.state.store, 'Node', '', nodeName)?.object as Node | undefined;
  const at = kubeletLocation(node);
  if (!at) return sendStatus(res, statusBadRequest(`node ${JSON.stringify(nodeName)} has no kubelet address`));
  const forwarded = new URLSearchParams(query);
  forwarded.delete('container');
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(chosen.container)}${forwarded.size > 0 ? `?${forwarded}` : ''}`;
  const url = `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}${path}`;
  const upstream = httpRequest({ host: at.host, port: at.port, path, method: 'GET', headers: { Authorization: `Bearer ${deps.token}` } }, (answer) => {
    const code = answer.statusCode ?? 500;
    if (code < 200 || code > 206) {
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on('data', (c: Buffer) => {
        if (size < MAX_ERROR_BODY_BYTES) chunks.push(c);
        size += c.length;
      });
      answer.on('end', () => sendStatus(res, kubeletErrorStatus(code, Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES), name)));
      answer.on('error', () => res.destroy());
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) return void res.destroy();
    const why = err.code === 'ECONNREFUSED' ? `dial tcp ${at.host}:${at.port}: connect: connection refused` : err.message;
    sendStatus(res, statusInternalError(`Get "${url}": ${why}`));
  });
  // The client went away (kubectl logs -f interrupted): stop reading from the kubelet.
  res.on('close', () => upstream.destroy());
  req.on('aborted', () => upstream.destroy());
  upstream.end();
}
