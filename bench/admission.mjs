#!/usr/bin/env node
// Benchmark: the api-store's in-memory cost of one Service write (no NATS, no HTTP), with 1,000 and
// with 20,000 Services already in the state, in the same run. Each write goes the way the writer and
// the log reader take it (packages/api-store/src/writer.ts, live-store.ts): decide against a
// speculative state, encode, fold into the speculative state, then decode and fold into the live
// state. Goal: the cost of a write does not grow with the number of Services (ratio ≈ 1).
// Needs the built packages (`npm run build`).
//   node bench/admission.mjs [--sizes 1000,20000] [--writes 500] [--rounds 5] [--out file.json]
import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  admitCreate,
  admitDelete,
  admitUpdate,
  emptyApiState,
  evolveApiState,
  evolveSpeculative,
  resourceByKind,
  seededRandom,
  speculativeState,
} from '@kubemu/core';
import { decodeObjectEvent, encodeObjectEvent } from '@kubemu/proto';

// bench/run.mjs passes its arguments to every benchmark: ignore the ones for the others.
const { values } = parseArgs({
  strict: false,
  options: {
    sizes: { type: 'string', default: '1000,20000' },
    writes: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const SIZES = String(values.sizes).split(',').map(Number);
const WRITES = Number(values.writes);
const ROUNDS = Number(values.rounds);
/** writer.ts MAX_BATCH_WRITES: a speculative state lives for one batch. */
const BATCH = 128;
/** Past this, the cost of a write grows with the number of Services. */
const GOAL_RATIO = 1.5;

// Each round starts from a collected heap, so that no round pays for the garbage of another.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const SERVICE = resourceByKind('Service');
const NAMESPACE = resourceByKind('Namespace');
const OPS = ['create decide', 'create codec', 'create speculative fold', 'create log fold', 'update decide', 'update log fold', 'delete decide', 'delete log fold'];

let uid = 0;
const context = (random) => ({ now: new Date(0), random, newUid: () => `uid-${++uid}`, config: {} });

/** One cluster: the folded state and the next revision of its log. */
function cluster(seed) {
  return { state: emptyApiState({}), revision: 0, random: seededRandom(seed), serial: 0 };
}

function ok(d, what) {
  if (!d.ok || !('write' in d)) throw new Error(`${what}: ${JSON.stringify(d.status ?? d)}`);
  return d.write;
}

function fold(c, write) {
  const bytes = encodeObjectEvent({ type: write.type, object: write.object, timeUnixMilli: 0, writer: 'bench', author: 'bench' });
  c.state = evolveApiState(c.state, decodeObjectEvent(bytes, ++c.revision));
}

function serviceBody(name) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { app: 'bench' } }, spec: { selector: { app: 'bench' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
}

function fill(c, count) {
  fold(c, ok(admitCreate(NAMESPACE, { metadata: { name: 'default' } }, undefined, c.state, context(c.random)), 'namespace'));
  for (let i = 0; i < count; i++) fold(c, ok(admitCreate(SERVICE, serviceBody(`fill-${i}`), 'default', c.state, context(c.random)), 'fill'));
}

const now = () => process.hrtime.bigint();

/** WRITES creates, updates and deletes of fresh Services; the cluster ends at the size it started at. Returns total ns per op. */
function round(c) {
  const t = Object.fromEntries(OPS.map((op) => [op, 0n]));
  const names = Array.from({ length: WRITES }, () => `bench-${++c.serial}`);

  for (let start = 0; start < WRITES; start += BATCH) {
    const batch = names.slice(start, start + BATCH);
    let spec = speculativeState(c.state);
    const appended = [];
    for (const [i, name] of batch.entries()) {
      const t0 = now();
      const write = ok(admitCreate(SERVICE, serviceBody(name), 'default', spec, context(c.random)), 'create');
      const t1 = now();
      const bytes = encodeObjectEvent({ type: write.type, object: write.object, timeUnixMilli: 0, writer: 'bench', author: 'bench' });
      const t2 = now();
      const specObject = structuredClone(write.object);
      specObject.metadata = { ...specObject.metadata, resourceVersion: String(c.revision + i + 1) };
      const t3 = now();
      spec = evolveSpeculative(spec, { revision: c.revision + i + 1, type: write.type, kind: 'Service', object: specObject, timeUnixMilli: 0 });
      const t4 = now();
      appended.push(bytes);
      t['create decide'] += t1 - t0;
      t['create codec'] += t2 - t1;
      t['create speculative fold'] += t4 - t3;
    }
    for (const bytes of appended) {
      const t0 = now();
      const event = decodeObjectEvent(bytes, ++c.revision);
      const t1 = now();
      c.state = evolveApiState(c.state, event);
      const t2 = now();
      t['create codec'] += t1 - t0;
      t['create log fold'] += t2 - t1;
    }
  }

  for (const name of names) {
    const stored = c.state.store.objects.get(`Service/default/${name}`).object;
    const body = { ...stored, metadata: { ...stored.metadata, labels: { app: 'bench', round: String(c.serial) } } };
    const t0 = now();
    const write = ok(admitUpdate(SERVICE, body, 'default', name, c.state, context(c.random)), 'update');
    const t1 = now();
    const event = decodeObjectEvent(encodeObjectEvent({ type: write.type, object: write.object, timeUnixMilli: 0 }), ++c.revision);
    const t2 = now();
    c.state = evolveApiState(c.state, event);
    const t3 = now();
    t['update decide'] += t1 - t0;
    t['update log fold'] += t3 - t2;
  }

  for (const name of names) {
    const t0 = now();
    const write = ok(admitDelete(SERVICE, 'default', name, c.state, context(c.random)), 'delete');
    const t1 = now();
    const event = decodeObjectEvent(encodeObjectEvent({ type: write.type, object: write.object, timeUnixMilli: 0 }), ++c.revision);
    const t2 = now();
    c.state = evolveApiState(c.state, event);
    const t3 = now();
    t['delete decide'] += t1 - t0;
    t['delete log fold'] += t3 - t2;
  }
  return t;
}

const clusters = SIZES.map((size, i) => {
  const c = cluster(i + 1);
  fill(c, size);
  return { size, c, rounds: [] };
});
// One unmeasured round each, so that the first size measured does not pay for the JIT.
for (const k of clusters) round(k.c);
for (let r = 0; r < ROUNDS; r++) {
  for (const k of clusters) {
    gc();
    k.rounds.push(round(k.c));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perOp = (k, op) => median(k.rounds.map((t) => Number(t[op]) / WRITES / 1000));
const baseline = clusters[0];
const results = OPS.map((op) => {
  const row = { op };
  for (const k of clusters) row[`us@${k.size}`] = +perOp(k, op).toFixed(2);
  for (const k of clusters.slice(1)) row[`ratio ${k.size}/${baseline.size}`] = +(perOp(k, op) / perOp(baseline, op)).toFixed(2);
  return row;
});
const total = { op: 'whole write' };
for (const k of clusters) total[`us@${k.size}`] = +OPS.reduce((s, op) => s + perOp(k, op), 0).toFixed(2);
for (const k of clusters.slice(1)) total[`ratio ${k.size}/${baseline.size}`] = +(total[`us@${k.size}`] / total[`us@${baseline.size}`]).toFixed(2);
results.push(total);

console.log(`per-operation µs, median of ${ROUNDS} rounds of ${WRITES} creates, updates and deletes, with ${SIZES.join(' and ')} Services in the state`);
console.table(results);
for (const k of clusters.slice(1)) {
  const ratio = total[`ratio ${k.size}/${baseline.size}`];
  console.log(
    `whole write with ${k.size} vs ${baseline.size} Services: ${total[`us@${k.size}`]} vs ${total[`us@${baseline.size}`]} µs, ratio ${ratio} (goal ≤ ${GOAL_RATIO}: the cost of a write does not grow with the number of Services)`,
  );
}
if (values.out) {
  mkdirSync(dirname(String(values.out)), { recursive: true });
  writeFileSync(String(values.out), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, writes: WRITES, rounds: ROUNDS, results }, null, 2)}\n`);
}
