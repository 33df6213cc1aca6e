import { describe, expect, it } from 'vitest';
import { canonicalIP, formatCIDR, indexedIP, formatIP, mustParseCIDR, parseCIDR, parseIP, rangeSize } from './ip-range.js';

describe('parseIP / formatIP (net.ParseIP sloppy, net.IP.String)', () => {
  const cases: [string, { family: string; text: string } | undefined][] = [
    ['10.96.0.1', { family: 'IPv4', text: '10.96.0.1' }],
    ['010.096.000.010', { family: 'IPv4', text: '10.96.0.10' }], // leading zeros read as decimal
    ['255.255.255.255', { family: 'IPv4', text: '255.255.255.255' }],
    ['2001:db8::1', { family: 'IPv6', text: '2001:db8::1' }],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', { family: 'IPv6', text: '2001:db8::1' }],
    ['::', { family: 'IPv6', text: '::' }],
    ['::1', { family: 'IPv6', text: '::1' }],
    ['1::', { family: 'IPv6', text: '1::' }],
    ['2001:db8:0:1:0:0:0:1', { family: 'IPv6', text: '2001:db8:0:1::1' }],
    ['1:0:0:1:0:0:1:1', { family: 'IPv6', text: '1::1:0:0:1:1' }], // first of two equal runs
    ['1:0:1:1:1:1:1:1', { family: 'IPv6', text: '1:0:1:1:1:1:1:1' }], // one zero group is not "::"
    ['::ffff:10.0.0.1', { family: 'IPv4', text: '10.0.0.1' }], // To4() != nil
    ['::1.2.3.4', { family: 'IPv6', text: '::102:304' }],
    ['fd00:10:96::a', { family: 'IPv6', text: 'fd00:10:96::a' }],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['', undefined],
    ['abc', undefined],
    ['None', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7::8', undefined], // "::" must stand for at least one group
    [':1', undefined],
    ['fe80::1%eth0', undefined],
    ['10.96.0.1/12', undefined],
  ];
  it.each(cases)('%s', (input, expected) => {
    const ip = parseIP(input);
    expect(ip === undefined ? undefined : { family: ip.family, text: formatIP(ip) }).toEqual(expected);
    expect(canonicalIP(input)).toBe(expected?.text);
  });
});

describe('parseCIDR, rangeSize, indexedIP (net.ParseCIDR, netutils.RangeSize, GetIndexedIP)', () => {
  it('clears host bits and prints the network', () => {
    expect(formatCIDR(mustParseCIDR('10.96.0.1/12'))).toBe('10.96.0.0/12');
    expect(formatCIDR(mustParseCIDR('2001:db8::5/64'))).toBe('2001:db8::/64');
    expect(parseCIDR('10.96.0.0/33')).toBeUndefined();
    expect(parseCIDR('10.96.0.0')).toBeUndefined();
    expect(parseCIDR('10.96.0.0/1x')).toBeUndefined();
    expect(() => mustParseCIDR('10.96.0.0/33')).toThrow('invalid CIDR address: 10.96.0.0/33');
  });

  it.each([
    ['10.96.0.0/12', 1048576n],
    ['10.0.0.0/24', 256n],
    ['10.0.0.0/30', 4n],
    ['10.0.0.0/31', 2n],
    ['10.0.0.0/32', 1n],
    ['0.0.0.0/1', 0n], // host bits >= 31: RangeSize gives up
    ['2001:db8::/120', 256n],
    ['2001:db8::/64', (1n << 63n) - 1n],
    ['2001:db8::/127', 2n],
    ['::/1', 0n],
  ])('RangeSize(%s) = %s', (cidr, size) => {
    expect(rangeSize(mustParseCIDR(cidr))).toBe(size);
  });

  it('gives kubernetes (index 1) and kubeadm kube-dns (index 10) of 10.96.0.0/12', () => {
    const cidr = mustParseCIDR('10.96.0.0/12');
    expect([formatIP(indexedIP(cidr, 1)), formatIP(indexedIP(cidr, 10))]).toEqual(['10.96.0.1', '10.96.0.10']);
    expect(formatIP(indexedIP(mustParseCIDR('fd00:10:96::/112'), 10))).toBe('fd00:10:96::a');
    expect(() => indexedIP(mustParseCIDR('10.0.0.0/30'), 4)).toThrow(
      `can't generate IP with index 4 from subnet. subnet too small. subnet: "10.0.0.0/30"`,
    );
  });
});
