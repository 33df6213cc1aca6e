#!/usr/bin/env node
// Benchmark (issue 5): kube-proxy's full sync for one node of a large cluster, computed by core.
// 10,000 Services × 10 endpoints (EndpointSlices as the EndpointSlice controller writes them;
// ClusterIP and NodePort, some NodePorts with externalTrafficPolicy Local): the agent's side
// (renderFullSync and the jump rules) and the node's side (ensure the jumps, `iptables-restore
// --noflush` of the payload into core's tables, a second restore of the same payload as the
// periodic resync does, `iptables-save`). Time, and memory after a forced GC: the heap the result
// keeps, and RSS. Baseline in the same run: 1,000 Services × 10; the ratio is ~10 when the cost is
// linear in the number of Services.
//
// Each size runs in a child process of its own (node --expose-gc), so that one size's garbage and
// RSS high-water mark do not land on the other.
// Needs the built packages (`npm run build`).
//   node bench/proxy-render.mjs [--services 10000] [--baseline 1000] [--endpoints 10] [--rounds 3] [--out file.json]
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProxyConfig, jumpRuleRequests, applyEnsureRequests, netfilter, renderFullSync } from '@kubemu/core';

// bench/run.mjs passes its arguments to every benchmark: ignore the ones for the others.
const { values } = parseArgs({
  strict: false,
  options: {
    services: { type: 'string', default: '10000' },
    baseline: { type: 'string', default: '1000' },
    endpoints: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
    out: { type: 'string' },
  },
});
const ENDPOINTS = Number(values.endpoints);
const ROUNDS = Number(values.rounds);
/** Nodes the endpoints are spread over, a /21 of the cluster CIDR each; the rules are rendered for node-1. */
const NODES = 100;
/** One Service in NODEPORT_EVERY is a NodePort: 2,000 of 10,000 fits the 2,768 ports of 30000-32767. */
const NODEPORT_EVERY = 5;
/** One NodePort Service in LOCAL_EVERY has externalTrafficPolicy: Local. */
const LOCAL_EVERY = 4;
/** As `kubemu up` configures its proxy agents (kubeadm's KubeProxyConfiguration). */
/** As `kubemu up` configures its proxy agents (kubeadm's KubeProxyConfiguration), with a cluster CIDR that holds 100,000 pods. */
const CONFIG = defaultProxyConfig({ clusterCIDRs: ['10.64.0.0/10'] });
const NODE = { name: 'node-1', ips: ['127.0.1.1'], podCIDRs: ['10.64.8.0/21'] };

const ip = (base, n) => `${base}.${(n >> 8) & 255}.${n & 255}`;
const dotted = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
/** The k-th pod of node N (0-based) in node N's /21 of 10.64.0.0/10, skipping the .0 network address. */
const podIP = (node, k) => dotted(((10 << 24) | (64 << 16)) + node * 2048 + 1 + k);

/** The Services and EndpointSlices of a cluster of `count` Services, as the api-store and the EndpointSlice controller store them. */
function cluster(count) {
  const services = [];
  const endpointSlices = [];
  let pod = 0;
  let nodePort = 30000;
  for (let i = 0; i < count; i++) {
    const name = `svc-${i}`;
    const isNodePort = i % NODEPORT_EVERY === 0;
    const local = isNodePort && (i / NODEPORT_EVERY) % LOCAL_EVERY === 0;
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'default', name, uid: `uid-svc-${i}`, resourceVersion: String(i + 1) },
      spec: {
        type: isNodePort ? 'NodePort' : 'ClusterIP',
        selector: { app: name },
        clusterIP: ip('10.96', i + 10),
        clusterIPs: [ip('10.96', i + 10)],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, ...(isNodePort ? { nodePort: nodePort++ } : {}) }],
        ...(isNodePort ? { externalTrafficPolicy: local ? 'Local' : 'Cluster' } : {}),
      },
    });
    const endpoints = [];
    for (let e = 0; e < ENDPOINTS; e++, pod++) {
      const node = pod % NODES;
      endpoints.push({
        addresses: [podIP(node, Math.floor(pod / NODES))],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: `node-${node + 1}`,
        targetRef: { kind: 'Pod', namespace: 'default', name: `${name}-${e}`, uid: `uid-pod-${pod}` },
      });
    }
    endpointSlices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        namespace: 'default',
        name: `${name}-${(i * 7919).toString(36).padStart(5, 'x').slice(-5)}`,
        generateName: `${name}-`,
        labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: `uid-svc-${i}`, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    });
  }
  return { services, endpointSlices };
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (bytes) => +(bytes / 2 ** 20).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One full sync, agent and node side, into `held` (the caller decides what stays reachable), with
 * the heap after a forced GC following each step when `heap` is given.
 */
function fullSync(services, endpointSlices, times, held, heap = () => 0) {
  const h = { start: heap() };
  let t0 = process.hrtime.bigint();
  const jumps = jumpRuleRequests(CONFIG);
  held.payload = renderFullSync(services, endpointSlices, NODE, CONFIG);
  times.renderMs.push(ms(t0));
  h.payload = heap();

  t0 = process.hrtime.bigint();
  held.tables = netfilter.iptablesRestore(applyEnsureRequests(netfilter.emptyTables(), jumps), held.payload, { noflush: true });
  times.restoreMs.push(ms(t0));
  h.tables = heap();

  t0 = process.hrtime.bigint();
  held.tables = netfilter.iptablesRestore(held.tables, held.payload, { noflush: true });
  times.resyncRestoreMs.push(ms(t0));

  t0 = process.hrtime.bigint();
  held.save = netfilter.iptablesSave(held.tables);
  times.saveMs.push(ms(t0));
  h.save = heap();
  return h;
}

