// nats-server is the one outside program a cluster needs. Missing, it is installed where that is
// plainly safe (root on Debian, where the package exists: STACK.md), and named exactly elsewhere.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { findNatsServer } from '@kubemu/testkit';
import type { CliIO } from './io.js';

export const NATS_SERVER_MISSING =
  'nats-server (the NATS server, 2.9 or later, with JetStream) is not installed: on Debian or Ubuntu run ' +
  '`apt-get install -y nats-server` as root; elsewhere install nats-server from your package manager ' +
  '(e.g. `brew install nats-server`) or put the binary on PATH, or set NATS_SERVER_BIN=/path/to/nats-server';

export class NatsServerMissingError extends Error {
  override name = 'NatsServerMissingError';
}

/** What the decision looks at and does; tests pass their own. */
export interface Host {
  /** nats-server on PATH (or where Debian puts it), if any. */
  find(): string | undefined;
  isExecutable(path: string): boolean;
  isRootOnDebian: boolean;
  /** Runs apt-get with these arguments, its output to the terminal; true when it succeeded. */
  aptGet(args: string[]): boolean;
}

export function realHost(): Host {
  return {
    find: () => {
      try {
        return findNatsServer();
      } catch {
        return undefined;
      }
    },
    isExecutable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    isRootOnDebian: typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/etc/debian_version'),
    aptGet: (args) =>
      spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0,
  };
}

/** The nats-server binary: $NATS_SERVER_BIN, else on PATH, else installed by apt-get as root on Debian. */
export function ensureNatsServer(io: CliIO, host: Host = realHost()): string {
  const fromEnv = io.env.NATS_SERVER_BIN;
  if (fromEnv) {
    if (host.isExecutable(fromEnv)) return fromEnv;
    throw new NatsServerMissingError(`NATS_SERVER_BIN=${fromEnv} is not an executable file; ${NATS_SERVER_MISSING}`);
  }
  const found = host.find();
  if (found) return found;
  if (!host.isRootOnDebian) throw new NatsServerMissingError(NATS_SERVER_MISSING);
  io.err('kubemu: nats-server is missing; installing it: apt-get install -y nats-server\n');
  if (!host.aptGet(['install', '-y', 'nats-server'])) {
    // A fresh machine has no package lists yet.
    io.err('kubemu: apt-get install failed; running apt-get update and trying again\n');
    if (!host.aptGet(['update']) || !host.aptGet(['install', '-y', 'nats-server'])) {
      throw new NatsServerMissingError(`apt-get install -y nats-server failed; ${NATS_SERVER_MISSING}`);
    }
  }
  const installed = host.find();
  if (!installed) throw new NatsServerMissingError(`apt-get installed nats-server but it is not on PATH; ${NATS_SERVER_MISSING}`);
  return installed;
}
