import { describe, it, expect } from 'vitest';
import type { EndpointSlice, Endpoints } from '../api/types.js';
import { formatEndpoints } from './endpoints.js';
import { formatDiscoveryEndpoints, formatDiscoveryPorts } from './endpointslice.js';
import { renderTable } from './render.js';
import { tableFor } from './registry.js';

const now = Date.parse('2026-11-27T21:29:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString();
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: ago(19 * 60_000) });

describe('formatEndpoints (printers.go)', () => {
  const cases: [string, Endpoints, string][] = [
    ['no subsets', { subsets: [] }, '<none>'],
    ['only not-ready addresses', { subsets: [{ notReadyAddresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }] }, ''],
    [
      'three addresses fit',
      { subsets: [{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.0.7' }], ports: [{ port: 9376 }] }] },
      '10.244.0.5:9376,10.244.0.6:9376,10.244.0.7:9376',
    ],
    [
      'ports are the outer loop, then + N more',
      { subsets: [{ addresses: [{ ip: 'a' }, { ip: 'b' }], ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }] },
      'a:80,b:80,a:443 + 1 more...',
    ],
    [
      'counts across subsets',
      {
        subsets: [
          { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] },
          { addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.4' }, { ip: '10.0.0.5' }], ports: [{ port: 8080 }] },
        ],
      },
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:8080 + 2 more...',
    ],
    ['portless (headless) subsets list bare IPs', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }] }, '10.0.0.1,10.0.0.2'],
    ['IPv6 is bracketed', { subsets: [{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] }] }, '[fd00::5]:80'],
  ];
  it.each(cases)('%s', (_name, ep, want) => {
    expect(formatEndpoints(ep)).toBe(want);
  });
});

describe('kubectl get endpoints', () => {
  it('NAME ENDPOINTS AGE (the seed shows an old kubectl without AGE)', () => {
    const hostnames: Endpoints = {
      kind: 'Endpoints',
      metadata: meta('hostnames'),
      subsets: [{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.0.7' }], ports: [{ port: 9376, protocol: 'TCP' }] }],
    };
    const empty: Endpoints = { kind: 'Endpoints', metadata: meta('pending') };
    expect(renderTable(tableFor('Endpoints', [hostnames, empty], { now }))).toBe(
      'NAME        ENDPOINTS                                         AGE\n' +
        'hostnames   10.244.0.5:9376,10.244.0.6:9376,10.244.0.7:9376   19m\n' +
        'pending     <none>                                            19m\n',
    );
  });
});

describe('kubectl get endpointslices', () => {
  it('NAME ADDRESSTYPE PORTS ENDPOINTS AGE, lists cut at 3, empty is <unset>', () => {
    const full: EndpointSlice = {
      kind: 'EndpointSlice',
      metadata: meta('my-nginx-abcde'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.1.5'], conditions: { ready: true } },
        { addresses: ['10.244.2.7'], conditions: { ready: true } },
        { addresses: ['10.244.3.2'], conditions: { ready: false } },
        { addresses: ['10.244.3.3'], conditions: { ready: true } },
      ],
    };
    const empty: EndpointSlice = { kind: 'EndpointSlice', metadata: meta('my-nginx-fghij'), addressType: 'IPv4' };
    expect(renderTable(tableFor('EndpointSlice', [full, empty], { now }))).toBe(
      'NAME             ADDRESSTYPE   PORTS     ENDPOINTS                                      AGE\n' +
        'my-nginx-abcde   IPv4          80,443    10.244.1.5,10.244.2.7,10.244.3.2 + 1 more...   19m\n' +
        'my-nginx-fghij   IPv4          <unset>   <unset>                                        19m\n',
    );
  });

  it('ports without a number print their name, else *', () => {
    expect(formatDiscoveryPorts([{ name: 'http' }, {}, { port: 1 }, { port: 2 }])).toBe('http,*,1 + 1 more...');
    expect(formatDiscoveryEndpoints([{ addresses: ['a', 'b'] }, { addresses: ['c'] }])).toBe('a,b,c');
  });
});
