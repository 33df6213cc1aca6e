import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES, statusNotFound } from '@kubemu/core';
import { freePort } from '@kubemu/testkit';
import { ApiClient, ApiError, ConnectionError } from './api-client.js';

const services = RESOURCES.find((r) => r.kind === 'Service')!;
const seen: { method?: string; url?: string; auth?: string; type?: string; body: string }[] = [];
let server: Server;
let base: string;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
      if (req.url === '/api/v1/namespaces/default/services/gone') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(statusNotFound(services, 'gone')));
      } else if (req.url === '/api/v1/namespaces/default/services/broken') {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('oops');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Service', metadata: { name: 'x' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ApiClient', () => {
  it('sends the bearer token, JSON and the patch type; builds paths and selectors', async () => {
    const client = new ApiClient(base, 'secret');
    expect(await client.get(services, 'default', 'x')).toEqual({ kind: 'Service', metadata: { name: 'x' } });
    await client.list(services, undefined, { labelSelector: 'app=a,b!=c', fieldSelector: undefined });
    await client.mergePatch(services, 'default', 'x', { spec: { type: 'ClusterIP' } });
    expect(seen.slice(-3)).toEqual([
      { method: 'GET', url: '/api/v1/namespaces/default/services/x', auth: 'Bearer secret', type: undefined, body: '' },
      { method: 'GET', url: '/api/v1/services?labelSelector=app%3Da%2Cb%21%3Dc', auth: 'Bearer secret', type: undefined, body: '' },
      { method: 'PATCH', url: '/api/v1/namespaces/default/services/x', auth: 'Bearer secret', type: 'application/merge-patch+json', body: '{"spec":{"type":"ClusterIP"}}' },
    ]);
  });

  it('turns error answers into Status: the server’s, or a generic one', async () => {
    const client = new ApiClient(base, 't');
    const notFound = await client.get(services, 'default', 'gone').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApiError);
    expect((notFound as ApiError).status).toMatchObject({ code: 404, reason: 'NotFound', message: 'services "gone" not found' });
    const broken = await client.get(services, 'default', 'broken').catch((e: unknown) => e);
    expect((broken as ApiError).status).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'an error on the server ("oops") has prevented the request from succeeding',
    });
  });

  it("says what kubectl says when nothing listens", async () => {
    const port = await freePort();
    const err = await new ApiClient(`http://127.0.0.1:${port}`, 't').get(services, 'default', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(`The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`);
  });
});
