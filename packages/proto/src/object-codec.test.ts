import { describe, expect, it } from 'vitest';
import { CodecError, decodeObjectEvent, encodeObjectEvent, roundTripObject } from './object-codec.js';
import { decodeLogRecords, encodeLogRecordDelimited } from './log-record-codec.js';
import { decodeObservation, encodeObservation } from './observation-codec.js';

const myNginx = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', namespace: 'default', labels: { run: 'my-nginx' }, creationTimestamp: '2026-11-27T21:10:00Z', generation: 1 },
  spec: {
    type: 'NodePort',
    clusterIP: '10.96.107.207',
    clusterIPs: ['10.96.107.207'],
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https', nodePort: 30134 },
    ],
    selector: { app: 'nginx' },
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    publishNotReadyAddresses: false,
  },
  status: { loadBalancer: {} },
};

describe('ObjectEvent codec', () => {
  it('round-trips a Service field for field, int and string targetPorts, false booleans kept', () => {
    const bytes = encodeObjectEvent({ type: 'ADDED', object: myNginx, timeUnixMilli: 1795900000000, writer: 'api-store/a', author: 'kubectl' });
    const event = decodeObjectEvent(bytes, 42);
    const expected = structuredClone(myNginx) as Record<string, any>;
    expected.metadata.resourceVersion = '42';
    expected.status = { loadBalancer: {} };
    expect(event).toEqual({
      revision: 42,
      type: 'ADDED',
      kind: 'Service',
      object: expected,
      timeUnixMilli: 1795900000000,
      writer: 'api-store/a',
      author: 'kubectl',
      notes: [],
    });
  });

  it('does not store resourceVersion: the stream sequence is the revision', () => {
    const withRv = { ...myNginx, metadata: { ...myNginx.metadata, resourceVersion: '7' } };
    const a = encodeObjectEvent({ type: 'MODIFIED', object: withRv, timeUnixMilli: 1, writer: 'w', author: 'a' });
    const b = encodeObjectEvent({ type: 'MODIFIED', object: myNginx, timeUnixMilli: 1, writer: 'w', author: 'a' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('drops unknown fields, as kube-apiserver prunes them', () => {
    const withJunk = { ...myNginx, spec: { ...myNginx.spec, bogus: 1 } };
    expect((roundTripObject(withJunk).spec as Record<string, unknown>).bogus).toBeUndefined();
  });

  it('keeps IntOrString inside nested templates (probe ports, maxSurge percentages)', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 0,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: { spec: { containers: [{ name: 'c', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 3 } }] } },
      },
    };
    expect(roundTripObject(deployment)).toEqual(deployment);
  });

  it('rejects malformed bytes and kinds the log does not carry with a CodecError', () => {
    expect(() => decodeObjectEvent(new Uint8Array([0xff, 0xff, 0xff]), 1)).toThrow(CodecError);
    expect(() => decodeObjectEvent(new Uint8Array([]), 1)).toThrow('ObjectEvent has no valid type (undefined)');
    expect(() => encodeObjectEvent({ type: 'ADDED', object: { kind: 'Secret' }, timeUnixMilli: 0, writer: '', author: '' })).toThrow(
      'kind "Secret" is not carried by the event log',
    );
  });
});

describe('log records', () => {
  it('splits delimited records and keeps an incomplete tail for the next chunk', () => {
    const one = encodeLogRecordDelimited({ stream: 'KUBEMU_OBJECTS', sequence: 1, subject: 'kubemu.obj.services.default.a', timeUnixNano: 5, data: new Uint8Array([1, 2]) });
    const two = encodeLogRecordDelimited({ stream: 'KUBEMU_OBJECTS', sequence: 2, subject: 'kubemu.obj.services.default.b', timeUnixNano: 6, data: new Uint8Array([3]) });
    const joined = new Uint8Array([...one, ...two.subarray(0, 4)]);
    const { records, consumed } = decodeLogRecords(joined);
    expect(records.map((r) => [r.sequence, r.subject, [...r.data]])).toEqual([[1, 'kubemu.obj.services.default.a', [1, 2]]]);
    expect(consumed).toBe(one.length);
  });
});

describe('observations', () => {
  it('round-trips', () => {
    const o = { agent: 'proxy-agent/node-1', revision: 12, timeUnixMilli: 99, state: 'programmed', rulesProgrammed: { node: 'node-1', digest: 'abc', fullSync: true, ruleCount: 40 } };
    expect(decodeObservation(encodeObservation(o))).toEqual(o);
  });
});

describe('unknownFields', () => {
  it('names the fields the schema drops, with their paths', async () => {
    const { unknownFields } = await import('./object-codec.js');
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'x', labels: { anything: 'goes' }, resourceVersion: '5' },
      spec: { bogus: 1, ports: [{ port: 80, nodeport: 30000 }], selector: { 'any.key/x': 'y' }, externalIPs: [] },
    };
    expect(unknownFields(svc)).toEqual(['spec.bogus', 'spec.ports[0].nodeport']);
  });
});
