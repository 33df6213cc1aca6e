import { describe, it, expect } from 'vitest';
import { errorString } from '../api/field-errors.js';
import type { Event } from '../api/types.js';
import { validate } from '../admission/defaults-and-validation.js';
import { containerKillEvents, containerStartEvents, kubeletStartEvents } from '../node-agent/kubelet-events.js';
import { EventCorrelator, DEFAULT_SPAM_BURST } from './correlator.js';
import { eventMicroTime, eventName, makeEvent, makeNewStyleEvent, nextEventNanos } from './record.js';
import { eventLastWrittenMs, expiredEvents } from './ttl.js';

const at = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
const rsRef = { kind: 'ReplicaSet', namespace: 'default', name: 'web-6b7f9c5d4', uid: 'rs-uid', apiVersion: 'apps/v1' };
const rsController = { component: 'replicaset-controller' };

describe('event names and times (record/event.go makeEvent)', () => {
  it('names an event <object>.<UnixNano in hex> and never repeats a name', () => {
    expect(eventName('web-0', at('2026-11-27T21:27:00Z'))).toBe('web-0.18ec04106c7b6800');
    expect(nextEventNanos(0n, 1_000_000_123n)).toBe(1_000_000_123n);
    expect(nextEventNanos(1_000_000_123n, 1_000_000_123n)).toBe(1_000_000_124n);
    expect(eventMicroTime(at('2026-11-27T21:27:00.123Z') + 456_000n)).toBe('2026-11-27T21:27:00.123456Z');
  });

  it('makes a core/v1 event: count 1, first = last, namespace default for a cluster-scoped object', () => {
    expect(makeEvent({ kind: 'Node', name: 'node-1', uid: 'node-1' }, { component: 'kubelet', host: 'node-1' }, 'Normal', 'Starting', 'Starting kubelet.', at('2026-11-27T21:27:00.5Z'))).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'node-1.18ec04108a48cd00', namespace: 'default' },
      involvedObject: { kind: 'Node', name: 'node-1', uid: 'node-1' },
      reason: 'Starting',
      message: 'Starting kubelet.',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-11-27T21:27:00Z',
      lastTimestamp: '2026-11-27T21:27:00Z',
      count: 1,
      type: 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
  });
});

