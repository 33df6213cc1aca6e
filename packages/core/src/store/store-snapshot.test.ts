import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { applyLogEvent, emptyObjectStore, InvariantError, type LogEvent, type ObjectStore, type StoredObject } from './object-store.js';
import { MAX_SNAPSHOT_OBJECTS, restoreStoreSnapshot, resumePoint, SnapshotError, takeStoreSnapshot, type StoreSnapshot } from './store-snapshot.js';

const obj = (kind: string, namespace: string, name: string, revision: number, extra: Record<string, unknown> = {}): KubeObject => ({
  kind,
  apiVersion: kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1',
  metadata: { ...(namespace ? { namespace } : {}), name, resourceVersion: String(revision) },
  ...extra,
});

const stored = (kind: string, namespace: string, name: string, revision: number): StoredObject => ({ kind, object: obj(kind, namespace, name, revision), revision });

function fold(events: readonly LogEvent[], into: ObjectStore = emptyObjectStore()): ObjectStore {
  for (const e of events) applyLogEvent(into, e);
  return into;
}

const event = (revision: number, type: LogEvent['type'], kind: string, namespace: string, name: string): LogEvent => ({
  revision,
  type,
  kind,
  object: obj(kind, namespace, name, revision),
  timeUnixMilli: 0,
});

describe('takeStoreSnapshot', () => {
  it('holds every object in key order, at the revision asked for', () => {
    const store = fold([
      event(1, 'ADDED', 'Service', 'default', 'web'),
      event(2, 'ADDED', 'Node', '', 'node-1'),
      event(3, 'ADDED', 'Service', 'default', 'api'),
      event(4, 'MODIFIED', 'Service', 'default', 'web'),
      event(5, 'ADDED', 'Pod', 'default', 'gone'),
      event(6, 'DELETED', 'Pod', 'default', 'gone'),
    ]);
    expect(takeStoreSnapshot(store, 9)).toEqual({
      revision: 9,
      objects: [stored('Node', '', 'node-1', 2), stored('Service', 'default', 'api', 3), stored('Service', 'default', 'web', 4)],
    });
    expect(takeStoreSnapshot(store)).toEqual({
      revision: 6,
      objects: [stored('Node', '', 'node-1', 2), stored('Service', 'default', 'api', 3), stored('Service', 'default', 'web', 4)],
    });
  });

  it('refuses a revision before the store’s', () => {
    const store = fold([event(1, 'ADDED', 'Service', 'default', 'web'), event(2, 'ADDED', 'Service', 'default', 'api')]);
    expect(() => takeStoreSnapshot(store, 1)).toThrow(new InvariantError('a snapshot at revision 1 cannot hold a store folded up to revision 2'));
  });

  it('refuses a store over the object bound', () => {
    const store = fold([event(1, 'ADDED', 'Service', 'default', 'a'), event(2, 'ADDED', 'Service', 'default', 'b'), event(3, 'ADDED', 'Service', 'default', 'c')]);
    expect(() => takeStoreSnapshot(store, 3, 2)).toThrow(new SnapshotError('the store holds 3 objects; a snapshot holds at most 2'));
    expect(takeStoreSnapshot(store, 3, 3).objects).toHaveLength(3);
    expect(MAX_SNAPSHOT_OBJECTS).toBe(500_000);
  });
});

describe('restoreStoreSnapshot', () => {
  it('gives the store back, at the snapshot’s revision', () => {
    const snapshot: StoreSnapshot = { revision: 7, objects: [stored('Node', '', 'node-1', 2), stored('Service', 'default', 'web', 4)] };
    expect(restoreStoreSnapshot(snapshot)).toEqual({
      revision: 7,
      objects: new Map([
        ['Node//node-1', stored('Node', '', 'node-1', 2)],
        ['Service/default/web', stored('Service', 'default', 'web', 4)],
      ]),
    });
    expect(restoreStoreSnapshot({ revision: 0, objects: [] })).toEqual(emptyObjectStore());
  });

  const refusals: [string, StoreSnapshot, string, Parameters<typeof restoreStoreSnapshot>[1]?][] = [
    ['a negative revision', { revision: -1, objects: [] }, 'snapshot revision -1 is not a revision'],
    ['a fractional revision', { revision: 1.5, objects: [] }, 'snapshot revision 1.5 is not a revision'],
    ['an object after the snapshot', { revision: 3, objects: [stored('Service', 'default', 'web', 4)] }, 'snapshot at revision 3 holds Service default/web at the later revision 4'],
    ['an object at revision 0', { revision: 3, objects: [{ ...stored('Service', 'default', 'web', 0) }] }, 'snapshot holds Service default/web at revision 0'],
    [
      'a duplicate key',
      { revision: 5, objects: [stored('Service', 'default', 'web', 2), stored('Service', 'default', 'web', 4)] },
      'snapshot holds Service default/web twice',
    ],
    ['an unknown kind', { revision: 5, objects: [{ kind: 'Secret', object: obj('Secret', 'default', 's', 1), revision: 1 }] }, 'snapshot holds a "Secret", which is no kind the log carries'],
    [
      'an object of another kind than its entry',
      { revision: 5, objects: [{ kind: 'Service', object: obj('Pod', 'default', 'p', 1), revision: 1 }] },
      'snapshot holds Service default/p whose object says kind "Pod"',
    ],
    ['a nameless object', { revision: 5, objects: [{ kind: 'Service', object: { kind: 'Service', metadata: { namespace: 'default', resourceVersion: '1' } }, revision: 1 }] }, 'snapshot holds a Service without a name'],
    [
      'a namespaced kind without a namespace',
      { revision: 5, objects: [stored('Service', '', 'web', 1)] },
      'snapshot holds Service web, without a namespace; Service is namespaced',
    ],
    [
      'a cluster-scoped kind with a namespace',
      { revision: 5, objects: [stored('Node', 'default', 'node-1', 1)] },
      'snapshot holds Node default/node-1, with a namespace; Node is cluster-scoped',
    ],
    [
      'a resourceVersion that is not the revision',
      { revision: 5, objects: [{ kind: 'Service', object: obj('Service', 'default', 'web', 2), revision: 3 }] },
      'snapshot holds Service default/web at revision 3 with resourceVersion "2"',
    ],
    [
      'a kind the agent does not keep',
      { revision: 5, objects: [stored('Pod', 'default', 'p', 1)] },
      'snapshot holds Pod default/p, which this agent does not keep',
      { keeps: (kind) => kind === 'Service' },
    ],
    [
      'more objects than the bound',
      { revision: 5, objects: [stored('Service', 'default', 'a', 1), stored('Service', 'default', 'b', 2)] },
      'snapshot holds 2 objects; the limit is 1',
      { maxObjects: 1 },
    ],
  ];
  it.each(refusals)('refuses %s', (_what, snapshot, message, options) => {
    expect(() => restoreStoreSnapshot(snapshot, options)).toThrow(new SnapshotError(message));
  });
});

