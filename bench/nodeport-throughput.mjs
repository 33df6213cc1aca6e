#!/usr/bin/env node
// Benchmark (issue 5): HTTP requests per second through a NodePort of a node (the node's socket →
// nat PREROUTING → KUBE-SERVICES → KUBE-NODEPORTS → KUBE-EXT-… → KUBE-SVL-… → KUBE-SEP-… → DNAT,
// conntrack, → the pod) against the same pod reached straight through a hostPort of the same node
// (the node's socket → the pod, as the CNI portmap plugin's DNAT lands there, no kube-proxy rule
// walked). Real processes: nats-server, api-store, controller-manager, one node, its proxy agent.
// One pinned Pod (an nginx image: the node's emulated HTTP responder) with containerPort 80 and a
// hostPort, one NodePort Service with externalTrafficPolicy: Local selecting it, so both paths end
// at the same pod; `--services N` more ClusterIP Services selecting the same pod fill the node's
// KUBE-SERVICES chain the NodePort's first packet walks past.
//
// Two kinds of load: keep-alive (a connection carries many requests; after the first packet the
// flow rides conntrack) and a new connection per request (`Connection: close`: every request's
// connection walks the rules). The two paths alternate over --rounds rounds; medians are reported.
// Load generator: wrk when installed, else a Node one (keep-alive agents, --concurrency C).
// Goal: NodePort ≥ 70 % of the hostPort requests/s, p99 overhead ≤ 1 ms.
//   node bench/nodeport-throughput.mjs [--duration 5] [--rounds 3] [--concurrency 16] [--services 100]
//        [--generator wrk|node] [--cpu-prof DIR] [--out file.json]
import { parseArgs } from 'node:util';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiStore, startControllerManager, startNats, startNode, startProxyAgent } from '@kubemu/testkit';

// bench/run.mjs passes its arguments to every benchmark: ignore the ones for the others.
const { values } = parseArgs({
  strict: false,
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    services: { type: 'string', default: '100' },
    generator: { type: 'string' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string' },
  },
});
const DURATION_S = Number(values.duration);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const FILLER_SERVICES = Number(values.services);
const GOAL_RATIO = 0.7;
const GOAL_P99_OVERHEAD_MS = 1;
const NODE_ADDRESS = '127.0.1.1';
const hasWrk = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const GENERATOR = values.generator ?? (hasWrk ? 'wrk' : 'node');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A port free on the node's address now (the hostPort must not clash with anything already there). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, NODE_ADDRESS, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---- load generators: { rps, p50Ms, p99Ms, requests, errors } ----

function wrkDuration(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`wrk latency ${text}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]];
}

function runWrk(url, newConnections) {
  const args = ['-t', '1', '-c', String(CONCURRENCY), '-d', `${DURATION_S}s`, '--latency', ...(newConnections ? ['-H', 'Connection: close'] : []), url];
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', args);
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1];
      const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1];
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      // With Connection: close wrk counts each server close as a read error; only connect, write and timeouts are failures then.
      const errors = non2xx + (socketErrors ? Number(socketErrors[1]) + (newConnections ? 0 : Number(socketErrors[2])) + Number(socketErrors[3]) + Number(socketErrors[4]) : 0);
      if (!rps || !p50 || !p99) return reject(new Error(`cannot read wrk's output:\n${out}`));
      resolve({ rps, p50Ms: wrkDuration(p50), p99Ms: wrkDuration(p99), requests, errors });
    });
  });
}

