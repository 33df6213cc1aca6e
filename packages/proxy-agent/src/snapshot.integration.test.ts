// The proxy agent's snapshot (--snapshot-file) as a process against a real nats-server and
// api-store, programming a netfilter double: a restart resumes after the snapshot and reads only
// the tail; a stale snapshot (kill -9) resumes at its older revision; a damaged, foreign or
// outdated one means a full replay with a warning. Every time the node ends up with the rules the
// oracle computes from the log alone.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, decodeSnapshotFile, encodeSnapshotFile, headRevision, watchObservations, type Bus } from '@kubemu/bus';
import { defaultProxyConfig, expectedNodeRulesDigest, netfilter, resourceByKind, rulesDigest, type KubeObject } from '@kubemu/core';
import type { Observation } from '@kubemu/proto';
import { eventually, startApiStore, startNats, startProxyAgent, type ApiStoreHandle, type LogLine, type NatsHandle, type ProxyAgentHandle } from '@kubemu/testkit';
import { startNetfilterDouble, type NetfilterDouble } from './netfilter-double.test-data.js';

let nats: NatsHandle;
let api: ApiStoreHandle;
let bus: Bus;
let node: NetfilterDouble;
let dir: string;
let snapshotFile: string;
const observations: Observation[] = [];
let serial = 0;

async function post(path: string, body: unknown, method = 'POST'): Promise<any> {
  const res = await api.fetch(path, { method, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return JSON.parse(text);
}

/** A Service with one endpoint on node-1 and one elsewhere: a few revisions of the log. */
async function createService(): Promise<void> {
  const name = `svc-${++serial}`;
  await post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } });
  await post('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abc`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: [`10.244.1.${serial}`], conditions: { ready: true }, nodeName: 'node-1' },
      { addresses: [`10.244.2.${serial}`], conditions: { ready: true }, nodeName: 'node-2' },
    ],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
}

/** The digest the convergence oracle computes from the log's objects alone (what `kubemu status` compares with). */
async function oracleDigest(): Promise<string> {
  const objects: KubeObject[] = [];
  for (const kind of ['Node', 'Service', 'EndpointSlice']) {
    const r = resourceByKind(kind)!;
    const list = (await (await api.fetch(`${r.group ? `/apis/${r.group}/${r.version}` : '/api/v1'}/${r.resource}`)).json()) as { items: KubeObject[] };
    objects.push(...list.items);
  }
  return expectedNodeRulesDigest(objects, 'node-1', defaultProxyConfig());
}

/** Waits until the agent reported the log head with the oracle's digest, which is also what the node holds. */
async function converged(): Promise<Observation> {
  const head = await headRevision(bus);
  const expected = await oracleDigest();
  const o = await eventually(`an observation at revision ${head}`, async () => observations.find((x) => Number(x.revision) >= head && x.rulesProgrammed?.digest === expected));
  expect(rulesDigest(netfilter.iptablesSave(node.tables()))).toBe(expected);
  return o;
}

