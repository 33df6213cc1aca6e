import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeObjectEvent } from '@kubemu/proto';
import { eventually, nodeEvent, serviceEvent, startFixture, type Fixture } from '../test-support/fixture.js';
import { publishObjectEvent } from './publish.js';
import { headRevision, readObjectEvents, watchObjectEvents, type ObjectLogEvent, type Rejection } from './read.js';
import { objectSubject, objectSubjectFilter } from './subjects.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const svc = (name: string, ns = 'default'): string => objectSubject('services', ns, name);

/** Writes Services s1..sN in namespace default; returns their revisions. */
async function writeServices(from: number, to: number): Promise<number[]> {
  const revisions: number[] = [];
  for (let i = from; i <= to; i++) revisions.push((await publishObjectEvent(f.bus, svc(`s${i}`), serviceEvent('default', `s${i}`))).seq);
  return revisions;
}

function collector(): { events: ObjectLogEvent[]; rejections: Rejection[]; onEvent: (e: ObjectLogEvent) => void; onReject: (r: Rejection) => void } {
  const events: ObjectLogEvent[] = [];
  const rejections: Rejection[] = [];
  return { events, rejections, onEvent: (e) => void events.push(e), onReject: (r) => void rejections.push(r) };
}

describe('readObjectEvents', () => {
  it('replays a range in order, revision = stream sequence = resourceVersion', async () => {
    await writeServices(1, 5);
    const c = collector();
    const result = await readObjectEvents(f.bus, { fromRevision: 2, toRevision: 4, ...c });
    expect(result).toEqual({ lastRevision: 4, toRevision: 4 });
    expect(c.events.map((e) => [e.revision, e.type, e.kind, e.key.name, e.object.metadata?.resourceVersion])).toEqual([
      [2, 'ADDED', 'Service', 's2', '2'],
      [3, 'ADDED', 'Service', 's3', '3'],
      [4, 'ADDED', 'Service', 's4', '4'],
    ]);
    expect(c.events[0]).toMatchObject({
      subject: 'kubemu.obj.services.default.s2',
      key: { logKind: 'services', namespace: 'default', name: 's2' },
      writer: 'api-store/test',
      object: { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] } },
    });
    expect(f.bus.metrics.eventsRead).toBe(3);
  });

  it('reads up to the head at its start by default, and never past the head', async () => {
    await writeServices(1, 3);
    const c = collector();
    expect(await readObjectEvents(f.bus, { fromRevision: 1, ...c })).toEqual({ lastRevision: 3, toRevision: 3 });
    const d = collector();
    expect(await readObjectEvents(f.bus, { fromRevision: 2, toRevision: 1000, ...d })).toEqual({ lastRevision: 3, toRevision: 3 });
    expect(d.events.map((e) => e.revision)).toEqual([2, 3]);
  });

  it('returns at once on an empty log or an empty range', async () => {
    const c = collector();
    expect(await readObjectEvents(f.bus, { fromRevision: 1, ...c })).toEqual({ lastRevision: 0, toRevision: 0 });
    await writeServices(1, 2);
    expect(await readObjectEvents(f.bus, { fromRevision: 3, ...c })).toEqual({ lastRevision: 0, toRevision: 2 });
    // a filter that matches nothing in the range must not wait for a pull to expire
    const started = Date.now();
    expect(await readObjectEvents(f.bus, { fromRevision: 1, filterSubject: objectSubjectFilter('pods'), ...c })).toEqual({ lastRevision: 0, toRevision: 2 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(c.events).toEqual([]);
  });

  it('filters one kind', async () => {
    await writeServices(1, 2);
    await publishObjectEvent(f.bus, objectSubject('nodes', '', 'node-1.example'), nodeEvent('node-1.example'));
    await writeServices(3, 3);
    const c = collector();
    await readObjectEvents(f.bus, { fromRevision: 1, filterSubject: objectSubjectFilter('nodes'), ...c });
    expect(c.events.map((e) => [e.revision, e.kind, e.key])).toEqual([[3, 'Node', { logKind: 'nodes', namespace: '', name: 'node-1.example' }]]);
  });

  it('replays many events in bounded batches', async () => {
    const total = 3000;
    const bytes = serviceEvent('default', 'bulk');
    const acks = [];
    for (let i = 0; i < total; i++) acks.push(f.bus.js.publish(svc('bulk'), bytes));
    await Promise.all(acks);
    let count = 0;
    let last = 0;
    await readObjectEvents(f.bus, {
      fromRevision: 1,
      onEvent: (e) => {
        expect(e.revision).toBe(last + 1);
        last = e.revision;
        count++;
      },
    });
    expect([count, last]).toEqual([total, total]);
  });

  it('skips and counts malformed messages, reports each with its sequence, and carries on', async () => {
    await writeServices(1, 1);
    // garbage on a valid subject, a subject that does not parse, an object under another object's subject
    await f.bus.js.publish('kubemu.obj.services.default.x', new Uint8Array([0xff, 0xff, 0xff]));
    await f.bus.js.publish('kubemu.obj.services.default', serviceEvent('default', 'y'));
    await f.bus.js.publish(svc('z'), serviceEvent('default', 'not-z'));
    await writeServices(5, 5);
    const c = collector();
    await readObjectEvents(f.bus, { fromRevision: 1, ...c });
    expect(c.events.map((e) => [e.revision, e.key.name])).toEqual([
      [1, 's1'],
      [5, 's5'],
    ]);
    expect(c.rejections.map((r) => [r.seq, r.subject, r.reason])).toEqual([
      [2, 'kubemu.obj.services.default.x', 'codec'],
      [3, 'kubemu.obj.services.default', 'subject'],
      [4, 'kubemu.obj.services.default.z', 'key-mismatch'],
    ]);
    expect(c.rejections[0]!.detail).toMatch(/^malformed ObjectEvent: /);
    expect(c.rejections[2]!.detail).toBe('subject names default/z, the object is default/not-z');
    expect(f.bus.metrics.rejected).toEqual({ subject: 1, codec: 1, 'key-mismatch': 1 });
    expect(f.bus.metrics.eventsRead).toBe(2);
  });

  it('passes a callback failure through', async () => {
    await writeServices(1, 3);
    await expect(
      readObjectEvents(f.bus, {
        fromRevision: 1,
        onEvent: (e) => {
          if (e.revision === 2) throw new Error('agent broke on revision 2');
        },
      }),
    ).rejects.toThrow('agent broke on revision 2');
  });
});

