// Stand-ins for the kubelets of a few Nodes that exist only as objects, for tests of the
// controller-manager without node processes: they renew Leases, post node status Ready, post pod
// status Running/Ready with a pod IP, and finish graceful pod deletions.
import type { Node, Pod } from '@kubemu/core';
import type { ApiStoreHandle } from '@kubemu/testkit';

export interface ApiCalls {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ code: number; body: any }>;
  must(method: string, path: string, body?: unknown, contentType?: string): Promise<any>;
}

export function apiCalls(api: ApiStoreHandle): ApiCalls {
  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; body: any }> {
    const res = await api.fetch(path, { method, headers: { 'Content-Type': contentType }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { code: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function must(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
    const r = await call(method, path, body, contentType);
    if (r.code >= 300) throw new Error(`${method} ${path}: ${r.code} ${JSON.stringify(r.body)}`);
    return r.body;
  }
  return { call, must };
}

export const nowText = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
export const nodeIndex = (name: string): number => Number(name.split('-')[1]);

export function nodeStatus(name: string, now: string): Node['status'] {
  return {
    addresses: [{ type: 'InternalIP', address: `127.0.1.${nodeIndex(name)}` }, { type: 'Hostname', address: name }],
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
  };
}

export class StandInKubelets {
  /** Nodes whose kubelet is silent (no Lease renewals, no status). */
  readonly silent = new Set<string>();
  private readonly nextHost = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly api: ApiCalls,
    private readonly nodes: readonly string[],
  ) {}

  /** Creates the Nodes, Ready. */
  async register(): Promise<void> {
    for (const name of this.nodes) {
      const node = await this.api.must('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        spec: { podCIDR: `10.244.${nodeIndex(name)}.0/24`, podCIDRs: [`10.244.${nodeIndex(name)}.0/24`] },
      });
      await this.api.must('PUT', `/api/v1/nodes/${name}/status`, { ...node, status: nodeStatus(name, nowText()) });
    }
  }

  async tick(): Promise<void> {
    const { call, must } = this.api;
    const now = nowText();
    for (const name of this.nodes) {
      if (this.silent.has(name)) continue;
      await call('PUT', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
      });
    }
    const nodes: Node[] = (await must('GET', '/api/v1/nodes')).items;
    const readyNodes = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata!.name!;
      if (this.silent.has(name)) continue;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') {
        readyNodes.add(name);
        continue;
      }
      // The kubelet posts its own view again once it sees the node controller's Unknown.
      await call('PUT', `/api/v1/nodes/${name}/status`, { ...node, status: nodeStatus(name, now) });
    }
    const pods: Pod[] = (await must('GET', '/api/v1/pods')).items;
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (!node || !readyNodes.has(node)) continue;
      const ns = pod.metadata!.namespace!;
      const name = pod.metadata!.name!;
      if (pod.metadata?.deletionTimestamp) {
        // The kubelet's final delete once the containers stopped (status manager: grace period 0, uid precondition).
        await call('DELETE', `/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`);
        continue;
      }
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (pod.status?.phase === 'Running' && ready?.status === 'True') continue;
      let ip = pod.status?.podIP;
      if (!ip) {
        const host = (this.nextHost.get(node) ?? 1) + 1;
        this.nextHost.set(node, host);
        ip = `10.244.${nodeIndex(node)}.${host}`;
      }
      const conditions = [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ];
      await call('PUT', `/api/v1/namespaces/${ns}/pods/${name}/status`, {
        ...pod,
        status: { phase: 'Running', hostIP: `127.0.1.${nodeIndex(node)}`, podIP: ip, podIPs: [{ ip }], startTime: now, conditions },
      });
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.tick()
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 250);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
