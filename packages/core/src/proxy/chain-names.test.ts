import { describe, expect, it } from 'vitest';
import {
  base32StdEncode,
  isServiceChainName,
  joinHostPort,
  servicePortChainName,
  servicePortEndpointChainName,
  servicePortNameString,
} from './chain-names.js';

describe('base32StdEncode (RFC 4648 test vectors)', () => {
  it.each([
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ])('%j → %s', (input, out) => {
    expect(base32StdEncode(new TextEncoder().encode(input))).toBe(out);
  });
});

describe('servicePortNameString', () => {
  it('adds :port only for a named port', () => {
    expect(servicePortNameString('ns1', 'svc1', 'p80')).toBe('ns1/svc1:p80');
    expect(servicePortNameString('ns1', 'svc1', '')).toBe('ns1/svc1');
  });
});

describe('chain names', () => {
  it('default/kubernetes:https tcp is the KUBE-SVC chain every cluster shows', () => {
    expect(servicePortChainName('SVC', 'default/kubernetes:https', 'tcp')).toBe('KUBE-SVC-NPX46M4PTMTKRN6Y');
  });

  // Names from pkg/proxy/iptables/proxier_test.go expectations (TestOverallIPTablesRules,
  // TestSyncProxyRulesRepeated).
  it.each([
    ['ns1/svc1:p80', 'XPGD46QRK7WJZT7O'],
    ['ns2/svc2:p80', 'GNZBNJ2PO5MGZ6GT'],
    ['ns3/svc3:p80', 'X27LE4BHSL4DOUIK'],
    ['ns4/svc4:p80', '4SW47YFZTEDKD3PK'],
    ['ns5/svc5:p80', 'NUKIZ6OKUXPJNT4C'],
    ['ns2/svc2:p8080', '2VJB64SDSIJUP5T6'],
  ])('%s tcp → %s for SVC, SVL, EXT and FW alike', (name, hash) => {
    expect(servicePortChainName('SVC', name, 'tcp')).toBe(`KUBE-SVC-${hash}`);
    expect(servicePortChainName('SVL', name, 'tcp')).toBe(`KUBE-SVL-${hash}`);
    expect(servicePortChainName('EXT', name, 'tcp')).toBe(`KUBE-EXT-${hash}`);
    expect(servicePortChainName('FW', name, 'tcp')).toBe(`KUBE-FW-${hash}`);
  });

  it('protocol is part of the hash', () => {
    expect(servicePortChainName('SVC', 'ns1/svc1:p80', 'udp')).not.toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
  });

  it.each([
    ['ns1/svc1:p80', '10.180.0.1:80', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    ['ns2/svc2:p80', '10.180.0.2:80', 'KUBE-SEP-RS4RBKLTHTF2IUXJ'],
    ['ns3/svc3:p80', '10.180.0.3:80', 'KUBE-SEP-OYPFS5VJICHGATKP'],
    ['ns4/svc4:p80', '10.180.0.4:80', 'KUBE-SEP-UKSFD7AGPMPPLUHC'],
    ['ns4/svc4:p80', '10.180.0.5:80', 'KUBE-SEP-C6EBXVWJJZMIWKLZ'],
    ['ns5/svc5:p80', '10.180.0.3:80', 'KUBE-SEP-I77PXRDZVX7PMWMN'],
    ['ns1/svc1:p80', '10.0.0.0:80', 'KUBE-SEP-DKGQUZGBKLTPAR56'],
    ['ns3/svc3:p8081', '203.0.113.4:8081', 'KUBE-SEP-RUVVH7YV3PHQBDOS'],
    ['ns4/svc4:p8082', '10.4.0.1:8082', 'KUBE-SEP-SU5STNODRYEWJAUF'],
  ])('KUBE-SEP of %s → %s', (name, ep, chain) => {
    expect(servicePortEndpointChainName(name, 'tcp', ep)).toBe(chain);
  });

  it('ns4/svc4:p8082 tcp is KUBE-SVC-EBDQOQU5SJFXRIL3 (TestSyncProxyRulesLargeClusterMode)', () => {
    expect(servicePortChainName('SVC', 'ns4/svc4:p8082', 'tcp')).toBe('KUBE-SVC-EBDQOQU5SJFXRIL3');
  });

  it('joinHostPort brackets IPv6', () => {
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('fd00::1', 80)).toBe('[fd00::1]:80');
  });

  it('isServiceChainName knows kube-proxy per-service prefixes only', () => {
    expect(['KUBE-SVC-X', 'KUBE-SVL-X', 'KUBE-SEP-X', 'KUBE-FW-X', 'KUBE-EXT-X'].map(isServiceChainName)).toEqual([true, true, true, true, true]);
    expect(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'CNI-X'].map(isServiceChainName)).toEqual([false, false, false, false]);
  });
});
