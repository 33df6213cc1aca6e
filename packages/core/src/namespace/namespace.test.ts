import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Namespace } from '../api/types.js';
import { setDefaultsNamespace } from './defaults.js';
import { validateNamespace, validateNamespaceUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);

describe('setDefaultsNamespace', () => {
  it('labels the namespace with its name, adds the kubernetes finalizer and phase Active', () => {
    expect(setDefaultsNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'dev' } } })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels: { env: 'dev', 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });
  it('overrides a wrong metadata.name label and leaves a nameless namespace unlabelled', () => {
    expect(setDefaultsNamespace({ metadata: { name: 'a', labels: { 'kubernetes.io/metadata.name': 'b' } } }).metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'a' });
    expect(setDefaultsNamespace({ metadata: { generateName: 'ns-' } }).metadata).toEqual({ generateName: 'ns-' });
  });
});

describe('validateNamespace', () => {
  it.each<[string, Namespace, string[]]>([
    ['valid', setDefaultsNamespace({ metadata: { name: 'team-a' } }), []],
    ['names are DNS-1123 labels', { metadata: { name: 'team.a' } }, ['metadata.name: Invalid value: "team.a": must not contain dots']],
    ['no namespace on a namespace', { metadata: { name: 'a', namespace: 'default' } }, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['missing name', { metadata: {} }, ['metadata.name: Required value: name or generateName is required']],
    [
      'spec.finalizers: standard or fully qualified',
      { metadata: { name: 'a' }, spec: { finalizers: ['kubernetes', 'custom', 'example.com/x'] } },
      ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'],
    ],
  ])('%s', (_name, input, want) => expect(lines(validateNamespace(input))).toEqual(want));

  it('update: identity is immutable', () => {
    const old: Namespace = { metadata: { name: 'a', uid: '1', resourceVersion: '2' } };
    expect(lines(validateNamespaceUpdate({ metadata: { name: 'a', uid: '2', resourceVersion: '2' } }, old))).toEqual(['metadata.uid: Invalid value: "2": field is immutable']);
  });
});
