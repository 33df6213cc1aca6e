// Patch formats kube-apiserver accepts: JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

export class PatchError extends Error {
  override name = 'PatchError';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** The merge patch that turns `from` into `to` (used for three-way apply). */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return structuredClone(to);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) patch[k] = structuredClone(v);
    else if (JSON.stringify(from[k]) !== JSON.stringify(v)) {
      patch[k] = isPlainObject(from[k]) && isPlainObject(v) ? createMergePatch(from[k], v) : structuredClone(v);
    }
  }
  return patch;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isPlainObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const parent = getAt(doc, tokens.slice(0, -1));
  if (!Array.isArray(parent) && !isPlainObject(parent)) throw new PatchError(`doc is missing path: "${path}": missing value`);
  return { parent, key: tokens[tokens.length - 1]! };
}

/** RFC 6902 on a copy of doc. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let out = structuredClone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    const tokens = parsePointer(raw.path);
    const remove = (path: string, toks: string[]): unknown => {
      const { parent, key } = parentOf(out, toks, path);
      if (Array.isArray(parent)) {
        const i = Number(key);
        if (!(i >= 0 && i < parent.length)) throw new PatchError(`Unable to remove nonexistent key: ${key}: missing value`);
        return parent.splice(i, 1)[0];
      }
      if (!(key in parent)) throw new PatchError(`Unable to remove nonexistent key: ${key}: missing value`);
      const v = parent[key];
      delete parent[key];
      return v;
    };
    const add = (path: string, toks: string[], value: unknown): void => {
      if (toks.length === 0) {
        out = structuredClone(value);
        return;
      }
      const { parent, key } = parentOf(out, toks, path);
      if (Array.isArray(parent)) {
        const i = key === '-' ? parent.length : Number(key);
        if (!(i >= 0 && i <= parent.length)) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": missing value`);
        parent.splice(i, 0, structuredClone(value));
      } else parent[key] = structuredClone(value);
    };
    switch (raw.op) {
      case 'add':
        add(raw.path, tokens, raw.value);
        break;
      case 'remove':
        remove(raw.path, tokens);
        break;
      case 'replace':
        if (getAt(out, tokens) === undefined) throw new PatchError(`replace operation does not apply: doc is missing key: ${raw.path}: missing value`);
        remove(raw.path, tokens);
        add(raw.path, tokens, raw.value);
        break;
      case 'move': {
        const from = parsePointer(raw.from ?? '');
        const v = remove(raw.from ?? '', from);
        add(raw.path, tokens, v);
        break;
      }
      case 'copy':
        add(raw.path, tokens, getAt(out, parsePointer(raw.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(getAt(out, tokens)) !== JSON.stringify(raw.value)) throw new PatchError(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${raw.op}`);
    }
  }
  return out;
}
