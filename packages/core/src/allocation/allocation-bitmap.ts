import type { Random } from '../random.js';

// pkg/registry/core/service/allocator/bitmap.go: AllocationBitmap with randomScanStrategyWithOffset
// (KEP-3070 for ClusterIPs, KEP-3668 for NodePorts). Offsets [0, offset) are the "static" band that
// AllocateNext only touches once the "dynamic" band [offset, max) is full.
//
// Mutable on purpose: callers that must stay pure clone() first and mutate the clone.

export interface ReadonlyAllocationBitmap {
  readonly max: number;
  readonly offset: number;
  has(index: number): boolean;
  /** Number of allocated items. */
  count(): number;
  /** Free(): max - count. */
  free(): number;
  /** Allocated offsets, ascending. */
  allocated(): number[];
}

export class AllocationBitmap implements ReadonlyAllocationBitmap {
  private readonly bits: Set<number>;

  constructor(
    readonly max: number,
    readonly offset: number,
    bits?: Iterable<number>,
  ) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`allocation bitmap: bad size ${max}`);
    if (!Number.isInteger(offset) || offset < 0 || (max > 0 && offset >= max) || (max === 0 && offset !== 0)) {
      throw new RangeError(`allocation bitmap: offset ${offset} must be smaller than the size ${max}`);
    }
    this.bits = new Set(bits);
  }

  clone(): AllocationBitmap {
    return new AllocationBitmap(this.max, this.offset, this.bits);
  }

  has(index: number): boolean {
    return this.bits.has(index);
  }

  count(): number {
    return this.bits.size;
  }

  free(): number {
    return this.max - this.bits.size;
  }

  allocated(): number[] {
    return [...this.bits].sort((a, b) => a - b);
  }

  /** Allocate(offset): true if it was free and is now taken, false if it was already taken. */
  allocate(index: number): boolean {
    // bitmap.go: "offset %d out of range [0,%d]" — callers check the range first.
    if (!Number.isInteger(index) || index < 0 || index >= this.max) {
      throw new RangeError(`offset ${index} out of range [0,${this.max}]`);
    }
    if (this.bits.has(index)) return false;
    this.bits.add(index);
    return true;
  }

  /**
   * AllocateNext with randomScanStrategyWithOffset: a random start in the upper band, scanning
   * forward with wrap inside that band; only when it is full, a random start in the lower band.
   * Returns undefined when the whole range is full.
   */
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

  /** Release(offset): releasing a free item is a no-op. */
  release(index: number): void {
    this.bits.delete(index);
  }
}