describe('resumePoint', () => {
  const created = '2026-01-01T00:00:00.000000001Z';
  const cases: [string, number, { firstRevision: number; lastRevision: number; createdAt: string }, ReturnType<typeof resumePoint>][] = [
    ['the log moved on', 10, { firstRevision: 1, lastRevision: 25, createdAt: created }, { fromRevision: 11 }],
    ['the log is where the snapshot left it', 25, { firstRevision: 1, lastRevision: 25, createdAt: created }, { fromRevision: 26 }],
    ['an empty log and an empty snapshot', 0, { firstRevision: 0, lastRevision: 0, createdAt: created }, { fromRevision: 1 }],
    ['the log keeps the revision after the snapshot', 10, { firstRevision: 11, lastRevision: 25, createdAt: created }, { fromRevision: 11 }],
    [
      'the log lost the revision after the snapshot',
      10,
      { firstRevision: 12, lastRevision: 25, createdAt: created },
      { fromRevision: 1, refused: 'the log starts at revision 12; revision 11 is gone' },
    ],
    [
      'the log ends before the snapshot',
      30,
      { firstRevision: 1, lastRevision: 25, createdAt: created },
      { fromRevision: 1, refused: "the log ends at revision 25, before the snapshot's revision 30" },
    ],
    [
      'another log',
      10,
      { firstRevision: 1, lastRevision: 25, createdAt: '2026-02-02T00:00:00Z' },
      { fromRevision: 1, refused: `the snapshot is of a log created at ${created}; this log was created at 2026-02-02T00:00:00Z` },
    ],
  ];
  it.each(cases)('%s', (_what, revision, log, expected) => {
    expect(resumePoint({ revision, createdAt: created }, log)).toEqual(expected);
  });
});

describe('a snapshot is the log folded so far', () => {
  // Random logs over a few keys: adds, updates, deletes (of live keys), and revisions the store
  // never sees (other subjects), so the snapshot's revision is often past its last object's.
  const KEYS: [string, string, string][] = [
    ['Service', 'default', 'web'],
    ['Service', 'kube-system', 'kube-dns'],
    ['EndpointSlice', 'default', 'web-abc'],
    ['Node', '', 'node-1'],
    ['Pod', 'default', 'web-1'],
  ];
  const step = fc.record({ key: fc.integer({ min: 0, max: KEYS.length - 1 }), gap: fc.integer({ min: 0, max: 2 }), del: fc.boolean(), label: fc.string({ maxLength: 3 }) });

  function buildLog(steps: { key: number; gap: number; del: boolean; label: string }[]): LogEvent[] {
    const live = new Set<number>();
    const log: LogEvent[] = [];
    let revision = 0;
    for (const s of steps) {
      revision += 1 + s.gap;
      const [kind, namespace, name] = KEYS[s.key]!;
      const type = live.has(s.key) ? (s.del ? 'DELETED' : 'MODIFIED') : 'ADDED';
      if (type === 'DELETED') live.delete(s.key);
      else live.add(s.key);
      log.push({ revision, type, kind, object: obj(kind, namespace, name, revision, { labels: s.label }), timeUnixMilli: revision });
    }
    return log;
  }

  it('folding log[1..n] equals restoring the snapshot at k and folding log[k+1..n], for every k', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const log = buildLog(steps);
        const whole = fold(log);
        for (let k = 0; k <= log.length; k++) {
          const prefix = fold(log.slice(0, k));
          // The agent's revision may be past the last event it folded (a skipped revision).
          const agentRevision = k < log.length ? log[k]!.revision - 1 : prefix.revision;
          const snapshot = structuredClone(takeStoreSnapshot(prefix, agentRevision));
          const resumed = fold(log.slice(k), restoreStoreSnapshot(snapshot));
          expect(takeStoreSnapshot(resumed, whole.revision)).toEqual(takeStoreSnapshot(whole));
          expect(resumed.revision).toBe(whole.revision);
        }
      }),
    );
  });
});
