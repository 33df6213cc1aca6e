import type { Random } from '../random.js';
import { OffsetTrie } from './offset-trie.js';

// pkg/registry/core/service/allocator/bitmap.go: AllocationBitmap with randomScanStrategyWithOffset
// (KEP-3070 for ClusterIPs, KEP-3668 for NodePorts). Offsets [0, offset) are the "static" band that
// AllocateNext only touches once the "dynamic" band [offset, max) is full.
//
// Mutable on purpose: callers that must stay pure clone() first and mutate the clone. Cloning is
// O(1) (offset-trie.ts), so a pure transaction costs the same with 20,000 Services as with none.

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
  #bits: OffsetTrie<true>;

  constructor(
    readonly max: number,
    readonly offset: number,
    bits?: Iterable<number>,
  ) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`allocation bitmap: bad size ${max}`);
    if (!Number.isInteger(offset) || offset < 0 || (max > 0 && offset >= max) || (max === 0 && offset !== 0)) {
      throw new RangeError(`allocation bitmap: offset ${offset} must be smaller than the size ${max}`);
    }
    this.#bits = new OffsetTrie(max);
    for (const index of bits ?? []) this.allocate(index);
  }

  /** O(1): the clone shares the bits with this bitmap until either of them writes. */
  clone(): AllocationBitmap {
    const copy = new AllocationBitmap(this.max, this.offset);
    copy.#bits = this.#bits.clone();
    return copy;
  }

  has(index: number): boolean {
    return this.#bits.has(index);
  }

  count(): number {
    return this.#bits.count;
  }

  free(): number {
    return this.max - this.#bits.count;
  }

  allocated(): number[] {
    return [...this.#bits.entries()].map(([index]) => index);
  }

  /** Allocate(offset): true if it was free and is now taken, false if it was already taken. */
  allocate(index: number): boolean {
    // bitmap.go: "offset %d out of range [0,%d]" — callers check the range first.
    if (!Number.isInteger(index) || index < 0 || index >= this.max) {
      throw new RangeError(`offset ${index} out of range [0,${this.max}]`);
    }
    if (this.#bits.has(index)) return false;
    this.#bits.set(index, true);
    return true;
  }

  /**
   * AllocateNext with randomScanStrategyWithOffset: a random start in the upper band, scanning
   * forward with wrap inside that band; only when it is full, a random start in the lower band.
   * Returns undefined when the whole range is full. The scan skips taken runs a trie node at a
   * time, so a crowded band costs no more than an empty one; the draws and the result are the
   * linear scan's.
   */
  allocateNext(random: Random): number | undefined {
    if (this.#bits.count >= this.max) return undefined;
    const upper = this.max - this.offset;
    let start = this.offset + random.int(upper);
    let at = this.#bits.firstAbsent(start, this.max) ?? this.#bits.firstAbsent(this.offset, start);
    if (at === undefined) {
      start = random.int(this.offset);
      at = this.#bits.firstAbsent(start, this.offset) ?? this.#bits.firstAbsent(0, start);
    }
    if (at === undefined) return undefined;
    this.#bits.set(at, true);
    return at;
  }

  /** Release(offset): releasing a free item is a no-op. */
  release(index: number): void {
    this.#bits.delete(index);
  }
}
