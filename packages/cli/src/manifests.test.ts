import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest, readManifests } from './manifests.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const svc = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n  - port: 80\n`;
const names = (objs: { object: { metadata?: { name?: string } }; source: string }[]): string[] =>
  objs.map((o) => `${o.source.replace(dir + '/', '')}:${o.object.metadata?.name}`);

describe('parseManifest', () => {
  it('reads every YAML document, skipping empty ones', () => {
    const text = `---\n${svc('a')}---\n# only a comment\n---\n${svc('b')}...\n`;
    expect(names(parseManifest(text, 'f.yaml'))).toEqual(['f.yaml:a', 'f.yaml:b']);
  });

  it('reads JSON and flattens Lists', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'ServiceList', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' } }] },
      ],
    };
    expect(names(parseManifest(JSON.stringify(list, null, 2), 'l.json'))).toEqual(['l.json:a', 'l.json:b']);
  });

  it('keeps the types YAML gives (ints stay ints, quoted stay strings)', () => {
    const [o] = parseManifest('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {v: "1"}\nspec:\n  ports: [{port: 80, targetPort: http}]\n', 'x');
    expect(o!.object).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { v: '1' } }, spec: { ports: [{ port: 80, targetPort: 'http' }] } });
  });

  it('refuses objects without apiVersion or kind as kubectl does', () => {
    expect(() => parseManifest('metadata:\n  name: a\n', 'svc.yaml')).toThrow(
      'error validating "svc.yaml": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false',
    );
    expect(() => parseManifest('apiVersion: v1\nmetadata:\n  name: a\n', 'svc.yaml')).toThrow('error validating data: kind not set;');
  });

  it('reports YAML syntax errors with the file', () => {
    expect(() => parseManifest('a: [1, 2\n', 'broken.yaml')).toThrow(/^error parsing broken.yaml: /);
  });
});

describe('readManifests', () => {
  it('reads files, folders (by name, manifest extensions only, -R for subfolders) and stdin', async () => {
    const d = join(dir, 'folder');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'b.yaml'), svc('b1') + '---\n' + svc('b2'));
    writeFileSync(join(d, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }));
    writeFileSync(join(d, 'c.yml'), svc('c'));
    writeFileSync(join(d, 'notes.txt'), 'not a manifest');
    writeFileSync(join(d, 'sub', 'd.yaml'), svc('d'));
    const single = join(dir, 'single.txt');
    writeFileSync(single, svc('s'));
    const readStdin = async (): Promise<string> => svc('in');

    expect(names(await readManifests([d], { readStdin }))).toEqual(['folder/a.json:a', 'folder/b.yaml:b1', 'folder/b.yaml:b2', 'folder/c.yml:c']);
    expect(names(await readManifests([d], { readStdin, recursive: true }))).toEqual([
      'folder/a.json:a',
      'folder/b.yaml:b1',
      'folder/b.yaml:b2',
      'folder/c.yml:c',
      'folder/sub/d.yaml:d',
    ]);
    expect(names(await readManifests([single, '-'], { readStdin }))).toEqual(['single.txt:s', 'STDIN:in']);
  });

  it('names a path that does not exist', async () => {
    await expect(readManifests([join(dir, 'nope.yaml')], { readStdin: async () => '' })).rejects.toThrow(`the path "${join(dir, 'nope.yaml')}" does not exist`);
  });
});
