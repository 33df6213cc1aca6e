// Flags, named like the kubelet's where the kubelet has them.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { MAX_PODS_PER_NODE, NODE_LEASE_RENEW_INTERVAL_MS } from '@kubemu/core';

export interface NodeConfig {
  name: string;
  address: string;
  podCIDR: string;
  natsUrl: string;
  server: string;
  tokenFile: string;
  caFile?: string;
  /** kubelet API (exec), /healthz and /metrics, on the node's address. */
  port: number;
  overlayTcpPort: number;
  overlayUdpPort: number;
  leaseRenewIntervalMs: number;
  nodeStatusReportFrequencyMs: number;
  maxPods: number;
  hostname: string;
  /** Seeds the node's netfilter random source (`-m statistic` draws, NAT port choice); absent: a random seed. */
  randomSeed?: number;
}

export const USAGE = `kubemu-node: a node's kubelet and pod network

  --name NAME                       Node name (node-N)
  --address IP                      the node's InternalIP, bound for everything it serves
  --pod-cidr CIDR                   the node's podCIDR (10.244.N.0/24)
  --nats URL                        NATS server
  --server URL                      the api-store (https://…)
  --token-file PATH                 the cluster's bearer token
  --ca-file PATH                    CA of the api-store's serving certificate
  --port N                          kubelet API, /healthz, /metrics (default 10250; 0 = any)
  --overlay-tcp-port N              pod network streams from other nodes (default 4790; 0 = any)
  --overlay-udp-port N              pod network datagrams from other nodes (default 4789; 0 = any)
  --lease-renew-interval DURATION   ms between Lease renewals (default 10000)
  --node-status-report-frequency MS ms between Node status posts (default 300000)
  --max-pods N                      default 110
  --random-seed N                   seed for the netfilter's random draws (reproducible endpoint choice)
`;

function int(v: string | undefined, flag: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag} ${v}: must be an integer between ${min} and ${max}`);
  return n;
}

export function parseConfig(argv: string[]): NodeConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      address: { type: 'string' },
      'pod-cidr': { type: 'string' },
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
      'ca-file': { type: 'string' },
      port: { type: 'string', default: '10250' },
      'overlay-tcp-port': { type: 'string', default: '4790' },
      'overlay-udp-port': { type: 'string', default: '4789' },
      'lease-renew-interval': { type: 'string', default: String(NODE_LEASE_RENEW_INTERVAL_MS) },
      'node-status-report-frequency': { type: 'string', default: '300000' },
      'max-pods': { type: 'string', default: String(MAX_PODS_PER_NODE) },
      'random-seed': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  for (const f of ['name', 'address', 'pod-cidr', 'server', 'token-file'] as const) if (!values[f]) throw new Error(`--${f} is required`);
  const config: NodeConfig = {
    name: values.name!,
    address: values.address!,
    podCIDR: values['pod-cidr']!,
    natsUrl: values.nats!,
    server: values.server!,
    tokenFile: values['token-file']!,
    port: int(values.port, 'port', 0, 65535),
    overlayTcpPort: int(values['overlay-tcp-port'], 'overlay-tcp-port', 0, 65535),
    overlayUdpPort: int(values['overlay-udp-port'], 'overlay-udp-port', 0, 65535),
    leaseRenewIntervalMs: int(values['lease-renew-interval'], 'lease-renew-interval', 100, 3_600_000),
    nodeStatusReportFrequencyMs: int(values['node-status-report-frequency'], 'node-status-report-frequency', 100, 86_400_000),
    maxPods: int(values['max-pods'], 'max-pods', 1, MAX_PODS_PER_NODE),
    hostname: values.name ?? hostname(),
  };
  if (values['ca-file']) config.caFile = values['ca-file'];
  if (values['random-seed'] !== undefined) config.randomSeed = int(values['random-seed'], 'random-seed', 0, 0xffffffff);
  return config;
}