async function metric(agent: ProxyAgentHandle, name: string): Promise<number> {
  const text = await (await fetch(`${agent.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

function startAgent(snapshotInterval = '1h'): Promise<ProxyAgentHandle> {
  return startProxyAgent({ natsUrl: nats.url, apiStore: api, node: 'node-1', snapshotFile, snapshotInterval });
}

const wrote = (l: LogLine): boolean => l.msg === `wrote snapshot at revision ${String(l.revision)}`;
const resumed = (l: LogLine): boolean => l.msg === `resumed from snapshot at revision ${String(l.revision)}`;
const replayed = (l: LogLine): boolean => l.msg === 'not resuming from the snapshot; replaying the log from revision 1';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubemu-proxy-snapshot-'));
  snapshotFile = join(dir, 'snapshots', 'proxy-agent-node-1.pb');
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url });
  node = await startNetfilterDouble(api.token);
  bus = await connectBus({ servers: nats.url, name: 'test' });
  watchObservations(bus, { fromSequence: 1, agent: 'proxy-agent/node-1', onObservation: (o) => void observations.push(o) });
  await post('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', annotations: { 'kubemu.io/kubelet-port': String(node.port) } },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
  });
  const created = (await (await api.fetch('/api/v1/nodes/node-1')).json()) as KubeObject;
  await post('/api/v1/nodes/node-1/status', { ...created, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } }, 'PUT');
  await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } });
}, 90_000);

afterAll(async () => {
  await bus?.close();
  await node?.close();
  await api?.process.stop();
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('proxy agent snapshots', () => {
  it('without a snapshot file replays from 1 and writes one; SIGTERM writes the last; the restart resumes there and reads only the tail', async () => {
    let agent = await startAgent('200ms');
    const first = await agent.process.waitForLog(replayed);
    expect(first.reason).toBe('there is no snapshot file yet');
    await converged();
    await createService();
    await converged();
    const head = await headRevision(bus);
    // Written within the interval while events arrive, without a stop.
    await agent.process.waitForLog((l) => wrote(l) && Number(l.revision) === head);
    expect(await metric(agent, 'kubemu_events_applied_total')).toBe(head);

    await createService();
    const atStop = await headRevision(bus);
    await agent.waitProgrammed(atStop);
    expect((await agent.process.stop()).code).toBe(0);
    expect(agent.process.logs.filter(wrote).at(-1)?.revision).toBe(atStop);

    await createService(); // while the agent is down: the tail
    agent = await startAgent();
    const line = await agent.process.waitForLog(resumed);
    expect(line.revision).toBe(atStop);
    expect(atStop).toBeGreaterThan(1);
    await converged();
    const now = await headRevision(bus);
    expect(await metric(agent, 'kubemu_applied_revision')).toBe(now);
    expect(await metric(agent, 'kubemu_events_applied_total')).toBe(now - atStop);
    expect(await metric(agent, 'kubemu_snapshot_restores_total{result="resumed"}')).toBe(1);
    expect(agent.process.logs.some(replayed)).toBe(false);
    await agent.process.stop();
  });

  it('after kill -9 resumes at the older snapshot it finds and still converges', async () => {
    let agent = await startAgent('1h');
    // The log has not moved since the last stop: resumed at the head, caught up with nothing to read.
    expect((await agent.process.waitForLog(resumed)).revision).toBe(await headRevision(bus));
    const caughtUp = await agent.process.waitForLog(wrote);
    const stale = Number(caughtUp.revision);
    await createService();
    await createService();
    await converged();
    await agent.process.kill('SIGKILL');
    expect(agent.process.logs.filter(wrote).map((l) => l.revision)).toEqual([stale]);
    await createService();

    agent = await startAgent();
    expect((await agent.process.waitForLog(resumed)).revision).toBe(stale);
    await converged();
    const now = await headRevision(bus);
    expect(await metric(agent, 'kubemu_events_applied_total')).toBe(now - stale);
    await agent.process.stop();
  });

  it('a damaged, foreign or outdated snapshot means a full replay with a warning, never a crash', async () => {
    const good = await readFile(snapshotFile);
    const content = decodeSnapshotFile(good);
    const logKindOf = (kind: string): string | undefined => resourceByKind(kind)?.logKind;
    const cases: [string, Uint8Array, string | RegExp][] = [
      ['damaged', Buffer.concat([good.subarray(0, good.length - 40), Buffer.alloc(40, 7)]), /checksum|not a snapshot|ends inside/],
      ['not a snapshot', Buffer.from('{"revision": 5}\n'), /ends inside a record|not a kubemu.snapshot.v1 file/],
      ['another log', encodeSnapshotFile({ ...content, logCreatedAt: '2001-01-01T00:00:00Z' }, logKindOf), /^the snapshot is of a log created at 2001-01-01T00:00:00Z; this log was created at /],
      [
        'past the end of the log',
        encodeSnapshotFile({ ...content, revision: content.revision + 1000 }, logKindOf),
        new RegExp(`^the log ends at revision \\d+, before the snapshot's revision ${content.revision + 1000}$`),
      ],
      ['another agent', encodeSnapshotFile({ ...content, agent: 'proxy-agent/node-2' }, logKindOf), `${snapshotFile} is the snapshot of proxy-agent/node-2, not of proxy-agent/node-1`],
    ];
    for (const [what, bytes, reason] of cases) {
      await writeFile(snapshotFile, bytes);
      await createService();
      const agent = await startAgent();
      const warning = await agent.process.waitForLog(replayed);
      expect(warning.level, what).toBe(40);
      expect(String(warning.reason), what).toMatch(reason);
      await converged();
      const now = await headRevision(bus);
      expect(await metric(agent, 'kubemu_events_applied_total'), what).toBe(now);
      expect(await metric(agent, 'kubemu_snapshot_restores_total{result="replayed"}'), what).toBe(1);
      // It writes a good snapshot once caught up.
      await agent.process.waitForLog((l) => wrote(l) && Number(l.revision) === now);
      expect(agent.process.running, what).toBe(true);
      await agent.process.stop();
      expect(decodeSnapshotFile(await readFile(snapshotFile)).revision, what).toBe(now);
    }
  }, 120_000);
});
