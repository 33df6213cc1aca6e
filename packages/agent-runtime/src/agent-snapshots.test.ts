import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, ensureStreams, objectSubject, publishObjectEvent, type Bus } from '@kubemu/bus';
import { applyLogEvent, emptyObjectStore, type KubeObject, type ObjectStore } from '@kubemu/core';
import { encodeObjectEvent } from '@kubemu/proto';
import { startNats, type NatsHandle } from '@kubemu/testkit';
import { AgentSnapshots, snapshotMetrics, type SnapshotMetrics } from './agent-snapshots.js';

let nats: NatsHandle;
let bus: Bus;
const dir = mkdtempSync(join(tmpdir(), 'kubemu-agent-snapshots-'));
const log = pino({ level: 'silent' });

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: nats.url, name: 'agent-snapshots-test' });
  await ensureStreams(bus, { storage: 'memory' });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

/** Appends a Service to the log and folds it into `store`, as an agent's reader would. */
async function appendService(store: ObjectStore, name: string): Promise<number> {
  const object = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] } } as KubeObject;
  const bytes = encodeObjectEvent({ type: 'ADDED', object: object as never, timeUnixMilli: 0, writer: 'test', author: 'test' });
  const { seq } = await publishObjectEvent(bus, objectSubject('services', 'default', name), bytes);
  applyLogEvent(store, { revision: seq, type: 'ADDED', kind: 'Service', object: { ...object, metadata: { ...object.metadata, resourceVersion: String(seq) } }, timeUnixMilli: 0 });
  return seq;
}

function counts(metrics: SnapshotMetrics): Promise<string> {
  return (metrics.snapshotRestores as unknown as { get(): Promise<{ values: { labels: { result?: string }; value: number }[] }> })
    .get()
    .then((m) => m.values.map((v) => `${v.labels.result}=${v.value}`).sort().join(','));
}

describe('AgentSnapshots', () => {
  it('replays from 1 without a file, writes once started, and a second start resumes at that revision', async () => {
    const path = join(dir, 'agent-a.pb');
    const metrics = snapshotMetrics(new Registry());
    const first = await AgentSnapshots.open({ bus, path, agent: 'agent-a', log, metrics });
    expect(first.restored).toBeUndefined();
    expect(await counts(metrics)).toBe('replayed=1');

    const store = emptyObjectStore();
    await appendService(store, 'one');
    const revision = await appendService(store, 'two');
    first.changed(); // before start: nothing to write yet
    expect(existsSync(path)).toBe(false);
    await first.start(() => ({ store, revision }));
    expect(existsSync(path)).toBe(true);
    await first.close();

    const again = snapshotMetrics(new Registry());
    const second = await AgentSnapshots.open({ bus, path, agent: 'agent-a', log, metrics: again });
    expect(await counts(again)).toBe('resumed=1');
    expect(second.restored?.revision).toBe(revision);
    expect([...(second.restored?.objects.keys() ?? [])].sort()).toEqual([...store.objects.keys()].sort());
  });

  it("refuses a damaged file and another agent's file: a replay from 1, never a throw", async () => {
    const damaged = join(dir, 'damaged.pb');
    writeFileSync(damaged, 'not a snapshot');
    const metrics = snapshotMetrics(new Registry());
    expect((await AgentSnapshots.open({ bus, path: damaged, agent: 'agent-b', log, metrics })).restored).toBeUndefined();

    const theirs = join(dir, 'theirs.pb');
    const store = emptyObjectStore();
    const revision = await appendService(store, 'three');
    const writer = await AgentSnapshots.open({ bus, path: theirs, agent: 'agent-c', log, metrics: snapshotMetrics(new Registry()) });
    await writer.start(() => ({ store, revision }));
    await writer.close();
    expect((await AgentSnapshots.open({ bus, path: theirs, agent: 'agent-b', log, metrics })).restored).toBeUndefined();
    expect(await counts(metrics)).toBe('replayed=2');
  });
});
