import { describe, expect, it } from 'vitest';
import type { Random } from '../random.js';
import { calculateNodePortRangeOffset, NodePortAllocator } from './node-port-allocator.js';
import { DEFAULT_SERVICE_NODE_PORT_RANGE, parsePortRange } from './port-range.js';

const zero: Random = { int: () => 0 };

describe('calculateRangeOffset (portallocator/allocator_test.go Test_calculateRangeOffset)', () => {
  it.each([
    [2768, 86],
    [10, 0],
    [16, 0],
    [17, 16],
    [128, 16],
    [2048, 64],
    [4096, 128],
    [8192, 128],
  ])('size %d → %d', (size, offset) => {
    expect(calculateNodePortRangeOffset({ base: 30000, size })).toBe(offset);
  });
});

describe('NodePortAllocator', () => {
  it('hands out 30086 first from the default range: 30000-30085 is the static band', () => {
    const a = NodePortAllocator.forRange(DEFAULT_SERVICE_NODE_PORT_RANGE);
    expect([a.offset, a.allocateNext(zero), a.allocateNext(zero)]).toEqual([
      86,
      { ok: true, value: 30086 },
      { ok: true, value: 30087 },
    ]);
  });

  it('fills the dynamic band, then the static band, then is full', () => {
    const a = NodePortAllocator.forRange(parsePortRange('30000-30019')); // 20 ports, static band 16
    const got: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = a.allocateNext(zero);
      if (!r.ok) throw new Error(r.error.message);
      got.push(r.value);
    }
    expect(got).toEqual([30016, 30017, 30018, 30019, ...Array.from({ length: 16 }, (_, i) => 30000 + i)]);
    expect(a.allocateNext(zero)).toEqual({ ok: false, error: { reason: 'Full', message: 'range is full' } });
  });

  it('uses the whole range as one band when it has 16 ports or fewer', () => {
    const a = NodePortAllocator.forRange(parsePortRange('30000-30009'));
    expect([a.offset, a.allocateNext({ int: (max) => max - 1 })]).toEqual([0, { ok: true, value: 30009 }]);
  });

  it.each([
    [30080, undefined],
    [30000, undefined],
    [32767, undefined],
    [29999, { reason: 'NotInRange', message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' }],
    [32768, { reason: 'NotInRange', message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' }],
    [40000, { reason: 'NotInRange', message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' }],
    [-1, { reason: 'NotInRange', message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' }],
  ])('Allocate(%d)', (port, error) => {
    expect(NodePortAllocator.forRange(DEFAULT_SERVICE_NODE_PORT_RANGE).allocate(port)).toEqual(error);
  });

  it('refuses a port twice and frees it on Release', () => {
    const a = NodePortAllocator.forRange(DEFAULT_SERVICE_NODE_PORT_RANGE);
    expect([a.allocate(30080), a.allocate(30080)]).toEqual([undefined, { reason: 'Allocated', message: 'provided port is already allocated' }]);
    expect([a.has(30080), a.used(), a.free(), a.allocated()]).toEqual([true, 1, 2767, [30080]]);
    a.release(40000);
    a.release(30080);
    expect([a.has(30080), a.used(), a.allocate(30080)]).toEqual([false, 0, undefined]);
  });
});
