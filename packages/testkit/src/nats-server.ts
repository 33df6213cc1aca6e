// The real nats-server with JetStream, on a free loopback port and a store of its own. Tests,
// chaos suites and `kubemu up` use it; kill() and restart() on the same store are how a test shows
// that the log survives a crash of the server.
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { registerTempDir, unregisterTempDir } from './child-registry.js';
import { startProcess, type OutputLine, type ProcessHandle } from './process.js';

export const NATS_SERVER_NOT_FOUND =
  'nats-server not found: on Debian run `apt-get install -y nats-server` (as root), or set NATS_SERVER_BIN';

/**
 * nats-server's default max_payload. It carries the largest ObjectEvent (@kubemu/proto sizes
 * MAX_OBJECT_EVENT_BYTES to fit it, headers included), so kubemu needs no other.
 */
export const NATS_MAX_PAYLOAD_BYTES = 1024 * 1024;
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const PORT_IN_USE_ATTEMPTS = 3;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** NATS_SERVER_BIN, else `nats-server` on PATH, else /usr/sbin/nats-server (Debian's package). */
export function findNatsServer(): string {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`NATS_SERVER_BIN=${fromEnv} is not an executable file; ${NATS_SERVER_NOT_FOUND}`);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  if (isExecutable('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error(NATS_SERVER_NOT_FOUND);
}

/** A port that was free a moment ago on `host`. Someone may take it before it is used. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port from ${String(address)}`))));
    });
  });
}

/** Resolves once a NATS server greets on host:port with its INFO line. */
function greets(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.subarray(0, 5).toString('latin1') === 'INFO '));
  });
}

export interface StartNatsOptions {
  /** JetStream store folder; a temporary one (removed by stop()) when absent. */
  storeDir?: string;
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  /** Absent: nats-server's default, NATS_MAX_PAYLOAD_BYTES, which kubemu runs with. */
  maxPayloadBytes?: number;
  readyTimeoutMs?: number;
  /** Sees nats-server's log lines (it logs to stderr). */
  onLine?: (line: OutputLine) => void;
}

export interface NatsHandle {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly storeDir: string;
  /** The current server process; changes on restart(). */
  readonly pid: number;
  readonly running: boolean;
  /** The last lines nats-server logged. */
  outputTail(): string;
  /** SIGTERM, waits for exit, removes the temporary folders. The handle is finished afterwards. */
  stop(): Promise<void>;
  /** SIGKILL, waits for exit; the store is kept so restart() can recover from it. */
  kill(): Promise<void>;
  /** Stops the server if it runs (SIGTERM) and starts it again on the same port and store. */
  restart(): Promise<void>;
}

export async function startNats(options: StartNatsOptions = {}): Promise<NatsHandle> {
  const binary = findNatsServer();
  const host = options.host ?? '127.0.0.1';
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const ownedDirs: string[] = [];
  const makeTemp = async (prefix: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    registerTempDir(dir);
    ownedDirs.push(dir);
    return dir;
  };
  const removeOwnedDirs = async (): Promise<void> => {
    for (const dir of ownedDirs.splice(0)) {
      await rm(dir, { recursive: true, force: true });
      unregisterTempDir(dir);
    }
  };

  let storeDir: string;
  const configArgs: string[] = [];
  try {
    storeDir = options.storeDir ?? (await makeTemp('kubemu-nats-store-'));
    await mkdir(storeDir, { recursive: true });
    if (options.maxPayloadBytes !== undefined) {
      // max_payload has no command-line flag
      const configFile = join(await makeTemp('kubemu-nats-conf-'), 'nats-server.conf');
      await writeFile(configFile, `max_payload: ${options.maxPayloadBytes}\n`);
      configArgs.push('-c', configFile);
    }
  } catch (err) {
    await removeOwnedDirs();
    throw err;
  }

  const fixedPort = options.port !== undefined && options.port !== 0;
  let port = fixedPort ? options.port! : await freePort(host);
  let current: ProcessHandle | undefined;
  let stopped = false;

  const launchOnce = async (): Promise<{ handle?: ProcessHandle; portInUse: boolean }> => {
    const handle = await startProcess({
      name: `nats-server ${host}:${port}`,
      command: binary,
      args: [...configArgs, '-a', host, '-p', String(port), '-js', '-sd', storeDir, '-n', `kubemu-${port}`],
      onLine: options.onLine,
      stopGraceMs: 10_000,
    });
    const deadline = Date.now() + readyTimeoutMs;
    while (handle.running && Date.now() < deadline) {
      if (await greets(host, port)) return { handle, portInUse: false };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const timedOut = handle.running;
    const exit = timedOut ? await handle.kill() : await handle.exited;
    const stderr = handle.outputTail().stderr.trimEnd();
    if (!timedOut && /address already in use/i.test(stderr)) return { portInUse: true };
    const why = timedOut ? `did not accept connections within ${readyTimeoutMs} ms` : `exited (code ${exit.code}, signal ${exit.signal})`;
    throw new Error(`nats-server on ${host}:${port} ${why}\n--- nats-server log (tail) ---\n${stderr}`);
  };

  const launch = async (samePort: boolean): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const { handle, portInUse } = await launchOnce();
      if (handle) {
        current = handle;
        return;
      }
      if (!portInUse || attempt >= PORT_IN_USE_ATTEMPTS) throw new Error(`nats-server: port ${host}:${port} is in use`);
      // A port picked by freePort may be taken by someone else before nats-server binds it; a
      // restart on the same port may race the old socket's release.
      if (samePort) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      else port = await freePort(host);
    }
  };

  try {
    await launch(fixedPort);
  } catch (err) {
    await removeOwnedDirs();
    throw err;
  }

  return {
    get url() {
      return `nats://${host}:${port}`;
    },
    host,
    get port() {
      return port;
    },
    storeDir,
    get pid() {
      return current?.pid ?? 0;
    },
    get running() {
      return current?.running ?? false;
    },
    outputTail: () => current?.outputTail().stderr ?? '',
    async stop() {
      stopped = true;
      if (current) await current.stop();
      await removeOwnedDirs();
    },
    async kill() {
      if (current) await current.kill('SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error('nats-server handle was stopped; start a new one');
      if (current?.running) await current.stop();
      await launch(true);
    },
  };
}
