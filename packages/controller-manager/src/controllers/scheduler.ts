// kube-scheduler's loop: one pending pod at a time (schedule_one.go), the decision is core's schedulePod,
// the effect a POST to pods/<name>/binding (DefaultBinder). Pods bound but not yet seen in the cache are
// "assumed" on their node (the scheduler cache's AssumePod), so the next pods spread against them.
import {
  EVENT_TYPE_NORMAL,
  EVENT_TYPE_WARNING,
  getObject,
  needsScheduling,
  newBinding,
  objectKey,
  rfc3339,
  schedulePod,
  unschedulablePodStatus,
  type Node,
  type Pod,
} from '@kubemu/core';
import type { ControllerDefinition } from '../controller.js';
import { isConflict } from '../controller.js';
import { objectsOfKind, parseKey } from './service-keys.js';

/** Unschedulable pods are retried on every Node change, and at least this often (podMaxInUnschedulablePodsDuration is 5 min upstream). */
const UNSCHEDULABLE_RETRY_MS = 30_000;
/**
 * Bindings in flight at once. schedule_one.go: the scheduling cycle is serial and assumes the pod; the
 * binding cycle runs in its own goroutine, so the next pod is placed without waiting for the api-server.
 * A serial POST per pod made a 1,000-replica Deployment wait seconds for its bindings.
 */
const BINDING_WORKERS = 16;

export function schedulerController(): ControllerDefinition {
  const assumed = new Map<string, Pod>();
  const podKey = (p: Pod): string => objectKey('Pod', p.metadata?.namespace ?? '', p.metadata?.name ?? '');
  const pendingKeys = (pods: Iterable<Pod>): string[] => [...pods].filter(needsScheduling).map(podKey);
  // The scheduling cycle: one decision at a time, each seeing every pod assumed before it.
  let cycle: Promise<unknown> = Promise.resolve();
  const serially = <T>(f: () => Promise<T>): Promise<T> => {
    const run = cycle.then(f, f);
    cycle = run.catch(() => undefined);
    return run;
  };
  return {
    name: 'scheduler',
    workers: BINDING_WORKERS,
    keysFor(event, _previous, store) {
      if (event.kind === 'Pod') {
        const key = podKey(event.object as Pod);
        if (event.type === 'DELETED' || (event.object as Pod).spec?.nodeName) assumed.delete(key);
        return event.type !== 'DELETED' && needsScheduling(event.object as Pod) ? [key] : [];
      }
      if (event.kind === 'Node') return pendingKeys(objectsOfKind<Pod>(store, 'Pod'));
      return [];
    },
    initialKeys: (store) => pendingKeys(objectsOfKind<Pod>(store, 'Pod')),
    async sync(key, { store, api, now, random, log, events }) {
      const { namespace, name } = parseKey(key);
      const decided = await serially(async () => {
        const stored = getObject(store, 'Pod', namespace, name);
        const pod = stored?.object as Pod | undefined;
        if (!pod || !needsScheduling(pod) || assumed.has(key)) return undefined;
        const podsByNode = new Map<string, Pod[]>();
        const place = (p: Pod, node: string): void => {
          const list = podsByNode.get(node) ?? [];
          list.push(p);
          podsByNode.set(node, list);
        };
        for (const p of objectsOfKind<Pod>(store, 'Pod')) if (p.spec?.nodeName) place(p, p.spec.nodeName);
        for (const p of assumed.values()) if (p.spec?.nodeName) place(p, p.spec.nodeName);
        const nodes = objectsOfKind<Node>(store, 'Node');
        const result = schedulePod(pod, nodes, podsByNode, random);
        if ('unschedulable' in result) {
          // schedule_one.go handleSchedulingFailure: a Warning on every failed attempt (a series when repeated).
          events('default-scheduler').eventNewStyle(pod, EVENT_TYPE_WARNING, 'FailedScheduling', 'Scheduling', result.unschedulable.message);
          const status = unschedulablePodStatus(pod, result.unschedulable.message, rfc3339(now()));
          if (status !== pod.status) {
            log.info({ pod: `${namespace}/${name}`, message: result.unschedulable.message }, 'unable to schedule pod; waiting');
            await api.updateStatus({ ...pod, status });
          }
          return { requeueAfterMs: UNSCHEDULABLE_RETRY_MS };
        }
        // AssumePod: the next decisions count this pod on its node while the binding is in flight.
        assumed.set(key, { ...pod, spec: { ...pod.spec, nodeName: result.nodeName } });
        return { pod, nodeName: result.nodeName };
      });
      if (decided === undefined || 'requeueAfterMs' in decided) return decided;
      try {
        await api.post(`/api/v1/namespaces/${namespace}/pods/${name}/binding`, newBinding(decided.pod, decided.nodeName));
      } catch (err) {
        // ForgetPod: the binding failed, the pod is not on that node after all.
        assumed.delete(key);
        // "already assigned": another scheduler (or the user) bound it; the cache will show it.
        if (isConflict(err)) return undefined;
        throw err;
      }
      log.info({ pod: `${namespace}/${name}`, node: decided.nodeName }, 'Successfully assigned pod');
      // schedule_one.go finishSchedulingCycle / bind: "Successfully assigned <ns>/<pod> to <node>".
      events('default-scheduler').eventNewStyle(decided.pod, EVENT_TYPE_NORMAL, 'Scheduled', 'Binding', `Successfully assigned ${namespace}/${name} to ${decided.nodeName}`);
      return undefined;
    },
  };
}
