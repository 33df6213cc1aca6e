// pods/exec, as kube-apiserver serves it to kubectl 1.32: a WebSocket upgrade speaking the
// remote-command channel protocol (v5.channel.k8s.io, or v4.channel.k8s.io). Before the upgrade
// the request is checked as kube-apiserver's ExecLocation does (pkg/registry/core/pod/strategy.go
// streamLocation: the pod, its container as for pods/log, its host, the node's kubelet address),
// and a failure is an HTTP Status, so kubectl, after its SPDY fallback meets the same answer, prints
// `Error from server (…)`. After it, what kube-apiserver's StreamTranslator
// (k8s.io/apiserver/pkg/util/proxy/streamtranslator.go) and the kubelet do: stdin from channel 0
// until v5's close signal [255, 0], the command run on the pod's node (its exec API, one JSON
// request and answer), stdout on channel 1, stderr on 2, then a metav1.Status on 3 exactly as the
// kubelet writes it (pkg/kubelet/cri/streaming/remotecommand/httpstream.go v4WriteStatusFunc), and a
// normal close, which gives kubectl's readers their EOF.
//
// kubemu's commands are not processes: they run once their whole stdin has come, and they have no
// terminal. So tty with stdin (`kubectl exec -it`) is refused with a Status that says so; tty
// without stdin runs the command and shows stderr on stdout, as a terminal would. v4 has no way to
// end stdin, so under v4 the command runs at once with an empty stdin.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  errorChannelStatus,
  execExitStatus,
  getObject,
  kubeletLocation,
  parsePodExecOptions,
  podLogContainer,
  resourceByKind,
  statusBadRequest,
  statusInternalError,
  statusNotFound,
  statusPathNotFound,
  statusUnauthorized,
  type Node,
  type Pod,
  type PodExecOptions,
  type ResourceInfo,
  type Status,
} from '@kubemu/core';
import type { LiveStore } from './live-store.js';
import type { Metrics } from './metrics.js';
import { bearerMatches } from './token.js';
import {
  CloseCode,
  FrameDecoder,
  Opcode,
  WebSocketProtocolError,
  encodeClose,
  encodeFrame,
  validWebSocketKey,
  websocketAccept,
} from './websocket-frames.js';

const PODS = resourceByKind('Pod') as ResourceInfo;

/** The subprotocols served, best first (k8s.io/apimachinery/pkg/util/remotecommand/constants.go). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

/** What one exec may send on stdin; the node's exec request (1 MiB of JSON) must hold it escaped. */
export const MAX_EXEC_STDIN_BYTES = 256 * 1024;
/** The node's answer: stdout and stderr (1 MiB each on the node), JSON-escaped. */
export const MAX_EXEC_ANSWER_BYTES = 16 * 1024 * 1024;
/** The longest a session may stay open: the node's own bound on a command (300 s) and a margin for stdin. */
export const MAX_EXEC_SESSION_SECONDS = 330;
/** Output goes out in messages of at most this many bytes (client-go reads in 32 KiB buffers). */
export const EXEC_OUTPUT_CHUNK_BYTES = 32 * 1024;

/** The channel bytes (k8s.io/apimachinery/pkg/util/remotecommand: StreamStdIn … StreamResize, StreamClose). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The first subprotocol the client offers that is served (wsstream's handshake). */
export function negotiateExecProtocol(header: string | string[] | undefined): ExecProtocol | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim());
  return offered.find((p): p is ExecProtocol => (EXEC_PROTOCOLS as readonly string[]).includes(p));
}

