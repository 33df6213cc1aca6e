// The processes a cluster is made of, in start order; `down` stops them in reverse. `up`, `down`
// and `status` only walk this table, so a process a later issue adds (controller-manager, one node
// and one proxy-agent per node, dns-agent, cloud, lb-controller) is one more entry here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec } from './process-control.js';
import type { ClusterSettings, StatePaths } from './state-dir.js';

export const LOOPBACK = '127.0.0.1';

export interface ComponentContext {
  paths: StatePaths;
  settings: ClusterSettings;
  /** Ports chosen for this run, by instance name. */
  ports: Readonly<Record<string, number>>;
  /** URLs of the instances started before, by instance name. */
  urls: Readonly<Record<string, string>>;
  /** The nats-server binary. */
  natsServerBin: string;
}

export interface Component {
  /** Names its log file (logs/<instance>.log) and its entry in cluster.json. */
  name: string;
  /** One name per process of this component; per-node components give one per node. */
  instances(settings: ClusterSettings): string[];
  /** It listens on one port: the one asked for, else the one it had last, else defaultPort, else any free one. */
  listens?: { defaultPort?: number };
  /** Writes what it needs before it starts (configuration files, folders). */
  prepare?(instance: string, ctx: ComponentContext): void;
  /** How to start it; `identity` is a path of this cluster its command line holds, to recognise its pid later. */
  launch(instance: string, ctx: ComponentContext): LaunchSpec & { identity: string };
  /** Where it is reached, once started. */
  url?(instance: string, ctx: ComponentContext): string;
  /** True once it serves. */
  probe(instance: string, ctx: ComponentContext): Promise<boolean>;
  readyTimeoutMs: number;
  /** SIGTERM to SIGKILL. */
  stopGraceMs: number;
}

/** A kubemu process's entry point: the sibling package's dist/main.js (monorepo and node_modules alike). */
export function packageMain(packageName: string): string {
  return fileURLToPath(new URL(`../../${packageName}/dist/main.js`, import.meta.url));
}

export class ComponentNotBuiltError extends Error {
  override name = 'ComponentNotBuiltError';
}

function requireBuilt(path: string, what: string): string {
  if (!existsSync(path)) throw new ComponentNotBuiltError(`${what} is not built: ${path} is missing; run \`npm run build\` first`);
  return path;
}

/** nats-server greets every client with an INFO line. */
export function natsGreets(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.subarray(0, 5).toString('latin1') === 'INFO '));
  });
}

