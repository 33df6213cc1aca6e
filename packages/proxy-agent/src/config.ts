// Flags, named like kube-proxy's where kube-proxy has them (--config, --healthz-bind-address's
// port); the KubeProxyConfiguration file is decoded, defaulted and validated by core.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_SNAPSHOT_INTERVAL_MS } from '@kubemu/bus';
import { parseGoDuration, parseKubeProxyConfiguration, type ProxyConfig } from '@kubemu/core';

export interface ProxyAgentConfig {
  nodeName: string;
  natsUrl: string;
  server: string;
  tokenFile: string;
  caFile?: string;
  proxy: ProxyConfig;
  /** kube-proxy's --healthz-bind-address port: /healthz, /livez, /metrics. */
  healthzPort: number;
  healthzBindAddress: string;
  /** Where the agent keeps its snapshot (DESIGN "The event log"); none when absent: every start replays the log. */
  snapshotFile?: string;
  snapshotIntervalMs: number;
}

export const USAGE = `kubemu-proxy-agent: kube-proxy (iptables mode) for one kubemu node

  --node NAME             the Node whose rules this agent programs (node-N)
  --nats URL              NATS server (default nats://127.0.0.1:4222)
  --server URL            the api-store (https://…)
  --token-file PATH       the cluster's bearer token (also the node's netfilter API token)
  --ca-file PATH          CA of the api-store's serving certificate
  --config PATH           a kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration (YAML or JSON)
  --healthz-bind-address IP   default 127.0.0.1
  --healthz-port N        /healthz, /livez and /metrics (default 10256; 0 = any)
  --snapshot-file PATH    keep a snapshot of what the agent folded from the log here; a restart
                          resumes the log after it (a missing, damaged or outdated one: replay from 1)
  --snapshot-interval DUR while events arrive, write the snapshot at most this often (default ${DEFAULT_SNAPSHOT_INTERVAL_MS / 1000}s);
                          also once caught up with the log and on SIGTERM
`;

function port(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${flag} ${v}: must be an integer between 0 and 65535`);
  return n;
}

function snapshotInterval(text: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || !(ms > 0)) throw new Error(`--snapshot-interval ${text}: must be a positive duration such as 30s`);
  return ms;
}

/** The --config file's KubeProxyConfiguration, defaulted and validated; kube-proxy's error text on failure. */
export function readProxyConfig(path: string | undefined): ProxyConfig {
  let doc: unknown;
  if (path !== undefined) {
    const docs = parseAllDocuments(readFileSync(path, 'utf8'));
    const first = docs[0];
    if (first === undefined) throw new Error(`${path}: no KubeProxyConfiguration`);
    if (first.errors.length > 0) throw new Error(`${path}: ${first.errors[0]!.message}`);
    doc = first.toJS();
  }
  const result = parseKubeProxyConfiguration(doc);
  if (!result.ok) throw new Error(`invalid configuration${path ? ` in ${path}` : ''}: ${result.message}`);
  return result.config;
}

export function parseConfig(argv: string[]): ProxyAgentConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      node: { type: 'string' },
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
      'ca-file': { type: 'string' },
      config: { type: 'string' },
      'healthz-bind-address': { type: 'string', default: '127.0.0.1' },
      'healthz-port': { type: 'string', default: '10256' },
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
  for (const f of ['node', 'server', 'token-file'] as const) if (!values[f]) throw new Error(`--${f} is required`);
  const config: ProxyAgentConfig = {
    nodeName: values.node!,
    natsUrl: values.nats!,
    server: values.server!,
    tokenFile: values['token-file']!,
    proxy: readProxyConfig(values.config),
    healthzPort: port(values['healthz-port'], 'healthz-port'),
    healthzBindAddress: values['healthz-bind-address']!,
    snapshotIntervalMs: snapshotInterval(values['snapshot-interval']!),
  };
  if (values['ca-file']) config.caFile = values['ca-file'];
  if (values['snapshot-file']) config.snapshotFile = values['snapshot-file'];
  return config;
}
