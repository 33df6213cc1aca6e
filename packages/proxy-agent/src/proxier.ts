// The agent's shell around core's renderer, as kube-proxy's Proxier is around syncProxyRules:
// folds Services, EndpointSlices and its Node from the log, runs debounced syncs (minSyncPeriod
// between two, a full resync every syncPeriod, retries with bounded backoff while the node is
// unreachable), programs the node, and reports what the node then holds.
import type { Logger } from 'pino';
import type { Actor } from 'xstate';
import {
  buildEndpointsMap,
  buildServicePortMap,
  netfilter,
  ANNOTATION_KUBELET_PORT,
  applyLogEvent,
  chainsInSave,
  countRules,
  emptyObjectStore,
  getObject,
  jumpRuleRequests,
  kubeProxyChangeEntries,
  kubeProxyReloadingEntry,
  kubeProxySyncCompleteEntry,
  kubeProxySyncingEntry,
  listObjects,
  proxyChangeLines,
  proxyNodeOf,
  proxyView,
  renderPartialSync,
  resourceByKind,
  rulesDigest,
  serviceHealthChecks,
  PROXY_WATCHED_KINDS,
  type EndpointSlice,
  type KubeObject,
  type KubeProxyLogEntry,
  type LogEvent,
  type Node,
  type ObjectStore,
  type ProxyConfig,
  type ProxyInputs,
  type ProxySyncState,
  type ProxyView,
  type ResourceInfo,
  type Service,
} from '@kubemu/core';
import { retryDelayMs, type proxyLifecycle } from './lifecycle.js';
import type { Metrics } from './metrics.js';
import { NodeRefusedError, type NodeEndpoint, type NodeNetfilter } from './node-netfilter.js';
import type { ProxyHealth } from './proxy-health.js';
import type { ServiceHealthServers } from './service-health-servers.js';

const SERVICES = resourceByKind('Service') as ResourceInfo;
const ENDPOINT_SLICES = resourceByKind('EndpointSlice') as ResourceInfo;

export interface SyncReport {
  revision: number;
  digest: string;
  fullSync: boolean;
  ruleCount: number;
}

export interface ProxierOptions {
  nodeName: string;
  config: ProxyConfig;
  netfilter: NodeNetfilter;
  lifecycle: Actor<typeof proxyLifecycle>;
  log: Logger;
  metrics: Metrics;
  health: ProxyHealth;
  healthServers: ServiceHealthServers;
  /** Reports a successful sync (the Observation on KUBEMU_STATUS). */
  report: (r: SyncReport) => Promise<void>;
  /** kube-proxy's klog lines (kube-proxy-klog.ts). */
  klog?: { emit(entries: readonly KubeProxyLogEntry[]): void };
  now?: () => number;
}

/** Counts of a restore payload per table, for kube-proxy's "Reloading service iptables data" line. */
function payloadCounts(payload: string): { chains: Record<string, number>; rules: Record<string, number> } {
  const chains: Record<string, number> = { filter: 0, nat: 0 };
  const rules: Record<string, number> = { filter: 0, nat: 0 };
  let table = '';
  for (const line of payload.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) chains[table] = (chains[table] ?? 0) + 1;
    else if (line.startsWith('-A ')) rules[table] = (rules[table] ?? 0) + 1;
  }
  return { chains, rules };
}

export class Proxier {
  /** Services, EndpointSlices and this Node; other kinds only move `revision`. */
  readonly store: ObjectStore = emptyObjectStore();
  /** The last log revision looked at, of any kind. */
  revision = 0;
  private caughtUp = false;
  private stopped = false;
  private syncState: ProxySyncState | undefined;
  private view: ProxyView | undefined;
  private needFullSync = true;
  private running: Promise<void> | undefined;
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private lastSyncStartMs = Number.NEGATIVE_INFINITY;
  /** Bumped by every event that can change the rules; a sync records the one it rendered. */
  private inputsGeneration = 0;
  private syncedGeneration = -1;
  /** What the last successful sync reported: the rules the node holds for every later revision until the inputs change. */
  private lastReport: SyncReport | undefined;
  private readonly now: () => number;

  constructor(private readonly o: ProxierOptions) {
    this.now = o.now ?? Date.now;
  }

  get node(): Node | undefined {
    return getObject(this.store, 'Node', '', this.o.nodeName)?.object as Node | undefined;
  }

