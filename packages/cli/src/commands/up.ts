// `kubemu up`: start the component table's processes, write the kubeconfig, then stay attached
// (Ctrl-C stops everything) or, with --detach, leave them running and return.
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { parseCIDR, parsePortRange } from '@kubemu/core';
import { booleanFlag, integerFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import {
  aliveComponents,
  choosePort,
  ComponentStartError,
  ensureToken,
  recordRunning,
  startInstance,
  stopComponents,
  type StartedInstance,
} from '../cluster-control.js';
import { COMPONENTS, componentOfInstance, readClusterCA, type ComponentContext } from '../components.js';
import type { CliIO } from '../io.js';
import { renderKubeconfig } from '../kubeconfig.js';
import { ensureNatsServer } from '../nats-server-binary.js';
import {
  readClusterRecord,
  readSettings,
  removeClusterRecord,
  resolveStateDir,
  statePaths,
  writeFileAtomic,
  writeSettings,
  type ClusterRecord,
  type ClusterSettings,
  type StatePaths,
} from '../state-dir.js';

export const UP_HELP = `Start a kubemu cluster: nats-server, the api-store, the controller-manager, N nodes and a proxy
agent per node, as separate processes.

Usage:
  kubemu up [--nodes N] [--detach] [--state-dir DIR] [--api-port PORT]
            [--service-cluster-ip-range CIDR] [--service-node-port-range RANGE]

Options:
  --nodes N                          nodes in the cluster: node-N on 127.0.1.N, podCIDR 10.244.N.0/24 (default 1)
  -d, --detach                       leave the processes running and return
  --state-dir DIR                    where the cluster lives (default .kubemu/, or $KUBEMU_STATE_DIR)
  --api-port PORT                    the API's port on 127.0.0.1 (default 6443, else a free one; 0: any free one)
  --service-cluster-ip-range CIDR    Service IPs (default 10.96.0.0/12)
  --service-node-port-range RANGE    NodePorts (default 30000-32767)

Without --detach, kubemu up stays attached; Ctrl-C stops the cluster. Either way the data stays in
the state folder, and the next \`kubemu up\` resumes the same cluster. The controller-manager and
the proxy agents keep snapshots in DIR/snapshots/ and read only the log written after them.
`;

const FLAGS = {
  nodes: { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  'api-port': { type: 'string' },
  'service-cluster-ip-range': { type: 'string' },
  'service-node-port-range': { type: 'string' },
} as const;

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';
export const MAX_NODES = 64;
const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Flags on the command line win; otherwise what the cluster had; otherwise the defaults. */
export function resolveSettings(
  flags: { nodes?: number; serviceClusterIPRange?: string; serviceNodePortRange?: string },
  previous: ClusterSettings | undefined,
): ClusterSettings {
  return {
    nodes: flags.nodes ?? previous?.nodes ?? 1,
    serviceClusterIPRange: flags.serviceClusterIPRange ?? previous?.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE,
    serviceNodePortRange: flags.serviceNodePortRange ?? previous?.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE,
    ports: { ...(previous?.ports ?? {}) },
  };
}

/** How a command must be spelled to reach this cluster from the current folder. */
export function stateDirArgument(paths: StatePaths, io: Pick<CliIO, 'cwd' | 'env'>): string {
  const rel = relative(io.cwd, paths.root);
  if (rel === '.kubemu' && !io.env.KUBEMU_STATE_DIR) return '';
  const shown = rel === '' ? '.' : rel.startsWith('..') ? paths.root : rel;
  return ` --state-dir ${shown}`;
}

function summary(paths: StatePaths, started: readonly StartedInstance[], settings: ClusterSettings, detached: boolean, io: CliIO): string {
  const sd = stateDirArgument(paths, io);
  const width = Math.max(...started.map((s) => s.record.name.length));
  const lines = started.map(
    (s) => `  ${s.record.name.padEnd(width)}   pid ${String(s.record.pid).padEnd(7)} ${(s.record.url ?? '').padEnd(26)} log: ${relative(io.cwd, s.record.log) || s.record.log}`,
  );
  const nodes = settings.nodes === 1 ? '1 node' : `${settings.nodes} nodes`;
  return (
    `kubemu is up in ${paths.root}\n` +
    lines.join('\n') +
    '\n\n' +
    `The cluster runs ${nodes}, each with a proxy agent programming its Service rules (\`kubemu rules node-1\`); DNS and\n` +
    'load-balancer processes are not part of kubemu yet, so Service names do not resolve (try `kubemu exec POD -- curl CLUSTER_IP:PORT`).\n\n' +
    'Use it:\n' +
    `  export KUBECONFIG=${paths.kubeconfigFile}\n` +
    '  kubectl get svc -A\n' +
    `  kubemu get svc -A${sd}\n` +
    `  kubemu apply -f my-service.yaml${sd}\n` +
    (detached ? `Stop it with: kubemu down${sd}\n` : `Press Ctrl-C to stop it (the data stays; the next \`kubemu up${sd}\` resumes it).\n`)
  );
}

export async function up(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('up', argv, FLAGS, false);
  if (booleanFlag(args, 'help')) {
    io.out(UP_HELP);
    return 0;
  }
  const nodes = integerFlag(args, 'up', 'nodes', 1, MAX_NODES);
  const apiPort = integerFlag(args, 'up', 'api-port', 0, 65535);
  const cidr = stringFlag(args, 'service-cluster-ip-range');
  if (cidr !== undefined && !parseCIDR(cidr)) throw new UsageError(`invalid argument "${cidr}" for "--service-cluster-ip-range" flag: not a CIDR`, 'up');
  const nodePortRange = stringFlag(args, 'service-node-port-range');
  if (nodePortRange !== undefined) {
    try {
      parsePortRange(nodePortRange);
    } catch (err) {
      throw new UsageError(`invalid argument "${nodePortRange}" for "--service-node-port-range" flag: ${(err as Error).message}`, 'up');
    }
  }
  const detach = booleanFlag(args, 'detach');
  const paths = statePaths(resolveStateDir(args, io));

  const existing = readClusterRecord(paths);
  if (existing) {
    const alive = aliveComponents(existing);
    if (alive.length > 0) {
      const sd = stateDirArgument(paths, io);
      io.out(
        `kubemu: a cluster is already running in ${paths.root} (${alive.map((c) => `${c.name} pid ${c.pid}`).join(', ')}); ` +
          `\`kubemu status${sd}\` shows it, \`kubemu down${sd}\` stops it\n`,
      );
      return 0;
    }
    removeClusterRecord(paths);
  }

  const natsServerBin = ensureNatsServer(io);
  const flagSettings: { nodes?: number; serviceClusterIPRange?: string; serviceNodePortRange?: string } = {};
  if (nodes !== undefined) flagSettings.nodes = nodes;
  if (cidr !== undefined) flagSettings.serviceClusterIPRange = cidr;
  if (nodePortRange !== undefined) flagSettings.serviceNodePortRange = nodePortRange;
  const settings = resolveSettings(flagSettings, readSettings(paths));
  mkdirSync(paths.logsDir, { recursive: true });
  const token = ensureToken(paths.tokenFile);
  const requestedPorts: Record<string, number | undefined> = { 'api-store': apiPort };
  const portFlags: Record<string, string> = { 'api-store': '--api-port' };

  const ports: Record<string, number> = {};
  const urls: Record<string, string> = {};
  const ctx: ComponentContext = { paths, settings, ports, urls, natsServerBin };
  const base: Omit<ClusterRecord, 'components'> = {
    version: 1,
    stateDir: paths.root,
    startedAt: new Date().toISOString(),
    nodes: settings.nodes,
    urls,
    kubeconfig: paths.kubeconfigFile,
    ...(detach ? {} : { supervisor: { pid: process.pid, identity: process.argv[1] ?? process.execPath } }),
  };
  const started: StartedInstance[] = [];
  let died: string | undefined;
  // Ctrl-C while starting: stop what already runs rather than leave it behind.
  const onStartSignal = (signal: NodeJS.Signals): void => void (died ??= `${signal} received`);
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onStartSignal);
  io.out(`kubemu: starting the cluster in ${paths.root}\n`);
  try {
    for (const component of COMPONENTS) {
      for (const instance of component.instances(settings)) {
        if (died !== undefined) throw new ComponentStartError(`${died} while starting the cluster`);
        if (component.listens) {
          ports[instance] = await choosePort(requestedPorts[instance], settings.ports[instance], component.listens.defaultPort, portFlags[instance] ?? '--port');
          settings.ports[instance] = ports[instance]!;
        }
        const s = await startInstance(component, instance, ctx, () => died);
        started.push(s);
        void s.launched.exited.then(({ code, signal }) => {
          died ??= `${instance} exited (code ${code}, signal ${signal}); see ${s.record.log}`;
        });
        if (s.record.url) urls[instance] = s.record.url;
        recordRunning(paths, base, started);
      }
    }
  } catch (err) {
    await stopComponents(
      started.map((s) => s.record),
      (name) => componentOfInstance(name, settings)?.stopGraceMs ?? 10_000,
    );
    removeClusterRecord(paths);
    throw err;
  } finally {
    for (const signal of SHUTDOWN_SIGNALS) process.removeListener(signal, onStartSignal);
  }

  writeSettings(paths, settings);
  writeFileAtomic(paths.kubeconfigFile, renderKubeconfig(urls['api-store']!, token, readClusterCA(paths)), 0o600);
  recordRunning(paths, base, started);
  io.out(summary(paths, started, settings, detach, io));

  if (detach) {
    for (const s of started) s.launched.child.unref();
    return 0;
  }
  return supervise(paths, started, settings, io);
}

/** Foreground: wait for a signal, or for a process to die, then stop the rest in order. */
function supervise(paths: StatePaths, started: readonly StartedInstance[], settings: ClusterSettings, io: CliIO): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const signals = SHUTDOWN_SIGNALS;
    const onSignal = (signal: NodeJS.Signals): void => void shutdown(`${signal} received`, 0);
    const shutdown = async (why: string, code: number): Promise<void> => {
      if (stopping) return;
      stopping = true;
      io.err(`kubemu: ${why}; stopping the cluster\n`);
      const reports = await stopComponents(
        started.map((s) => s.record),
        (name) => componentOfInstance(name, settings)?.stopGraceMs ?? 10_000,
      );
      for (const r of reports) if (r.outcome === 'killed') io.err(`kubemu: ${r.name} (pid ${r.pid}) did not stop in time and was killed\n`);
      removeClusterRecord(paths);
      for (const s of signals) process.removeListener(s, onSignal);
      io.err(`kubemu: stopped; the data stays in ${paths.root}\n`);
      resolve(code);
    };
    for (const s of signals) process.on(s, onSignal);
    for (const s of started) {
      void s.launched.exited.then(({ code, signal }) => {
        if (!stopping) void shutdown(`${s.record.name} exited (code ${code}, signal ${signal}); see ${s.record.log}`, 1);
      });
    }
  });
}
