import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubemu/core';
import { covers, goJsonEncode, LAST_APPLIED_ANNOTATION, missingAnnotationWarning, modifiedConfiguration, planApply, threeWayMergePatch } from './apply-patch.js';

/** The seed's my-nginx Service as kubectl apply reads it (namespace filled in). */
const seed = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' }, namespace: 'default' },
  spec: {
    type: 'NodePort',
    ports: [
      { port: 8080, targetPort: 80, protocol: 'TCP', name: 'http' },
      { port: 443, protocol: 'TCP', name: 'https' },
    ],
    selector: { app: 'nginx' },
  },
} as KubeObject);

const SEED_LAST_APPLIED =
  '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"labels":{"run":"my-nginx"},"name":"my-nginx","namespace":"default"},' +
  '"spec":{"ports":[{"name":"http","port":8080,"protocol":"TCP","targetPort":80},{"name":"https","port":443,"protocol":"TCP"}],' +
  '"selector":{"app":"nginx"},"type":"NodePort"}}\n';

/** What the api-store holds after creating the seed: defaulted and allocated. */
function liveFromSeed(lastApplied: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'my-nginx',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '17',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { run: 'my-nginx' },
      annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied },
    },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.107.207',
      clusterIPs: ['10.96.107.207'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [
        { name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: 31589 },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 30134 },
      ],
      selector: { app: 'nginx' },
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  } as KubeObject;
}

describe('last-applied-configuration', () => {
  it('is the manifest as kubectl encodes it: sorted keys, empty annotations, a newline', () => {
    const { modified, lastApplied } = modifiedConfiguration(seed());
    expect(lastApplied).toBe(SEED_LAST_APPLIED);
    expect(modified.metadata?.annotations).toEqual({ [LAST_APPLIED_ANNOTATION]: SEED_LAST_APPLIED });
  });

  it('never nests an old annotation, keeps the others', () => {
    const m = seed();
    m.metadata!.annotations = { [LAST_APPLIED_ANNOTATION]: 'old', team: 'a&b' };
    const { lastApplied } = modifiedConfiguration(m);
    expect(lastApplied).toContain('"annotations":{"team":"a\\u0026b"}');
    expect(lastApplied).not.toContain('old');
  });

  it('escapes as Go encoding/json does', () => {
    expect(goJsonEncode({ b: '<x>&', a: [1, { d: 1, c: 2 }] })).toBe('{"a":[1,{"c":2,"d":1}],"b":"\\u003cx\\u003e\\u0026"}\n');
  });
});

describe('planApply', () => {
  it('creates what does not exist, with the annotation', () => {
    const plan = planApply(seed(), undefined);
    expect(plan.action).toBe('create');
    if (plan.action === 'create') expect(plan.object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION]).toBe(SEED_LAST_APPLIED);
  });

  it('leaves alone what the server filled in: unchanged', () => {
    expect(planApply(seed(), liveFromSeed(SEED_LAST_APPLIED))).toEqual({ action: 'unchanged', missingAnnotation: false });
  });

  it('patches a changed field, and sends the whole list when the manifest changed it', () => {
    const m = seed();
    (m as { spec: { type: string; ports: unknown[] } }).spec.type = 'ClusterIP';
    (m as { spec: { ports: unknown[] } }).spec.ports.pop();
    const plan = planApply(m, liveFromSeed(SEED_LAST_APPLIED));
    expect(plan.action).toBe('patch');
    if (plan.action !== 'patch') return;
    const { lastApplied } = modifiedConfiguration(m);
    expect(plan.patch).toEqual({
      metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } },
      spec: { type: 'ClusterIP', ports: [{ port: 8080, targetPort: 80, protocol: 'TCP', name: 'http' }] },
    });
  });

  it('deletes what the last apply had and the manifest dropped, but not what others added', () => {
    const m = seed();
    delete m.metadata!.labels;
    const live = liveFromSeed(SEED_LAST_APPLIED);
    live.metadata!.annotations!.owner = 'someone else';
    const plan = planApply(m, live);
    expect(plan.action).toBe('patch');
    if (plan.action !== 'patch') return;
    expect(plan.patch).toEqual({
      metadata: { labels: null, annotations: { [LAST_APPLIED_ANNOTATION]: modifiedConfiguration(m).lastApplied } },
    });
  });

  it('restores a list someone changed on the server', () => {
    const live = liveFromSeed(SEED_LAST_APPLIED);
    (live as { spec: { ports: { port: number }[] } }).spec.ports[1]!.port = 8443;
    const plan = planApply(seed(), live);
    expect(plan).toEqual({ action: 'patch', missingAnnotation: false, patch: { spec: { ports: (seed() as { spec: { ports: unknown } }).spec.ports } } });
  });

  it('adds the missing annotation to an object made without apply, and says so', () => {
    const live = liveFromSeed(SEED_LAST_APPLIED);
    delete live.metadata!.annotations;
    const plan = planApply(seed(), live);
    expect(plan.action).toBe('patch');
    if (plan.action !== 'patch') return;
    expect(plan.missingAnnotation).toBe(true);
    expect(plan.patch.metadata).toEqual({ annotations: { [LAST_APPLIED_ANNOTATION]: SEED_LAST_APPLIED } });
    expect(missingAnnotationWarning('services/my-nginx')).toBe(
      'Warning: resource services/my-nginx is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. ' +
        'kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. ' +
        'The missing annotation will be patched automatically.\n',
    );
  });
});

describe('threeWayMergePatch', () => {
  it('is CreateThreeWayJSONMergePatch for maps and scalars', () => {
    const original = { a: 1, b: { c: 1, d: 2 }, e: 'x' };
    const modified = { a: 2, b: { c: 1 }, f: { g: null, h: 1 } };
    const current = { a: 1, b: { c: 1, d: 2, server: true }, e: 'x', other: 1 };
    expect(threeWayMergePatch(original, modified, current)).toEqual({ a: 2, b: { d: null }, e: null, f: { h: 1 } });
  });

  it('keeps an explicitly empty map the live object lacks', () => {
    expect(threeWayMergePatch({}, { spec: { selector: {} } }, { spec: {} })).toEqual({ spec: { selector: {} } });
    expect(threeWayMergePatch({}, { spec: { selector: {} } }, { spec: { selector: { a: 'b' } } })).toEqual({});
  });

  it('without a last-applied configuration deletes nothing', () => {
    expect(threeWayMergePatch(undefined, { a: 1 }, { a: 1, b: 2 })).toEqual({});
  });
});

describe('covers', () => {
  it('accepts extra keys in live objects, not in lists', () => {
    expect(covers({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ x: 1 }] })).toBe(true);
    expect(covers({ b: [{ x: 1 }, { x: 2 }] }, { b: [{ x: 1 }] })).toBe(false);
    expect(covers({ b: [1, 2] }, { b: [2, 1] })).toBe(false);
    expect(covers({ a: '1' }, { a: 1 })).toBe(false);
  });
});