/** GET url (http, or https trusting `ca`): status and body, or undefined when it cannot be reached. */
export function probeGet(url: string, options: { ca?: string; timeoutMs?: number } = {}): Promise<{ status: number; body: string } | undefined> {
  const timeout = options.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    const secure = url.startsWith('https:');
    const req = (secure ? httpsRequest : httpRequest)(url, { timeout, ...(secure && options.ca ? { ca: options.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** GET url answers 200. */
export async function httpOk(url: string, options: { ca?: string; timeoutMs?: number } = {}): Promise<boolean> {
  return (await probeGet(url, options))?.status === 200;
}

/** The cluster's CA (PEM), once the api-store has made it. */
export function readClusterCA(paths: StatePaths): string | undefined {
  try {
    return readFileSync(paths.caFile, 'utf8');
  } catch {
    return undefined;
  }
}

const single = (name: string) => (): string[] => [name];

export const natsServer: Component = {
  name: 'nats-server',
  instances: single('nats-server'),
  listens: {},
  prepare(_instance, ctx) {
    mkdirSync(ctx.paths.natsStoreDir, { recursive: true });
  },
  launch(instance, ctx) {
    return {
      command: ctx.natsServerBin,
      // nats-server's default max_payload (1 MiB) carries the largest ObjectEvent (@kubemu/proto).
      args: ['-js', '-a', LOOPBACK, '-p', String(ctx.ports[instance]), '-sd', ctx.paths.natsStoreDir, '-n', 'kubemu'],
      identity: ctx.paths.natsStoreDir,
    };
  },
  url: (instance, ctx) => `nats://${LOOPBACK}:${ctx.ports[instance]}`,
  probe: (instance, ctx) => natsGreets(LOOPBACK, ctx.ports[instance]!),
  readyTimeoutMs: 15_000,
  stopGraceMs: 10_000,
};

export const apiStore: Component = {
  name: 'api-store',
  instances: single('api-store'),
  listens: { defaultPort: 6443 },
  launch(instance, ctx) {
    const main = requireBuilt(packageMain('api-store'), 'the api-store');
    return {
      command: process.execPath,
      args: [
        main,
        '--nats',
        ctx.urls['nats-server']!,
        '--bind-address',
        LOOPBACK,
        '--secure-port',
        String(ctx.ports[instance]),
        '--token-file',
        ctx.paths.tokenFile,
        '--cert-dir',
        ctx.paths.certDir,
        '--service-cluster-ip-range',
        ctx.settings.serviceClusterIPRange,
        '--service-node-port-range',
        ctx.settings.serviceNodePortRange,
        '--instance-id',
        instance,
      ],
      identity: ctx.paths.tokenFile,
    };
  },
  url: (instance, ctx) => `https://${LOOPBACK}:${ctx.ports[instance]}`,
  probe: async (instance, ctx) => {
    const ca = readClusterCA(ctx.paths);
    return ca !== undefined && httpOk(`https://${LOOPBACK}:${ctx.ports[instance]}/readyz`, { ca });
  },
  readyTimeoutMs: 60_000,
  stopGraceMs: 10_000,
};

export const controllerManager: Component = {
  name: 'controller-manager',
  instances: single('controller-manager'),
  // kube-controller-manager's secure port is 10257; kubemu serves /healthz and /metrics there over plain HTTP.
  listens: { defaultPort: 10257 },
  launch(instance, ctx) {
    const main = requireBuilt(packageMain('controller-manager'), 'the controller-manager');
    return {
      command: process.execPath,
      args: [
        main,
        '--nats',
        ctx.urls['nats-server']!,
        '--server',
        ctx.urls['api-store']!,
        '--token-file',
        ctx.paths.tokenFile,
        '--ca-file',
        ctx.paths.caFile,
        '--bind-address',
        LOOPBACK,
        '--port',
        String(ctx.ports[instance]),
        '--snapshot-file',
        snapshotFileOf(ctx.paths, instance),
      ],
      identity: ctx.paths.tokenFile,
    };
  },
  url: (instance, ctx) => `http://${LOOPBACK}:${ctx.ports[instance]}`,
  probe: (instance, ctx) => httpOk(`http://${LOOPBACK}:${ctx.ports[instance]}/healthz`),
  readyTimeoutMs: 60_000,
  stopGraceMs: 10_000,
};

/** Node N's address: its own loopback address, so nodes coexist on one machine (DESIGN "The data path"). */
export function nodeAddress(index: number): string {
  return `127.0.1.${index}`;
}

/** The kubelet's port (exec, /healthz, /metrics); every node binds its own address, so all use it. */
export const KUBELET_PORT = 10250;

const nodeIndex = (instance: string): number => Number(instance.slice('node-'.length));

export const nodeProcess: Component = {
  name: 'node',
  instances: (settings) => Array.from({ length: settings.nodes }, (_v, i) => `node-${i + 1}`),
  launch(instance, ctx) {
    const main = requireBuilt(packageMain('node'), 'the node');
    const n = nodeIndex(instance);
    return {
      command: process.execPath,
      args: [
        main,
        '--name', instance,
        '--address', nodeAddress(n),
        '--pod-cidr', podCIDR(n),
        '--nats', ctx.urls['nats-server']!,
        '--server', ctx.urls['api-store']!,
        '--token-file', ctx.paths.tokenFile,
        '--ca-file', ctx.paths.caFile,
        '--port', String(KUBELET_PORT),
      ],
      identity: ctx.paths.tokenFile,
    };
  },
  url: (instance) => `http://${nodeAddress(nodeIndex(instance))}:${KUBELET_PORT}`,
  probe: (instance) => httpOk(`http://${nodeAddress(nodeIndex(instance))}:${KUBELET_PORT}/healthz`),
  readyTimeoutMs: 30_000,
  stopGraceMs: 10_000,
};

/** kube-proxy's --healthz-bind-address port; each agent binds its node's address, so all use it. */
export const PROXY_HEALTHZ_PORT = 10256;

const proxyNodeIndex = (instance: string): number => Number(instance.slice('proxy-agent-node-'.length));

export const proxyAgent: Component = {
  name: 'proxy-agent',
  instances: (settings) => Array.from({ length: settings.nodes }, (_v, i) => `proxy-agent-node-${i + 1}`),
  launch(instance, ctx) {
    const main = requireBuilt(packageMain('proxy-agent'), 'the proxy agent');
    const n = proxyNodeIndex(instance);
    return {
      command: process.execPath,
      args: [
        main,
        '--node', `node-${n}`,
        '--nats', ctx.urls['nats-server']!,
        '--server', ctx.urls['api-store']!,
        '--token-file', ctx.paths.tokenFile,
        '--ca-file', ctx.paths.caFile,
        '--healthz-bind-address', nodeAddress(n),
        '--healthz-port', String(PROXY_HEALTHZ_PORT),
        '--config', writeKubeProxyConfig(ctx.paths),
        '--snapshot-file', snapshotFileOf(ctx.paths, instance),
      ],
      identity: ctx.paths.tokenFile,
    };
  },
  url: (instance) => `http://${nodeAddress(proxyNodeIndex(instance))}:${PROXY_HEALTHZ_PORT}`,
  probe: (instance) => httpOk(`http://${nodeAddress(proxyNodeIndex(instance))}:${PROXY_HEALTHZ_PORT}/livez`),
  readyTimeoutMs: 30_000,
  stopGraceMs: 10_000,
};

/** The cluster's pod network (kubeadm --pod-network-cidr); node N gets the /24 numbered N. */
export const POD_NETWORK_CIDR = '10.244.0.0/16';
const podCIDR = (n: number): string => `10.244.${n}.0/24`;

/**
 * kube-proxy's configuration as kubeadm sets it for a cluster with --pod-network-cidr 10.244.0.0/16:
 * clusterCIDR makes the ClusterCIDR local-traffic detector (the `! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`
 * rules). Unlike kubeadm (verbosity 0), logging.verbosity is 4: kube-proxy logs "Adding new service
 * port" at V(4) and "Setting endpoints for service port name" at V(3), the lines the seed's
 * debugging section reads in `kubectl logs <kube-proxy pod>`. Written once; a user may edit it
 * before the next `up`.
 */
export const KUBE_PROXY_CONFIGURATION = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: ${POD_NETWORK_CIDR}
logging:
  verbosity: 4
`;

export function writeKubeProxyConfig(paths: StatePaths): string {
  if (!existsSync(paths.kubeProxyConfigFile)) writeFileSync(paths.kubeProxyConfigFile, KUBE_PROXY_CONFIGURATION);
  return paths.kubeProxyConfigFile;
}

/** Start order: nodes after the api-store they register with; each node's proxy agent after the nodes. */
export const COMPONENTS: readonly Component[] = [natsServer, apiStore, controllerManager, nodeProcess, proxyAgent];

/** The component an instance name belongs to (for `status` of a recorded cluster). */
export function componentOfInstance(instance: string, settings: ClusterSettings): Component | undefined {
  return COMPONENTS.find((c) => c.instances(settings).includes(instance));
}

/** Where an agent keeps its snapshot, e.g. snapshots/proxy-agent-node-1.pb; `rm -rf .kubemu` starts afresh. */
export function snapshotFileOf(paths: StatePaths, instance: string): string {
  return join(paths.snapshotsDir, `${instance}.pb`);
}

export function logFileOf(paths: StatePaths, instance: string): string {
  return join(paths.logsDir, `${instance}.log`);
}
