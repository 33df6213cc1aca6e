// The node's side of its kube-proxy (DESIGN "The node's API"): the proxy agent sends its klog
// lines here (POST /kube-proxy/log), they become the kube-proxy container's log, and the node
// keeps the mirror pod kube-system/kube-proxy-<node> (core kube-proxy-pod.ts) in the API with a
// status that follows the agent: Running while its /healthz answers, Ready while that is a 200,
// a restart counted each time a new agent process starts reporting. A deleted mirror pod is
// created again, as the kubelet does for static pods.
import { ApiClient, ApiError } from '@kubemu/client';
import {
  canonicalJSON,
  getObject,
  KUBE_PROXY_CONTAINER,
  KUBE_PROXY_NAMESPACE,
  kubeProxyMirrorPod,
  kubeProxyPodName,
  kubeProxyPodStatus,
  resourceByKind,
  type Node,
  type Pod,
  type ResourceInfo,
} from '@kubemu/core';
import type { Logger } from 'pino';
import type { ContainerLogs } from './container-logs.js';
import type { NodeAgent } from './node-agent.js';

const PODS = resourceByKind('Pod') as ResourceInfo;

/** How often the node probes the agent's /healthz and reconciles the mirror pod. */
export const KUBE_PROXY_PROBE_PERIOD_MS = 2_000;
export const KUBE_PROXY_PROBE_TIMEOUT_MS = 1_000;
/** At most this many lines in one report. */
export const MAX_KUBE_PROXY_REPORT_LINES = 10_000;

/** What the proxy agent sends: who it is (a new startedAtMs is a new process) and its new lines. */
export interface KubeProxyReport {
  startedAtMs: number;
  /** http://host:port of its healthz server. */
  healthz?: string;
  lines: { timeMs: number; text: string }[];
}

export function parseKubeProxyReport(text: string): KubeProxyReport | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return `kube-proxy report: ${(err as Error).message}`;
  }
  const r = v as Partial<KubeProxyReport>;
  if (typeof r !== 'object' || r === null || typeof r.startedAtMs !== 'number' || !Array.isArray(r.lines)) return 'kube-proxy report: startedAtMs and lines are required';
  if (r.lines.length > MAX_KUBE_PROXY_REPORT_LINES) return `kube-proxy report: more than ${MAX_KUBE_PROXY_REPORT_LINES} lines`;
  if (!r.lines.every((l) => typeof l?.timeMs === 'number' && typeof l.text === 'string')) return 'kube-proxy report: a line needs timeMs and text';
  if (r.healthz !== undefined && typeof r.healthz !== 'string') return 'kube-proxy report: healthz must be a URL';
  return r as KubeProxyReport;
}

export interface KubeProxyPodOptions {
  nodeName: string;
  address: string;
  client: ApiClient;
  agent: NodeAgent;
  logs: ContainerLogs;
  log: Logger;
  now?: () => number;
}

export class KubeProxyPod {
  private startedAtMs: number | undefined;
  private healthz: string | undefined;
  private restartCount = 0;
  private reachable = false;
  private healthy = false;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly now: () => number;
  readonly podName: string;

  constructor(private readonly o: KubeProxyPodOptions) {
    this.now = o.now ?? Date.now;
    this.podName = kubeProxyPodName(o.nodeName);
  }

  report(r: KubeProxyReport): void {
    if (this.startedAtMs !== undefined && r.startedAtMs !== this.startedAtMs) this.restartCount++;
    const restarted = r.startedAtMs !== this.startedAtMs;
    this.startedAtMs = r.startedAtMs;
    if (r.healthz !== undefined) this.healthz = r.healthz;
    for (const l of r.lines) this.o.logs.write(KUBE_PROXY_NAMESPACE, this.podName, KUBE_PROXY_CONTAINER, l.text, l.timeMs);
    if (restarted) this.tick();
  }

  /** After the node registered and replayed the log. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), KUBE_PROXY_PROBE_PERIOD_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.busy) return;
    this.busy = true;
    void this.reconcile()
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && (err.status.code === 409 || err.status.code === 404))) this.o.log.warn({ err: String(err) }, 'kube-proxy mirror pod not written');
      })
      .finally(() => (this.busy = false));
  }

  private async probe(): Promise<void> {
    if (this.healthz === undefined) {
      this.reachable = this.healthy = false;
      return;
    }
    try {
      const res = await fetch(`${this.healthz}/healthz`, { signal: AbortSignal.timeout(KUBE_PROXY_PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
      this.reachable = true;
      this.healthy = res.status === 200;
    } catch {
      this.reachable = this.healthy = false;
    }
  }

  private async reconcile(): Promise<void> {
    await this.probe();
    const node = getObject(this.o.agent.store, 'Node', '', this.o.nodeName)?.object as Node | undefined;
    if (!node?.metadata?.uid) return;
    const stored = getObject(this.o.agent.store, 'Pod', KUBE_PROXY_NAMESPACE, this.podName)?.object as Pod | undefined;
    if (!stored || stored.metadata?.deletionTimestamp) {
      if (stored) return;
      await this.o.client.create(PODS, KUBE_PROXY_NAMESPACE, kubeProxyMirrorPod(node, this.now()));
      this.o.log.info({ pod: `${KUBE_PROXY_NAMESPACE}/${this.podName}` }, 'created the mirror pod of kube-proxy');
      return;
    }
    const state = { running: this.reachable, healthy: this.healthy, restartCount: this.restartCount, ...(this.startedAtMs !== undefined ? { startedAtMs: this.startedAtMs } : {}) };
    const status = kubeProxyPodStatus(stored, this.o.address, state, this.now());
    if (canonicalJSON(status) === canonicalJSON(stored.status ?? {})) return;
    await this.o.client.updateStatus(PODS, KUBE_PROXY_NAMESPACE, { ...stored, status } as Pod);
  }
}