  /** Where the node's netfilter API is: its InternalIP and the kubelet port it registered. */
  nodeEndpoint(): NodeEndpoint | undefined {
    const node = this.node;
    const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const port = Number(node?.metadata?.annotations?.[ANNOTATION_KUBELET_PORT]);
    if (!address || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
    return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}` };
  }

  nodeAddress(): string | undefined {
    return this.node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  }

  /** Whether a snapshot may hold this object: what apply() keeps in the store. */
  keeps(kind: string, object: KubeObject): boolean {
    return PROXY_WATCHED_KINDS.includes(kind) && (kind !== 'Node' || object.metadata?.name === this.o.nodeName);
  }

  /**
   * Starts from a snapshot's store instead of an empty one, before the first event: the same
   * state a replay up to its revision gives. The node's tables are still read back before the
   * first sync, as after any restart.
   */
  restore(snapshot: ObjectStore): void {
    if (this.revision !== 0 || this.store.objects.size !== 0) throw new Error(`a snapshot is restored before the first event, not at revision ${this.revision}`);
    for (const [key, stored] of snapshot.objects) this.store.objects.set(key, stored);
    this.store.revision = snapshot.revision;
    this.revision = snapshot.revision;
    this.o.metrics.appliedRevision.set(this.revision);
    this.o.health.syncNode(this.node);
    this.inputsGeneration++;
  }

  apply(event: LogEvent): void {
    if (event.revision <= this.revision) throw new Error(`event revision ${event.revision} is not after ${this.revision}`);
    this.revision = event.revision;
    this.o.metrics.eventsApplied.inc();
    this.o.metrics.appliedRevision.set(this.revision);
    // Convergence is "every agent reports the log head or later" (DESIGN.md), and the head moves
    // with every Lease renewal and Pod status: a revision that changes none of the rules is still
    // reported, by a sync that finds nothing to write (syncProxyRules).
    if (!this.keeps(event.kind, event.object)) {
      this.requestSync();
      return;
    }
    const before = event.kind === 'Node' ? this.node : undefined;
    applyLogEvent(this.store, event);
    if (event.kind === 'Node') {
      const after = this.node;
      this.o.health.syncNode(after);
      // proxier.go OnNodeUpdate: changed labels need a full sync; a moved or restarted node (new
      // address or kubelet port) holds nothing of what was programmed before.
      const key = (n: Node | undefined) => JSON.stringify([n?.metadata?.labels ?? {}, n?.status?.addresses ?? [], n?.metadata?.annotations?.[ANNOTATION_KUBELET_PORT], n?.spec?.podCIDRs]);
      if (key(before) === key(after)) {
        this.requestSync();
        return;
      }
      this.needFullSync = true;
      this.syncState = undefined;
    }
    this.inputsGeneration++;
    if (this.caughtUp) {
      this.o.health.queuedUpdate(this.now());
      this.requestSync();
    }
  }

  /** Also counts revisions the reader skipped (malformed messages). */
  skip(revision: number): void {
    if (revision > this.revision) this.revision = revision;
    this.o.metrics.appliedRevision.set(this.revision);
  }

  onCaughtUp(): void {
    this.caughtUp = true;
    this.o.health.queuedUpdate(this.now());
    this.o.lifecycle.send({ type: 'CAUGHT_UP', revision: this.revision });
    this.requestSync();
  }

  inputs(): ProxyInputs {
    return {
      services: listObjects(this.store, SERVICES).map((s) => s.object as Service),
      endpointSlices: listObjects(this.store, ENDPOINT_SLICES).map((s) => s.object as EndpointSlice),
      node: proxyNodeOf(this.o.nodeName, this.node),
      config: this.o.config,
    };
  }

  /** Asks for a sync: at once if the last one started minSyncPeriod ago, else when it has (BoundedFrequencyRunner). */
  requestSync(): void {
    if (this.stopped || !this.caughtUp) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.schedule(this.lastSyncStartMs + this.o.config.minSyncPeriodMs);
  }

  private schedule(atMs: number): void {
    if (this.stopped || atMs >= this.timerAtMs) return;
    clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Number.POSITIVE_INFINITY;
      this.running = this.runSync().finally(() => (this.running = undefined));
    }, Math.max(0, atMs - this.now()));
  }

  private async runSync(): Promise<void> {
    this.lastSyncStartMs = this.now();
    let next: number;
    try {
      await this.syncProxyRules();
      next = this.lastSyncStartMs + this.o.config.syncPeriodMs;
      if (this.pending) next = Math.min(next, this.lastSyncStartMs + this.o.config.minSyncPeriodMs);
    } catch (err) {
      this.needFullSync = true;
      this.o.lifecycle.send({ type: 'SYNC_FAILED', reason: String((err as Error).message ?? err) });
      const failures = this.o.lifecycle.getSnapshot().context.consecutiveFailures;
      const delay = retryDelayMs(failures);
      this.o.log.warn({ err: String((err as Error).message ?? err), attempt: failures, retryInMs: delay }, 'Failed to program the node; retrying');
      next = this.now() + delay;
    }
    this.pending = false;
    this.schedule(next);
  }

  private async syncProxyRules(): Promise<void> {
    const o = this.o;
    const start = this.now();
    const revision = this.revision;
    const inputs = this.inputs();
    const periodic = this.syncState !== undefined && start - this.syncState.lastFullSyncMs >= o.config.syncPeriodMs;
    const fullSync = this.needFullSync || periodic || this.syncState === undefined;
    const generation = this.inputsGeneration;
    if (!fullSync && generation === this.syncedGeneration && this.lastReport !== undefined) {
      // Nothing this agent renders from changed since the last sync: the node already holds the
      // rules of this revision. Report it without a restore (at most once per minSyncPeriod).
      await this.publish({ ...this.lastReport, revision, fullSync: false });
      o.metrics.revision.set(revision);
      return;
    }
    o.lifecycle.send({ type: 'SYNC_STARTED', revision, fullSync });
    o.log.info({ fullSync, revision }, 'Syncing iptables rules');
    const startedNs = performance.now() * 1e6;

    // After a restart the node still holds the rules an earlier agent wrote: stale service chains
    // among them are flushed and deleted by this first full sync.
    const existingNatChains = this.syncState === undefined ? chainsInSave(await o.netfilter.save('nat'), 'nat') : undefined;
    const result = renderPartialSync(this.syncState, inputs, { nowMs: start, fullSync, ...(existingNatChains ? { existingNatChains } : {}) });

    const view = proxyView(inputs);
    for (const line of proxyChangeLines(this.view, view)) o.log.info({ servicePortName: line.servicePortName }, line.msg);
    const counts = payloadCounts(result.payload);
    let numEndpoints = 0;
    for (const e of view.endpoints.values()) numEndpoints += e.endpoints.length;
    o.klog?.emit([
      ...kubeProxyChangeEntries(this.view, view),
      kubeProxySyncingEntry(),
      kubeProxyReloadingEntry({
        numServices: view.services.size,
        numEndpoints,
        numFilterChains: counts.chains.filter ?? 0,
        numFilterRules: counts.rules.filter ?? 0,
        numNATChains: counts.chains.nat ?? 0,
        numNATRules: counts.rules.nat ?? 0,
      }),
    ]);
    o.log.info(
      {
        numServices: view.services.size,
        numEndpoints,
        numFilterChains: counts.chains.filter,
        numFilterRules: counts.rules.filter,
        numNATChains: counts.chains.nat,
        numNATRules: counts.rules.nat,
      },
      'Reloading service iptables data',
    );

    if (result.fullSync) await o.netfilter.ensure(jumpRuleRequests(o.config));
    try {
      await o.netfilter.restore(result.payload);
    } catch (err) {
      if (err instanceof NodeRefusedError) {
        o.metrics.restoreFailures.inc();
        if (!result.fullSync) o.metrics.partialRestoreFailures.inc();
        o.log.error({ err: err.body.trim(), fullSync: result.fullSync }, 'Failed to execute iptables-restore');
      }
      o.metrics.fullSyncs.inc({ kind: result.fullSync ? 'full' : 'partial', result: 'error' });
      throw err;
    }
    // kube-proxy: conntrack.CleanStaleEntries after every successful restore (pkg/proxy/iptables/proxier.go).
    try {
      const filters = netfilter.staleUdpConntrackFilters(await o.netfilter.conntrackList('udp'), buildServicePortMap(inputs.services), buildEndpointsMap(inputs.endpointSlices, o.nodeName));
      if (filters.length > 0) o.log.info({ entriesDeleted: await o.netfilter.conntrackDelete(filters) }, 'Finished reconciling conntrack entries');
    } catch (err) {
      o.log.error({ err: String(err) }, 'Failed to clear all conntrack entries');
    }
    this.syncState = result.state;
    this.view = view;
    this.needFullSync = false;
    o.metrics.fullSyncs.inc({ kind: result.fullSync ? 'full' : 'partial', result: 'ok' });

    const done = this.now();
    o.klog?.emit([kubeProxySyncCompleteEntry(performance.now() * 1e6 - startedNs)]);
    o.health.updated(done);
    await o.healthServers.sync(serviceHealthChecks(inputs));
    const save = await o.netfilter.save();
    const digest = rulesDigest(save);
    const ruleCount = countRules(save);
    o.metrics.totalRules.set({ table: 'nat' }, countRules(save.slice(save.indexOf('*nat'))));
    o.metrics.totalRules.set({ table: 'filter' }, countRules(save.slice(0, Math.max(0, save.indexOf('*nat')))));
    o.metrics.syncDuration.observe((done - start) / 1000);
    o.metrics.lastSync.set(done / 1000);
    o.metrics.revision.set(revision);
    o.lifecycle.send({ type: 'SYNC_OK', revision, digest });
    o.log.info({ elapsed: `${done - start}ms`, revision, digest, fullSync: result.fullSync, ruleCount }, 'SyncProxyRules complete');
    this.syncedGeneration = generation;
    this.lastReport = { revision, digest, fullSync: result.fullSync, ruleCount };
    await this.publish(this.lastReport);
  }

  private async publish(report: SyncReport): Promise<void> {
    try {
      await this.o.report(report);
    } catch (err) {
      // The rules are programmed; the next sync reports again.
      this.o.log.warn({ err: String(err) }, 'could not publish the observation');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
