import { describe, expect, it } from 'vitest';
import { errorString, goQuote, type FieldError } from './field-errors.js';
import {
  goLabelSelector,
  labelSelectorMatches,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './object-meta-validation.js';
import type { ObjectMeta } from './types.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('validateObjectMeta', () => {
  it.each<[string, ObjectMeta | undefined, boolean, string[]]>([
    ['valid namespaced', { name: 'web', namespace: 'default' }, true, []],
    ['no name', { namespace: 'default' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['no metadata at all, namespaced', undefined, true, ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']],
    ['bad namespace', { name: 'web', namespace: 'Team_A' }, true, [`metadata.namespace: Invalid value: "Team_A": ${LABEL_MSG}`]],
    ['namespace on a cluster-scoped object', { name: 'n1', namespace: 'default' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['negative generation', { name: 'web', namespace: 'd', generation: -1 }, true, ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']],
    [
      'bad label key and value',
      { name: 'web', namespace: 'd', labels: { '-bad': 'ok', good: 'bad value' } },
      true,
      [
        `metadata.labels: Invalid value: "-bad": ${QNAME_MSG}`,
        `metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    ['annotation keys compare lower-cased', { name: 'web', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } }, true, []],
    [
      'bad finalizer',
      { name: 'web', namespace: 'd', finalizers: ['a/b/c'] },
      true,
      [
        `metadata.finalizers: Invalid value: "a/b/c": a qualified name ${QNAME_MSG.slice('name part '.length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
    [
      'two controllers',
      {
        name: 'web',
        namespace: 'd',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
        ],
      },
      true,
      [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"a", UID:"1", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"2", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    ],
  ])('%s', (_name, meta, namespaced, want) => {
    expect(lines(validateObjectMeta(meta, namespaced, nameIsDNSSubdomain))).toEqual(want);
  });

  it('validates generateName with a trailing dash allowed', () => {
    expect(lines(validateObjectMeta({ generateName: 'web-', name: 'web-x7k2p', namespace: 'd' }, true, nameIsDNSLabel))).toEqual([]);
    expect(lines(validateObjectMeta({ generateName: 'Web-', name: 'web-x7k2p', namespace: 'd' }, true, nameIsDNSLabel))).toEqual([
      `metadata.generateName: Invalid value: "Web-": ${LABEL_MSG}`,
    ]);
  });

  it('reports the name format of the kind', () => {
    expect(lines(validateObjectMeta({ name: '1svc', namespace: 'd' }, true, nameIsDNS1035Label))).toEqual([
      `metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('bounds the total annotation size at 256 KiB', () => {
    const big = { a: 'x'.repeat(256 * 1024) };
    expect(lines(validateObjectMeta({ name: 'w', namespace: 'd', annotations: big }, true, nameIsDNSSubdomain))).toEqual([
      'metadata.annotations: Too long: must have at most 262144 bytes',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = { name: 'web', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-11-27T21:10:00Z' };
  it('accepts an unchanged identity', () => {
    expect(lines(validateObjectMetaUpdate({ ...old }, old))).toEqual([]);
  });
  it('reports every immutable field in upstream order', () => {
    const next: ObjectMeta = { name: 'web2', namespace: 'e', uid: 'u2', creationTimestamp: '2026-11-28T00:00:00Z', generation: 1 };
    expect(lines(validateObjectMetaUpdate(next, { ...old, generation: 2 }))).toEqual([
      'metadata.generation: Invalid value: 1: must not be decremented',
      'metadata.name: Invalid value: "web2": field is immutable',
      'metadata.namespace: Invalid value: "e": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: 2026-11-28 00:00:00 +0000 UTC: field is immutable',
    ]);
  });
  it('forbids new finalizers on an object being deleted', () => {
    const deleting = { ...old, deletionTimestamp: '2026-11-27T22:00:00Z', finalizers: ['a.io/x'] };
    expect(lines(validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ]);
  });
});

describe('label selectors', () => {
  it('validates requirements', () => {
    expect(
      lines(
        validateLabelSelector(
          { matchExpressions: [{ key: 'tier', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['a'] }, { key: 'y', operator: 'Near' }] },
          'spec.selector',
        ),
      ),
    ).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
    ]);
  });
  it('matches labels', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
    expect(labelSelectorMatches(sel, { app: 'web' })).toBe(true);
    expect(labelSelectorMatches(sel, { app: 'web', tier: 'db' })).toBe(false);
    expect(labelSelectorMatches(sel, { app: 'api' })).toBe(false);
    expect(labelSelectorMatches(undefined, { app: 'web' })).toBe(false);
  });
  it('prints like Go %#v', () => {
    expect(goLabelSelector({ matchLabels: { b: '2', a: '1' } })).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    );
  });
});

describe('goQuote', () => {
  it.each([
    ['plain', '"plain"'],
    ['tab\there', '"tab\\there"'],
    ['nul\u0000', '"nul\\x00"'],
    ['é', '"é"'],
  ])('%j', (s, want) => expect(goQuote(s)).toBe(want));
});