/** C workers, each one request at a time, for DURATION_S: keep-alive through one Agent, or a new connection per request. */
async function runNode(url, newConnections) {
  const agent = new Agent({ keepAlive: !newConnections, maxSockets: CONCURRENCY });
  const latencies = [];
  let errors = 0;
  const end = performance.now() + DURATION_S * 1000;
  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(url, { agent, headers: newConnections ? { Connection: 'close' } : {} }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { rps: latencies.length / seconds, p50Ms: pct(50), p99Ms: pct(99), requests: latencies.length, errors };
}

const load = GENERATOR === 'wrk' ? runWrk : runNode;

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One run, with the node process's CPU per request (the data path's cost, whatever the machine's other load). */
async function measured(url, newConnections, pid) {
  const cpu0 = cpuSeconds(pid);
  const r = await load(url, newConnections);
  r.nodeCpuUsPerRequest = r.requests > 0 ? (1e6 * (cpuSeconds(pid) - cpu0)) / r.requests : NaN;
  return r;
}

// ---- the cluster ----

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'kubemu-bench-nodeport-'));
const proxyConfig = join(work, 'kube-proxy.yaml');
// As `kubemu up` writes it (kubeadm's KubeProxyConfiguration).
writeFileSync(proxyConfig, 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nclusterCIDR: 10.244.0.0/16\n');

const nats = await startNats();
const api = await startApiStore({ natsUrl: nats.url });
const cm = await startControllerManager({ natsUrl: nats.url, apiStore: api });
const previousNodeOptions = process.env.NODE_OPTIONS;
if (values['cpu-prof']) {
  // Node 20 refuses --cpu-prof in NODE_OPTIONS; --import a preload that runs the same profiler
  // (an in-thread inspector session answers synchronously, so the profile is written on exit).
  mkdirSync(values['cpu-prof'], { recursive: true });
  const preload = join(work, 'cpu-prof.mjs');
  writeFileSync(
    preload,
    `import { Session } from 'node:inspector';\nimport { writeFileSync } from 'node:fs';\n` +
      `const s = new Session(); s.connect(); s.post('Profiler.enable'); s.post('Profiler.start');\n` +
      `process.on('exit', () => s.post('Profiler.stop', (err, r) => { if (!err) writeFileSync(${JSON.stringify(values['cpu-prof'])} + '/node-' + process.pid + '.cpuprofile', JSON.stringify(r.profile)); }));\n`,
  );
  process.env.NODE_OPTIONS = `${previousNodeOptions ?? ''} --import=${preload}`.trim();
}
const node = await startNode({ natsUrl: nats.url, apiStore: api, index: 1, address: NODE_ADDRESS, extraArgs: ['--random-seed', '1'] });
if (previousNodeOptions === undefined) delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = previousNodeOptions;
const proxy = await startProxyAgent({ natsUrl: nats.url, apiStore: api, node: node.name, configFile: proxyConfig });

async function call(method, path, body) {
  const res = await api.fetch(path, { method, headers: { 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** One GET / on a fresh connection: the status line, or the error. */
function probe(port) {
  return new Promise((resolve) => {
    const s = connect({ host: NODE_ADDRESS, port });
    let text = '';
    s.setTimeout(1000, () => (s.destroy(), resolve('timeout')));
    s.on('error', (e) => resolve(e.code ?? e.message));
    s.on('data', (c) => (text += c));
    s.on('end', () => resolve(text.split('\r\n')[0]));
    s.on('connect', () => s.write(`GET / HTTP/1.1\r\nHost: ${NODE_ADDRESS}\r\nConnection: close\r\n\r\n`));
  });
}

async function waitAnswering(port, what) {
  for (let i = 0; i < 300; i++) {
    if ((await probe(port)) === 'HTTP/1.1 200 OK') return;
    await sleep(100);
  }
  throw new Error(`${what} (${NODE_ADDRESS}:${port}) never answered 200: ${await probe(port)}`);
}

const results = { nodePort: { keepAlive: [], newConnection: [] }, hostPort: { keepAlive: [], newConnection: [] } };
let nodePort;
let hostPort;
try {
  hostPort = await freePort();
  await call('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { nodeName: node.name, containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, hostPort }] }] },
  });
  const service = await call('POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] },
  });
  nodePort = service.spec.ports[0].nodePort;
  for (let i = 0; i < FILLER_SERVICES; i++) {
    await call('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `filler-${i}` },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 80 }] },
    });
  }
  await waitAnswering(hostPort, 'hostPort');
  await waitAnswering(nodePort, 'NodePort');
  // Every filler's EndpointSlice in the rules before measuring.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rules = await (await fetch(`${node.url}/netfilter/save?table=nat`, { headers: { Authorization: `Bearer ${api.token}` } })).text();
    const svcChains = rules.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes('cluster IP')).length;
    if (svcChains >= FILLER_SERVICES + 1) break;
    if (Date.now() > deadline) throw new Error(`only ${svcChains} cluster IP rules in KUBE-SERVICES after 60 s`);
    await sleep(250);
  }
  void proxy;

  const url = (port) => `http://${NODE_ADDRESS}:${port}/`;
  // Warm both paths (JIT, conntrack) before the measured rounds.
  await load(url(nodePort), false);
  await load(url(hostPort), false);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['nodePort', 'hostPort'] : ['hostPort', 'nodePort'];
    for (const mode of ['keepAlive', 'newConnection']) {
      for (const path of order) {
        const r = await measured(url(path === 'nodePort' ? nodePort : hostPort), mode === 'newConnection', node.process.pid);
        results[path][mode].push(r);
        console.log(JSON.stringify({ round: round + 1, path, mode, rps: Math.round(r.rps), p50Ms: +r.p50Ms.toFixed(3), p99Ms: +r.p99Ms.toFixed(3), nodeCpuUsPerRequest: +r.nodeCpuUsPerRequest.toFixed(1), errors: r.errors }));
      }
    }
  }
} finally {
  await proxy.process.stop();
  await node.process.stop();
  await cm.process.stop();
  await api.process.stop();
  await nats.stop();
}

