#!/usr/bin/env node
// kubemu-node: one node's kubelet and pod network.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { closeServer, listen, onShutdown, runMain } from '@kubemu/agent-runtime';
import { connectBus, publishObservation, watchObjectEvents } from '@kubemu/bus';
import { ApiClient, ApiError, EventRecorder } from '@kubemu/client';
import {
  getObject,
  kubeletNodeReference,
  kubeletStartEvents,
  nodeLease,
  nodeStatusDue,
  nodeStatusUpdate,
  NODE_LEASE_NAMESPACE,
  reconcileExistingNode,
  registrationNode,
  podCIDRGateway,
  resourceByKind,
  seededRandom,
  type Lease,
  type Node,
  type NodeIdentity,
  type ResourceInfo,
} from '@kubemu/core';
import { parseConfig } from './config.js';
import { ContainerLogs } from './container-logs.js';
import { createKubeletServer } from './kubelet-server.js';
import { KubeProxyPod } from './kube-proxy-pod.js';
import { nodeLifecycle } from './lifecycle.js';
import { createMetrics } from './metrics.js';
import { NodeAgent } from './node-agent.js';
import { NetfilterHooks } from './netfilter/netfilter-hooks.js';
import { NodeNetfilter, nodePortsInRules } from './netfilter/node-netfilter.js';
import { NodePortSockets } from './netfilter/node-port-listeners.js';
import { HostPortSockets } from './netfilter/host-port-listeners.js';
import { PodNetwork } from './pod-network/pod-network.js';

