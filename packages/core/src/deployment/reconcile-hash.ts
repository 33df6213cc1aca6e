// The hashes controllers name things with: the Deployment's pod-template-hash
// (controller.ComputeHash, pkg/controller/controller_utils.go) and the StatefulSet's revision
// (history.HashControllerRevision, pkg/controller/history/controller_history.go), both rendered
// with rand.SafeEncodeString (k8s.io/apimachinery/pkg/util/rand).
//
// ComputeHash feeds FNV-1a with go-spew's dump of the Go struct (hashutil.DeepHashObject), which
// cannot be reproduced outside Go; kubemu feeds it the template's canonical JSON (keys sorted) instead.
// So the shape of the value is upstream's (≤ 10 characters from the safe alphabet, a new value for a
// new template, the same value for the same template), the value itself is not what a real cluster
// would compute. HashControllerRevision hashes JSON bytes upstream too (the revision's patch), so the
// StatefulSet revision follows upstream's recipe (FNV-1 over {"spec":{"template":{…,"$patch":"replace"}}}
// plus the collision count in decimal), with the same caveat about Go's JSON of the template.

import type { PodTemplateSpec } from '../api/types.js';

/** rand.alphanums: no vowels, so generated names never spell words. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** hash/fnv New32a over bytes. */
export function fnv32a(bytes: Uint8Array, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** hash/fnv New32 (FNV-1: multiply, then xor). */
export function fnv32(bytes: Uint8Array, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, FNV_PRIME) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character becomes alphanums[code % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level, as encoding/json writes a map[string]interface{}. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

const utf8 = new TextEncoder();

/** controller.ComputeHash(template, collisionCount): the pod-template-hash label value. */
export function computePodTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(utf8.encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined) {
    // binary.LittleEndian.PutUint32 into an 8-byte slice: 4 bytes of count, 4 zero bytes.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

/** history.HashControllerRevision over the StatefulSet's revision patch (statefulset getPatch). */
export function computeControllerRevisionHash(template: PodTemplateSpec | undefined, collisionCount: number = 0): string {
  const patch = canonicalJson({ spec: { template: { ...(template ?? {}), $patch: 'replace' } } });
  const h = fnv32(utf8.encode(String(collisionCount)), fnv32(utf8.encode(patch)));
  return safeEncodeString(String(h));
}