describe('watchObjectEvents', () => {
  it('delivers the backlog from a revision, then live events, in order', async () => {
    await writeServices(1, 3);
    const c = collector();
    const watch = watchObjectEvents(f.bus, { fromRevision: 2, ...c });
    await eventually(() => c.events.length === 2, 10_000, 'backlog');
    await writeServices(4, 6);
    await eventually(() => c.events.length === 5, 10_000, 'live events');
    expect(c.events.map((e) => e.revision)).toEqual([2, 3, 4, 5, 6]);
    expect(watch.lastRevision).toBe(6);
    await watch.stop();
    expect(await watch.done).toEqual({ lastSequence: 6, reason: 'stopped' });
    await writeServices(7, 7);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(c.events).toHaveLength(5);
  });

  it('says once when the backlog is delivered, before live events', async () => {
    await writeServices(1, 3);
    const log: string[] = [];
    const watch = watchObjectEvents(f.bus, {
      fromRevision: 2,
      onEvent: (e) => void log.push(`event ${e.revision}`),
      onCaughtUp: (last) => void log.push(`caught up at ${last}`),
    });
    await eventually(() => log.length === 3);
    await writeServices(4, 4);
    await eventually(() => log.length === 4);
    expect(log).toEqual(['event 2', 'event 3', 'caught up at 3', 'event 4']);
    await watch.stop();
  });

  it('is caught up at once on an empty log, or when its filter matches nothing yet', async () => {
    await writeServices(1, 2);
    const empty: number[] = [];
    const filtered: number[] = [];
    const past: number[] = [];
    const watches = [
      watchObjectEvents(f.bus, { fromRevision: 3, onEvent: () => {}, onCaughtUp: (last) => void empty.push(last) }),
      watchObjectEvents(f.bus, { fromRevision: 1, filterSubject: objectSubjectFilter('pods'), onEvent: () => {}, onCaughtUp: (last) => void filtered.push(last) }),
      watchObjectEvents(f.bus, { fromRevision: 1, filterSubject: objectSubjectFilter('services'), onEvent: () => {}, onCaughtUp: (last) => void past.push(last) }),
    ];
    await eventually(() => empty.length + filtered.length + past.length === 3);
    expect([empty, filtered, past]).toEqual([[0], [0], [2]]);
    await Promise.all(watches.map((w) => w.stop()));
  });

  it('waits at the head for revisions not written yet', async () => {
    const c = collector();
    const watch = watchObjectEvents(f.bus, { fromRevision: 1, ...c });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.events).toEqual([]);
    await writeServices(1, 1);
    await eventually(() => c.events.length === 1);
    await watch.stop();
  });

  it('keeps going after a malformed message: later good events still arrive', async () => {
    const c = collector();
    const watch = watchObjectEvents(f.bus, { fromRevision: 1, ...c });
    await writeServices(1, 1);
    await eventually(() => c.events.length === 1);
    await f.bus.js.publish('kubemu.obj.services.default.x', new TextEncoder().encode('{"kind":"Service"}'));
    await writeServices(3, 4);
    await eventually(() => c.events.length === 3);
    expect(c.events.map((e) => e.revision)).toEqual([1, 3, 4]);
    expect(c.rejections.map((r) => [r.seq, r.reason])).toEqual([[2, 'codec']]);
    expect(f.bus.metrics.rejected.codec).toBe(1);
    await watch.stop();
  });

  it('survives a nats-server crash and restart without skipping or repeating a revision', async () => {
    const watcher = await f.connect('watcher');
    const c = collector();
    const resumes: string[] = [];
    const watch = watchObjectEvents(watcher, { fromRevision: 1, ...c, onResume: (err) => void resumes.push(err.message) });
    await writeServices(1, 3);
    await eventually(() => c.events.length === 3);
    await f.nats.kill();
    await f.nats.restart();
    // the writer's first request after the restart may be lost while it reconnects
    await eventually(() => !f.bus.nc.isClosed(), 1000);
    for (let i = 4; i <= 6; i++) {
      for (let attempt = 1; ; attempt++) {
        try {
          await publishObjectEvent(f.bus, svc(`s${i}`), serviceEvent('default', `s${i}`), { msgId: `s${i}` });
          break;
        } catch (err) {
          if (attempt === 10) throw err;
        }
      }
    }
    await eventually(() => c.events.length === 6, 20_000, 'events after the restart');
    expect(c.events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(resumes.length).toBeGreaterThan(0);
    expect(watcher.metrics.readerResumes).toBe(resumes.length);
    await watch.stop();
  });

  it('ends with the error when a callback throws, and stops reading', async () => {
    await writeServices(1, 3);
    const seen: number[] = [];
    const watch = watchObjectEvents(f.bus, {
      fromRevision: 1,
      onEvent: (e) => {
        seen.push(e.revision);
        if (e.revision === 2) throw new Error('cannot apply revision 2');
      },
    });
    await expect(watch.done).rejects.toThrow('cannot apply revision 2');
    expect(seen).toEqual([1, 2]);
    await watch.stop();
  });

  it('is stopped by Bus.close()', async () => {
    const other = await f.connect('closing');
    const watch = watchObjectEvents(other, { fromRevision: 1, onEvent: () => {} });
    await other.close();
    expect(await watch.done).toEqual({ lastSequence: 0, reason: 'stopped' });
    expect(other.readers.size).toBe(0);
  });

  it('refuses a revision below 1', () => {
    expect(() => watchObjectEvents(f.bus, { fromRevision: 0, onEvent: () => {} })).toThrow('a reader starts at sequence 1 or later, got 0');
  });
});

describe('headRevision', () => {
  it('is the last sequence of the object log', async () => {
    expect(await headRevision(f.bus)).toBe(0);
    await writeServices(1, 2);
    await f.bus.js.publish('kubemu.status.x.y', encodeObjectEvent({ type: 'ADDED', object: { kind: 'Node', metadata: { name: 'n' } }, timeUnixMilli: 0, writer: '', author: '' }));
    expect(await headRevision(f.bus)).toBe(2);
  });
});
