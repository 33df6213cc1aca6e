// Starting a kubemu proxy agent (packages/proxy-agent) for one node, pointed at a running
// api-store and nats-server; its /healthz port is chosen free unless given.
import { join } from 'node:path';
import { processEntry } from './kubemu-processes.js';
import { startProcess, type LogLine, type OutputLine, type ProcessHandle } from './process.js';

export interface ProxyAgentOptions {
  natsUrl: string;
  apiStore: { url: string; tokenFile: string; certDir: string };
  /** The Node it programs, e.g. "node-1". */
  node: string;
  /** A KubeProxyConfiguration file (--config). */
  configFile?: string;
  healthzPort?: number;
  /** --snapshot-file: resume from (and keep) a snapshot there; reuse the path across restarts. */
  snapshotFile?: string;
  /** --snapshot-interval, e.g. '1s' (default 30s). */
  snapshotInterval?: string;
  extraArgs?: string[];
  onLine?: (line: OutputLine) => void;
}

export interface ProxyAgentHandle {
  readonly node: string;
  /** /healthz, /livez, /metrics. */
  readonly url: string;
  readonly process: ProcessHandle;
  /** Resolves with the log line of the first sync that programmed `revision` or later. */
  waitProgrammed(revision: number, timeoutMs?: number): Promise<LogLine>;
}

export async function startProxyAgent(options: ProxyAgentOptions): Promise<ProxyAgentHandle> {
  const args = [
    processEntry('proxy-agent'),
    '--node', options.node,
    '--nats', options.natsUrl,
    '--server', options.apiStore.url,
    '--token-file', options.apiStore.tokenFile,
    '--ca-file', join(options.apiStore.certDir, 'ca.crt'),
    '--healthz-port', String(options.healthzPort ?? 0),
  ];
  if (options.configFile !== undefined) args.push('--config', options.configFile);
  if (options.snapshotFile !== undefined) args.push('--snapshot-file', options.snapshotFile);
  if (options.snapshotInterval !== undefined) args.push('--snapshot-interval', options.snapshotInterval);
  args.push(...(options.extraArgs ?? []));
  const proc = await startProcess({
    name: `proxy-agent/${options.node}`,
    command: process.execPath,
    args,
    readyLine: (l: LogLine) => l.msg === 'listening',
    readyTimeoutMs: 30_000,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return {
    node: options.node,
    url: `http://127.0.0.1:${Number(proc.ready.port)}`,
    process: proc,
    waitProgrammed: (revision, timeoutMs = 30_000) =>
      proc.waitForLog((l) => l.msg === 'SyncProxyRules complete' && Number(l.revision) >= revision, timeoutMs),
  };
}
