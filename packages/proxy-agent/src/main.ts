#!/usr/bin/env node
// kubemu-proxy-agent: kube-proxy for one node. Reads the log from NATS, programs its node's
// netfilter through the node's API, reports each sync to KUBEMU_STATUS. The rules live in the
// node: killing this process leaves them in place.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { AgentSnapshots, closeServer, listen, onShutdown, runMain, sendMetrics, sendNotFound } from '@kubemu/agent-runtime';
import { connectBus, publishObservation, watchObjectEvents } from '@kubemu/bus';
import { kubeProxyCachesSyncedEntries, kubeProxyStartupEntries, type KubeObject } from '@kubemu/core';
import { parseConfig } from './config.js';
import { proxyLifecycle } from './lifecycle.js';
import { KubeProxyKlog } from './kube-proxy-klog.js';
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
  let healthzUrl: string | undefined;
  const klog = new KubeProxyKlog({
    verbosity: config.proxy.verbosity,
    node: netfilter,
    healthz: () => healthzUrl,
    onDropped: (count) => log.warn({ count }, 'kube-proxy log lines dropped while the node was unreachable'),
  });
  proxier = new Proxier({
    klog,
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
    if (path === '/metrics') return sendMetrics(res, metrics.registry);
    sendNotFound(res);
  });
  const address = await listen(server, config.healthzPort, config.healthzBindAddress);
  log.info({ address: address.address, port: address.port }, 'listening');
  const healthzHost = address.address === '0.0.0.0' || address.address === '::' ? undefined : address.address;
  const healthzAddress = `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;

  // DESIGN "The event log": resume after the snapshot, or replay from 1 without a usable one.
  const snapshots =
    config.snapshotFile === undefined
      ? undefined
      : await AgentSnapshots.open({
          bus,
          path: config.snapshotFile,
          agent: agentName,
          intervalMs: config.snapshotIntervalMs,
          keeps: (kind, object) => proxier.keeps(kind, object),
          log,
          metrics,
        });
  if (snapshots?.restored) proxier.restore(snapshots.restored);

  const watch = watchObjectEvents(bus, {
    fromRevision: proxier.revision + 1,
    onEvent: (e) => {
      proxier.apply({ revision: e.revision, type: e.type, kind: e.kind, object: e.object as KubeObject, timeUnixMilli: Number(e.timeUnixMilli ?? 0) });
      snapshots?.changed();
    },
    onReject: (r) => {
      log.warn({ sequence: r.seq, reason: r.reason, detail: r.detail }, 'skipped a malformed event');
      proxier.skip(r.seq);
      snapshots?.changed();
    },
    onCaughtUp: () => {
      log.info({ revision: proxier.revision, objects: proxier.store.objects.size }, 'replayed the event log');
      const nodeIP = proxier.nodeAddress();
      // A wildcard-bound healthz server is reached on the node's address.
      const host = healthzHost ?? nodeIP;
      if (host !== undefined) healthzUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      klog.emit([...kubeProxyStartupEntries({ nodeIPs: nodeIP ? [nodeIP] : [], config: config.proxy, healthzAddress }), ...kubeProxyCachesSyncedEntries()]);
      klog.start();
      proxier.onCaughtUp();
      snapshots?.start(() => ({ store: proxier.store, revision: proxier.revision })).catch((err: unknown) => log.warn({ err: String(err) }, 'could not write the snapshot'));
    },
  });
  watch.done.then(
    () => undefined,
    (err: unknown) => {
      log.fatal({ err: String(err) }, 'the log reader stopped');
      process.exit(1);
    },
  );

  onShutdown(log, async () => {
    lifecycle.send({ type: 'STOP' });
    await proxier.stop();
    await klog.stop();
    await healthServers.close();
    await closeServer(server);
    await watch.stop();
    await snapshots?.close();
    await bus.close();
  });
}

runMain('proxy-agent', main);
