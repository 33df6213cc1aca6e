import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Endpoints } from '../api/types.js';
import { setDefaultsEndpoints } from './defaults.js';
import { validateEndpoints, validateEndpointsUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const meta = { name: 'web', namespace: 'default' };

describe('setDefaultsEndpoints', () => {
  it('defaults port protocols to TCP', () => {
    expect(setDefaultsEndpoints({ metadata: meta, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] })).toEqual({
      metadata: meta,
      subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }],
    });
  });
});

describe('validateEndpoints', () => {
  it.each<[string, Endpoints, string[]]>([
    ['valid', setDefaultsEndpoints({ metadata: meta, subsets: [{ addresses: [{ ip: '10.244.1.5', hostname: 'web-0', nodeName: 'node-1' }], ports: [{ port: 80 }] }] }), []],
    ['a subset needs addresses', { metadata: meta, subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }] }, ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']],
    [
      'a bad IP is reported by both IP checks',
      { metadata: meta, subsets: [{ addresses: [{ ip: 'web' }] }] },
      [
        'subsets[0].addresses[0].ip: Invalid value: "web": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].addresses[0].ip: Invalid value: "web": must be a valid IP address',
      ],
    ],
    ['loopback', { metadata: meta, subsets: [{ notReadyAddresses: [{ ip: '127.0.0.1' }] }] }, ['subsets[0].notReadyAddresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    [
      'ports: names when several, number, protocol',
      { metadata: meta, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 0, protocol: 'TCP' }, { name: 'b', port: 81, protocol: 'ICMP' }] }] },
      [
        'subsets[0].ports[0].name: Required value',
        'subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'subsets[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
  ])('%s', (_name, input, want) => expect(lines(validateEndpoints(input))).toEqual(want));

  it('update adds the metadata rules', () => {
    const old: Endpoints = { metadata: { ...meta, uid: 'u', resourceVersion: '1' } };
    expect(lines(validateEndpointsUpdate({ metadata: { ...meta, uid: 'v', resourceVersion: '1' } }, old))).toEqual(['metadata.uid: Invalid value: "v": field is immutable']);
  });
});
