import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { EndpointSlice } from '../api/types.js';
import { setDefaultsEndpointSlice } from './defaults.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const meta = { name: 'web-abc12', namespace: 'default' };

describe('setDefaultsEndpointSlice', () => {
  it('defaults port name to "" and protocol to TCP', () => {
    expect(setDefaultsEndpointSlice({ metadata: meta, addressType: 'IPv4', ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] })).toEqual({
      metadata: meta,
      addressType: 'IPv4',
      ports: [{ name: '', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    });
  });
});

describe('validateEndpointSlice', () => {
  const ep = (ip: string) => ({ addresses: [ip], conditions: { ready: true } });
  it.each<[string, EndpointSlice, string[]]>([
    ['valid', setDefaultsEndpointSlice({ metadata: meta, addressType: 'IPv4', endpoints: [ep('10.244.1.5')], ports: [{ port: 80 }] }), []],
    ['addressType required', { metadata: meta }, ['addressType: Required value']],
    ['addressType values', { metadata: meta, addressType: 'IP' }, ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']],
    [
      'addresses of the wrong family',
      { metadata: meta, addressType: 'IPv4', endpoints: [ep('fd00::5'), { addresses: [] }] },
      ['endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address', 'endpoints[1].addresses: Required value: must contain at least 1 address'],
    ],
    ['FQDN addresses', { metadata: meta, addressType: 'FQDN', endpoints: [ep('db.example.com'), ep('db')] }, ['endpoints[1].addresses[0]: Invalid value: "db": should be a domain with at least two segments separated by dots']],
    [
      'too many endpoints in one slice',
      { metadata: meta, addressType: 'IPv4', endpoints: Array.from({ length: 1001 }, () => ep('10.244.1.5')) },
      ['endpoints: Too many: 1001: must have at most 1000 items'],
    ],
    [
      'ports: duplicate names and protocol',
      { metadata: meta, addressType: 'IPv4', ports: [{ name: '', port: 80, protocol: 'TCP' }, { name: '', port: 81, protocol: 'HTTP' }] },
      ['ports[1].name: Duplicate value: ""', 'ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'hostname, nodeName and zone hints',
      { metadata: meta, addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], hostname: 'a.b', nodeName: 'Node', hints: { forZones: [{ name: 'z1' }, { name: 'z1' }] } }] },
      [
        "endpoints[0].nodeName: Invalid value: \"Node\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        'endpoints[0].hostname: Invalid value: "a.b": must not contain dots',
        'endpoints[0].hints.forZones[1].name: Duplicate value: "z1"',
      ],
    ],
  ])('%s', (_name, input, want) => expect(lines(validateEndpointSlice(input))).toEqual(want));

  it('update: addressType is immutable', () => {
    const old: EndpointSlice = { metadata: meta, addressType: 'IPv4' };
    expect(lines(validateEndpointSliceUpdate({ metadata: meta, addressType: 'IPv6' }, old))).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
  });
});