const NODES = resourceByKind('Node') as ResourceInfo;
const LEASES = resourceByKind('Lease') as ResourceInfo;

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const log = pino({ base: { component: 'node', node: config.name } });
  const agentName = `node/${config.name}`;
  const token = readFileSync(config.tokenFile, 'utf8').trim();
  const client = new ApiClient(config.server, token, config.caFile ? { ca: readFileSync(config.caFile, 'utf8') } : {});
  const metrics = createMetrics();
  const lifecycle = createActor(nodeLifecycle).start();
  lifecycle.subscribe((s) => log.info({ state: s.value }, 'lifecycle'));
  const state = (): string => String(lifecycle.getSnapshot().value);

  const randomSeed = config.randomSeed ?? randomInt(0x100000000);
  const gateway = podCIDRGateway(config.podCIDR);
  // addrtype LOCAL: the node's own addresses. Not 127.0.0.0/8: the host's loopback clients (curl
  // 127.0.1.2:NODEPORT from 127.0.0.1) are other machines to the emulated node, as on a real cluster.
  const nf = new NodeNetfilter({ localAddresses: [config.address, gateway], random: seededRandom(randomSeed) });
  const net = new PodNetwork({
    nodeName: config.name,
    address: config.address,
    podCIDR: config.podCIDR,
    hooks: new NetfilterHooks(nf, { nodeAddress: config.address, podGateway: gateway, onEvent: (e) => log.warn(e, 'netfilter') }),
    onEvent: (e) => log.warn(e, 'pod network'),
  });
  const overlay = await net.startOverlay(config.overlayTcpPort, config.overlayUdpPort);
  const nodePorts = new NodePortSockets({ address: config.address, net, onEvent: (e) => log.warn(e, 'node ports') });
  nf.onChange((tables) => {
    void nodePorts.sync(nodePortsInRules(tables)).then(() => log.info({ open: nodePorts.open.length }, 'node port sockets follow the rules'));
  });
  const hostPorts = new HostPortSockets({ address: config.address, net });
  const logs = new ContainerLogs();
  const events = new EventRecorder({
    client,
    source: { component: 'kubelet', host: config.name },
    onFailure: (event, err) => log.warn({ reason: event.reason, object: event.involvedObject?.name, err: String((err as Error)?.message ?? err) }, 'event not recorded'),
  });
  const agent = new NodeAgent({ nodeName: config.name, address: config.address, podCIDR: config.podCIDR, maxPods: config.maxPods, client, net, hostPorts, log, metrics, logs, events });
  const kubeProxy = new KubeProxyPod({ nodeName: config.name, address: config.address, client, agent, logs, log });
  const server = createKubeletServer({ token, agent, net, netfilter: nf, metrics, healthy: () => state() === 'ready', logs, kubeProxy });
  const { port } = await listen(server, config.port, config.address);
  const id: NodeIdentity = {
    name: config.name,
    address: config.address,
    podCIDR: config.podCIDR,
    hostname: config.hostname,
    maxPods: config.maxPods,
    kubeletPort: port,
    overlayTcpPort: overlay.tcpPort,
    overlayUdpPort: overlay.udpPort,
  };

  const bus = await connectBus({ servers: config.natsUrl, name: agentName });
  let caughtUp!: () => void;
  const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
  const watch = watchObjectEvents(bus, {
    fromRevision: 1,
    onEvent: (e) => agent.apply({ revision: e.revision, type: e.type, kind: e.kind, object: e.object, timeUnixMilli: e.timeUnixMilli, writer: e.writer, author: e.author }),
    onReject: (r) => log.warn({ sequence: r.seq, reason: r.reason, detail: r.detail }, 'skipped a malformed event'),
    onCaughtUp: () => caughtUp(),
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
  lifecycle.send({ type: 'CAUGHT_UP', revision: agent.revision });

  let before: Node | undefined;
  const register = async (): Promise<Node> => {
    let existing: Node | undefined;
    try {
      existing = (await client.get(NODES, undefined, config.name)) as Node;
    } catch (err) {
      if (!(err instanceof ApiError && err.status.code === 404)) throw err;
    }
    before = existing;
    if (!existing) return (await client.create(NODES, undefined, registrationNode(id, Date.now()))) as Node;
    const r = reconcileExistingNode(existing, id, Date.now());
    if ('problem' in r) {
      log.fatal({ problem: r.problem.message }, 'cannot register');
      process.exit(1);
    }
    const updated = (await client.update(NODES, undefined, r.node)) as Node;
    return (await client.updateStatus(NODES, undefined, { ...updated, status: r.node.status } as Node)) as Node;
  };
  let node: Node | undefined;
  for (let attempt = 1; node === undefined; attempt++) {
    try {
      node = await register();
    } catch (err) {
      if (err instanceof ApiError && err.status.code === 409) continue;
      log.warn({ err: String(err), attempt }, 'registration failed; retrying');
      lifecycle.send({ type: 'HEARTBEAT_FAILED', reason: String(err) });
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
    }
  }
  lifecycle.send({ type: 'REGISTERED' });
  log.info({ node: config.name, address: config.address, podCIDR: config.podCIDR }, 'Successfully registered node');
  for (const e of kubeletStartEvents(config.name, before)) events.event(kubeletNodeReference(config.name), e.type, e.reason, e.message);
  agent.onCaughtUp();
  kubeProxy.start();

  let lastStatusMs = Date.now();
  const heartbeat = async (): Promise<void> => {
    const stored = getObject(agent.store, 'Lease', NODE_LEASE_NAMESPACE, config.name)?.object as Lease | undefined;
    const nodeUid = node?.metadata?.uid;
    const lease = nodeLease(config.name, Date.now(), stored, nodeUid);
    if (stored) await client.update(LEASES, NODE_LEASE_NAMESPACE, lease);
    else await client.create(LEASES, NODE_LEASE_NAMESPACE, lease);
    const current = getObject(agent.store, 'Node', '', config.name)?.object as Node | undefined;
    if (nodeStatusDue(current, Date.now(), lastStatusMs, config.nodeStatusReportFrequencyMs) || state() === 'degraded') {
      if (current) await client.updateStatus(NODES, undefined, nodeStatusUpdate(current, id, Date.now()));
      lastStatusMs = Date.now();
    }
    await publishObservation(bus, {
      agent: agentName,
      revision: agent.revision,
      timeUnixMilli: Date.now(),
      state: state(),
      heartbeat: { node: config.name, address: config.address },
    });
  };
  let beating = false;
  const beat = (): void => {
    if (beating) return;
    beating = true;
    heartbeat()
      .then(() => {
        metrics.leaseRenewals.inc({ result: 'ok' });
        lifecycle.send({ type: 'HEARTBEAT_OK' });
      })
      .catch((err: unknown) => {
        // 409: another write moved the Lease; the next renewal uses the newer one.
        if (err instanceof ApiError && err.status.code === 409) return;
        metrics.leaseRenewals.inc({ result: 'error' });
        log.warn({ err: String(err) }, 'lease renewal failed');
        lifecycle.send({ type: 'HEARTBEAT_FAILED', reason: String(err) });
      })
      .finally(() => (beating = false));
  };
  beat();
  const leaseTimer = setInterval(beat, config.leaseRenewIntervalMs);

  log.info({ address: config.address, port, randomSeed, overlayTcpPort: overlay.tcpPort, overlayUdpPort: overlay.udpPort, revision: agent.revision }, 'listening');

  onShutdown(log, async () => {
    lifecycle.send({ type: 'STOP' });
    events.stop();
    clearInterval(leaseTimer);
    kubeProxy.stop();
    agent.stop();
    await closeServer(server);
    await nodePorts.close();
    hostPorts.close();
    await net.close();
    await watch.stop();
    await bus.close();
  });
}

runMain('node', main);
