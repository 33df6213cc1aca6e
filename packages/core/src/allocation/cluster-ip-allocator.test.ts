import { describe, expect, it } from 'vitest';
import type { Random } from '../random.js';
import { calculateIPRangeOffset, ClusterIPAllocator } from './cluster-ip-allocator.js';
import { mustParseCIDR } from './ip-range.js';

/** Always the start of the band: AllocateNext then hands out the lowest free address of the band. */
const zero: Random = { int: () => 0 };

/** Returns the given draws in order. */
function draws(...values: number[]): Random {
  let i = 0;
  return {
    int(max) {
      const v = values[i++];
      if (v === undefined || v >= max) throw new Error(`unexpected draw ${i} (max ${max})`);
      return v;
    },
  };
}

function allocator(cidr: string): ClusterIPAllocator {
  return ClusterIPAllocator.forCIDR(mustParseCIDR(cidr));
}

describe('calculateRangeOffset (ipallocator/bitmap_test.go Test_calculateRangeOffset)', () => {
  it.each([
    ['192.168.1.1/32', 0],
    ['192.168.1.1/31', 0],
    ['192.168.1.1/30', 0],
    ['192.168.1.1/28', 0],
    ['192.168.1.1/27', 16],
    ['192.168.1.1/24', 16],
    ['192.168.1.1/22', 64],
    ['10.96.0.0/12', 256],
    ['192.168.1.1/8', 256],
    ['2001:db8:1::/124', 0],
    ['2001:db8:1::/122', 16],
    ['2001:db8:1::/118', 64],
    ['2001:db8:1::/12', 256],
  ])('%s → %d', (cidr, offset) => {
    expect(calculateIPRangeOffset(mustParseCIDR(cidr))).toBe(offset);
  });
});

describe('ClusterIPAllocator bands', () => {
  it.each([
    // cidr, usable, static band size, first and last of the static band, first dynamic address
    ['10.96.0.0/12', 1048574, 256, '10.96.1.1'],
    ['10.0.0.0/24', 254, 16, '10.0.0.17'],
    ['10.0.0.0/15', 131070, 256, '10.0.1.1'],
    ['192.168.1.0/28', 14, 0, '192.168.1.1'],
    ['2001:db8:1::/48', 65535, 256, '2001:db8:1::101'],
    ['fd00:10:96::/112', 65535, 256, 'fd00:10:96::101'],
    ['2001:db8::/120', 255, 16, '2001:db8::11'],
  ])('%s: %d usable, static band %d, AllocateNext starts at %s', (cidr, max, offset, first) => {
    const a = allocator(cidr);
    const next = a.allocateNext(zero);
    expect({ max: a.max, offset: a.offset, free: a.free() + 1, next }).toEqual({ max, offset, free: max, next: { ok: true, value: first } });
  });

  it('fills the dynamic band, then the static band, then is full', () => {
    // /27: 30 usable, static band 10.0.0.1-10.0.0.16, dynamic 10.0.0.17-10.0.0.30.
    const a = allocator('10.0.0.0/27');
    const got: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = a.allocateNext(zero);
      if (!r.ok) throw new Error(r.error.message);
      got.push(r.value);
    }
    const dynamic = Array.from({ length: 14 }, (_, i) => `10.0.0.${17 + i}`);
    const stat = Array.from({ length: 16 }, (_, i) => `10.0.0.${1 + i}`);
    expect(got).toEqual([...dynamic, ...stat]);
    expect(a.allocateNext(zero)).toEqual({ ok: false, error: { reason: 'Full', message: 'range is full' } });
    expect([a.used(), a.free()]).toEqual([30, 0]);
  });

  it('starts at a random offset of the dynamic band and wraps inside it', () => {
    const a = allocator('10.0.0.0/27');
    // The dynamic band has 14 addresses: draw 13 is its last one; the next draw 13 wraps to its first.
    expect([a.allocateNext(draws(13)), a.allocateNext(draws(13))]).toEqual([
      { ok: true, value: '10.0.0.30' },
      { ok: true, value: '10.0.0.17' },
    ]);
  });

  it('draws a second start in the static band once the dynamic band is full', () => {
    const a = allocator('10.0.0.0/27');
    for (let i = 17; i <= 30; i++) expect(a.allocate(`10.0.0.${i}`)).toBeUndefined();
    expect(a.allocateNext(draws(5, 7))).toEqual({ ok: true, value: '10.0.0.8' });
  });
});

describe('ClusterIPAllocator Allocate/Release (ErrNotInRange, ErrAllocated)', () => {
  const notInRange = (ip: string, cidr: string) => ({
    reason: 'NotInRange',
    message: `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
  });
  it.each([
    ['10.96.0.10', undefined],
    ['10.96.0.1', undefined],
    ['10.111.255.254', undefined],
    ['010.096.000.020', undefined],
    ['10.0.0.5', notInRange('10.0.0.5', '10.96.0.0/12')],
    ['10.96.0.0', notInRange('10.96.0.0', '10.96.0.0/12')], // network address
    ['10.111.255.255', notInRange('10.111.255.255', '10.96.0.0/12')], // broadcast
    ['2001:db8::1', notInRange('2001:db8::1', '10.96.0.0/12')],
  ])('Allocate(%s)', (ip, error) => {
    expect(allocator('10.96.0.0/12').allocate(ip)).toEqual(error);
  });

  it('refuses an address twice, frees it on Release, and counts what is used', () => {
    const a = allocator('10.96.0.0/12');
    expect(a.allocate('10.96.0.20')).toBeUndefined();
    expect(a.allocate('10.96.0.020')).toEqual({ reason: 'Allocated', message: 'provided IP is already allocated' });
    expect([a.has('10.96.0.20'), a.used(), a.allocated()]).toEqual([true, 1, ['10.96.0.20']]);
    a.release('10.0.0.5'); // outside the range: a no-op
    a.release('10.96.0.20');
    expect([a.has('10.96.0.20'), a.used()]).toEqual([false, 0]);
    expect(a.allocate('10.96.0.20')).toBeUndefined();
  });

  it('has no broadcast address in IPv6: the last address of a /120 is usable', () => {
    const a = allocator('2001:db8::/120');
    expect([a.allocate('2001:db8::ff'), a.allocate('2001:db8::')]).toEqual([
      undefined,
      { reason: 'NotInRange', message: 'the provided IP (2001:db8::) is not in the valid range. The range of valid IPs is 2001:db8::/120' },
    ]);
  });

  it('clones independently', () => {
    const a = allocator('10.96.0.0/12');
    const b = a.clone();
    b.allocate('10.96.0.20');
    expect([a.has('10.96.0.20'), b.has('10.96.0.20')]).toEqual([false, true]);
  });
});