export interface PodExecDeps {
  live: LiveStore;
  token: string;
  metrics?: Metrics;
  log?: { warn: (o: object, msg: string) => void };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' };

function refuse(socket: Duplex, s: Status): void {
  const body = JSON.stringify(s);
  const code = s.code ?? 500;
  socket.end(
    `HTTP/1.1 ${code} ${REASONS[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The https server's 'upgrade' listener. Serves pods/exec; every other upgrade is answered with
 * kube-apiserver's 404 (kubemu serves neither pods/attach nor pods/portforward).
 */
export function createUpgradeHandler(deps: PodExecDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const count = (code: number): void => deps.metrics?.requests.inc({ verb: 'CONNECT', resource: 'pods', code: String(code) });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!bearerMatches(req.headers.authorization, deps.token)) {
      count(401);
      return refuse(socket, statusUnauthorized());
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'POST')) {
      count(404);
      return refuse(socket, statusPathNotFound());
    }
    const namespace = decodeURIComponent(m[1]!);
    const name = decodeURIComponent(m[2]!);
    const parsed = parsePodExecOptions(url.searchParams);
    if (!parsed.ok) {
      count(parsed.status.code);
      return refuse(socket, parsed.status);
    }
    const pod = getObject(deps.live.state.store, 'Pod', namespace, name)?.object as Pod | undefined;
    if (!pod) {
      count(404);
      return refuse(socket, statusNotFound(PODS, name));
    }
    const chosen = podLogContainer(pod, parsed.options.container);
    if ('status' in chosen) {
      count(chosen.status.code);
      return refuse(socket, chosen.status);
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      count(400);
      return refuse(socket, statusBadRequest(`pod ${name} does not have a host assigned`));
    }
    const at = kubeletLocation(getObject(deps.live.state.store, 'Node', '', nodeName)?.object as Node | undefined);
    if (!at) {
      count(400);
      return refuse(socket, statusBadRequest(`node ${JSON.stringify(nodeName)} has no kubelet address`));
    }
    const isWebSocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (!isWebSocket) {
      count(400);
      return refuse(socket, statusBadRequest(`kubemu serves pods/exec over WebSocket only (${EXEC_PROTOCOLS.join(', ')}), not ${String(req.headers.upgrade)}`));
    }
    const key = req.headers['sec-websocket-key'];
    const protocol = negotiateExecProtocol(req.headers['sec-websocket-protocol']);
    if (req.headers['sec-websocket-version'] !== '13' || !validWebSocketKey(key) || !protocol) {
      count(400);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '');
      return refuse(
        socket,
        statusBadRequest(
          protocol ? 'a WebSocket handshake needs Sec-WebSocket-Version 13 and a Sec-WebSocket-Key' : `requested protocol(s) are not supported: [${offered}]; supports [${EXEC_PROTOCOLS.join(' ')}]`,
        ),
      );
    }
    count(101);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    );
    runExecSession({ socket, head, protocol, options: parsed.options, container: chosen.container, namespace, name, kubelet: at, token: deps.token, log: deps.log });
  };
}

interface ExecSession {
  socket: Duplex;
  head: Buffer;
  protocol: ExecProtocol;
  options: PodExecOptions;
  container: string;
  namespace: string;
  name: string;
  kubelet: { host: string; port: number };
  token: string;
  log?: PodExecDeps['log'];
}

interface NodeExecAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  message?: string;
}

/** After the 101: read stdin, run the command on the node, write its output and Status, close. */
function runExecSession(s: ExecSession): void {
  const { socket, options } = s;
  const decoder = new FrameDecoder();
  const stdin: Buffer[] = [];
  let stdinBytes = 0;
  let started = false;
  let closed = false;
  let abortNode: (() => void) | undefined;

  const send = (frame: Buffer): void => {
    if (!closed && socket.writable) socket.write(frame);
  };
  const close = (code: number, reason = ''): void => {
    if (closed) return;
    send(encodeClose(code, reason));
    closed = true;
    clearTimeout(timer);
    abortNode?.();
    socket.end();
  };
  const sendChannel = (channel: number, data: Buffer): void => {
    for (let at = 0; at < data.length; at += EXEC_OUTPUT_CHUNK_BYTES) {
      send(encodeFrame(Opcode.binary, Buffer.concat([Buffer.from([channel]), data.subarray(at, at + EXEC_OUTPUT_CHUNK_BYTES)])));
    }
  };
  const finish = (statusJson: string): void => {
    sendChannel(Channel.error, Buffer.from(statusJson));
    close(CloseCode.normal);
  };
  const timer = setTimeout(() => finish(errorChannelStatus(statusInternalError(`kubemu: the exec session ran past ${MAX_EXEC_SESSION_SECONDS} s`))), MAX_EXEC_SESSION_SECONDS * 1000);

  const start = (): void => {
    if (started || closed) return;
    started = true;
    abortNode = execOnNode(s, Buffer.concat(stdin).toString('utf8'), (answer) => {
      if (closed) return;
      if ('status' in answer) return finish(errorChannelStatus(answer.status));
      const out = Buffer.from(answer.stdout ?? '', 'utf8');
      const err = Buffer.from(answer.stderr ?? '', 'utf8');
      if (options.stdout) sendChannel(Channel.stdout, out);
      // A terminal shows both streams as one (the kubelet drops stderr under a tty).
      if (options.tty && options.stdout) sendChannel(Channel.stdout, err);
      else if (options.stderr) sendChannel(Channel.stderr, err);
      finish(execExitStatus(options.command, answer.exitCode ?? 1));
    });
  };

  const onData = (chunk: Buffer): void => {
    if (closed) return;
    let events;
    try {
      events = decoder.push(chunk);
    } catch (err) {
      const bad = err instanceof WebSocketProtocolError ? err : new WebSocketProtocolError(CloseCode.internalError, String(err));
      s.log?.warn({ pod: `${s.namespace}/${s.name}`, err: bad.message }, 'exec: malformed WebSocket frame');
      return close(bad.closeCode, bad.message);
    }
    for (const e of events) {
      if (closed) return;
      if (e.type === 'ping') send(encodeFrame(Opcode.pong, e.data));
      else if (e.type === 'close') {
        // The client went away: nobody is left to read an answer.
        return close(CloseCode.normal);
      } else if (e.type === 'message') {
        if (!e.binary || e.data.length === 0) continue;
        const channel = e.data[0]!;
        if (s.protocol === 'v5.channel.k8s.io' && channel === Channel.close) {
          if (e.data[1] === Channel.stdin) start();
          continue;
        }
        if (channel !== Channel.stdin || !options.stdin || started) continue;
        stdinBytes += e.data.length - 1;
        if (stdinBytes > MAX_EXEC_STDIN_BYTES) {
          return finish(errorChannelStatus(statusBadRequest(`kubemu: stdin over the bound of ${MAX_EXEC_STDIN_BYTES} bytes (the emulated commands read all of stdin before they run)`)));
        }
        stdin.push(e.data.subarray(1));
      }
    }
  };

  socket.on('data', onData);
  socket.on('close', () => {
    closed = true;
    clearTimeout(timer);
    abortNode?.();
  });
  socket.on('end', () => {
    if (!closed) socket.end();
  });
  if (s.head.length > 0) onData(s.head);
  if (!options.stdin || s.protocol !== 'v5.channel.k8s.io') start();
}

type NodeResult = NodeExecAnswer | { status: Status };

/** POST /exec/{namespace}/{pod} on the node's kubelet API; returns a function that abandons it. */
function execOnNode(s: ExecSession, stdin: string, done: (r: NodeResult) => void): () => void {
  const { host, port } = s.kubelet;
  const body = JSON.stringify({ command: s.options.command, stdin });
  const path = `/exec/${encodeURIComponent(s.namespace)}/${encodeURIComponent(s.name)}`;
  let answered = false;
  const answer = (r: NodeResult): void => {
    if (answered) return;
    answered = true;
    done(r);
  };
  const req = httpRequest(
    { host, port, path, method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
    (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_EXEC_ANSWER_BYTES) {
          answer({ status: statusInternalError(`kubemu: the node's exec answer is over ${MAX_EXEC_ANSWER_BYTES} bytes`) });
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => answer({ status: statusInternalError(err.message) }));
      res.on('end', () => {
        let parsed: NodeExecAnswer;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as NodeExecAnswer;
        } catch {
          return answer({ status: statusInternalError(`kubemu: the node answered exec with ${res.statusCode} and no JSON`) });
        }
        if (res.statusCode === 200) return answer(parsed);
        // The kubelet's GetExec finds no running container; kube-apiserver's StreamTranslator
        // reports the failed upgrade to it as an internal error (client-go spdy: "unable to upgrade connection").
        if (res.statusCode === 404) return answer({ status: statusInternalError(`unable to upgrade connection: container not found (${JSON.stringify(s.container)})`) });
        answer({ status: statusInternalError(`unable to upgrade connection: ${parsed.message ?? `HTTP ${res.statusCode}`}`) });
      });
    },
  );
  req.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code === 'ECONNREFUSED' ? `dial tcp ${host}:${port}: connect: connection refused` : err.message;
    answer({ status: statusInternalError(`error dialing backend: ${why}`) });
  });
  req.end(body);
  return () => {
    answered = true;
    req.destroy();
  };
}
