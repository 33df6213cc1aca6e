import { OffsetTrie } from '../allocation/offset-trie.js';

// Who holds each allocated clusterIP or nodePort: the live Services (serviceOwnerKey) behind it, as
// the repair controllers count them (ipallocator/controller/repair.go). Two Services of the log can
// hold the same value; it is released once neither does.
//
// Kept per allocator, by bitmap offset, in OffsetTries: a transaction clones them in O(1) and
// copies only the paths it changes, so committing a Service costs the same whatever the number of
// Services. Like the allocators, this is mutable on purpose: pure callers clone() first.

/** How the values of one allocator map to its bitmap offsets (ClusterIPAllocator, NodePortAllocator). */
export interface OffsetCodec<K> {
  /** Number of offsets. */
  readonly max: number;
  offsetOf(value: K): number | undefined;
  valueAt(offset: number): K;
}

interface Range<K> {
  readonly codec: OffsetCodec<K>;
  readonly owners: OffsetTrie<ReadonlySet<string>>;
}

export class ValueOwners<K> implements ReadonlyMap<K, ReadonlySet<string>> {
  readonly #ranges: readonly Range<K>[];

  private constructor(ranges: readonly Range<K>[]) {
    this.#ranges = ranges;
  }

  /** No owners, over the values of each codec's range. Values outside every range are never held. */
  static empty<K>(codecs: readonly OffsetCodec<K>[]): ValueOwners<K> {
    return new ValueOwners(codecs.map((codec) => ({ codec, owners: new OffsetTrie<ReadonlySet<string>>(codec.max) })));
  }

  /** O(1) per range: the copy shares everything with this one until either writes. */
  clone(): ValueOwners<K> {
    return new ValueOwners(this.#ranges.map((r) => ({ codec: r.codec, owners: r.owners.clone() })));
  }

  #locate(value: K): { owners: OffsetTrie<ReadonlySet<string>>; offset: number } | undefined {
    for (const r of this.#ranges) {
      const offset = r.codec.offsetOf(value);
      if (offset !== undefined) return { owners: r.owners, offset };
    }
    return undefined;
  }

  get(value: K): ReadonlySet<string> | undefined {
    const at = this.#locate(value);
    return at?.owners.get(at.offset);
  }

  has(value: K): boolean {
    return this.get(value) !== undefined;
  }

  get size(): number {
    return this.#ranges.reduce((n, r) => n + r.owners.count, 0);
  }

  /** Adds key as an owner of value. Throws for a value outside every range: callers check the range first. */
  add(value: K, key: string): void {
    const at = this.#locate(value);
    if (at === undefined) throw new RangeError(`allocation invariant: ${String(value)} is outside every range`);
    const current = at.owners.get(at.offset);
    if (current?.has(key) === true) return;
    // Sets are shared between clones: a changed one is a new one.
    at.owners.set(at.offset, new Set(current).add(key));
  }

  /** Removes key as an owner of value; true when nobody holds the value any more. */
  remove(value: K, key: string): boolean {
    const at = this.#locate(value);
    const current = at?.owners.get(at.offset);
    if (at === undefined || current === undefined || !current.has(key)) return current === undefined;
    if (current.size === 1) {
      at.owners.delete(at.offset);
      return true;
    }
    const set = new Set(current);
    set.delete(key);
    at.owners.set(at.offset, set);
    return false;
  }

  /** Values in range order, ascending within a range. */
  *entries(): MapIterator<[K, ReadonlySet<string>]> {
    for (const r of this.#ranges) for (const [offset, owners] of r.owners.entries()) yield [r.codec.valueAt(offset), owners];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<ReadonlySet<string>> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, ReadonlySet<string>]> {
    return this.entries();
  }

  forEach(fn: (value: ReadonlySet<string>, key: K, map: ReadonlyMap<K, ReadonlySet<string>>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}
