import { describe, it, expect } from 'vitest';
import type { Event, Pod } from '../api/types.js';
import { makeEvent, makeNewStyleEvent, objectReference } from '../event/record.js';
import { describe as kubectlDescribe } from './describe.js';
import { renderTable } from './render.js';
import { tableFor } from './registry.js';

const now = Date.parse('2026-11-27T21:30:00Z');
const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const nanos = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

const pod: Pod = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-6b7f9c5d4-x2x7k', namespace: 'default', uid: 'pod-uid', resourceVersion: '41' } };
const kubelet = { component: 'kubelet', host: 'node-1' };
const scheduled = makeNewStyleEvent(objectReference(pod), undefined, 'default-scheduler', 'default-scheduler-host', 'Normal', 'Scheduled', 'Binding', 'Successfully assigned default/web-6b7f9c5d4-x2x7k to node-1', nanos('2026-11-27T21:28:00.123456Z'));
const pulled = makeEvent(objectReference(pod, 'spec.containers{nginx}'), kubelet, 'Normal', 'Pulled', 'Container image "nginx:1.27" already present on machine', nanos('2026-11-27T21:28:01Z'));
const started = makeEvent(objectReference(pod, 'spec.containers{nginx}'), kubelet, 'Normal', 'Started', 'Started container nginx', nanos('2026-11-27T21:28:02Z'));
const rsCreate: Event = {
  ...makeEvent({ kind: 'ReplicaSet', namespace: 'default', name: 'web-6b7f9c5d4', uid: 'rs-uid', apiVersion: 'apps/v1' }, { component: 'replicaset-controller' }, 'Normal', 'SuccessfulCreate', 'Created pod: web-6b7f9c5d4-x2x7k', nanos('2026-11-27T21:27:00Z')),
  count: 3,
  lastTimestamp: '2026-11-27T21:29:30Z',
};
const unhealthy: Event = { ...makeEvent(objectReference(pod), kubelet, 'Warning', 'Unhealthy', 'Readiness probe failed: ', nanos('2026-11-27T21:29:00Z')), series: undefined };

describe('kubectl get events', () => {
  it('LAST SEEN TYPE REASON OBJECT MESSAGE: eventTime stands in for a missing first time, count for a repeat (printEvent)', () => {
    expect(renderTable(tableFor('Event', [rsCreate, scheduled, pulled, started, unhealthy], { now }))).toBe(
      lines(
        'LAST SEEN   TYPE      REASON             OBJECT                     MESSAGE',
        '30s         Normal    SuccessfulCreate   replicaset/web-6b7f9c5d4   Created pod: web-6b7f9c5d4-x2x7k',
        '119s        Normal    Scheduled          pod/web-6b7f9c5d4-x2x7k    Successfully assigned default/web-6b7f9c5d4-x2x7k to node-1',
        '119s        Normal    Pulled             pod/web-6b7f9c5d4-x2x7k    Container image "nginx:1.27" already present on machine',
        '118s        Normal    Started            pod/web-6b7f9c5d4-x2x7k    Started container nginx',
        '60s         Warning   Unhealthy          pod/web-6b7f9c5d4-x2x7k    Readiness probe failed:',
      ),
    );
  });

  it('-o wide adds SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME', () => {
    expect(renderTable(tableFor('Event', [rsCreate, scheduled, pulled], { now }), { wide: true })).toBe(
      lines(
        'LAST SEEN   TYPE     REASON             OBJECT                     SUBOBJECT                SOURCE                                      MESSAGE                                                       FIRST SEEN   COUNT   NAME',
        '30s         Normal   SuccessfulCreate   replicaset/web-6b7f9c5d4                            replicaset-controller                       Created pod: web-6b7f9c5d4-x2x7k                              3m           3       web-6b7f9c5d4.18ec04106c7b6800',
        '119s        Normal   Scheduled          pod/web-6b7f9c5d4-x2x7k                             default-scheduler, default-scheduler-host   Successfully assigned default/web-6b7f9c5d4-x2x7k to node-1   119s         1       web-6b7f9c5d4-x2x7k.18ec041e6c1794c0',
        '119s        Normal   Pulled             pod/web-6b7f9c5d4-x2x7k    spec.containers{nginx}   kubelet, node-1                             Container image "nginx:1.27" already present on machine       119s         1       web-6b7f9c5d4-x2x7k.18ec041ea05d8a00',
      ),
    );
  });
});

describe('kubectl describe: the Events section (DescribeEvents)', () => {
  it('sorts by last seen, prints "(xN over …)" for a repeat, From the component (or reportingComponent)', () => {
    const out = kubectlDescribe('Pod', { ...pod, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] }, status: { phase: 'Running' } }, { events: [started, rsCreate, pulled, scheduled] }, now);
    expect(out.slice(out.indexOf('Events:'))).toBe(
      lines(
        'Events:',
        '  Type    Reason            Age               From                   Message',
        '  ----    ------            ----              ----                   -------',
        '  Normal  Scheduled         119s              default-scheduler      Successfully assigned default/web-6b7f9c5d4-x2x7k to node-1',
        '  Normal  Pulled            119s              kubelet                Container image "nginx:1.27" already present on machine',
        '  Normal  Started           118s              kubelet                Started container nginx',
        '  Normal  SuccessfulCreate  30s (x3 over 3m)  replicaset-controller  Created pod: web-6b7f9c5d4-x2x7k',
      ),
    );
  });
});
