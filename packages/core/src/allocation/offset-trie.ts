// A sparse array over the offsets [0, size) of an allocation range: a radix trie of 32-way nodes
// that copies only the path it writes. clone() is O(1), and every operation costs O(log32(size)),
// however many offsets are taken: an allocator with 20,000 Services answers as fast as an empty one,
// and a pure transaction over it copies a handful of nodes instead of the whole range.
//
// Nodes belong to the trie that made them (the owner token, as Clojure's transients and
// Immutable.js's ownerID do). A trie writes in place into nodes it owns and copies the others;
// clone() gives both tries fresh tokens, so neither can write into what they now share.

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** 2^32: offsets must fit the unsigned 32-bit shifts that index the trie. */
export const MAX_OFFSET_TRIE_SIZE = 2 ** 32;

interface TrieNode<V> {
  readonly owner: object;
  /** Offsets present below this node. */
  count: number;
  /** Children below the leaf level, values at it (shift 0); undefined is absent. */
  readonly slots: (TrieNode<V> | V | undefined)[];
}

export class OffsetTrie<V extends NonNullable<unknown>> {
  #root: TrieNode<V> | undefined;
  #owner: object = {};
  /** The shift of the root's slot index: the root covers WIDTH << rootShift offsets. */
  readonly #rootShift: number;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_OFFSET_TRIE_SIZE) {
      throw new RangeError(`offset trie: bad size ${size}`);
    }
    let shift = 0;
    while (WIDTH * 2 ** shift < size) shift += BITS;
    this.#rootShift = shift;
  }

  /** An independent copy in O(1): the two share every node until one of them writes. */
  clone(): OffsetTrie<V> {
    const copy = new OffsetTrie<V>(this.size);
    copy.#root = this.#root;
    this.#owner = {};
    return copy;
  }

  /** Number of offsets present. */
  get count(): number {
    return this.#root?.count ?? 0;
  }

  get(offset: number): V | undefined {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) return undefined;
    let node = this.#root;
    for (let shift = this.#rootShift; node !== undefined && shift > 0; shift -= BITS) {
      node = node.slots[(offset >>> shift) & MASK] as TrieNode<V> | undefined;
    }
    return node?.slots[offset & MASK] as V | undefined;
  }

  has(offset: number): boolean {
    return this.get(offset) !== undefined;
  }

  set(offset: number, value: V): void {
    this.#check(offset);
    const path: TrieNode<V>[] = [];
    let node = this.#own(this.#root);
    this.#root = node;
    for (let shift = this.#rootShift; shift > 0; shift -= BITS) {
      path.push(node);
      const slot = (offset >>> shift) & MASK;
      const child = this.#own(node.slots[slot] as TrieNode<V> | undefined);
      node.slots[slot] = child;
      node = child;
    }
    const slot = offset & MASK;
    const added = node.slots[slot] === undefined;
    node.slots[slot] = value;
    if (added) {
      node.count++;
      for (const p of path) p.count++;
    }
  }

  /** Removes offset; false when it was absent. Empty nodes are dropped. */
  delete(offset: number): boolean {
    if (!this.has(offset)) return false;
    const path: TrieNode<V>[] = [];
    let node = this.#own(this.#root);
    this.#root = node;
    for (let shift = this.#rootShift; shift > 0; shift -= BITS) {
      path.push(node);
      const slot = (offset >>> shift) & MASK;
      const child = this.#own(node.slots[slot] as TrieNode<V>);
      node.slots[slot] = child;
      node = child;
    }
    node.slots[offset & MASK] = undefined;
    node.count--;
    let shift = BITS;
    for (let i = path.length - 1; i >= 0; i--, shift += BITS) {
      const parent = path[i]!;
      parent.count--;
      if (node.count === 0) parent.slots[(offset >>> shift) & MASK] = undefined;
      node = parent;
    }
    if (node.count === 0) this.#root = undefined;
    return true;
  }

  /** The smallest absent offset in [from, to), or undefined when all of them are present. */
  firstAbsent(from: number, to: number): number | undefined {
    const end = Math.min(to, this.size);
    if (from >= end) return undefined;
    return this.#firstAbsent(this.#root, this.#rootShift, 0, Math.max(from, 0), end);
  }

  /** Present offsets and their values, ascending. */
  *entries(): Generator<[number, V]> {
    if (this.#root !== undefined) yield* this.#entries(this.#root, this.#rootShift, 0);
  }

  // A node covers [base, base + (WIDTH << shift)); from < to lie inside it.
  #firstAbsent(node: TrieNode<V> | undefined, shift: number, base: number, from: number, to: number): number | undefined {
    if (node === undefined) return from;
    const childSpan = 2 ** shift;
    if (node.count === WIDTH * childSpan) return undefined;
    const last = (to - 1 - base) >>> shift;
    for (let slot = (from - base) >>> shift; slot <= last; slot++) {
      const child = node.slots[slot];
      const childBase = base + slot * childSpan;
      if (shift === 0) {
        if (child === undefined) return childBase;
        continue;
      }
      const found = this.#firstAbsent(child as TrieNode<V> | undefined, shift - BITS, childBase, Math.max(from, childBase), Math.min(to, childBase + childSpan));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  *#entries(node: TrieNode<V>, shift: number, base: number): Generator<[number, V]> {
    const childSpan = 2 ** shift;
    for (let slot = 0; slot < WIDTH; slot++) {
      const child = node.slots[slot];
      if (child === undefined) continue;
      if (shift === 0) yield [base + slot, child as V];
      else yield* this.#entries(child as TrieNode<V>, shift - BITS, base + slot * childSpan);
    }
  }

  #own(node: TrieNode<V> | undefined): TrieNode<V> {
    if (node === undefined) return { owner: this.#owner, count: 0, slots: new Array<V | undefined>(WIDTH).fill(undefined) };
    if (node.owner === this.#owner) return node;
    return { owner: this.#owner, count: node.count, slots: node.slots.slice() };
  }

  #check(offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) {
      throw new RangeError(`offset ${offset} out of range [0,${this.size})`);
    }
  }
}
