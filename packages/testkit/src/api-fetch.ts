// fetch() for a server whose certificate a private CA signed. Node's global fetch cannot be given a
// CA without undici's Agent (not a dependency here), so this speaks node:https and hands back a
// WHATWG Response whose body streams (watches read it incrementally).
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

function headersOf(init: RequestInit): Record<string, string> {
  return Object.fromEntries(new Headers(init.headers ?? {}).entries());
}

function bodyOf(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body as ArrayBuffer);
  throw new TypeError('tlsFetch: request bodies are strings or bytes');
}

/** A fetch that trusts `ca` (PEM), keeping connections alive like the global fetch does. */
export function tlsFetch(ca: string): FetchLike {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 256 });
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const body = bodyOf(init.body);
      const headers = headersOf(init);
      // node:http sends a DELETE (or GET) body unframed unless told its length.
      if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const one of v) headers.append(k, one);
          else if (v !== undefined) headers.set(k, v);
        }
        const status = res.statusCode ?? 0;
        const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
        if (nullBody) res.resume();
        resolve(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers }));
      });
      const signal = init.signal;
      if (signal) {
        if (signal.aborted) req.destroy(signal.reason as Error);
        signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
      }
      req.on('error', reject);
      req.end(body);
    });
}