const summary = {};
for (const mode of ['keepAlive', 'newConnection']) {
  const of = (path) => {
    const runs = results[path][mode];
    return {
      rps: Math.round(median(runs.map((r) => r.rps))),
      p50Ms: +median(runs.map((r) => r.p50Ms)).toFixed(3),
      p99Ms: +median(runs.map((r) => r.p99Ms)).toFixed(3),
      nodeCpuUsPerRequest: +median(runs.map((r) => r.nodeCpuUsPerRequest)).toFixed(1),
      errors: runs.reduce((a, r) => a + r.errors, 0),
    };
  };
  const np = of('nodePort');
  const hp = of('hostPort');
  const ratio = +(np.rps / hp.rps).toFixed(3);
  const p99OverheadMs = +(np.p99Ms - hp.p99Ms).toFixed(3);
  summary[mode] = { nodePort: np, hostPort: hp, ratio, p99OverheadMs, goalMet: ratio >= GOAL_RATIO && p99OverheadMs <= GOAL_P99_OVERHEAD_MS };
}

const rows = [['', 'path', 'req/s', 'p50 ms', 'p99 ms', 'node CPU µs/req', 'errors', 'NodePort/hostPort', 'p99 overhead ms', `goal ≥ ${GOAL_RATIO * 100} %, ≤ ${GOAL_P99_OVERHEAD_MS} ms`]];
for (const [mode, s] of Object.entries(summary)) {
  rows.push([mode === 'keepAlive' ? 'keep-alive' : 'new connection per request', 'hostPort (baseline)', s.hostPort.rps, s.hostPort.p50Ms, s.hostPort.p99Ms, s.hostPort.nodeCpuUsPerRequest, s.hostPort.errors, '', '', '']);
  rows.push(['', 'NodePort', s.nodePort.rps, s.nodePort.p50Ms, s.nodePort.p99Ms, s.nodePort.nodeCpuUsPerRequest, s.nodePort.errors, `${(s.ratio * 100).toFixed(1)} %`, s.p99OverheadMs, s.goalMet ? 'met' : 'MISSED']);
}
const widths = rows[0].map((_c, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
console.log(`load generator: ${GENERATOR === 'wrk' ? 'wrk -t1' : 'node http.Agent'} -c ${CONCURRENCY}, ${DURATION_S} s per run, ${ROUNDS} rounds alternating the paths, medians; ${FILLER_SERVICES + 1} Services in the node's rules`);
console.log(`benchmark wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
const out = values.out ?? join(import.meta.dirname, 'results', 'nodeport-throughput.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, generator: GENERATOR, concurrency: CONCURRENCY, durationS: DURATION_S, rounds: ROUNDS, services: FILLER_SERVICES + 1, summary, runs: results }, null, 2)}\n`,
);
