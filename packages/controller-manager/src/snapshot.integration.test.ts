// The controller-manager's snapshot (--snapshot-file) as a process against a real nats-server and
// api-store, with stand-in kubelets: a restart resumes after the snapshot and reads only the tail;
// the controllers then act exactly as after a full replay (a Deployment scaled while it was down
// gets exactly its replicas; the garbage collector still finds the dependents of an owner it only
// knows from the snapshot). A stale snapshot (kill -9) and a damaged one converge as well.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Pod } from '@kubemu/core';
import { eventually, startApiStore, startControllerManager, startNats, type ApiStoreHandle, type ControllerManagerHandle, type LogLine, type NatsHandle } from '@kubemu/testkit';
import { apiCalls, StandInKubelets, type ApiCalls } from './stand-in-kubelets.test-data.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
let calls: ApiCalls;
let kubelets: StandInKubelets;
let dir: string;
let snapshotFile: string;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const must: ApiCalls['must'] = (...a) => calls.must(...a);

async function pods(selector: string): Promise<Pod[]> {
  return (await must('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
}

async function slicesOf(service: string): Promise<EndpointSlice[]> {
  return (await must('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=${service}`)).items;
}

async function scale(name: string, replicas: number): Promise<void> {
  await must('PATCH', `/apis/apps/v1/namespaces/default/deployments/${name}`, { spec: { replicas } }, 'application/merge-patch+json');
}

/** Exactly `n` ready pods and ready endpoints, and still exactly n after a quiet while. */
async function exactly(n: number, app: string, service: string): Promise<void> {
  await eventually(`${n} ready pods of ${app}`, async () => {
    const list = await pods(`app=${app}`);
    const ready = list.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return list.length === n && ready.length === n ? true : undefined;
  }, 60_000);
  await eventually(`${n} ready endpoints of ${service}`, async () => {
    const s = await slicesOf(service);
    return s.flatMap((x) => x.endpoints ?? []).filter((e) => e.conditions?.ready).length === n ? true : undefined;
  });
  await sleep(1500);
  expect((await pods(`app=${app}`)).length).toBe(n);
}

/** Counters and gauges of one scrape (taken at one instant: none of these has a collect callback). */
async function metrics(cm: ControllerManagerHandle): Promise<Record<string, number>> {
  const text = await (await fetch(`${cm.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(kubemu_[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

function startCM(snapshotInterval = '1h'): Promise<ControllerManagerHandle> {
  return startControllerManager({ natsUrl: nats.url, apiStore: api, nodeMonitorGracePeriod: '10s', nodeMonitorPeriod: '1s', snapshotFile, snapshotInterval });
}

const wrote = (l: LogLine): boolean => l.msg === `wrote snapshot at revision ${String(l.revision)}`;
const resumed = (l: LogLine): boolean => l.msg === `resumed from snapshot at revision ${String(l.revision)}`;
const replayed = (l: LogLine): boolean => l.msg === 'not resuming from the snapshot; replaying the log from revision 1';

function deployment(name: string, replicas: number): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
    },
  };
}

function service(name: string): unknown {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, name: 'http' }], selector: { app: name } } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubemu-cm-snapshot-'));
  snapshotFile = join(dir, 'snapshots', 'controller-manager.pb');
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  calls = apiCalls(api);
  kubelets = new StandInKubelets(calls, ['node-1', 'node-2']);
  await kubelets.register();
  await kubelets.tick();
  kubelets.start();
}, 60_000);

afterAll(async () => {
  kubelets?.stop();
  await api?.process.stop();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('controller-manager snapshots', () => {
  it('resumes after SIGTERM at its snapshot, reads only the tail, scales a Deployment changed while it was down exactly, and collects what an owner from the snapshot owned', async () => {
    let cm = await startCM('500ms');
    expect((await cm.process.waitForLog(replayed)).reason).toBe('there is no snapshot file yet');
    await must('POST', '/api/v1/namespaces/default/services', service('web'));
    await must('POST', '/api/v1/namespaces/default/services', service('gone'));
    await must('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', 3));
    await must('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('gone', 1));
    await exactly(3, 'web', 'web');
    await exactly(1, 'gone', 'gone');
    await cm.process.waitForLog(wrote); // within the interval, while events arrive
    expect((await cm.process.stop()).code).toBe(0);
    const atStop = Number(cm.process.logs.filter(wrote).at(-1)?.revision);
    expect(atStop).toBeGreaterThan(1);

    await scale('web', 7);
    cm = await startCM();
    expect((await cm.process.waitForLog(resumed)).revision).toBe(atStop);
    await exactly(7, 'web', 'web');
    const m = await metrics(cm);
    expect(m.kubemu_events_applied_total).toBe(m.kubemu_informer_revision! - atStop);
    expect(m['kubemu_snapshot_restores_total{result="resumed"}']).toBe(1);

    // The Service and its slices are known to this process only from the snapshot: the garbage
    // collector's owner index was rebuilt from it.
    expect((await slicesOf('gone')).length).toBe(1);
    await must('DELETE', '/api/v1/namespaces/default/services/gone');
    await eventually('the deleted Service\'s EndpointSlice collected', async () => ((await slicesOf('gone')).length === 0 ? true : undefined));
    await must('DELETE', '/apis/apps/v1/namespaces/default/deployments/gone');
    await eventually('the deleted Deployment\'s pod collected', async () => ((await pods('app=gone')).length === 0 ? true : undefined));
    expect(cm.process.logs.some(replayed)).toBe(false);
    await cm.process.stop();
  });

  it('after kill -9 resumes at the older snapshot it finds and still reaches exactly the replicas asked for', async () => {
    let cm = await startCM('1h');
    const stale = Number((await cm.process.waitForLog(wrote)).revision);
    expect(Number((await cm.process.waitForLog(resumed)).revision)).toBeLessThanOrEqual(stale);
    await scale('web', 10);
    await exactly(10, 'web', 'web');
    await cm.process.kill('SIGKILL');
    expect(cm.process.logs.filter(wrote).map((l) => Number(l.revision))).toEqual([stale]);
    await scale('web', 4);

    cm = await startCM();
    expect((await cm.process.waitForLog(resumed)).revision).toBe(stale);
    await exactly(4, 'web', 'web');
    const m = await metrics(cm);
    expect(m.kubemu_events_applied_total).toBe(m.kubemu_informer_revision! - stale);
    await cm.process.stop();
  });

  it('a damaged snapshot means a full replay with a warning, never a crash', async () => {
    await writeFile(snapshotFile, Buffer.from('not a snapshot, just some bytes that were here'));
    await scale('web', 2);
    const cm = await startCM();
    const warning = await cm.process.waitForLog(replayed);
    expect(warning.level).toBe(40);
    expect(warning.reason).toMatch(/ends inside a record|not a kubemu.snapshot.v1 file|checksum/);
    await exactly(2, 'web', 'web');
    const m = await metrics(cm);
    expect(m.kubemu_events_applied_total).toBe(m.kubemu_informer_revision);
    expect(m['kubemu_snapshot_restores_total{result="replayed"}']).toBe(1);
    await cm.process.waitForLog(wrote);
    expect(cm.process.running).toBe(true);
    await cm.process.stop();
  });
});
