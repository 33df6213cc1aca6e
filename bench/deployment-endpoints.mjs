#!/usr/bin/env node
// Benchmark (issue 4): a Deployment of 1,000 replicas over 10 real node processes, apply → every
// endpoint ready in an EndpointSlice. Per endpoint: the time from the apply to the log event that
// first showed it ready (the api-store's append time, read from the event log itself). Also the
// EndpointSlice controller's cost per pod change. Baseline in the same run: the same with 100 replicas.
//
// The EndpointSlice controller runs in a controller-manager of its own (--controllers endpointslice)
// and everything else in a second one, so the first one's process_cpu_seconds_total is that
// controller's (and its informer's) alone.
//   node bench/deployment-endpoints.mjs [--replicas 1000] [--baseline 100] [--nodes 10]
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiStore, startControllerManager, startNats, startNode } from '@kubemu/testkit';
import { connectBus, headRevision, watchObjectEvents } from '@kubemu/bus';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1000' },
    baseline: { type: 'string', default: '100' },
    nodes: { type: 'string', default: '10' },
    'max-pods': { type: 'string', default: '110' },
    timeout: { type: 'string', default: '240' },
    out: { type: 'string' },
  },
});
const REPLICAS = Number(values.replicas);
const BASELINE = Number(values.baseline);
const NODES = Number(values.nodes);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const ALL_BUT_ENDPOINTSLICE = ['endpoints', 'scheduler', 'deployment', 'replicaset', 'statefulset', 'nodelifecycle', 'namespace', 'garbagecollector'];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function metricsOf(cm) {
  const text = await (await fetch(`${cm.url}/metrics`)).text();
  const sum = (name, labels = {}) => {
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) total += Number(m[3]);
    }
    return total;
  };
  return {
    reconciles: sum('kubemu_controller_reconciles_total', { controller: 'endpointslice' }),
    writes: sum('kubemu_controller_writes_total', { controller: 'endpointslice' }),
    cpuSeconds: sum('process_cpu_seconds_total'),
  };
}

const started = Date.now();
const nats = await startNats();
const api = await startApiStore({ natsUrl: nats.url });
const sliceCM = await startControllerManager({ natsUrl: nats.url, apiStore: api, controllers: ['endpointslice'] });
const otherCM = await startControllerManager({ natsUrl: nats.url, apiStore: api, controllers: ALL_BUT_ENDPOINTSLICE });
const nodes = await Promise.all(
  Array.from({ length: NODES }, (_v, i) => startNode({ natsUrl: nats.url, apiStore: api, index: i + 1, extraArgs: ['--max-pods', values['max-pods']] })),
);

