#!/usr/bin/env node
// Run by `npm start` and `npm test` before anything else: installs what a fresh clone lacks, or
// names exactly what to install. Only Node built-ins here: nothing else is installed yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const problems = [];

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) problems.push(`Node.js ${process.versions.node} is too old: kubemu needs Node.js 20 or newer.`);

// Dependencies: `npm ci` when node_modules is missing or older than the lockfile.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.error('kubemu: installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) problems.push('`npm ci` failed; see its output above.');
}

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)));
}

const natsFound = (process.env.NATS_SERVER_BIN && existsSync(process.env.NATS_SERVER_BIN)) || onPath('nats-server') || existsSync('/usr/sbin/nats-server');
if (!natsFound) {
  const debianRoot = existsSync('/etc/debian_version') && process.getuid?.() === 0;
  if (debianRoot) {
    console.error('kubemu: nats-server is missing; installing Debian package nats-server (apt-get install -y nats-server)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'inherit', env });
    }
    if (r.status !== 0) problems.push('Installing nats-server with apt-get failed; see its output above.');
  } else {
    problems.push(
      'nats-server (with JetStream, 2.9 or newer) is not installed. On Debian/Ubuntu: `sudo apt-get install -y nats-server`; ' +
        'elsewhere: https://github.com/nats-io/nats-server/releases, then put it on PATH or set NATS_SERVER_BIN.',
    );
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`kubemu: ${p}`);
  process.exit(1);
}
try {
  execFileSync(process.env.NATS_SERVER_BIN ?? (onPath('nats-server') ? 'nats-server' : '/usr/sbin/nats-server'), ['--version'], { stdio: 'ignore' });
} catch {
  console.error('kubemu: nats-server is installed but does not run (`nats-server --version` failed).');
  process.exit(1);
}
