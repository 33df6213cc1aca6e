// The one HTTP client the kubemu command and every agent use: bearer token, JSON both ways, and any failure turned
// into the metav1.Status kubectl would have decoded (client-go rest/request.go transformResponse,
// apimachinery errors.NewGenericServerResponse for bodies that are not a Status).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions as RequestOptionsHttps } from 'node:https';
import { objectPath, type KubeObject, type ResourceInfo, type Status } from '@kubemu/core';

export const REQUEST_TIMEOUT_MS = 30_000;
/** A response body larger than this is refused rather than buffered. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

/** The server could not be reached at all (kubectl's *url.Error cases in StandardErrorMessage). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string };
  items: T[];
}

const GENERIC_REASONS: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the server has received a request for a resource that is no longer available'],
  415: ['UnsupportedMediaType', 'the server does not support the media type of the request'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** errors.NewGenericServerResponse, for an error answer whose body is not a Status. */
export function genericStatus(code: number, body: string): Status {
  const known = GENERIC_REASONS[code];
  const [reason, message] = known ?? [
    code >= 500 ? 'InternalError' : 'Unknown',
    `an error on the server (${JSON.stringify(body.trim().slice(0, 256))}) has prevented the request from succeeding`,
  ];
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code };
}

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface TlsOptions {
  /** PEM of the CA that signed the server's certificate (kubeconfig certificate-authority-data). */
  ca?: string;
  /** kubeconfig insecure-skip-tls-verify. */
  insecureSkipTlsVerify?: boolean;
}

interface RawResponse {
  status: number;
  body: string;
}

export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string,
    private readonly tls: TlsOptions = {},
  ) {}

  private hostPort(): string {
    try {
      return new URL(this.server).host;
    } catch {
      return this.server;
    }
  }

  /** node:http(s) rather than fetch: a kubeconfig may name its own CA, which fetch cannot take. */
  private send(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
    const secure = url.protocol === 'https:';
    const options: RequestOptionsHttps = { method, headers, timeout: REQUEST_TIMEOUT_MS };
    if (secure) {
      if (this.tls.ca) options.ca = this.tls.ca;
      if (this.tls.insecureSkipTlsVerify) options.rejectUnauthorized = false;
    }
    return new Promise<RawResponse>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new ConnectionError(`response from ${url.href} is over the ${MAX_RESPONSE_BYTES}-byte limit`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`request to ${url.href} timed out after ${REQUEST_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kubemu' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
      // node:http sends a DELETE body without Content-Length or chunking (useChunkedEncodingByDefault is off for DELETE), which the server cannot frame.
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    let res: RawResponse;
    try {
      res = await this.send(method, url, headers, body);
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED') {
        throw new ConnectionError(`The connection to the server ${this.hostPort()} was refused - did you specify the right host or port?`);
      }
      throw new ConnectionError(`Unable to connect to the server: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status > 299) throw new ApiError(isStatus(parsed) ? parsed : genericStatus(res.status, res.body));
    if (parsed === undefined && res.body !== '') throw new ConnectionError(`the server answered ${method} ${url.pathname} with a body that is not JSON`);
    return parsed as T;
  }

  get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', objectPath(r, namespace, name));
  }

  list(r: ResourceInfo, namespace: string | undefined, selectors: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeList> {
    return this.request('GET', objectPath(r, namespace), { query: selectors });
  }

  create(r: ResourceInfo, namespace: string | undefined, object: KubeObject): Promise<KubeObject> {
    return this.request('POST', objectPath(r, namespace), { body: object });
  }

  mergePatch(r: ResourceInfo, namespace: string | undefined, name: string, patch: unknown): Promise<KubeObject> {
    return this.request('PATCH', objectPath(r, namespace, name), { body: patch, contentType: 'application/merge-patch+json' });
  }

  /** PUT: with metadata.resourceVersion set, a stale object is refused with 409 Conflict. */
  update(r: ResourceInfo, namespace: string | undefined, object: KubeObject): Promise<KubeObject> {
    return this.request('PUT', objectPath(r, namespace, object.metadata?.name ?? ''), { body: object });
  }

  /** PUT to the status subresource: only status changes. */
  updateStatus(r: ResourceInfo, namespace: string | undefined, object: KubeObject): Promise<KubeObject> {
    return this.request('PUT', `${objectPath(r, namespace, object.metadata?.name ?? '')}/status`, { body: object });
  }

  delete(r: ResourceInfo, namespace: string | undefined, name: string, options: { preconditions?: { resourceVersion?: string; uid?: string }; gracePeriodSeconds?: number } = {}): Promise<unknown> {
    const body = Object.keys(options).length > 0 ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined;
    return this.request('DELETE', objectPath(r, namespace, name), body !== undefined ? { body } : {});
  }
}
