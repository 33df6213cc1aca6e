// Starting kubemu's own processes from their built entry points, for tests, chaos suites and
// benchmarks. Each process logs a JSON line {"msg":"listening","port":N} once it serves.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tlsFetch } from './api-fetch.js';
import { registerTempDir } from './child-registry.js';
import { startProcess, type LogLine, type OutputLine, type ProcessHandle } from './process.js';

/** packages/, found from this file's place in packages/testkit/dist. */
const PACKAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built entry point of a kubemu process package, e.g. "api-store" → packages/api-store/dist/main.js. */
export function processEntry(pkg: string): string {
  return join(PACKAGES_DIR, pkg, 'dist', 'main.js');
}

export interface ApiStoreOptions {
  natsUrl: string;
  /** Token file; a fresh temporary one when absent. Reuse it across restarts to keep the token. */
  tokenFile?: string;
  /** --cert-dir; default: the token file's folder, so a restart with the same token file keeps the CA. */
  certDir?: string;
  port?: number;
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
  instanceId?: string;
  randomSeed?: number;
  watchWindow?: number;
  extraArgs?: string[];
  onLine?: (line: OutputLine) => void;
}

export interface ApiStoreHandle {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly tokenFile: string;
  readonly certDir: string;
  /** PEM of the CA that signed the api-store's serving certificate. */
  readonly ca: string;
  readonly process: ProcessHandle;
  /** Authenticated fetch against the api-store (https, trusting its CA). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The same without the bearer token. */
  fetchAnonymous(path: string, init?: RequestInit): Promise<Response>;
}

export async function startApiStore(options: ApiStoreOptions): Promise<ApiStoreHandle> {
  let tokenFile = options.tokenFile;
  if (tokenFile === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'kubemu-api-store-'));
    registerTempDir(dir);
    tokenFile = join(dir, 'token');
  }
  const certDir = options.certDir ?? dirname(tokenFile);
  const args = [
    processEntry('api-store'),
    '--nats',
    options.natsUrl,
    '--secure-port',
    String(options.port ?? 0),
    '--token-file',
    tokenFile,
    '--cert-dir',
    certDir,
    '--storage',
    'file',
  ];
  if (options.serviceClusterIPRange) args.push('--service-cluster-ip-range', options.serviceClusterIPRange);
  if (options.serviceNodePortRange) args.push('--service-node-port-range', options.serviceNodePortRange);
  if (options.instanceId) args.push('--instance-id', options.instanceId);
  if (options.randomSeed !== undefined) args.push('--random-seed', String(options.randomSeed));
  if (options.watchWindow !== undefined) args.push('--watch-window', String(options.watchWindow));
  args.push(...(options.extraArgs ?? []));
  const proc = await startProcess({
    name: `api-store${options.instanceId ? `/${options.instanceId}` : ''}`,
    command: process.execPath,
    args,
    readyLine: (l: LogLine) => l.msg === 'listening',
    readyTimeoutMs: 30_000,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const port = Number(proc.ready.port);
  const url = `https://127.0.0.1:${port}`;
  const token = readFileSync(tokenFile, 'utf8').trim();
  const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  const send = tlsFetch(ca);
  return {
    url,
    port,
    token,
    tokenFile,
    certDir,
    ca,
    process: proc,
    fetch: (path, init = {}) => {
      const headers = new Headers({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
      for (const [k, v] of new Headers(init.headers ?? {}).entries()) headers.set(k, v);
      return send(`${url}${path}`, { ...init, headers });
    },
    fetchAnonymous: (path, init = {}) => send(`${url}${path}`, init),
  };
}
