#!/usr/bin/env node
// kubemu-controller-manager: kube-controller-manager + kube-scheduler. Reads the log from NATS (one
// informer), writes through the api-store like any other client.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { pino } from 'pino';
import { connectBus } from '@kubemu/bus';
import { ApiClient } from '@kubemu/client';
import { seededRandom, type Random } from '@kubemu/core';
import { parseConfig } from './config.js';
import { createMetrics } from './metrics.js';
import { Informer } from './informer.js';
import { ControllerRunner, type ControllerDefinition } from './controller.js';
import { endpointSliceController } from './controllers/endpointslice.js';
import { endpointsController } from './controllers/endpoints.js';
import { schedulerController } from './controllers/scheduler.js';
import { deploymentController, statefulSetController } from './controllers/workloads.js';
import { nodeLifecycleController } from './controllers/node-lifecycle.js';
import { namespaceController } from './controllers/namespace.js';
import { garbageCollector } from './controllers/garbage-collector.js';

const log = pino({ base: { component: 'controller-manager' } });

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const token = readFileSync(config.tokenFile, 'utf8').trim();
  const ca = config.caFile !== undefined ? readFileSync(config.caFile, 'utf8') : undefined;
  const client = new ApiClient(config.server, token, ca !== undefined ? { ca } : {});
  const metrics = createMetrics();
  const random: Random = config.randomSeed !== undefined ? seededRandom(config.randomSeed) : { int: (n) => randomInt(n) };

  const all: ControllerDefinition[] = [
    endpointSliceController({ maxEndpointsPerSlice: config.maxEndpointsPerSlice }),
    endpointsController(),
    schedulerController(),
    deploymentController(),
    statefulSetController(),
    nodeLifecycleController({ gracePeriodMs: config.nodeMonitorGracePeriodMs, monitorPeriodMs: config.nodeMonitorPeriodMs }),
    namespaceController(),
    garbageCollector(),
  ];
  const unknown = (config.controllers ?? []).filter((c) => !all.some((d) => d.name === c));
  if (unknown.length > 0) throw new Error(`--controllers: unknown ${unknown.join(', ')}; known: ${all.map((d) => d.name).join(', ')}`);
  const enabled = config.controllers === undefined ? all : all.filter((d) => config.controllers!.includes(d.name));

  const informer = new Informer({
    onApplied: (revision) => {
      metrics.eventsApplied.inc();
      metrics.revision.set(revision);
    },
    onReject: (r) => log.warn({ sequence: r.seq, subject: r.subject, reason: r.reason, detail: r.detail }, 'skipped a malformed event'),
  });
  const runners = enabled.map((d) => new ControllerRunner(d, { informer, client, metrics, log, now: () => new Date(), random }));

  const bus = await connectBus({ servers: config.natsUrl, name: 'controller-manager' });
  log.info({ controllers: enabled.map((d) => d.name) }, 'replaying the event log');
  const { done } = await informer.start(bus);
  log.info({ revision: informer.revision, objects: informer.store.objects.size }, 'replayed the event log');
  const fatal = (what: string) => (err: unknown) => {
    log.fatal({ err: String((err as Error)?.stack ?? err) }, what);
    process.exit(1);
  };
  done.catch(fatal('the log reader stopped'));
  for (const r of runners) {
    r.start();
    r.running?.catch(fatal(`controller ${r.definition.name} stopped`));
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz' || path === '/readyz') {
      const states = Object.fromEntries(runners.map((r) => [r.definition.name, r.state]));
      const healthy = runners.every((r) => r.state === 'ready' || r.state === 'degraded');
      res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'unhealthy', revision: informer.revision, controllers: states }));
      return;
    }
    if (path === '/metrics') {
      for (const r of runners) metrics.queueDepth.set({ name: r.definition.name }, r.queue.depth);
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info({ address: address.address, port: address.port, revision: informer.revision }, 'listening');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await Promise.all(runners.map((r) => r.stop()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await informer.stop();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err: String((err as Error)?.stack ?? err) }, 'controller-manager failed');
  process.exit(1);
});
