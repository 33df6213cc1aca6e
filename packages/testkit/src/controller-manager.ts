// Starting the controller-manager from its built entry point, pointed at a running api-store.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTempDir } from './child-registry.js';
import { processEntry } from './kubemu-processes.js';
import { startProcess, type LogLine, type OutputLine, type ProcessHandle } from './process.js';

export interface ControllerManagerOptions {
  natsUrl: string;
  /** The api-store: its URL, token file and CA (PEM), e.g. from startApiStore's handle. */
  apiStore: { url: string; tokenFile: string; ca: string };
  port?: number;
  /** e.g. '4s' (default 40s, as kube-controller-manager). */
  nodeMonitorGracePeriod?: string;
  nodeMonitorPeriod?: string;
  maxEndpointsPerSlice?: number;
  controllers?: string[];
  randomSeed?: number;
  /** --snapshot-file: resume from (and keep) a snapshot there; reuse the path across restarts. */
  snapshotFile?: string;
  /** --snapshot-interval, e.g. '1s' (default 30s). */
  snapshotInterval?: string;
  extraArgs?: string[];
  onLine?: (line: OutputLine) => void;
}

export interface ControllerManagerHandle {
  readonly url: string;
  readonly port: number;
  readonly process: ProcessHandle;
}

export async function startControllerManager(options: ControllerManagerOptions): Promise<ControllerManagerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-controller-manager-'));
  registerTempDir(dir);
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, options.apiStore.ca);
  const args = [
    processEntry('controller-manager'),
    '--nats',
    options.natsUrl,
    '--server',
    options.apiStore.url,
    '--token-file',
    options.apiStore.tokenFile,
    '--ca-file',
    caFile,
    '--port',
    String(options.port ?? 0),
  ];
  if (options.nodeMonitorGracePeriod) args.push('--node-monitor-grace-period', options.nodeMonitorGracePeriod);
  if (options.nodeMonitorPeriod) args.push('--node-monitor-period', options.nodeMonitorPeriod);
  if (options.maxEndpointsPerSlice !== undefined) args.push('--max-endpoints-per-slice', String(options.maxEndpointsPerSlice));
  if (options.controllers) args.push('--controllers', options.controllers.join(','));
  if (options.randomSeed !== undefined) args.push('--random-seed', String(options.randomSeed));
  if (options.snapshotFile !== undefined) args.push('--snapshot-file', options.snapshotFile);
  if (options.snapshotInterval !== undefined) args.push('--snapshot-interval', options.snapshotInterval);
  args.push(...(options.extraArgs ?? []));
  const proc = await startProcess({
    name: 'controller-manager',
    command: process.execPath,
    args,
    readyLine: (l: LogLine) => l.msg === 'listening',
    readyTimeoutMs: 30_000,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const port = Number(proc.ready.port);
  return { url: `http://127.0.0.1:${port}`, port, process: proc };
}
