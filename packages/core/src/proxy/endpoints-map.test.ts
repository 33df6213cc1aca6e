import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../api/types.js';
import { buildEndpointsMap } from './endpoints-map.js';
import { servicePortKey } from './service-map.js';

function slice(name: string, endpoints: EndpointSlice['endpoints'], extra: Partial<EndpointSlice> = {}): EndpointSlice {
  return {
    metadata: { namespace: 'ns', name, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    ...extra,
  };
}
const key = servicePortKey('ns', 'web', 'http', 'TCP');

describe('buildEndpointsMap', () => {
  it('merges slices, dedupes by IP:port (a local copy wins) and sorts as strings', () => {
    const m = buildEndpointsMap(
      [
        slice('web-b', [{ addresses: ['10.0.0.2'], nodeName: 'node-1' }, { addresses: ['10.0.0.10'] }]),
        slice('web-a', [{ addresses: ['10.0.0.2'], nodeName: 'node-9', conditions: { ready: false } }, { addresses: ['10.0.0.3'] }]),
      ],
      'node-1',
    );
    expect(m.get(key)!.map((e) => [e.endpoint, e.isLocal, e.ready])).toEqual([
      ['10.0.0.10:80', false, true],
      ['10.0.0.2:80', true, true],
      ['10.0.0.3:80', false, true],
    ]);
  });

  it('conditions: nil ready/serving mean true, nil terminating false', () => {
    const m = buildEndpointsMap([slice('s', [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false, serving: true, terminating: true } }])], 'n');
    expect(m.get(key)!.map((e) => [e.ready, e.serving, e.terminating])).toEqual([
      [true, true, false],
      [false, true, true],
    ]);
  });

  it('ignores slices without the service-name label, of another address family, and ports without a number', () => {
    const m = buildEndpointsMap(
      [
        { ...slice('a', [{ addresses: ['10.0.0.1'] }]), metadata: { namespace: 'ns', name: 'a' } },
        slice('b', [{ addresses: ['fd00::1'] }], { addressType: 'IPv6' }),
        slice('c', [{ addresses: ['10.0.0.3'] }], { ports: [{ name: 'http', protocol: 'TCP' }] }),
      ],
      'n',
    );
    expect([...m.entries()]).toEqual([]);
  });
});
