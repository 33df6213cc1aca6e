#!/usr/bin/env node
// kubemu-api-store: kube-apiserver + etcd, over the kubemu event log.
import { createServer } from 'node:https';
import { randomBytes, randomUUID, randomInt } from 'node:crypto';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { closeServer, listen, onShutdown, runMain } from '@kubemu/agent-runtime';
import { connectBus, ensureStreams, headRevision, watchObjectEvents } from '@kubemu/bus';
import { bootstrapObjects, formatIP, indexedIP, parseCIDR, seededRandom, type AdmissionContext, type Random } from '@kubemu/core';
import { parseConfig } from './config.js';
import { loadOrCreateToken } from './token.js';
import { createMetrics } from './metrics.js';
import { LiveStore } from './live-store.js';
import { Writer } from './writer.js';
import { createHandler } from './http.js';
import { createUpgradeHandler } from './pod-exec.js';
import { apiStoreLifecycle } from './lifecycle.js';
import { bootstrap } from './bootstrap.js';
import { EventTtlSweeper } from './event-ttl.js';
import { loadOrCreateSelfSigned, loadServingFiles, servingNames } from './certificates.js';

const log = pino({ base: { component: 'api-store' } });

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), () => randomBytes(3).toString('hex'));
  const writerId = `api-store/${config.instanceId}`;
  const token = loadOrCreateToken(config.tokenFile);
  const metrics = createMetrics();
  const live = new LiveStore(config.watchWindow, {
    serviceClusterIPRange: config.serviceClusterIPRange,
    serviceNodePortRange: config.serviceNodePortRange,
  });
  const lifecycle = createActor(apiStoreLifecycle).start();
  lifecycle.subscribe((s) => log.info({ state: s.value }, 'lifecycle'));
  const random: Random = config.randomSeed !== undefined ? seededRandom(config.randomSeed) : { int: (n) => randomInt(n) };
  const admissionContext = (): AdmissionContext => ({
    now: new Date(),
    random,
    newUid: randomUUID,
    config: { serviceClusterIPRange: config.serviceClusterIPRange, serviceNodePortRange: config.serviceNodePortRange },
  });

  const bus = await connectBus({ servers: config.natsUrl, name: writerId });
  lifecycle.send({ type: 'CONNECTED' });
  await ensureStreams(bus, { storage: config.storage });
  const head = await headRevision(bus);
  log.info({ head }, 'replaying the event log');
  let caughtUp!: () => void;
  const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
  if (head === 0) caughtUp();
  const watch = watchObjectEvents(bus, {
    fromRevision: 1,
    onEvent: (event) => {
      live.apply(event);
      metrics.eventsApplied.inc();
      metrics.revision.set(event.revision);
      if (live.position >= head) caughtUp();
    },
    onReject: (rejection) => {
      metrics.eventsRejected.inc({ reason: rejection.reason });
      log.warn({ sequence: rejection.seq, subject: rejection.subject, reason: rejection.reason, detail: rejection.detail }, 'skipped a malformed event');
      live.skip(rejection.seq);
      if (live.position >= head) caughtUp();
    },
  });
  watch.done.then(
    () => undefined,
    (err: unknown) => {
      log.fatal({ err: String(err) }, 'the log reader stopped');
      lifecycle.send({ type: 'FATAL', reason: String(err) });
      process.exit(1);
    },
  );
  await replayed;
  lifecycle.send({ type: 'CAUGHT_UP', revision: live.revision });
  log.info({ revision: live.revision, objects: live.state.store.objects.size }, 'replayed the event log');

  const cidr = parseCIDR(config.serviceClusterIPRange);
  if (!cidr) throw new Error(`--service-cluster-ip-range ${config.serviceClusterIPRange}: not a CIDR`);
  const serving =
    config.tlsCertFile !== undefined && config.tlsPrivateKeyFile !== undefined
      ? loadServingFiles(config.tlsCertFile, config.tlsPrivateKeyFile)
      : await loadOrCreateSelfSigned(config.certDir, servingNames([config.bindAddress, config.advertiseAddress], formatIP(indexedIP(cidr, 1))));
  log.info({ certFile: serving.certFile, keyFile: serving.keyFile }, 'serving certificate');

  const writer = new Writer(bus, live, metrics, writerId, () => new Date());
  const server = createServer(
    { cert: serving.cert, key: serving.key },
    createHandler({
      live,
      writer,
      metrics,
      token,
      serverAddress: `${config.advertiseAddress}:${config.securePort}`,
      lifecycleState: () => String(lifecycle.getSnapshot().value),
      admissionContext,
      log,
    }),
  );
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', createUpgradeHandler({ live, token, metrics, log }));
  const address = await listen(server, config.securePort, config.bindAddress);
  const problems = await bootstrap(writer, bootstrapObjects(config.serviceClusterIPRange, config.advertiseAddress, address.port), admissionContext);
  for (const p of problems) log.warn({ problem: p }, 'bootstrap object not created');
  lifecycle.send({ type: 'BOOTSTRAPPED' });
  const eventTtl = new EventTtlSweeper({ live, writer, ttlMs: config.eventTtlMs, admissionContext, log });
  eventTtl.start();

  (async () => {
    for await (const s of bus.nc.status()) {
      if (s.type === 'disconnect') lifecycle.send({ type: 'DISCONNECTED' });
      if (s.type === 'reconnect') lifecycle.send({ type: 'RECONNECTED' });
    }
  })().catch(() => undefined);

  log.info({ address: address.address, port: address.port, revision: live.revision, writer: writerId }, 'listening');

  onShutdown(log, async () => {
    lifecycle.send({ type: 'STOP' });
    await eventTtl.stop();
    await closeServer(server);
    await watch.stop();
    await bus.close();
  });
}

runMain('api-store', main, log);
