// Where a cluster lives: one folder holding its settings, token, kubeconfig, logs and the
// JetStream store. cluster.json exists only while processes run; the rest stays across `down`,
// so the next `up` resumes the same cluster from the same log.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ParsedArgs } from './args.js';
import type { CliIO } from './io.js';

export const DEFAULT_STATE_DIR = '.kubemu';
export const STATE_DIR_ENV = 'KUBEMU_STATE_DIR';

export interface StatePaths {
  root: string;
  clusterFile: string;
  settingsFile: string;
  tokenFile: string;
  /** The api-store's --cert-dir: its self-signed CA (ca.crt) and serving certificate. */
  certDir: string;
  /** The CA every client of this cluster trusts. */
  caFile: string;
  kubeconfigFile: string;
  /** The proxy agents' KubeProxyConfiguration (kubeadm writes kube-proxy's into a ConfigMap). */
  kubeProxyConfigFile: string;
  logsDir: string;
  natsStoreDir: string;
  /** The controller-manager's and proxy agents' snapshots (--snapshot-file), one file each. */
  snapshotsDir: string;
}

/** `--state-dir`, else $KUBEMU_STATE_DIR, else `.kubemu/` in the current folder. */
export function resolveStateDir(args: ParsedArgs, io: Pick<CliIO, 'env' | 'cwd'>): string {
  const flag = args.values['state-dir'];
  const chosen = typeof flag === 'string' && flag !== '' ? flag : io.env[STATE_DIR_ENV] || DEFAULT_STATE_DIR;
  return resolve(io.cwd, chosen);
}

export function statePaths(root: string): StatePaths {
  return {
    root,
    clusterFile: join(root, 'cluster.json'),
    settingsFile: join(root, 'settings.json'),
    tokenFile: join(root, 'token'),
    certDir: join(root, 'pki'),
    caFile: join(root, 'pki', 'ca.crt'),
    kubeconfigFile: join(root, 'kubeconfig'),
    kubeProxyConfigFile: join(root, 'kube-proxy.yaml'),
    logsDir: join(root, 'logs'),
    natsStoreDir: join(root, 'nats'),
    snapshotsDir: join(root, 'snapshots'),
  };
}

/** How the cluster was set up; kept across `down` so that `up` brings back the same cluster. */
export interface ClusterSettings {
  nodes: number;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  /** The port each listening component used last, by component name. */
  ports: Record<string, number>;
}

export interface RunningComponent {
  name: string;
  pid: number;
  /** A path in the process's command line; a reused pid without it is not ours. */
  identity: string;
  command: string[];
  port?: number;
  url?: string;
  log: string;
}

/** What runs now: written by `up` as processes start, removed by `down`. */
export interface ClusterRecord {
  version: 1;
  stateDir: string;
  startedAt: string;
  /** A foreground `kubemu up` that owns the processes (its pid and script path); absent when detached. */
  supervisor?: { pid: number; identity: string };
  nodes: number;
  components: RunningComponent[];
  urls: Record<string, string>;
  kubeconfig: string;
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); remove it if the cluster is not running`);
  }
}

/** Write-then-rename, so a reader never sees half a file. */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

export function readClusterRecord(paths: StatePaths): ClusterRecord | undefined {
  return readJson<ClusterRecord>(paths.clusterFile);
}

export function writeClusterRecord(paths: StatePaths, record: ClusterRecord): void {
  mkdirSync(paths.root, { recursive: true });
  writeFileAtomic(paths.clusterFile, JSON.stringify(record, null, 2) + '\n');
}

export function removeClusterRecord(paths: StatePaths): void {
  rmSync(paths.clusterFile, { force: true });
}

export function readSettings(paths: StatePaths): ClusterSettings | undefined {
  return readJson<ClusterSettings>(paths.settingsFile);
}

export function writeSettings(paths: StatePaths, settings: ClusterSettings): void {
  mkdirSync(paths.root, { recursive: true });
  writeFileAtomic(paths.settingsFile, JSON.stringify(settings, null, 2) + '\n');
}
