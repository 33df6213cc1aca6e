#!/usr/bin/env node
// kubemu-controller-manager: kube-controller-manager + kube-scheduler. Reads the log from NATS (one
// informer), writes through the api-store like any other client.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';
import { pino } from 'pino';
import { AgentSnapshots, closeServer, listen, onShutdown, runMain, sendMetrics, sendNotFound } from '@kubemu/agent-runtime';
import { connectBus } from '@kubemu/bus';
import { ApiClient, EventRecorder } from '@kubemu/client';
import { hostname } from 'node:os';
import { seededRandom, type Random } from '@kubemu/core';
import { parseConfig } from './config.js';
import { createMetrics } from './metrics.js';
import { Informer } from './informer.js';
import { ControllerRunner, type ControllerDefinition } from './controller.js';
import { endpointSliceController } from './controllers/endpointslice.js';
import { endpointsController } from './controllers/endpoints.js';
import { schedulerController } from './controllers/scheduler.js';
import { statefulSetController } from './controllers/workloads.js';
import { deploymentController } from './controllers/deployment.js';
import { replicaSetController } from './controllers/replicaset.js';
import { nodeLifecycleController } from './controllers/node-lifecycle.js';
import { namespaceController } from './controllers/namespace.js';
import { garbageCollector } from './controllers/garbage-collector.js';

const log = pino({ base: { component: 'controller-manager' } });
/** The name its snapshot file carries. */
const AGENT = 'controller-manager';

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
    replicaSetController(),
    statefulSetController(),
    nodeLifecycleController({ gracePeriodMs: config.nodeMonitorGracePeriodMs, monitorPeriodMs: config.nodeMonitorPeriodMs }),
    namespaceController(),
    garbageCollector(),
  ];
  const unknown = (config.controllers ?? []).filter((c) => !all.some((d) => d.name === c));
  if (unknown.length > 0) throw new Error(`--controllers: unknown ${unknown.join(', ')}; known: ${all.map((d) => d.name).join(', ')}`);
  const enabled = config.controllers === undefined ? all : all.filter((d) => config.controllers!.includes(d.name));

  // Written once the informer has caught up, then while events arrive (DESIGN "The event log").
  let snapshots: AgentSnapshots | undefined;
  const informer = new Informer({
    onApplied: (revision) => {
      metrics.eventsApplied.inc();
      metrics.revision.set(revision);
      snapshots?.changed();
    },
    onReject: (r) => {
      log.warn({ sequence: r.seq, subject: r.subject, reason: r.reason, detail: r.detail }, 'skipped a malformed event');
      snapshots?.changed();
    },
  });
  // One recorder (queue, correlator) per component, as each upstream controller has its broadcaster.
  const recorders = new Map<string, EventRecorder>();
  const events = (component: string): EventRecorder => {
    let r = recorders.get(component);
    if (r === undefined) {
      r = new EventRecorder({
        client,
        source: { component },
        // events.k8s.io recorders (the scheduler's) name their instance "<controller>-<hostname>".
        reportingInstance: `${component}-${hostname()}`,
        onFailure: (event, err) => log.warn({ component, reason: event.reason, object: event.involvedObject?.name, err: String((err as Error)?.message ?? err) }, 'event not recorded'),
      });
      recorders.set(component, r);
    }
    return r;
  };
  const runners = enabled.map((d) => new ControllerRunner(d, { informer, client, metrics, log, now: () => new Date(), random, events }));

  const bus = await connectBus({ servers: config.natsUrl, name: 'controller-manager' });
  if (config.snapshotFile !== undefined) {
    snapshots = await AgentSnapshots.open({ bus, path: config.snapshotFile, agent: AGENT, intervalMs: config.snapshotIntervalMs, log, metrics });
    if (snapshots.restored) {
      informer.restore(snapshots.restored);
      metrics.revision.set(informer.revision);
    }
  }
  log.info({ controllers: enabled.map((d) => d.name), fromRevision: informer.revision + 1 }, 'replaying the event log');
  const { done } = await informer.start(bus);
  log.info({ revision: informer.revision, objects: informer.store.objects.size }, 'replayed the event log');
  void snapshots?.start(() => ({ store: informer.store, revision: informer.revision })).catch((err: unknown) => log.warn({ err: String(err) }, 'could not write the snapshot'));
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
      return sendMetrics(res, metrics.registry);
    }
    sendNotFound(res);
  });
  const address = await listen(server, config.port, config.bindAddress);
  log.info({ address: address.address, port: address.port, revision: informer.revision }, 'listening');

  onShutdown(log, async () => {
    await Promise.all(runners.map((r) => r.stop()));
    for (const r of recorders.values()) r.stop();
    await closeServer(server);
    await informer.stop();
    await snapshots?.close();
    await bus.close();
  });
}

runMain('controller-manager', main, log);
