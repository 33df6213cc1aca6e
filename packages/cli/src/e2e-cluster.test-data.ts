// One emulated cluster for the end-to-end suites of this package, every process real: nats-server,
// the api-store, the controller-manager, N node processes on their own loopback addresses and (by
// default) a proxy agent per node, plus what the suites ask of it: API calls that must succeed,
// `kubemu …` runs against its state dir, pods Ready on the nodes that run them, EndpointSlices, and
// "every node programmed at the log head" from the agents' RulesProgrammed observations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, headRevision, watchObservations, type Bus, type Watch } from '@kubemu/bus';
import type { EndpointSlice, Node, Pod } from '@kubemu/core';
import {
  eventually,
  startApiStore,
  startControllerManager,
  startNats,
  startNode,
  startProxyAgent,
  type ApiStoreHandle,
  type ControllerManagerHandle,
  type NatsHandle,
  type NodeHandle,
  type ProxyAgentHandle,
} from '@kubemu/testkit';
import { runCli } from './cli.js';
import { bufferIO } from './io.js';
import { renderKubeconfig } from './kubeconfig.js';

export interface E2EClusterOptions {
  /** Names the temporary folder and the bus connection. */
  name: string;
  nodes: number;
  /** Each suite takes its own 127.0.N.0/24 so that suites can run side by side. */
  nodeAddress: (index: number) => string;
  /** A proxy agent per node (default true). */
  proxyAgents?: boolean;
}

export const isPodReady = (p: Pod): boolean => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export class E2ECluster {
  readonly dir: string;
  nats!: NatsHandle;
  api!: ApiStoreHandle;
  cm!: ControllerManagerHandle;
  bus!: Bus;
  readonly nodes = new Map<number, NodeHandle>();
  readonly agents = new Map<number, ProxyAgentHandle>();
  /** Every RulesProgrammed observation on KUBEMU_STATUS, in stream order. */
  readonly programmed: { node: string; revision: number }[] = [];
  private statusWatch: Watch | undefined;

  private constructor(readonly options: E2EClusterOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `kubemu-${options.name}-`));
  }

  /** Starts everything and waits until every node is Ready. */
  static async start(options: E2EClusterOptions): Promise<E2ECluster> {
    const c = new E2ECluster(options);
    c.nats = await startNats();
    c.api = await startApiStore({ natsUrl: c.nats.url });
    writeFileSync(join(c.dir, 'kubeconfig'), renderKubeconfig(c.api.url, c.api.token, c.api.ca));
    c.bus = await connectBus({ servers: c.nats.url, name: options.name });
    c.statusWatch = watchObservations(c.bus, {
      fromSequence: 1,
      onObservation: (o) => {
        if (o.rulesProgrammed) c.programmed.push({ node: o.rulesProgrammed.node ?? '', revision: Number(o.revision) });
      },
    });
    const indexes = c.indexes();
    const [cm, ...nodes] = await Promise.all([startControllerManager({ natsUrl: c.nats.url, apiStore: c.api }), ...indexes.map((i) => c.startNode(i))]);
    c.cm = cm as ControllerManagerHandle;
    nodes.forEach((n, i) => c.nodes.set(i + 1, n as NodeHandle));
    if (options.proxyAgents ?? true) (await Promise.all(indexes.map((i) => c.startAgent(i)))).forEach((a, i) => c.agents.set(i + 1, a));
    await eventually(`${options.nodes} Ready nodes`, async () => {
      const list: Node[] = (await c.must('GET', '/api/v1/nodes')).items;
      return list.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === options.nodes ? true : undefined;
    });
    return c;
  }

  indexes(): number[] {
    return Array.from({ length: this.options.nodes }, (_v, i) => i + 1);
  }

  startNode(index: number): Promise<NodeHandle> {
    return startNode({ natsUrl: this.nats.url, apiStore: this.api, index, address: this.options.nodeAddress(index) });
  }

  startAgent(index: number): Promise<ProxyAgentHandle> {
    return startProxyAgent({ natsUrl: this.nats.url, apiStore: this.api, node: `node-${index}` });
  }

  /** `kubemu ARGV…` against this cluster's state dir, in process. */
  async kubemu(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = bufferIO({ env: { KUBEMU_STATE_DIR: this.dir }, cwd: this.dir, ...(stdin !== undefined ? { stdin } : {}) });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  /** An API call that must answer 2xx: its decoded body. */
  async must(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const res = await this.api.fetch(path, { method, headers: { 'Content-Type': contentType }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** A file in the state dir, e.g. a manifest for `kubemu apply -f`. */
  manifest(name: string, text: string): string {
    const file = join(this.dir, name);
    writeFileSync(file, text);
    return file;
  }

  async pods(selector: string): Promise<Pod[]> {
    return (await this.must('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
  }

  /** n pods of the selector (not counting `except` and pods being deleted), Running and Ready on the real node the scheduler bound each to. */
  readyPods(selector: string, n: number, except: readonly string[] = []): Promise<Pod[]> {
    return eventually(`${n} ready pods ${selector}`, async () => {
      const list = (await this.pods(selector)).filter((p) => !except.includes(p.metadata!.name!) && !p.metadata?.deletionTimestamp);
      return list.length === n && list.every((p) => isPodReady(p) && p.status?.hostIP === this.options.nodeAddress(Number(p.spec?.nodeName?.split('-')[1]))) ? list : undefined;
    });
  }

  async readyEndpoints(service: string): Promise<string[]> {
    const slices: EndpointSlice[] = (await this.must('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=${service}`)).items;
    return slices
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready)
      .map((e) => e.addresses![0]!)
      .sort();
  }

  /** Exactly the given pods are the Service's ready endpoints. */
  async endpointsOf(service: string, want: readonly Pod[]): Promise<void> {
    const ips = want.map((p) => p.status!.podIP!).sort();
    await eventually(`${service}'s ready endpoints ${ips.join(',')}`, async () => ((await this.readyEndpoints(service)).join(',') === ips.join(',') ? true : undefined));
  }

  /**
   * The log head now, once each listed node's agent has reported RulesProgrammed at that revision
   * or later: the rules have converged on every write made before the call.
   */
  async programmedAtHead(indexes: readonly number[] = this.indexes()): Promise<number> {
    const head = await headRevision(this.bus);
    for (const i of indexes) {
      await eventually(`node-${i} programmed at revision ≥ ${head}`, async () => (this.programmed.some((o) => o.node === `node-${i}` && o.revision >= head) ? true : undefined));
    }
    return head;
  }

  async stop(): Promise<void> {
    await this.statusWatch?.stop();
    await this.bus?.close();
    await Promise.all([...this.agents.values()].map((a) => a.process.stop()));
    await Promise.all([...this.nodes.values()].map((n) => n.process.stop()));
    await this.cm?.process.stop();
    await this.api?.process.stop();
    await this.nats?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
