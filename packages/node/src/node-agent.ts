// The kubelet half of the node: folds the log (Nodes for routes, Pods bound here), runs those pods
// (IP from the podCIDR, emulated containers on the pod network), and writes what core's planPod
// decides through the api-store. One reconcile per pod at a time; a newer event while one runs
// marks the pod dirty and it is looked at again.
import { ApiClient, ApiError, type EventRecorder } from '@kubemu/client';
import {
  allocatePodIP,
  applyLogEvent,
  containerKillEvents,
  containerStartEvents,
  emptyObjectStore,
  emptyPodIPAllocation,
  getObject,
  isMirrorPod,
  listObjects,
  nodeRoute,
  planPod,
  podHostPortMappings,
  podKeyOf,
  rebuildPodIPAllocation,
  rejectedPodStatus,
  releasePodIP,
  resourceByKind,
  runtimeFromStatus,
  type LogEvent,
  type Node,
  type ObjectStore,
  type Pod,
  type PodIPAllocation,
  type PodRuntime,
  type ResourceInfo,
} from '@kubemu/core';
import type { Logger } from 'pino';
import type { ContainerLogs } from './container-logs.js';
import type { Metrics } from './metrics.js';
import type { HostPortSockets } from './netfilter/host-port-listeners.js';
import type { PodNetwork } from './pod-network/pod-network.js';
import { startPodWorkloads, type RunningPod } from './workloads.js';

const PODS = resourceByKind('Pod') as ResourceInfo;
const NODES = resourceByKind('Node') as ResourceInfo;

interface PodRun {
  uid: string;
  runtime: PodRuntime;
  workloads: RunningPod;
  /** "Killing" was recorded for this run's graceful delete. */
  killing?: boolean;
}

export interface NodeAgentOptions {
  nodeName: string;
  address: string;
  podCIDR: string;
  maxPods: number;
  client: ApiClient;
  net: PodNetwork;
  /** The node's sockets for the pods' containerPort.hostPort. */
  hostPorts?: HostPortSockets;
  log: Logger;
  metrics: Metrics;
  /** Where the containers' output goes (kubectl logs). */
  logs?: ContainerLogs;
  now?: () => number;
  /** The kubelet's event recorder (source kubelet, host the node). */
  events?: EventRecorder;
}

