// The healthCheckNodePort listeners (service_health.go SyncServices / SyncEndpoints): one HTTP
// server per Service that needs one, on the node's address; opened and closed as Services come
// and go, answering from the counts of the last sync.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { serviceHealthResponse, type ServiceHealthCheck } from '@kubemu/core';

/** kube-proxy opens one listener per Service; a bound keeps a runaway config from opening thousands. */
export const MAX_HEALTH_CHECK_SERVERS = 2048;

interface Instance {
  check: ServiceHealthCheck;
  server: Server;
}

export class ServiceHealthServers {
  private readonly instances = new Map<string, Instance>();

  constructor(
    private readonly address: () => string | undefined,
    private readonly proxyHealthy: () => boolean,
    private readonly log: Logger,
  ) {}

  /** The listening ports, by namespace/name. */
  get ports(): Record<string, number> {
    return Object.fromEntries([...this.instances].map(([k, i]) => [k, i.check.port]));
  }

  async sync(checks: readonly ServiceHealthCheck[]): Promise<void> {
    const wanted = new Map(checks.map((c) => [`${c.namespace}/${c.name}`, c]));
    for (const [nsn, inst] of this.instances) {
      const want = wanted.get(nsn);
      if (want === undefined || want.port !== inst.check.port) {
        this.log.info({ service: nsn, port: inst.check.port }, 'Closing healthcheck');
        this.instances.delete(nsn);
        await new Promise<void>((resolve) => inst.server.close(() => resolve()));
        inst.server.closeAllConnections();
      } else {
        inst.check = want;
      }
    }
    const address = this.address();
    if (address === undefined) return;
    for (const [nsn, check] of wanted) {
      if (this.instances.has(nsn)) continue;
      if (this.instances.size >= MAX_HEALTH_CHECK_SERVERS) {
        this.log.error({ service: nsn, limit: MAX_HEALTH_CHECK_SERVERS }, 'Failed to start healthcheck: too many health check servers');
        continue;
      }
      const inst: Instance = { check, server: createServer() };
      inst.server.on('request', (_req, res) => {
        const { status, body } = serviceHealthResponse(inst.check, this.proxyHealthy());
        res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      try {
        await new Promise<void>((resolve, reject) => {
          inst.server.once('error', reject);
          inst.server.listen(check.port, address, () => resolve());
        });
      } catch (err) {
        this.log.error({ err: String(err), service: nsn, port: check.port }, 'Failed to start healthcheck');
        continue;
      }
      this.log.info({ service: nsn, port: check.port, address }, 'Opening healthcheck');
      this.instances.set(nsn, inst);
    }
  }

  async close(): Promise<void> {
    await this.sync([]);
  }
}
