#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after the other (they share the machine).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
const benches = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort();
let failed = 0;
for (const b of benches) {
  console.log(`== ${b}`);
  const r = spawnSync(process.execPath, [new URL(b, import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
