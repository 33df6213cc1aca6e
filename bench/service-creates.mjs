#!/usr/bin/env node
// Benchmark: accepted Service creates per second (and latency) through the api-store, against raw
// JetStream publishes of the same bytes, in the same run, at the same client concurrency.
// Goal (issue 2): kubemu ≥ 50 % of raw. Alternates the two rounds to spread machine noise.
//   node bench/service-creates.mjs [--count 2000] [--concurrency 1,16] [--rounds 2]
import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNats, startApiStore } from '@kubemu/testkit';
import { connectBus } from '@kubemu/bus';
import { encodeObjectEvent } from '@kubemu/proto';
import { Agent, request } from 'node:https';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,16' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const CONCURRENCIES = values.concurrency.split(',').map(Number);
const ROUNDS = Number(values.rounds);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(count, concurrency, op) {
  const latencies = new Array(count);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await op(i);
        latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const nats = await startNats();
const api = await startApiStore({ natsUrl: nats.url });
const bus = await connectBus({ servers: nats.url, name: 'bench-raw' });
await bus.jsm.streams.add({ name: 'BENCH_RAW', subjects: ['bench.>'], storage: 'file' });

// The load generator: node:https on kept-alive connections, one per concurrent client, reading
// whole bodies (the testkit's fetch wraps each response in a WHATWG stream, which costs the
// shared CPU more than the request itself).
const agent = new Agent({ ca: api.ca, keepAlive: true, maxSockets: Math.max(...CONCURRENCIES) });
function send(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${api.token}` };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request(`${api.url}${path}`, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

let serial = 0;
const results = [];
try {
  for (const concurrency of CONCURRENCIES) {
    for (let round = 0; round < ROUNDS; round++) {
      const created = [];
      const kubemu = await timed(COUNT, concurrency, async (i) => {
        const body = {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `bench-${++serial}`, labels: { app: 'bench' } },
          spec: { selector: { app: 'bench' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        };
        const { status, text } = await send('POST', '/api/v1/namespaces/default/services', JSON.stringify(body));
        if (status !== 201) throw new Error(`create ${i}: ${status} ${text}`);
        created[i] = JSON.parse(text);
      });
      // The very bytes the api-store appended for those Services.
      const payloads = created.map((object) =>
        encodeObjectEvent({ type: 'ADDED', object, timeUnixMilli: Date.now(), writer: 'api-store/bench', author: 'bench' }),
      );
      const raw = await timed(COUNT, concurrency, (i) => bus.js.publish(`bench.services.default.${created[i].metadata.name}`, payloads[i]));
      // The floor an API request pays before any admission or log work: an authenticated HTTPS
      // round trip to the same api-store (GET /version), same client, same concurrency.
      const floor = await timed(COUNT, concurrency, async () => {
        const { status } = await send('GET', '/version');
        if (status !== 200) throw new Error(`GET /version: ${status}`);
      });
      const row = {
        concurrency,
        round,
        count: COUNT,
        kubemuPerSecond: Math.round(kubemu.perSecond),
        rawPerSecond: Math.round(raw.perSecond),
        throughputRatio: +(kubemu.perSecond / raw.perSecond).toFixed(3),
        kubemuP50ms: +kubemu.p50.toFixed(2),
        kubemuP99ms: +kubemu.p99.toFixed(2),
        rawP50ms: +raw.p50.toFixed(2),
        rawP99ms: +raw.p99.toFixed(2),
        p99Ratio: +(raw.p99 / kubemu.p99).toFixed(3),
        httpsFloorPerSecond: Math.round(floor.perSecond),
        httpsFloorP50ms: +floor.p50.toFixed(2),
        vsHttpsFloorRatio: +(kubemu.perSecond / floor.perSecond).toFixed(3),
        // What no HTTPS API in front of JetStream can beat in this run: a create is at least an
        // HTTPS round trip and an append acknowledged before the answer, so one client in series
        // gets at most 1 / (1/floor + 1/raw) per second; concurrent clients at most the floor.
        ceilingVsRaw: +((concurrency === 1 ? 1 / (1 / floor.perSecond + 1 / raw.perSecond) : floor.perSecond) / raw.perSecond).toFixed(3),
        eventBytes: payloads[0].length,
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
  }
} finally {
  agent.destroy();
  await bus.close();
  await api.process.stop();
  await nats.stop();
}

for (const concurrency of CONCURRENCIES) {
  const rows = results.filter((r) => r.concurrency === concurrency);
  const median = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  console.log(
    `concurrency ${concurrency}: kubemu ${median('kubemuPerSecond')}/s (p99 ${median('kubemuP99ms')} ms) vs raw JetStream ${median('rawPerSecond')}/s (p99 ${median('rawP99ms')} ms): throughput ratio ${median('throughputRatio')} (goal ≥ 0.5); an empty HTTPS request alone: ${median('httpsFloorPerSecond')}/s (kubemu/that ${median('vsHttpsFloorRatio')}); ceiling for any HTTPS API here: ${median('ceilingVsRaw')} of raw`,
  );
}
const out = values.out ?? join(import.meta.dirname, 'results', 'service-creates.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