describe('EventCorrelator (events_cache.go)', () => {
  it('turns the same event again into a PATCH of count, lastTimestamp and message on the first one', () => {
    const c = new EventCorrelator();
    const first = makeEvent(rsRef, rsController, 'Normal', 'SuccessfulDelete', 'Deleted pod: web-6b7f9c5d4-x2x7k', at('2026-11-27T21:27:00Z'));
    expect(c.correlate(first, at('2026-11-27T21:27:00Z'))).toEqual({ event: first, skip: false });
    c.updateState({ ...first, metadata: { ...first.metadata, resourceVersion: '17' } });
    const again = makeEvent(rsRef, rsController, 'Normal', 'SuccessfulDelete', 'Deleted pod: web-6b7f9c5d4-x2x7k', at('2026-11-27T21:28:30Z'));
    expect(c.correlate(again, at('2026-11-27T21:28:30Z'))).toEqual({
      event: { ...again, metadata: { name: first.metadata!.name, namespace: 'default', resourceVersion: '17' }, count: 2, firstTimestamp: '2026-11-27T21:27:00Z' },
      patch: { count: 2, lastTimestamp: '2026-11-27T21:28:30Z', message: 'Deleted pod: web-6b7f9c5d4-x2x7k' },
      skip: false,
    });
  });

  it('combines the tenth event alike but for its message, and lets a source send 25 at once about an object', () => {
    const c = new EventCorrelator();
    const results = Array.from({ length: 30 }, (_, i) => c.correlate(makeEvent(rsRef, rsController, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`, at('2026-11-27T21:27:00Z') + BigInt(i)), at('2026-11-27T21:27:00Z') + BigInt(i)));
    expect(results.map((r) => (r.skip ? 'skip' : `${r.event!.count} ${r.event!.message}`))).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `1 Created pod: web-${i}`),
      '1 (combined from similar events): Created pod: web-9',
      ...Array.from({ length: DEFAULT_SPAM_BURST - 10 }, (_, i) => `${i + 2} (combined from similar events): Created pod: web-${i + 10}`),
      'skip',
      'skip',
      'skip',
      'skip',
      'skip',
    ]);
  });
});

describe('core/v1 Event validation (events.go legacyValidateEvent)', () => {
  const ok = makeEvent(rsRef, rsController, 'Normal', 'SuccessfulCreate', 'Created pod: web-1', at('2026-11-27T21:27:00Z'));
  it('accepts what a recorder sends, old style and events.k8s.io style', () => {
    expect(validate('Event', ok)).toEqual([]);
    expect(validate('Event', makeNewStyleEvent(rsRef, undefined, 'default-scheduler', 'default-scheduler-h', 'Normal', 'Scheduled', 'Binding', 'x', at('2026-11-27T21:27:00Z')))).toEqual([]);
  });
  it("refuses a namespace that is not the object's, and a new-style event without its reporting fields", () => {
    const errs = (e: Event): string[] => validate('Event', e).map(errorString);
    expect(errs({ ...ok, metadata: { ...ok.metadata, namespace: 'kube-system' } })).toEqual(['involvedObject.namespace: Invalid value: "default": does not match event.namespace']);
    expect(errs({ ...ok, eventTime: '2026-11-27T21:27:00.000000Z', reportingComponent: '', reportingInstance: '', reason: '', involvedObject: { kind: 'Node', name: 'n' }, metadata: { name: 'n.1', namespace: 'x' } })).toEqual([
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
      'reportingController: Required value',
      "reportingController: Invalid value: \"\": name part must be non-empty",
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ]);
  });
});

describe('the kubelet\'s events', () => {
  it('at a first start: Starting, the conditions as they are set, NodeAllocatableEnforced, NodeReady; a restart of a Ready node only Starting and NodeAllocatableEnforced', () => {
    expect(kubeletStartEvents('node-1', undefined).map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'Starting: Starting kubelet.',
      'NodeHasSufficientMemory: Node node-1 status is now: NodeHasSufficientMemory',
      'NodeHasNoDiskPressure: Node node-1 status is now: NodeHasNoDiskPressure',
      'NodeHasSufficientPID: Node node-1 status is now: NodeHasSufficientPID',
      'NodeAllocatableEnforced: Updated Node Allocatable limit across pods',
      'NodeReady: Node node-1 status is now: NodeReady',
    ]);
    const ready = { status: { conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'False' })).concat([{ type: 'Ready', status: 'True' }]) } };
    expect(kubeletStartEvents('node-1', ready).map((e) => e.reason)).toEqual(['Starting', 'NodeAllocatableEnforced']);
  });
  it('per container: Pulled (already present, or Pulling/Pulled with Always), Created, Started; Killing on delete', () => {
    const pod = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' }, { name: 'side', image: 'busybox', imagePullPolicy: 'Always' }] } };
    expect([...containerStartEvents(pod), ...containerKillEvents(pod)].map((e) => `${e.reason} ${e.fieldPath}: ${e.message}`)).toEqual([
      'Pulled spec.containers{nginx}: Container image "nginx:1.27" already present on machine',
      'Created spec.containers{nginx}: Created container nginx',
      'Started spec.containers{nginx}: Started container nginx',
      'Pulling spec.containers{side}: Pulling image "busybox"',
      'Pulled spec.containers{side}: Successfully pulled image "busybox" in 0s (0s including waiting). Image size: 0 bytes.',
      'Created spec.containers{side}: Created container side',
      'Started spec.containers{side}: Started container side',
      'Killing spec.containers{nginx}: Stopping container nginx',
      'Killing spec.containers{side}: Stopping container side',
    ]);
  });
});

describe('--event-ttl', () => {
  it('expires the events not written for the TTL, by their latest write, oldest first', () => {
    const ev = (name: string, created: string, last?: string): Event => ({ kind: 'Event', metadata: { name, namespace: 'default', creationTimestamp: created }, ...(last ? { lastTimestamp: last } : {}) });
    const store = {
      revision: 3,
      objects: new Map([
        ['Event/default/a', { kind: 'Event', object: ev('a', '2026-11-27T20:00:00Z', '2026-11-27T21:00:00Z'), revision: 1 }],
        ['Event/default/b', { kind: 'Event', object: ev('b', '2026-11-27T20:10:00Z'), revision: 2 }],
        ['Event/default/c', { kind: 'Event', object: ev('c', '2026-11-27T19:00:00Z'), revision: 3 }],
      ]),
    };
    expect(eventLastWrittenMs(ev('a', '2026-11-27T20:00:00Z', '2026-11-27T21:00:00Z'))).toBe(Date.parse('2026-11-27T21:00:00Z'));
    expect(expiredEvents(store, Date.parse('2026-11-27T21:30:00Z'), 60 * 60 * 1000).map((s) => s.object.metadata?.name)).toEqual(['c', 'b']);
  });
});
