// `kubemu status`: which recorded processes run and serve, and the api-store's log revision.
import { booleanFlag, parseCommandArgs } from '../args.js';
import { componentOfInstance, httpOk, probeGet, readClusterCA, type ComponentContext } from '../components.js';
import type { CliIO } from '../io.js';
import { isAlive } from '../process-control.js';
import { readClusterRecord, readSettings, resolveStateDir, statePaths, type RunningComponent, type StatePaths } from '../state-dir.js';
import { stateDirArgument } from './up.js';
import { connectBus, lastObservation } from '@kubemu/bus';
import { defaultProxyConfig, parseKubeProxyConfiguration, proxyConvergence, resourceByKind, type AgentReport, type ProxyConfig } from '@kubemu/core';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { connect } from '../cluster-access.js';

export const STATUS_HELP = `Show what runs of the kubemu cluster: each process, whether it serves, the log revision, and
whether the cluster has converged: every node's proxy agent has reported (on the status stream) the
rules digest the convergence oracle computes from the log's objects alone.

Usage:
  kubemu status [--state-dir DIR]

Exits 0 when every process runs and serves and the cluster has converged, 1 otherwise.
`;

/** The api-store's `kubemu_store_revision` gauge: the last log revision it folded in. */
export function parseStoreRevision(metrics: string): number | undefined {
  const m = /^kubemu_store_revision(?:\{[^}]*\})? ([0-9.eE+]+)$/m.exec(metrics);
  return m ? Number(m[1]) : undefined;
}

async function storeRevision(apiUrl: string | undefined, ca: string | undefined): Promise<number | undefined> {
  if (!apiUrl) return undefined;
  const res = await probeGet(`${apiUrl}/metrics`, ca !== undefined ? { ca } : {});
  return res?.status === 200 ? parseStoreRevision(res.body) : undefined;
}

export function renderColumns(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('') + '\n').join('');
}

export async function status(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('status', argv, {}, false);
  if (booleanFlag(args, 'help')) {
    io.out(STATUS_HELP);
    return 0;
  }
  const paths = statePaths(resolveStateDir(args, io));
  const record = readClusterRecord(paths);
  const settings = readSettings(paths);
  if (!record) {
    const resume = settings ? ` (a stopped cluster is there: \`kubemu up${stateDirArgument(paths, io)}\` resumes it)` : '';
    io.out(`kubemu: no cluster is running in ${paths.root}${resume}\n`);
    return 1;
  }
  const ctx: ComponentContext | undefined = settings
    ? { paths, settings, ports: Object.fromEntries(record.components.filter((c) => c.port !== undefined).map((c) => [c.name, c.port!])), urls: record.urls, natsServerBin: '' }
    : undefined;
  let healthy = true;
  const rows: string[][] = [['COMPONENT', 'PID', 'STATE', 'URL']];
  for (const c of record.components) {
    const state = await componentState(c, ctx, paths);
    if (state !== 'ready') healthy = false;
    rows.push([c.name, String(c.pid), state, c.url ?? '']);
  }
  io.out(`kubemu cluster in ${paths.root}, up since ${record.startedAt}, ${record.nodes} node(s) recorded\n`);
  io.out(renderColumns(rows));
  const revision = await storeRevision(record.urls['api-store'], readClusterCA(paths));
  if (revision !== undefined) io.out(`log revision: ${revision}\n`);
  const natsUrl = record.urls['nats-server'];
  if (!healthy || natsUrl === undefined) return 1;
  const converged = await printConvergence(args, io, natsUrl);
  return converged ? 0 : 1;
}

function proxyConfigOf(file: string): ProxyConfig {
  if (!existsSync(file)) return defaultProxyConfig();
  const parsed = parseKubeProxyConfiguration(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.message}`);
  return parsed.config;
}

/** The convergence table: each node's proxy agent's last report against the oracle. */
async function printConvergence(args: Parameters<typeof connect>[0], io: CliIO, natsUrl: string): Promise<boolean> {
  const { client } = connect(args, io);
  const lists = await Promise.all(['Node', 'Service', 'EndpointSlice'].map((kind) => client.list(resourceByKind(kind)!, undefined)));
  const objects = lists.flatMap((l) => l.items);
  const revision = Math.max(...lists.map((l) => Number(l.metadata?.resourceVersion ?? 0)));
  const nodes = lists[0]!.items.map((n) => n.metadata?.name ?? '');
  const bus = await connectBus({ servers: natsUrl, name: 'kubemu-status', maxReconnectAttempts: 0 });
  const reports: AgentReport[] = [];
  try {
    for (const node of nodes) {
      const agent = `proxy-agent/${node}`;
      const last = await lastObservation(bus, agent, 'rulesProgrammed');
      const p = last?.observation.rulesProgrammed;
      if (p?.digest) reports.push({ agent, node, revision: Number(last!.observation.revision ?? 0), digest: p.digest });
    }
  } finally {
    await bus.close();
  }
  // The oracle must render with the configuration the proxy agents run with.
  const report = proxyConvergence(objects, revision, reports, proxyConfigOf(statePaths(resolveStateDir(args, io)).kubeProxyConfigFile));
  const rows: string[][] = [['NODE', 'PROXY AGENT REVISION', 'RULES DIGEST', 'CONVERGED']];
  for (const a of report.agents) rows.push([a.node, String(a.revision), `${a.digest.slice(0, 19)}…`, a.converged ? 'yes' : `no (expected ${a.expectedDigest.slice(0, 19)}…)`]);
  for (const n of report.silentNodes) rows.push([n, '-', '-', 'no (no report yet)']);
  io.out(`convergence at revision ${revision}: ${report.converged ? 'converged' : 'not converged'}\n`);
  if (rows.length > 1) io.out(renderColumns(rows));
  return report.converged;
}

async function componentState(c: RunningComponent, ctx: ComponentContext | undefined, paths: StatePaths): Promise<string> {
  if (!isAlive(c.pid, c.identity)) return 'not running';
  const component = ctx ? componentOfInstance(c.name, ctx.settings) : undefined;
  const ca = readClusterCA(paths);
  if (!component || !ctx) return c.url ? ((await httpOk(`${c.url}/healthz`, ca !== undefined ? { ca } : {})) ? 'ready' : 'running') : 'running';
  return (await component.probe(c.name, ctx)) ? 'ready' : 'not ready';
}
