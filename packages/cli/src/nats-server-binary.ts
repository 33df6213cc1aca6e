// nats-server is the one outside program a cluster needs. Missing, it is installed where that is
// plainly safe (root on Debian, where the package exists: STACK.md), and named exactly elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findNatsServer } from '@kubemu/testkit';
import type { CliIO } from './io.js';

export const NATS_SERVER_MISSING =
  'nats-server (the NATS server, 2.9 or later, with JetStream) is not installed: on Debian or Ubuntu run ' +
  '`apt-get install -y nats-server` as root; elsewhere install nats-server from your package manager ' +
  '(e.g. `brew install nats-server`) or put the binary on PATH, or set NATS_SERVER_BIN=/path/to/nats-server';

export class NatsServerMissingError extends Error {
  override name = 'NatsServerMissingError';
}

function tryFind(): string | undefined {
  try {
    return findNatsServer();
  } catch {
    return undefined;
  }
}

function aptGet(args: string[]): boolean {
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** The nats-server binary; installs Debian's package when running as root on Debian. */
export function ensureNatsServer(io: CliIO): string {
  const found = tryFind();
  if (found) return found;
  if (io.env.NATS_SERVER_BIN) throw new NatsServerMissingError(`NATS_SERVER_BIN=${io.env.NATS_SERVER_BIN} is not an executable file; ${NATS_SERVER_MISSING}`);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/etc/debian_version')) throw new NatsServerMissingError(NATS_SERVER_MISSING);
  io.err('kubemu: nats-server is missing; installing it: apt-get install -y nats-server\n');
  if (!aptGet(['install', '-y', 'nats-server'])) {
    // A fresh machine has no package lists yet.
    io.err('kubemu: apt-get install failed; running apt-get update and trying again\n');
    if (!aptGet(['update']) || !aptGet(['install', '-y', 'nats-server'])) {
      throw new NatsServerMissingError(`apt-get install -y nats-server failed; ${NATS_SERVER_MISSING}`);
    }
  }
  const installed = tryFind();
  if (!installed) throw new NatsServerMissingError(`apt-get installed nats-server but it is not on PATH; ${NATS_SERVER_MISSING}`);
  return installed;
}
