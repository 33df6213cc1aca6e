import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../random.js';
import { AllocationBitmap } from './allocation-bitmap.js';

/** bitmap.go randomScanStrategyWithOffset as written there: a linear scan with wrap over a set. */
class ScanningBitmap {
  readonly bits = new Set<number>();

  constructor(
    readonly max: number,
    readonly offset: number,
  ) {}

  allocateNext(random: Random): number | undefined {
    if (this.bits.size >= this.max) return undefined;
    const upper = this.max - this.offset;
    let start = random.int(upper);
    for (let i = 0; i < upper; i++) {
      const at = this.offset + ((start + i) % upper);
      if (!this.bits.has(at)) {
        this.bits.add(at);
        return at;
      }
    }
    start = random.int(this.offset);
    for (let i = 0; i < this.offset; i++) {
      const at = (start + i) % this.offset;
      if (!this.bits.has(at)) {
        this.bits.add(at);
        return at;
      }
    }
    return undefined;
  }
}

/** Records every draw, so that the two implementations can be held to the same ones. */
function recording(seed: number): { random: Random; draws: [number, number][] } {
  const inner = seededRandom(seed);
  const draws: [number, number][] = [];
  return {
    draws,
    random: {
      int(max) {
        const v = inner.int(max);
        draws.push([max, v]);
        return v;
      },
    },
  };
}

type Op = { op: 'next' } | { op: 'allocate'; at: number } | { op: 'release'; at: number };

describe('AllocationBitmap.allocateNext', () => {
  // [max, offset]: ranges whose bands end inside and on trie node boundaries.
  const shapes: [number, number][] = [
    [20, 16],
    [30, 16],
    [100, 16],
    [2768, 86],
    [4094, 256],
  ];

  it.each(shapes)('hands out what the linear scan of bitmap.go hands out, with the same draws (max %d, offset %d)', (max, offset) => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.constant({ op: 'next' as const }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('allocate' as const), at: fc.nat(max - 1) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), at: fc.nat(max - 1) }) },
    );
    // Long scripts fill the small ranges, so the static band and "full" are reached.
    fc.assert(
      fc.property(fc.array(op, { maxLength: Math.min(3 * max, 600) }), fc.integer(), (script, seed) => {
        const bitmap = new AllocationBitmap(max, offset);
        const reference = new ScanningBitmap(max, offset);
        const got = recording(seed);
        const want = recording(seed);
        for (const o of script) {
          if (o.op === 'next') {
            expect(bitmap.allocateNext(got.random)).toBe(reference.allocateNext(want.random));
          } else if (o.op === 'allocate') {
            const wasFree = !reference.bits.has(o.at);
            reference.bits.add(o.at);
            expect(bitmap.allocate(o.at)).toBe(wasFree);
          } else {
            reference.bits.delete(o.at);
            bitmap.release(o.at);
          }
        }
        expect(got.draws).toEqual(want.draws);
        expect(bitmap.allocated()).toEqual([...reference.bits].sort((a, b) => a - b));
        expect([bitmap.count(), bitmap.free()]).toEqual([reference.bits.size, max - reference.bits.size]);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves the bitmap it was cloned from as it was, and the other way round', () => {
    const a = new AllocationBitmap(2768, 86);
    for (let i = 0; i < 2000; i++) a.allocate(i);
    const b = a.clone();
    b.release(5);
    b.allocate(2500);
    a.allocate(2600);
    a.release(1999);
    expect([a.has(5), a.has(2500), a.has(2600), a.has(1999), a.count()]).toEqual([true, false, true, false, 2000]);
    expect([b.has(5), b.has(2500), b.has(2600), b.has(1999), b.count()]).toEqual([false, true, false, true, 2000]);
  });
});
