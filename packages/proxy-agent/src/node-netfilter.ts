// The node's netfilter API (the node's kubelet port, bearer token): what iptables-restore,
// EnsureChain/EnsureRule and iptables-save are to kube-proxy on a real node.
import type { EnsureRuleRequest, netfilter } from '@kubemu/core';

/** One request to the node may take this long before it counts as unreachable. */
export const NODE_REQUEST_TIMEOUT_MS = 10_000;
/** A save larger than this is refused rather than held (10,000 Services × 10 endpoints is ~40 MiB). */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024;

/** The node answered, but refused the request (a malformed restore: nothing was applied). */
export class NodeRefusedError extends Error {
  override name = 'NodeRefusedError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`node answered ${status}: ${body.trim()}`);
  }
}

/** The node could not be reached (connection refused, timeout, no address yet). */
export class NodeUnreachableError extends Error {
  override name = 'NodeUnreachableError';
}

/** What the proxy agent tells its node about its kube-proxy pod: its log lines and where its /healthz is. */
export interface KubeProxyLogReport {
  startedAtMs: number;
  healthz?: string;
  lines: { timeMs: number; text: string }[];
}

export interface NodeEndpoint {
  /** http://ADDRESS:KUBELET_PORT */
  url: string;
}

export class NodeNetfilter {
  constructor(
    private readonly endpoint: () => NodeEndpoint | undefined,
    private readonly token: string,
    private readonly timeoutMs = NODE_REQUEST_TIMEOUT_MS,
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: { type: string; text: string }): Promise<string> {
    const ep = this.endpoint();
    if (ep === undefined) throw new NodeUnreachableError('the Node has no InternalIP and kubelet port yet');
    let res: Response;
    try {
      res = await fetch(`${ep.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, ...(body ? { 'Content-Type': body.type } : {}) },
        ...(body ? { body: body.text } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new NodeUnreachableError(`${method} ${ep.url}${path}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_SAVE_BYTES) {
      await res.body?.cancel();
      throw new NodeRefusedError(res.status, `answer of ${length} bytes is over ${MAX_SAVE_BYTES}`);
    }
    const text = await res.text();
    // 404: a node without the netfilter API; 5xx: it failed. Both mean the rules were not programmed.
    if (res.status !== 200) throw new NodeRefusedError(res.status, text);
    return text;
  }

  /** `iptables-restore --noflush`: all of it or nothing. */
  async restore(payload: string): Promise<void> {
    await this.call('POST', '/netfilter/restore', { type: 'text/plain', text: payload });
  }

  /** EnsureChain + EnsureRule for each request, in order. */
  async ensure(requests: readonly EnsureRuleRequest[]): Promise<void> {
    await this.call('POST', '/netfilter/ensure', { type: 'application/json', text: JSON.stringify(requests) });
  }

  /** `conntrack -L -p PROTO`: kube-proxy's ListEntries. */
  async conntrackList(proto: netfilter.Protocol): Promise<netfilter.ConntrackEntry[]> {
    return JSON.parse(await this.call('GET', `/netfilter/conntrack?proto=${proto}`)) as netfilter.ConntrackEntry[];
  }

  /** kube-proxy's ClearEntries: `conntrack -D` with each filter. */
  async conntrackDelete(filters: readonly netfilter.ConntrackFilter[]): Promise<number> {
    return (JSON.parse(await this.call('POST', '/netfilter/conntrack/delete', { type: 'application/json', text: JSON.stringify(filters) })) as { deleted: number }).deleted;
  }

  /** kube-proxy's log lines for its mirror pod's container log (the node's `POST /kube-proxy/log`). */
  async reportKubeProxyLog(report: KubeProxyLogReport): Promise<void> {
    await this.call('POST', '/kube-proxy/log', { type: 'application/json', text: JSON.stringify(report) });
  }

  /** `iptables-save [-t TABLE]` of the node's live tables. */
  save(table?: 'nat' | 'filter'): Promise<string> {
    return this.call('GET', `/netfilter/save${table ? `?table=${table}` : ''}`);
  }
}