async function call(method, path, body, contentType = 'application/json') {
  const res = await api.fetch(path, { method, headers: { 'Content-Type': contentType }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// Everything the log says, as it says it: which endpoints are ready (and since when), pod changes.
const bus = await connectBus({ servers: nats.url, name: 'bench-deployment-endpoints' });
const rounds = new Map(); // namespace → round state
const watch = watchObjectEvents(bus, {
  fromRevision: (await headRevision(bus)) + 1,
  onEvent: (e) => {
    const round = rounds.get(e.object.metadata?.namespace ?? '');
    if (!round) return;
    if (e.kind === 'Pod') {
      round.podChanges++;
      const name = e.object.metadata?.name;
      const first = (map) => map.has(name) || map.set(name, e.timeUnixMilli);
      if (e.type === 'ADDED') first(round.createdAt);
      if (e.object.spec?.nodeName) first(round.boundAt);
      if ((e.object.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) first(round.podReadyAt);
    }
    if (e.kind !== 'EndpointSlice') return;
    for (const ep of e.object.endpoints ?? []) {
      const pod = ep.targetRef?.name;
      if (pod && ep.conditions?.ready && !round.readyAt.has(pod)) round.readyAt.set(pod, e.timeUnixMilli);
    }
    if (round.readyAt.size >= round.replicas) round.done?.();
  },
});

async function waitForNoPods(namespace) {
  const deadline = Date.now() + 120_000;
  while ((await call('GET', `/api/v1/namespaces/${namespace}/pods`)).items.length > 0) {
    if (Date.now() > deadline) throw new Error(`pods of ${namespace} still there after 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function round(replicas) {
  const namespace = `bench-${replicas}`;
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await call('POST', `/api/v1/namespaces/${namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
  });
  const state = { replicas, podChanges: 0, readyAt: new Map(), createdAt: new Map(), boundAt: new Map(), podReadyAt: new Map(), done: undefined };
  const allReady = new Promise((resolve) => (state.done = resolve));
  rounds.set(namespace, state);
  const before = await metricsOf(sliceCM);
  const applied = Date.now();
  await call('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  });
  let timer;
  const timedOut = new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error(`${replicas} replicas: only ${state.readyAt.size} endpoints ready after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)));
  await Promise.race([allReady, timedOut]).finally(() => clearTimeout(timer));
  const totalMs = Date.now() - applied;
  // Let the controller finish what the last pod changes queued before reading its counters.
  await new Promise((r) => setTimeout(r, 1000));
  const after = await metricsOf(sliceCM);
  const podChanges = state.podChanges;
  const latencies = [...state.readyAt.values()].map((t) => t - applied).sort((a, b) => a - b);
  const slices = (await call('GET', `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`)).items;
  // Where the time goes, per pod: apply → created (deployment) → bound (scheduler) → Ready (node) → ready endpoint (EndpointSlice controller).
  const stage = (from, to) => {
    const d = [...to.entries()].filter(([pod]) => from === null || from.has(pod)).map(([pod, t]) => t - (from === null ? applied : from.get(pod))).sort((a, b) => a - b);
    return { p50: percentile(d, 50), p99: percentile(d, 99) };
  };
  const stages = {
    created: stage(null, state.createdAt),
    bound: stage(state.createdAt, state.boundAt),
    podReady: stage(state.boundAt, state.podReadyAt),
    endpointReady: stage(state.podReadyAt, state.readyAt),
  };
  const row = {
    replicas,
    nodes: NODES,
    endpointP50ms: percentile(latencies, 50),
    endpointP99ms: percentile(latencies, 99),
    totalMs,
    podChanges,
    slices: slices.length,
    reconcilesPerPodChange: +((after.reconciles - before.reconciles) / podChanges).toFixed(4),
    writesPerPodChange: +((after.writes - before.writes) / podChanges).toFixed(4),
    cpuMsPerPodChange: +((1000 * (after.cpuSeconds - before.cpuSeconds)) / podChanges).toFixed(3),
    reconciles: after.reconciles - before.reconciles,
    writes: after.writes - before.writes,
    cpuSeconds: +(after.cpuSeconds - before.cpuSeconds).toFixed(2),
    stagesMs: stages,
  };
  console.log(JSON.stringify(row));
  // Empty the nodes for the next round; the controllers' work on the way down is not measured.
  rounds.delete(namespace);
  await call('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/web`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
  await waitForNoPods(namespace);
  return row;
}

let baseline;
let measured;
try {
  baseline = await round(BASELINE);
  measured = await round(REPLICAS);
} finally {
  await watch.stop();
  await bus.close();
  await Promise.all(nodes.map((n) => n.process.stop()));
  await sliceCM.process.stop();
  await otherCM.process.stop();
  await api.process.stop();
  await nats.stop();
}

const ratio = (k) => +(measured[k] / baseline[k]).toFixed(2);
const ratios = {
  endpointP50: ratio('endpointP50ms'),
  endpointP99: ratio('endpointP99ms'),
  total: ratio('totalMs'),
  reconcilesPerPodChange: ratio('reconcilesPerPodChange'),
  writesPerPodChange: ratio('writesPerPodChange'),
  cpuPerPodChange: ratio('cpuMsPerPodChange'),
};
console.log(
  `${REPLICAS} replicas over ${NODES} nodes: endpoint ready p50 ${measured.endpointP50ms} ms, p99 ${measured.endpointP99ms} ms, all in ${measured.totalMs} ms; ` +
    `EndpointSlice controller per pod change: ${measured.reconcilesPerPodChange} reconciles, ${measured.writesPerPodChange} writes, ${measured.cpuMsPerPodChange} ms CPU`,
);
console.log(
  `baseline ${BASELINE} replicas: p50 ${baseline.endpointP50ms} ms, p99 ${baseline.endpointP99ms} ms, all in ${baseline.totalMs} ms; ` +
    `per pod change ${baseline.reconcilesPerPodChange} reconciles, ${baseline.writesPerPodChange} writes, ${baseline.cpuMsPerPodChange} ms CPU`,
);
console.log(`ratio ${REPLICAS} vs ${BASELINE}: ${JSON.stringify(ratios)}`);
console.log(`benchmark wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
const out = values.out ?? join(import.meta.dirname, 'results', 'deployment-endpoints.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, baseline, measured, ratios }, null, 2)}\n`);
