// The node lifecycle controller's health monitor (pkg/controller/nodelifecycle monitorNodeHealth):
// every node-monitor-period, each node whose heartbeats stopped for the grace period gets Ready=Unknown,
// and the pods on it are marked not Ready so their endpoints stop being ready. Heartbeat times are
// observed on this process's clock (core node/lifecycle.ts). The kubelet, when it is back, posts Ready
// again for the node and its pods; this controller never sets anything back to Ready.
import {
  EVENT_TYPE_NORMAL,
  controllerNodeReference,
  getObject,
  heartbeatOf,
  heartbeatsStopped,
  NODE_LEASE_NAMESPACE,
  nodeStatusUnknown,
  objectKey,
  observeNodeHealth,
  podNotReadyStatus,
  podsToMarkNotReady,
  rfc3339,
  type Lease,
  type Node,
  type NodeHealth,
  type Pod,
} from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isConflict, isNotFound } from '../controller.js';
import { objectsOfKind, parseKey } from './service-keys.js';

export function nodeLifecycleController(options: { gracePeriodMs: number; monitorPeriodMs: number }): ControllerDefinition {
  const health = new Map<string, NodeHealth>();
  /** monitorNodeHealth's knownNodeSet: a node seen the first time is "RegisteredNode". */
  const known = new Set<string>();
  const nodeKey = (name: string): string => objectKey('Node', '', name);
  const allNodes = (store: Parameters<ControllerDefinition['initialKeys']>[0]): string[] =>
    objectsOfKind<Node>(store, 'Node').map((n) => nodeKey(n.metadata?.name ?? ''));
  return {
    name: 'nodelifecycle',
    keysFor(event) {
      if (event.kind === 'Node') {
        if (event.type === 'DELETED') {
          health.delete(event.object.metadata?.name ?? '');
          known.delete(event.object.metadata?.name ?? '');
        }
        return [nodeKey(event.object.metadata?.name ?? '')];
      }
      if (event.kind === 'Lease' && event.object.metadata?.namespace === NODE_LEASE_NAMESPACE) return [nodeKey(event.object.metadata?.name ?? '')];
      return [];
    },
    initialKeys: allNodes,
    periodic: { everyMs: options.monitorPeriodMs, keys: allNodes },
    async sync(key, { store, api, now, log, events }) {
      const { name } = parseKey(key);
      const node = getObject(store, 'Node', '', name)?.object as Node | undefined;
      if (!node) return;
      const recorder = events('node-controller');
      const ref = controllerNodeReference(name, node.metadata?.uid ?? '');
      if (!known.has(name)) {
        known.add(name);
        // nodeutil.RecordNodeEvent: "Node <name> event: Registered Node <name> in Controller".
        recorder.event(ref, EVENT_TYPE_NORMAL, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      }
      const lease = getObject(store, 'Lease', NODE_LEASE_NAMESPACE, name)?.object as Lease | undefined;
      const nowMs = now().getTime();
      const observed = observeNodeHealth(health.get(name), heartbeatOf(node, lease), nowMs);
      health.set(name, observed);
      if (heartbeatsStopped(observed, nowMs, options.gracePeriodMs)) {
        const status = nodeStatusUnknown(node, rfc3339(now()));
        if (status !== undefined) {
          log.info({ node: name }, 'node health updated: heartbeats stopped, Ready=Unknown');
          await api.updateStatus({ ...node, status });
          // nodeutil.RecordNodeStatusChange when Ready leaves True.
          const wasReady = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
          if (wasReady) recorder.event(ref, EVENT_TYPE_NORMAL, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
          return;
        }
      }
      const stale = podsToMarkNotReady(node, objectsOfKind<Pod>(store, 'Pod'));
      for (const pod of stale) {
        await api.updateStatus({ ...pod, status: podNotReadyStatus(pod, rfc3339(now())) }).catch((err: unknown) => {
          if (!isConflict(err) && !isNotFound(err)) throw err;
        });
      }
      if (stale.length > 0) log.info({ node: name, pods: stale.length }, 'marked pods on the node not ready');
      return undefined;
    },
  };
}
