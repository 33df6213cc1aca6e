// Generates protobufjs static code from proto/kubemu/v1 into src/generated (never edited by hand).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(pkg, '..', '..', 'proto');
const files = readdirSync(join(protoRoot, 'kubemu', 'v1'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protoRoot, 'kubemu', 'v1', f));
const out = join(pkg, 'generated');
mkdirSync(out, { recursive: true });
const bin = join(pkg, 'node_modules', '.bin');
const resolveBin = (name) => {
  for (const dir of [bin, join(pkg, '..', '..', 'node_modules', '.bin')]) {
    try {
      readFileSync(join(dir, name));
      return join(dir, name);
    } catch {}
  }
  throw new Error(`${name} not found; run npm ci at the repository root`);
};
const js = join(out, 'kubemu.js');
execFileSync(
  resolveBin('pbjs'),
  ['-t', 'static-module', '-w', 'es6', '--keep-case', '--force-number', '--no-verify', '--no-delimited', '--no-service',
   '--no-beautify', '-p', protoRoot, '-o', js, ...files],
  { cwd: protoRoot, stdio: 'inherit' },
);
// Native ESM needs the file extension in the import.
writeFileSync(js, readFileSync(js, 'utf8').replace(/from "protobufjs\/minimal"/g, 'from "protobufjs/minimal.js"'));
execFileSync(resolveBin('pbts'), ['-o', join(out, 'kubemu.d.ts'), js], { stdio: 'inherit' });