export class NodeAgent {
  readonly store: ObjectStore = emptyObjectStore();
  private allocation: PodIPAllocation;
  private readonly runs = new Map<string, PodRun>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  private caughtUp = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: NodeAgentOptions) {
    this.allocation = emptyPodIPAllocation(o.podCIDR, o.maxPods);
    this.now = o.now ?? Date.now;
  }

  get revision(): number {
    return this.store.revision;
  }

  /** The pod (namespace/name) as the log has it, if it is bound to this node. */
  boundPod(namespace: string, name: string): Pod | undefined {
    const pod = getObject(this.store, 'Pod', namespace, name)?.object as Pod | undefined;
    return pod?.spec?.nodeName === this.o.nodeName ? pod : undefined;
  }

  /** The pod (namespace/name) this node runs, if any. */
  runningPod(namespace: string, name: string): { pod: Pod; ip: string } | undefined {
    const key = `${namespace}/${name}`;
    const run = this.runs.get(key);
    const stored = getObject(this.store, 'Pod', namespace, name);
    if (!run || !stored) return undefined;
    return { pod: stored.object as Pod, ip: run.runtime.podIP };
  }

  apply(event: LogEvent): void {
    const previous = event.kind === 'Pod' ? getObject(this.store, 'Pod', event.object.metadata?.namespace ?? '', event.object.metadata?.name ?? '') : undefined;
    applyLogEvent(this.store, event);
    this.o.metrics.revision.set(event.revision);
    if (event.kind === 'Node') this.refreshRoutes();
    if (event.kind !== 'Pod' || !this.caughtUp) return;
    const pod = event.object as Pod;
    const mine = pod.spec?.nodeName === this.o.nodeName || (previous?.object as Pod | undefined)?.spec?.nodeName === this.o.nodeName;
    // A mirror pod (the node's kube-proxy) only shows what runs from another source: nothing to start.
    if (mine && !isMirrorPod(pod)) this.schedule(podKeyOf(pod));
  }

  private refreshRoutes(): void {
    const routes = listObjects(this.store, NODES)
      .map((s) => nodeRoute(s.object as Node))
      .filter((r) => r !== undefined);
    this.o.net.setRoutes(routes);
  }

  private myPods(): Pod[] {
    return listObjects(this.store, PODS)
      .map((s) => s.object as Pod)
      .filter((p) => p.spec?.nodeName === this.o.nodeName && !isMirrorPod(p));
  }

  /** After the backlog: the IPs pods hold come back from the log, their containers restart. */
  onCaughtUp(): void {
    const mine = this.myPods();
    const held = mine
      .filter((p) => p.status?.podIP && p.status.phase !== 'Failed' && p.status.phase !== 'Succeeded')
      .map((p) => ({ podKey: podKeyOf(p), ip: p.status!.podIP!, revision: Number(p.metadata?.resourceVersion ?? 0) }));
    const { allocation, conflicts } = rebuildPodIPAllocation(this.o.podCIDR, held, this.o.maxPods);
    for (const c of conflicts) this.o.log.error({ conflict: c }, 'pod IP from the log not kept');
    this.allocation = allocation;
    for (const p of mine) {
      const key = podKeyOf(p);
      const ip = allocation.byPod.get(key);
      const runtime = runtimeFromStatus(p, this.o.address);
      if (ip !== undefined && runtime !== undefined) this.startRun(p, { ...runtime, podIP: ip });
    }
    this.caughtUp = true;
    this.o.log.info({ pods: mine.length, kept: allocation.byPod.size }, 'pods rebuilt from the log');
    for (const p of mine) this.schedule(podKeyOf(p));
  }

  private startRun(pod: Pod, runtime: PodRuntime): void {
    const key = podKeyOf(pod);
    this.o.net.addPod(runtime.podIP, key);
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const workloads = startPodWorkloads(this.o.net, pod, runtime.podIP, (container, text) => this.o.logs?.write(namespace, name, container, text));
    for (const problem of workloads.problems) this.o.log.warn({ pod: key, problem }, 'container not emulated');
    const mappings = podHostPortMappings(pod);
    if (mappings.length > 0 && this.o.hostPorts) {
      void this.o.hostPorts.openPod(key, runtime.podIP, mappings).then((problems) => {
        for (const problem of problems) this.o.log.warn({ pod: key, problem }, 'hostPort not opened');
      });
    }
    this.runs.set(key, { uid: pod.metadata?.uid ?? '', runtime, workloads });
    this.o.metrics.runningPods.set(this.runs.size);
  }

  private stopRun(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    run.workloads.stop();
    const [namespace = '', name = ''] = key.split('/');
    this.o.logs?.removePod(namespace, name);
    this.o.hostPorts?.closePod(key);
    this.o.net.removePod(run.runtime.podIP);
    this.runs.delete(key);
    this.allocation = releasePodIP(this.allocation, key);
    this.o.metrics.runningPods.set(this.runs.size);
    this.o.log.info({ pod: key, podIP: run.runtime.podIP }, 'pod stopped');
  }

  private schedule(key: string): void {
    if (this.stopped) return;
    if (this.busy.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.busy.add(key);
    void this.reconcile(key)
      .catch((err: unknown) => this.o.log.warn({ pod: key, err: String(err) }, 'pod reconcile failed'))
      .finally(() => {
        this.busy.delete(key);
        if (this.dirty.delete(key)) this.schedule(key);
      });
  }

  private wakeAt(key: string, atMs: number | undefined): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (atMs === undefined || this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.schedule(key);
    }, Math.max(0, atMs - this.now()) + 5);
    this.timers.set(key, t);
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const stored = getObject(this.store, 'Pod', namespace, name);
    const pod = stored?.object as Pod | undefined;
    if (pod && isMirrorPod(pod)) return;
    let run = this.runs.get(key);
    if (!pod || pod.spec?.nodeName !== this.o.nodeName || (run && run.uid !== (pod.metadata?.uid ?? ''))) {
      this.stopRun(key);
      this.wakeAt(key, undefined);
      if (!pod || pod.spec?.nodeName !== this.o.nodeName) return;
      run = undefined;
    }
    const terminal = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
    if (!run && !terminal && !pod.metadata?.deletionTimestamp) {
      const allocated = allocatePodIP(this.allocation, key);
      if (!allocated.ok) {
        this.o.log.warn({ pod: key, reason: allocated.reason, message: allocated.message }, 'pod rejected');
        await this.writeStatus({ ...pod, status: rejectedPodStatus(pod, allocated.reason, allocated.message) });
        return;
      }
      this.allocation = allocated.allocation;
      this.startRun(pod, { podIP: allocated.ip, hostIP: this.o.address, startedAtMs: this.now() });
      run = this.runs.get(key);
      this.o.log.info({ pod: key, podIP: allocated.ip }, 'pod started');
      for (const e of containerStartEvents(pod)) this.o.events?.event(pod, e.type, e.reason, e.message, e.fieldPath);
    }
    if (run && pod.metadata?.deletionTimestamp && !run.killing) {
      run.killing = true;
      for (const e of containerKillEvents(pod)) this.o.events?.event(pod, e.type, e.reason, e.message, e.fieldPath);
    }
    const plan = planPod(pod, run?.runtime, this.now());
    if (plan.action === 'delete') {
      this.stopRun(key);
      this.wakeAt(key, undefined);
      try {
        await this.o.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
        this.o.log.info({ pod: key }, 'pod deleted after its grace period');
      } catch (err) {
        if (!(err instanceof ApiError && (err.status.code === 404 || err.status.code === 409))) throw err;
      }
      return;
    }
    if (plan.action === 'updateStatus') await this.writeStatus({ ...pod, status: plan.status });
    this.wakeAt(key, plan.wakeAtMs);
  }

  private async writeStatus(pod: Pod): Promise<void> {
    try {
      await this.o.client.updateStatus(PODS, pod.metadata?.namespace, pod);
      this.o.metrics.statusWrites.inc({ result: 'ok' });
    } catch (err) {
      // A stale resourceVersion: the newer pod is on its way through the log and is reconciled then.
      if (err instanceof ApiError && (err.status.code === 409 || err.status.code === 404)) {
        this.o.metrics.statusWrites.inc({ result: 'conflict' });
        return;
      }
      this.o.metrics.statusWrites.inc({ result: 'error' });
      throw err;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const key of [...this.runs.keys()]) this.runs.get(key)?.workloads.stop();
  }
}
