// Reading `-f FILE|DIR|-` as kubectl's resource builder does (cli-runtime pkg/resource/visitor.go):
// a folder contributes its .json/.yaml/.yml files in name order (subfolders with -R), a file may
// hold several YAML documents or a JSON stream, and a List's items count as objects of their own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@kubemu/core';

/** kubectl's FileExtensions. */
export const MANIFEST_EXTENSIONS = ['.json', '.yaml', '.yml'];
/** A manifest file larger than this is refused rather than parsed. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Objects one command may read in all. */
export const MAX_MANIFEST_OBJECTS = 10_000;
/** kubectl names standard input this way in its messages. */
export const STDIN_SOURCE = 'STDIN';

export interface ManifestObject {
  object: KubeObject;
  /** The file it came from, as given on the command line (or STDIN). */
  source: string;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The files a `-f` argument names: itself, or a folder's manifest files sorted by name. */
export function expandPath(path: string, recursive: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ManifestError(`the path ${JSON.stringify(path)} does not exist`);
    throw err;
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(path, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...expandPath(full, true));
    } else if (MANIFEST_EXTENSIONS.includes(extname(e.name))) out.push(full);
  }
  return out;
}

/** kubectl's client-side check that every object names its apiVersion and kind. */
function checkTypeMeta(object: Record<string, unknown>, source: string): void {
  const missing: string[] = [];
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') missing.push('apiVersion not set');
  if (typeof object.kind !== 'string' || object.kind === '') missing.push('kind not set');
  if (missing.length === 0) return;
  const what = missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`;
  throw new ManifestError(
    `error validating ${JSON.stringify(source)}: error validating data: ${what}; if you choose to ignore these errors, turn validation off with --validate=false`,
  );
}

/** The objects in one manifest text: documents in order, Lists flattened, empty documents skipped. */
export function parseManifest(text: string, source: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  const visit = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (!isObject(value)) throw new ManifestError(`error parsing ${source}: a document is not an object: ${JSON.stringify(value).slice(0, 80)}`);
    // meta.IsListType: a kind ending in "List" with an items array (v1 List, ServiceList, ...).
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) visit(item);
      return;
    }
    checkTypeMeta(value, source);
    if (out.length >= MAX_MANIFEST_OBJECTS) throw new ManifestError(`${source}: more than ${MAX_MANIFEST_OBJECTS} objects`);
    out.push({ object: value as KubeObject, source });
  };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ManifestError(`error parsing ${source}: ${doc.errors[0]!.message}`);
    visit(doc.toJS({ maxAliasCount: 100 }));
  }
  return out;
}

export interface ReadManifestOptions {
  recursive?: boolean;
  readStdin: () => Promise<string>;
}

/** Every object the `-f` arguments name, in command-line order. */
export async function readManifests(paths: readonly string[], options: ReadManifestOptions): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifest(await options.readStdin(), STDIN_SOURCE));
      continue;
    }
    for (const file of expandPath(p, options.recursive ?? false)) {
      const size = statSync(file).size;
      if (size > MAX_MANIFEST_BYTES) throw new ManifestError(`${file}: ${size} bytes is over the ${MAX_MANIFEST_BYTES}-byte limit for a manifest`);
      out.push(...parseManifest(readFileSync(file, 'utf8'), file));
    }
    if (out.length > MAX_MANIFEST_OBJECTS) throw new ManifestError(`more than ${MAX_MANIFEST_OBJECTS} objects`);
  }
  return out;
}
