// GET /metrics for prom-client's registry, the same on every process.
import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export function sendMetrics(res: ServerResponse, registry: Registry): void {
  registry.metrics().then(
    (text) => {
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(text);
    },
    (err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    },
  );
}

/** What every process answers for a path it does not serve (as Go's net/http does). */
export function sendNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found\n');
}
