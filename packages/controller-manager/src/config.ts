// Flags, named like kube-controller-manager's where it has them.
import { parseArgs } from 'node:util';
import { DEFAULT_SNAPSHOT_INTERVAL_MS } from '@kubemu/bus';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS, DEFAULT_NODE_MONITOR_PERIOD_MS, MAX_MAX_ENDPOINTS_PER_SLICE } from '@kubemu/core';

export interface ControllerManagerConfig {
  natsUrl: string;
  server: string;
  tokenFile: string;
  caFile?: string;
  bindAddress: string;
  port: number;
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  maxEndpointsPerSlice: number;
  /** Controllers to run; all when absent (kube-controller-manager --controllers). */
  controllers?: string[];
  randomSeed?: number;
  /** Where the informer's snapshot is kept (DESIGN "The event log"); none when absent: every start replays the log. */
  snapshotFile?: string;
  snapshotIntervalMs: number;
}

export const USAGE = `kubemu-controller-manager: kube-controller-manager + kube-scheduler over the kubemu event log

  --nats URL                          NATS server to read the log from (default nats://127.0.0.1:4222)
  --server URL                        the api-store, e.g. https://127.0.0.1:6443 (required)
  --token-file PATH                   bearer token for the api-store (required)
  --ca-file PATH                      CA that signed the api-store's certificate
  --bind-address IP                   /healthz and /metrics address (default 127.0.0.1)
  --port N                            /healthz and /metrics port; 0 picks a free one (default 10257)
  --node-monitor-grace-period DUR     heartbeats missing this long → node Ready=Unknown (default 40s)
  --node-monitor-period DUR           how often node health is checked (default 5s)
  --max-endpoints-per-slice N         1..1000 (default 100)
  --controllers LIST                  comma-separated, default all: endpointslice,endpoints,scheduler,
                                      deployment,replicaset,statefulset,nodelifecycle,namespace,garbagecollector
  --random-seed N                     seed pod-name randomness (for reproducible runs)
  --snapshot-file PATH                keep a snapshot of the informer's store here; a restart resumes the
                                      log after it (a missing, damaged or outdated one: replay from 1)
  --snapshot-interval DUR             while events arrive, write the snapshot at most this often (default ${DEFAULT_SNAPSHOT_INTERVAL_MS / 1000}s);
                                      also once caught up with the log and on SIGTERM
`;

/** Go time.ParseDuration for the forms flags use: 40s, 500ms, 1m30s, 2h. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new Error(`time: invalid duration "${text}"`);
  return total;
}

export function parseConfig(argv: string[]): ControllerManagerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
      'ca-file': { type: 'string' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '10257' },
      'node-monitor-grace-period': { type: 'string', default: `${DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS / 1000}s` },
      'node-monitor-period': { type: 'string', default: `${DEFAULT_NODE_MONITOR_PERIOD_MS / 1000}s` },
      'max-endpoints-per-slice': { type: 'string', default: String(DEFAULT_MAX_ENDPOINTS_PER_SLICE) },
      controllers: { type: 'string' },
      'random-seed': { type: 'string' },
      'snapshot-file': { type: 'string' },
      'snapshot-interval': { type: 'string', default: `${DEFAULT_SNAPSHOT_INTERVAL_MS / 1000}s` },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!values.server) throw new Error('--server is required');
  if (!values['token-file']) throw new Error('--token-file is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port`);
  const maxEndpointsPerSlice = Number(values['max-endpoints-per-slice']);
  if (!Number.isInteger(maxEndpointsPerSlice) || maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > MAX_MAX_ENDPOINTS_PER_SLICE) {
    throw new Error(`--max-endpoints-per-slice ${values['max-endpoints-per-slice']}: must be an integer from 1 to ${MAX_MAX_ENDPOINTS_PER_SLICE}`);
  }
  const config: ControllerManagerConfig = {
    natsUrl: values.nats!,
    server: values.server,
    tokenFile: values['token-file'],
    bindAddress: values['bind-address']!,
    port,
    nodeMonitorGracePeriodMs: parseDuration(values['node-monitor-grace-period']!),
    nodeMonitorPeriodMs: parseDuration(values['node-monitor-period']!),
    maxEndpointsPerSlice,
    snapshotIntervalMs: parseDuration(values['snapshot-interval']!),
  };
  if (!(config.snapshotIntervalMs > 0)) throw new Error('--snapshot-interval must be positive');
  if (values['snapshot-file'] !== undefined) config.snapshotFile = values['snapshot-file'];
  if (config.nodeMonitorPeriodMs <= 0) throw new Error('--node-monitor-period must be positive');
  if (values['ca-file'] !== undefined) config.caFile = values['ca-file'];
  if (values.controllers !== undefined) config.controllers = values.controllers.split(',').map((c) => c.trim()).filter(Boolean);
  if (values['random-seed'] !== undefined) config.randomSeed = Number(values['random-seed']);
  return config;
}