/** Heap used after a full GC. */
function heapUsed() {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** One size, in this (child) process. */
function measure(count) {
  const { services, endpointSlices } = cluster(count);
  const times = { renderMs: [], restoreMs: [], resyncRestoreMs: [], saveMs: [] };
  // Warm-up rounds first, so that the heap figures hold data, not compiled code.
  for (let r = 1; r < ROUNDS; r++) fullSync(services, endpointSlices, times, {});
  const held = {};
  const h = fullSync(services, endpointSlices, times, held, heapUsed);
  const payloadLines = held.payload.split('\n').length - 1;
  const payloadBytes = Buffer.byteLength(held.payload);
  // What the node keeps once the request body is gone: the tables share the payload's text (V8 sliced strings).
  held.payload = undefined;
  held.save = undefined;
  const tablesOnly = heapUsed();
  const rssAfterGc = process.memoryUsage().rss;
  return {
    services: count,
    endpointsPerService: ENDPOINTS,
    nodePortServices: Math.ceil(count / NODEPORT_EVERY),
    payloadLines,
    payloadMiB: mib(payloadBytes),
    renderMs: +median(times.renderMs).toFixed(1),
    restoreMs: +median(times.restoreMs).toFixed(1),
    resyncRestoreMs: +median(times.resyncRestoreMs).toFixed(1),
    saveMs: +median(times.saveMs).toFixed(1),
    firstRenderMs: +times.renderMs[0].toFixed(1),
    heapPayloadMiB: mib(h.payload - h.start),
    heapTablesMiB: mib(tablesOnly - h.start),
    heapSaveMiB: mib(h.save - h.tables),
    heapAllMiB: mib(h.save - h.start),
    rssAfterGcMiB: mib(rssAfterGc),
    maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
  };
}

if (values.child !== undefined) {
  process.stdout.write(`${JSON.stringify(measure(Number(values.child)))}\n`);
  process.exit(0);
}

function inChild(count) {
  const args = ['--expose-gc', '--max-old-space-size=4096', new URL(import.meta.url).pathname, '--child', String(count), '--endpoints', String(ENDPOINTS), '--rounds', String(ROUNDS)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${count} Services: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const started = Date.now();
const baseline = inChild(Number(values.baseline));
const measured = inChild(Number(values.services));
const KEYS = ['renderMs', 'restoreMs', 'resyncRestoreMs', 'saveMs', 'payloadLines', 'payloadMiB', 'heapPayloadMiB', 'heapTablesMiB', 'heapSaveMiB', 'heapAllMiB', 'rssAfterGcMiB', 'maxRssMiB'];
const ratios = Object.fromEntries(KEYS.map((k) => [k, +(measured[k] / baseline[k]).toFixed(2)]));

const rows = [
  ['', `${baseline.services} × ${ENDPOINTS}`, `${measured.services} × ${ENDPOINTS}`, 'ratio'],
  ['render (full sync + jump rules), ms', baseline.renderMs, measured.renderMs, ratios.renderMs],
  ['node: ensure + restore into empty tables, ms', baseline.restoreMs, measured.restoreMs, ratios.restoreMs],
  ['node: restore again (periodic resync), ms', baseline.resyncRestoreMs, measured.resyncRestoreMs, ratios.resyncRestoreMs],
  ['node: iptables-save, ms', baseline.saveMs, measured.saveMs, ratios.saveMs],
  ['payload, lines', baseline.payloadLines, measured.payloadLines, ratios.payloadLines],
  ['payload, MiB', baseline.payloadMiB, measured.payloadMiB, ratios.payloadMiB],
  ['heap after GC: the payload (agent), MiB', baseline.heapPayloadMiB, measured.heapPayloadMiB, ratios.heapPayloadMiB],
  ['heap after GC: the live tables alone (node), MiB', baseline.heapTablesMiB, measured.heapTablesMiB, ratios.heapTablesMiB],
  ['heap after GC: the save output (node), MiB', baseline.heapSaveMiB, measured.heapSaveMiB, ratios.heapSaveMiB],
  ['heap after GC: payload + tables + save, MiB', baseline.heapAllMiB, measured.heapAllMiB, ratios.heapAllMiB],
  ['RSS after GC, MiB', baseline.rssAfterGcMiB, measured.rssAfterGcMiB, ratios.rssAfterGcMiB],
  ['max RSS, MiB', baseline.maxRssMiB, measured.maxRssMiB, ratios.maxRssMiB],
];
const widths = rows[0].map((_c, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
console.log(`medians of ${ROUNDS} rounds per size (first render: ${baseline.firstRenderMs} / ${measured.firstRenderMs} ms); ratio ~${Number(values.services) / Number(values.baseline)} is linear`);
console.log(`benchmark wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
const out = values.out ?? join(import.meta.dirname, 'results', 'proxy-render.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, baseline, measured, ratios }, null, 2)}\n`);
