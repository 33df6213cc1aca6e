import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetTrie } from './offset-trie.js';

type Op =
  | { op: 'set'; at: number; value: number }
  | { op: 'fill'; at: number; length: number }
  | { op: 'delete'; at: number }
  | { op: 'clone' }
  | { op: 'switch' };

/** The smallest index in [from, to) that model lacks, by a plain scan. */
function scanAbsent(model: Map<number, number>, size: number, from: number, to: number): number | undefined {
  for (let i = Math.max(from, 0); i < Math.min(to, size); i++) if (!model.has(i)) return i;
  return undefined;
}

function contents(trie: OffsetTrie<number>): [number, number][] {
  return [...trie.entries()];
}

function sorted(model: Map<number, number>): [number, number][] {
  return [...model].sort((a, b) => a[0] - b[0]);
}

describe('OffsetTrie', () => {
  // Sizes around the node boundaries (32, 1024, 32768) and one that fills no node exactly.
  const sizes = [1, 31, 32, 33, 1000, 1024, 1025, 2768, 40000];

  it('behaves as a Map over [0, size), clones independently, and finds the first absent offset like a scan', () => {
    const ops = (size: number): fc.Arbitrary<Op[]> => {
      // Offsets crowd a few places so that nodes fill up and empty again.
      const at = fc.oneof(fc.nat(size - 1), fc.integer({ min: Math.max(0, size - 40), max: size - 1 }), fc.nat(Math.min(size - 1, 70)));
      return fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), at, value: fc.nat() }) },
          // Runs long enough to fill whole leaves and inner nodes, which the search skips.
          { weight: 1, arbitrary: fc.record({ op: fc.constant('fill' as const), at, length: fc.integer({ min: 1, max: 3000 }) }) },
          { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at }) },
          { weight: 1, arbitrary: fc.constant({ op: 'clone' as const }) },
          { weight: 1, arbitrary: fc.constant({ op: 'switch' as const }) },
        ),
        { maxLength: 300 },
      );
    };
    for (const size of sizes) {
      fc.assert(
        fc.property(ops(size), fc.nat(size), fc.nat(size), (script, a, b) => {
          // Every clone ever taken, with the model it must still match.
          const versions: { trie: OffsetTrie<number>; model: Map<number, number> }[] = [{ trie: new OffsetTrie(size), model: new Map() }];
          let current = versions[0]!;
          for (const o of script) {
            if (o.op === 'set') {
              current.trie.set(o.at, o.value);
              current.model.set(o.at, o.value);
            } else if (o.op === 'fill') {
              for (let i = o.at; i < Math.min(size, o.at + o.length); i++) {
                current.trie.set(i, i);
                current.model.set(i, i);
              }
            } else if (o.op === 'delete') {
              expect(current.trie.delete(o.at)).toBe(current.model.delete(o.at));
            } else if (o.op === 'clone') {
              const copy = { trie: current.trie.clone(), model: new Map(current.model) };
              versions.push(copy);
            } else {
              current = versions[(versions.indexOf(current) + 1) % versions.length]!;
            }
          }
          for (const v of versions) {
            expect(contents(v.trie)).toEqual(sorted(v.model));
            expect(v.trie.count).toBe(v.model.size);
            expect(v.trie.get(a)).toBe(v.model.get(a));
            const [from, to] = a <= b ? [a, b] : [b, a];
            expect(v.trie.firstAbsent(from, to)).toBe(scanAbsent(v.model, size, from, to));
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  it('finds the only free offset of a full range, wherever it is', () => {
    const size = 40000;
    const trie = new OffsetTrie<true>(size);
    for (let i = 0; i < size; i++) trie.set(i, true);
    expect(trie.firstAbsent(0, size)).toBeUndefined();
    for (const hole of [0, 31, 32, 1023, 1024, 32767, 32768, 39999]) {
      trie.delete(hole);
      expect([trie.firstAbsent(0, size), trie.firstAbsent(hole + 1, size), trie.count]).toEqual([hole, undefined, size - 1]);
      trie.set(hole, true);
    }
  });

  it('refuses offsets outside its range, and reads them as absent', () => {
    const trie = new OffsetTrie<true>(100);
    expect(() => trie.set(100, true)).toThrow('offset 100 out of range [0,100)');
    expect(() => trie.set(-1, true)).toThrow('offset -1 out of range [0,100)');
    expect(() => new OffsetTrie(2 ** 32 + 1)).toThrow('offset trie: bad size 4294967297');
    trie.set(99, true);
    expect([trie.get(-1), trie.get(99.5), trie.get(131), trie.has(99), trie.delete(131)]).toEqual([undefined, undefined, undefined, true, false]);
  });
});
