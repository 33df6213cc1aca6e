// kube-proxy's own log: the klog lines (core kube-proxy-log.ts) at the KubeProxyConfiguration's
// logging.verbosity, sent to the agent's node, which keeps them as the log of the kube-proxy
// container of its mirror pod (`kubectl logs -n kube-system kube-proxy-<node>`). Lines wait in a
// bounded queue while the node is unreachable (oldest dropped past MAX_PENDING_KLOG_LINES), and
// every report also tells the node where this agent's /healthz is, which makes the pod Ready.
// The pino JSON lines on stdout stay the process's own log.
import { renderKubeProxyLog, type KubeProxyLogEntry } from '@kubemu/core';
import type { KubeProxyLogReport, NodeNetfilter } from './node-netfilter.js';

export const MAX_PENDING_KLOG_LINES = 10_000;
/** Lines are batched this long before a report. */
export const KLOG_FLUSH_DELAY_MS = 100;
/** A report (maybe empty) at least this often: the node learns of a restarted node process. */
export const KLOG_REPORT_INTERVAL_MS = 5_000;

export interface KubeProxyKlogOptions {
  verbosity: number;
  node: Pick<NodeNetfilter, 'reportKubeProxyLog'>;
  /** http://host:port of the agent's healthz server. */
  healthz: () => string | undefined;
  now?: () => number;
  onDropped?: (count: number) => void;
}

export class KubeProxyKlog {
  private pending: KubeProxyLogReport['lines'] = [];
  private readonly startedAtMs: number;
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: KubeProxyKlogOptions) {
    this.now = o.now ?? Date.now;
    this.startedAtMs = this.now();
  }

  /** klog.V(n).InfoS(…) for each entry: written when n ≤ verbosity. */
  emit(entries: readonly KubeProxyLogEntry[]): void {
    const timeMs = this.now();
    const lines = renderKubeProxyLog(entries, this.o.verbosity, timeMs);
    if (lines.length === 0) return;
    for (const text of lines) this.pending.push({ timeMs, text });
    const over = this.pending.length - MAX_PENDING_KLOG_LINES;
    if (over > 0) {
      this.pending.splice(0, over);
      this.o.onDropped?.(over);
    }
    this.schedule();
  }

  start(): void {
    this.interval = setInterval(() => this.schedule(), KLOG_REPORT_INTERVAL_MS);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.flushing) return this.schedule();
      this.flushing = this.flush().finally(() => (this.flushing = undefined));
    }, KLOG_FLUSH_DELAY_MS);
  }

  private async flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    const healthz = this.o.healthz();
    try {
      await this.o.node.reportKubeProxyLog({ startedAtMs: this.startedAtMs, ...(healthz ? { healthz } : {}), lines });
    } catch {
      // The node is down, restarting or has no address yet: keep the lines for the next report.
      this.pending = [...lines, ...this.pending].slice(-MAX_PENDING_KLOG_LINES);
    }
  }

  /** Sends what is pending, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.interval);
    await this.flushing;
    if (this.pending.length > 0) await this.flush();
  }
}
