// kube-proxy's own health (pkg/proxy/healthcheck/proxy_health.go): healthy while starting up and
// while every queued change has been programmed within healthTimeout (2 × syncPeriod, as
// cmd/kube-proxy passes it); /healthz also requires the node to be eligible (not being deleted).
// Time comes in as an argument.
import type { Node } from '@kubemu/core';

export class ProxyHealth {
  private lastUpdatedMs: number | undefined;
  private oldestPendingQueuedMs: number | undefined;
  private nodeEligible = true;

  constructor(private readonly healthTimeoutMs: number) {}

  /** A change arrived that is not programmed yet. */
  queuedUpdate(nowMs: number): void {
    this.oldestPendingQueuedMs ??= nowMs;
  }

  /** The node holds everything queued so far. */
  updated(nowMs: number): void {
    this.oldestPendingQueuedMs = undefined;
    this.lastUpdatedMs = nowMs;
  }

  /** SyncNode: a Node being deleted (or tainted ToBeDeletedByClusterAutoscaler) is not eligible. */
  syncNode(node: Node | undefined): void {
    const taints = (node?.spec as { taints?: { key?: string }[] } | undefined)?.taints ?? [];
    this.nodeEligible = !node?.metadata?.deletionTimestamp && !taints.some((t) => t.key === 'ToBeDeletedByClusterAutoscaler');
  }

  isHealthy(nowMs: number): boolean {
    if (this.lastUpdatedMs === undefined || this.oldestPendingQueuedMs === undefined) return true;
    return nowMs - this.oldestPendingQueuedMs < this.healthTimeoutMs;
  }

  /** healthzHandler: status and body. */
  healthz(nowMs: number): { status: number; body: string } {
    const healthy = this.isHealthy(nowMs) && this.nodeEligible;
    const lastUpdated = healthy ? nowMs : (this.lastUpdatedMs ?? 0);
    return {
      status: healthy ? 200 : 503,
      body: `{"lastUpdated": ${JSON.stringify(goTimeString(lastUpdated))},"currentTime": ${JSON.stringify(goTimeString(nowMs))}, "nodeEligible": ${this.nodeEligible}}`,
    };
  }

  /** livezHandler: the proxier's health only. */
  livez(nowMs: number): { status: number; body: string } {
    const healthy = this.isHealthy(nowMs);
    const lastUpdated = healthy ? nowMs : (this.lastUpdatedMs ?? 0);
    return { status: healthy ? 200 : 503, body: `{"lastUpdated": ${JSON.stringify(goTimeString(lastUpdated))},"currentTime": ${JSON.stringify(goTimeString(nowMs))}}` };
  }
}

/** Go's time.Time.String() in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC` (trailing zeros of the fraction dropped). */
export function goTimeString(ms: number): string {
  if (ms === 0) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
