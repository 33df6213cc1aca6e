#!/usr/bin/env node
// kubemu-proxy-agent: kube-proxy for one node. Reads the log from NATS, programs its node's
// netfilter through the node's API, reports each sync to KUBEMU_STATUS. The rules live in the
// node: killing this process leaves them in place.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { connectBus, publishObservation, watchObjectEvents } from '@kubemu/bus';
import type { KubeObject } from '@kubemu/core';
import { parseConfig } from './config.js';
import { proxyLifecycle } from './lifecycle.js';
import { createMetrics } from './metrics.js';
import { NodeNetfilter } from './node-netfilter.js';
import { Proxier } from './proxier.js';
import { ProxyHealth } from './proxy-health.js';
import { ServiceHealthServers } from './service-health-servers.js';

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const agentName = `proxy-agent/${config.nodeName}`;
  const log = pino({ base: { component: 'proxy-agent', node: config.nodeName } });
  const token = readFileSync(config.tokenFile, 'utf8').trim();
  const metrics = createMetrics();
  const lifecycle = createActor(proxyLifecycle).start();
  lifecycle.subscribe((s) => log.info({ state: s.value }, 'lifecycle'));
  // cmd/kube-proxy: the proxier health timeout is 2 × syncPeriod.
  const health = new ProxyHealth(2 * config.proxy.syncPeriodMs);

  const bus = await connectBus({ servers: config.natsUrl, name: agentName });
  let proxier!: Proxier;
  const healthServers = new ServiceHealthServers(() => proxier.nodeAddress(), () => health.isHealthy(Date.now()), log);
  const netfilter = new NodeNetfilter(() => proxier.nodeEndpoint(), token);
  proxier = new Proxier({
    nodeName: config.nodeName,
    config: config.proxy,
    netfilter,
    lifecycle,
    log,
    metrics,
    health,
    healthServers,
    report: async (r) => {
      await publishObservation(bus, {
        agent: agentName,
        revision: r.revision,
        timeUnixMilli: Date.now(),
        state: String(lifecycle.getSnapshot().value),
        rulesProgrammed: { node: config.nodeName, digest: r.digest, fullSync: r.fullSync, ruleCount: r.ruleCount },
      });
      log.info({ revision: r.revision, digest: r.digest }, `${agentName} programmed revision ${r.revision}, rules digest ${r.digest}`);
    },
  });

  void (async () => {
    for await (const s of bus.nc.status()) {
      if (s.type === 'disconnect') lifecycle.send({ type: 'NATS_DOWN', reason: `NATS disconnected from ${String(s.server)}` });
      else if (s.type === 'reconnect') {
        lifecycle.send({ type: 'NATS_UP' });
        proxier.requestSync();
      }
    }
  })();

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const now = Date.now();
    if (path === '/healthz' || path === '/livez') {
      const { status, body } = path === '/healthz' ? health.healthz(now) : health.livez(now);
      (path === '/healthz' ? metrics.healthzTotal : metrics.livezTotal).inc({ code: String(status) });
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
      return;
    }
    if (path === '/metrics') {
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
    server.listen(config.healthzPort, config.healthzBindAddress, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info({ address: address.address, port: address.port }, 'listening');

  const watch = watchObjectEvents(bus, {
    fromRevision: 1,
    onEvent: (e) => proxier.apply({ revision: e.revision, type: e.type, kind: e.kind, object: e.object as KubeObject, timeUnixMilli: Number(e.timeUnixMilli ?? 0) }),
    onReject: (r) => {
      log.warn({ sequence: r.seq, reason: r.reason, detail: r.detail }, 'skipped a malformed event');
      proxier.skip(r.seq);
    },
    onCaughtUp: () => {
      log.info({ revision: proxier.revision, objects: proxier.store.objects.size }, 'replayed the event log');
      proxier.onCaughtUp();
    },
  });
  watch.done.then(
    () => undefined,
    (err: unknown) => {
      log.fatal({ err: String(err) }, 'the log reader stopped');
      process.exit(1);
    },
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    lifecycle.send({ type: 'STOP' });
    await proxier.stop();
    await healthServers.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await watch.stop();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  pino({ base: { component: 'proxy-agent' } }).fatal({ err: String((err as Error)?.stack ?? err) }, 'proxy-agent failed');
  process.exit(1);
});
