// Just enough HTTP/1.1 for the emulated containers and the emulated curl, over any stream: a
// request head, a response with Content-Length (or chunked/until-close when reading). Bounded.
import type { Duplex } from 'node:stream';

export const MAX_HEAD_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpRequest {
  method: string;
  target: string;
  /** HTTP/1.1, HTTP/1.0 */
  version: string;
  headers: Map<string, string>;
}

export interface HttpResponse {
  status: number;
  body: string;
  contentType?: string;
}

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 431: 'Request Header Fields Too Large' };

function parseHead(head: string): { start: string; headers: Map<string, string> } {
  const [start = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  return { start, headers };
}

/** Go net/http's response shape: Date, Content-Length, Content-Type. */
export function renderResponse(r: HttpResponse, now: Date, close: boolean): Buffer {
  const body = Buffer.from(r.body);
  const head =
    `HTTP/1.1 ${r.status} ${REASONS[r.status] ?? ''}\r\n` +
    `Date: ${now.toUTCString()}\r\n` +
    `Content-Length: ${body.length}\r\n` +
    `Content-Type: ${r.contentType ?? 'text/plain; charset=utf-8'}\r\n` +
    (close ? 'Connection: close\r\n' : '') +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Serves requests on one connection until the client closes it (keep-alive, as Go does). */
export function serveHttp(socket: Duplex, handler: (req: HttpRequest) => HttpResponse, now: () => Date = () => new Date()): void {
  let buffered = Buffer.alloc(0);
  let skip = 0;
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.end());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buffered.length);
        buffered = buffered.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) {
          socket.end(renderResponse({ status: 431, body: '431 Request Header Fields Too Large' }, now(), true));
          buffered = Buffer.alloc(0);
        }
        return;
      }
      const { start, headers } = parseHead(buffered.subarray(0, end).toString('latin1'));
      buffered = buffered.subarray(end + 4);
      skip = Number(headers.get('content-length') ?? 0) || 0;
      const [method = '', target = '/', version = 'HTTP/1.0'] = start.split(' ');
      const close = (headers.get('connection') ?? '').toLowerCase() === 'close';
      const response = handler({ method, target, version, headers });
      if (close) {
        socket.end(renderResponse(response, now(), true));
        return;
      }
      socket.write(renderResponse(response, now(), false));
    }
  });
}

export interface FetchedResponse {
  statusLine: string;
  status: number;
  headerLines: string[];
  body: Buffer;
}

/** Reads one response from a stream: by Content-Length, chunked, or until the server closes. */
export function readResponse(socket: Duplex): Promise<FetchedResponse> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    let head: { statusLine: string; headerLines: string[]; length?: number; chunked: boolean } | undefined;
    const finish = (body: Buffer): void => {
      cleanup();
      resolve({ statusLine: head!.statusLine, status: Number(head!.statusLine.split(' ')[1]), headerLines: head!.headerLines, body });
    };
    const tryChunked = (): boolean => {
      const parts: Buffer[] = [];
      let at = 0;
      for (;;) {
        const eol = buffered.indexOf('\r\n', at);
        if (eol < 0) return false;
        const size = parseInt(buffered.subarray(at, eol).toString('latin1'), 16);
        if (Number.isNaN(size)) return false;
        if (size === 0) {
          finish(Buffer.concat(parts));
          return true;
        }
        if (buffered.length < eol + 2 + size + 2) return false;
        parts.push(buffered.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_HEAD_BYTES + MAX_BODY_BYTES) {
        cleanup();
        reject(new Error(`response larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      if (!head) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const { headers } = parseHead(buffered.subarray(0, end).toString('latin1'));
        buffered = buffered.subarray(end + 4);
        const cl = headers.get('content-length');
        head = { statusLine: lines[0] ?? '', headerLines: lines.slice(1), chunked: /chunked/i.test(headers.get('transfer-encoding') ?? ''), ...(cl !== undefined ? { length: Number(cl) } : {}) };
      }
      if (head.chunked) tryChunked();
      else if (head.length !== undefined && buffered.length >= head.length) finish(buffered.subarray(0, head.length));
    };
    const onEnd = (): void => {
      if (!head) {
        cleanup();
        reject(Object.assign(new Error('Empty reply from server'), { code: 'EEMPTY' }));
      } else finish(buffered);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}
