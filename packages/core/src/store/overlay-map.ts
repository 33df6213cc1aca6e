// A Map seen through a layer of uncommitted changes: reads fall through to the base, writes stay
// in the layer. The api-store decides a batch of writes against "the log plus the writes ahead of
// this one in the batch" without touching the folded state until the log confirms them.

const DELETED = Symbol('deleted');

export class OverlayMap<K, V> implements Map<K, V> {
  private readonly layer = new Map<K, V | typeof DELETED>();

  constructor(private readonly base: ReadonlyMap<K, V>) {}

  get [Symbol.toStringTag](): string {
    return 'OverlayMap';
  }

  get(key: K): V | undefined {
    const v = this.layer.get(key);
    if (v === DELETED) return undefined;
    return v !== undefined ? v : this.base.get(key);
  }

  has(key: K): boolean {
    const v = this.layer.get(key);
    if (v === DELETED) return false;
    return v !== undefined || this.base.has(key);
  }

  set(key: K, value: V): this {
    this.layer.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    const had = this.has(key);
    this.layer.set(key, DELETED);
    return had;
  }

  clear(): void {
    for (const k of this.base.keys()) this.layer.set(k, DELETED);
    for (const k of [...this.layer.keys()]) if (!this.base.has(k)) this.layer.delete(k);
  }

  get size(): number {
    let n = this.base.size;
    for (const [k, v] of this.layer) {
      const inBase = this.base.has(k);
      if (v === DELETED && inBase) n--;
      else if (v !== DELETED && !inBase) n++;
    }
    return n;
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) {
      const over = this.layer.get(k);
      if (over === DELETED) continue;
      yield [k, over !== undefined ? over : v];
    }
    for (const [k, v] of this.layer) if (v !== DELETED && !this.base.has(k)) yield [k, v];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: Map<K, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}
