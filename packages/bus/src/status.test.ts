import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodecError, encodeObservation, MAX_OBSERVATION_BYTES, type Observation } from '@kubemu/proto';
import { eventually, startFixture, type Fixture } from '../test-support/fixture.js';
import type { Rejection } from './read.js';
import { lastObservation, observationKind, publishObservation, watchObservations, type ObservationMeta } from './status.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ storage: 'memory' });
});
afterEach(async () => {
  await f.close();
});

const programmed = (node: string, revision: number): Observation => ({
  agent: `proxy-agent/${node}`,
  revision,
  timeUnixMilli: 1_795_900_000_000 + revision,
  state: 'synced',
  rulesProgrammed: { node, digest: `d${revision}`, fullSync: revision === 1, ruleCount: 40 },
});
const heartbeat = (node: string): Observation => ({ agent: `node/${node}`, revision: 0, heartbeat: { node, address: '127.0.1.2' } });

function collector(): { seen: [Observation, ObservationMeta][]; rejections: Rejection[]; onObservation: (o: Observation, m: ObservationMeta) => void; onReject: (r: Rejection) => void } {
  const seen: [Observation, ObservationMeta][] = [];
  const rejections: Rejection[] = [];
  return { seen, rejections, onObservation: (o, m) => void seen.push([o, m]), onReject: (r) => void rejections.push(r) };
}

describe('observations', () => {
  it('are published on kubemu.status.<agent>.<what> and watched from a sequence', async () => {
    expect(await publishObservation(f.bus, programmed('node-1', 1))).toEqual({ seq: 1 });
    expect(await publishObservation(f.bus, heartbeat('node-1.example'))).toEqual({ seq: 2 });
    expect(await publishObservation(f.bus, { agent: 'dns-agent', revision: 3, state: 'serving' })).toEqual({ seq: 3 });
    const c = collector();
    const watch = watchObservations(f.bus, { fromSequence: 1, ...c });
    await eventually(() => c.seen.length === 3);
    expect(c.seen.map(([o, m]) => [m.seq, m.subject, m.agent, m.what, o.revision])).toEqual([
      [1, 'kubemu.status.proxy-agent/node-1.rulesProgrammed', 'proxy-agent/node-1', 'rulesProgrammed', 1],
      [2, 'kubemu.status.node/node-1~example.heartbeat', 'node/node-1.example', 'heartbeat', 0],
      [3, 'kubemu.status.dns-agent.state', 'dns-agent', 'state', 3],
    ]);
    expect(c.seen[0]![0]).toEqual(programmed('node-1', 1));
    expect(f.bus.metrics).toMatchObject({ observationsPublished: 3, observationsRead: 3 });
    await watch.stop();
  });

  it("'new' delivers only what is published after the watch is ready; a filter keeps one agent", async () => {
    await publishObservation(f.bus, programmed('node-1', 1));
    const all = collector();
    const one = collector();
    const watchAll = watchObservations(f.bus, { fromSequence: 'new', ...all });
    const watchOne = watchObservations(f.bus, { fromSequence: 'new', agent: 'proxy-agent/node-2', ...one });
    await Promise.all([watchAll.ready, watchOne.ready]);
    await publishObservation(f.bus, programmed('node-2', 2));
    await publishObservation(f.bus, programmed('node-1', 3));
    await eventually(() => all.seen.length === 2 && one.seen.length === 1);
    expect(all.seen.map(([, m]) => m.seq)).toEqual([2, 3]);
    expect(one.seen.map(([o, m]) => [m.seq, o.agent])).toEqual([[2, 'proxy-agent/node-2']]);
    await Promise.all([watchAll.stop(), watchOne.stop()]);
  });

  it('skips malformed observations and ones whose subject names another agent', async () => {
    await f.bus.js.publish('kubemu.status.dns-agent.state', new Uint8Array([0xff, 0xff]));
    await f.bus.js.publish('kubemu.status.bogus', new Uint8Array());
    await publishObservation(f.bus, { agent: 'dns-agent', revision: 1, state: 'serving' });
    await f.bus.js.publish('kubemu.status.dns-agent.state', encodeObservation({ agent: 'impostor', revision: 1 }));
    await publishObservation(f.bus, { agent: 'dns-agent', revision: 2, state: 'serving' });
    const c = collector();
    const watch = watchObservations(f.bus, { fromSequence: 1, ...c });
    await eventually(() => c.seen.length === 2);
    expect(c.seen.map(([o, m]) => [m.seq, o.revision])).toEqual([
      [3, 1],
      [5, 2],
    ]);
    expect(c.rejections.map((r) => [r.stream, r.seq, r.reason])).toEqual([
      ['KUBEMU_STATUS', 1, 'codec'],
      ['KUBEMU_STATUS', 2, 'subject'],
      ['KUBEMU_STATUS', 4, 'key-mismatch'],
    ]);
    await watch.stop();
  });

  it('refuses an observation without an agent or over MAX_OBSERVATION_BYTES', async () => {
    await expect(publishObservation(f.bus, { revision: 1 })).rejects.toThrow('an observation names its agent');
    const huge = { agent: 'dns-agent', state: 'x'.repeat(MAX_OBSERVATION_BYTES) };
    await expect(publishObservation(f.bus, huge)).rejects.toThrow(CodecError);
    expect(f.bus.metrics.observationsPublished).toBe(0);
  });

  it('looks up the last observation of a kind an agent published', async () => {
    expect(await lastObservation(f.bus, 'proxy-agent/node-1', 'rulesProgrammed')).toBeUndefined();
    await publishObservation(f.bus, programmed('node-1', 1));
    await publishObservation(f.bus, heartbeat('node-1'));
    await publishObservation(f.bus, programmed('node-2', 2));
    await publishObservation(f.bus, programmed('node-1', 3));
    expect(await lastObservation(f.bus, 'proxy-agent/node-1', 'rulesProgrammed')).toEqual({ observation: programmed('node-1', 3), seq: 4 });
  });

  it('names the kind after the detail that is set', () => {
    expect(observationKind({ agent: 'a', started: { version: '0.1.0' } })).toBe('started');
    expect(observationKind({ agent: 'a', loadBalancer: { name: 'web', namespace: 'default', ips: ['192.0.2.10'] } })).toBe('loadBalancer');
    expect(observationKind({ agent: 'a', rejected: { stream: 'KUBEMU_OBJECTS', sequence: 2, reason: 'codec' } })).toBe('rejected');
    expect(observationKind({ agent: 'a', state: 'degraded' })).toBe('state');
  });
});
