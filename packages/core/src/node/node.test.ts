import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Node } from '../api/types.js';
import { setDefaultsNode } from './defaults.js';
import { validateNode, validateNodeUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);

describe('setDefaultsNode', () => {
  it('syncs podCIDR into podCIDRs and copies capacity to allocatable', () => {
    expect(setDefaultsNode({ metadata: { name: 'node-1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { capacity: { cpu: '4', pods: '110' } } })).toEqual({
      metadata: { name: 'node-1' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { capacity: { cpu: '4', pods: '110' }, allocatable: { cpu: '4', pods: '110' } },
    });
  });
  it('podCIDRs wins over podCIDR', () => {
    expect(setDefaultsNode({ spec: { podCIDR: 'x', podCIDRs: ['10.244.2.0/24', 'fd00:2::/64'] } }).spec).toEqual({ podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24', 'fd00:2::/64'] });
  });
});

describe('validateNode', () => {
  it.each<[string, Node, string[]]>([
    ['valid', { metadata: { name: 'node-1.example' }, spec: { podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] } }, []],
    ['cluster-scoped', { metadata: { name: 'n', namespace: 'default' } }, ['metadata.namespace: Forbidden: not allowed on this type']],
    [
      'podCIDRs: format, one per family, no duplicates',
      { metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0/24', '10.244.1.0/24'] } },
      [
        'spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.1.0/24"}: may specify no more than one CIDR for each IP family',
        'spec.podCIDRs[1]: Duplicate value: "10.244.1.0/24"',
      ],
    ],
    [
      'podCIDRs: not a CIDR',
      { metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0'] } },
      ['spec.podCIDRs[0]: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    ],
  ])('%s', (_name, input, want) => expect(lines(validateNode(input))).toEqual(want));

  it('update: podCIDRs and providerID only go from unset to set', () => {
    const old: Node = { metadata: { name: 'n', resourceVersion: '1' }, spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kubemu://n' } };
    expect(lines(validateNodeUpdate({ metadata: { name: 'n', resourceVersion: '1' }, spec: { podCIDRs: ['10.244.2.0/24'], providerID: 'other://n' } }, old))).toEqual([
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    expect(lines(validateNodeUpdate({ metadata: { name: 'n', resourceVersion: '1' }, spec: { podCIDRs: ['10.244.1.0/24'] } }, { metadata: { name: 'n' } }))).toEqual([]);
  });
});
