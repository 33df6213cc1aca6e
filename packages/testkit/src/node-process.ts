// Starting a kubemu node process (packages/node) for tests: node-N on 127.0.1.N with podCIDR
// 10.244.N.0/24, every port chosen free (peers learn them from the Node object).
import { join } from 'node:path';
import { processEntry } from './kubemu-processes.js';
import { startProcess, type LogLine, type OutputLine, type ProcessHandle } from './process.js';

export interface NodeOptions {
  natsUrl: string;
  apiStore: { url: string; tokenFile: string; certDir: string };
  /** N: names node-N, address 127.0.1.N, podCIDR 10.244.N.0/24 unless given. */
  index: number;
  name?: string;
  address?: string;
  podCIDR?: string;
  leaseRenewIntervalMs?: number;
  extraArgs?: string[];
  onLine?: (line: OutputLine) => void;
}

export interface NodeHandle {
  readonly name: string;
  readonly address: string;
  readonly podCIDR: string;
  /** The kubelet API: exec, /healthz, /metrics. */
  readonly url: string;
  readonly process: ProcessHandle;
}

export async function startNode(options: NodeOptions): Promise<NodeHandle> {
  const name = options.name ?? `node-${options.index}`;
  const address = options.address ?? `127.0.1.${options.index}`;
  const podCIDR = options.podCIDR ?? `10.244.${options.index}.0/24`;
  const args = [
    processEntry('node'),
    '--name', name,
    '--address', address,
    '--pod-cidr', podCIDR,
    '--nats', options.natsUrl,
    '--server', options.apiStore.url,
    '--token-file', options.apiStore.tokenFile,
    '--ca-file', join(options.apiStore.certDir, 'ca.crt'),
    '--port', '0',
    '--overlay-tcp-port', '0',
    '--overlay-udp-port', '0',
  ];
  if (options.leaseRenewIntervalMs !== undefined) args.push('--lease-renew-interval', String(options.leaseRenewIntervalMs));
  args.push(...(options.extraArgs ?? []));
  const proc = await startProcess({
    name: `node/${name}`,
    command: process.execPath,
    args,
    readyLine: (l: LogLine) => l.msg === 'listening',
    readyTimeoutMs: 30_000,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return { name, address, podCIDR, url: `http://${address}:${Number(proc.ready.port)}`, process: proc };
}
