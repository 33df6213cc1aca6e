// `kubectl get pods`: printers.go podColumnDefinitions, printPod.
import type { Condition, ContainerStatus, Pod } from '../api/types.js';
import { parseTimestamp, translateTimestampSince, type Instant } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow, type TableRowCondition } from './table.js';

export const podColumns = [
  nameColumn(),
  column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn(),
  column('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
  column('Node', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
  column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
  column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
] as const;

// Fields of core/v1 that printPod reads and api/types.ts does not (yet) declare.
type ContainerStatusFull = ContainerStatus & {
  state?: ContainerStatus['state'] & { terminated?: { signal?: number } };
  lastState?: { terminated?: { finishedAt?: string } };
};
type PodFull = Pod & {
  spec?: Pod['spec'] & { readinessGates?: { conditionType?: string }[] };
  status?: Pod['status'] & { nominatedNodeName?: string; containerStatuses?: ContainerStatusFull[] };
};

/** pkg/util/node NodeUnreachablePodReason. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const podSuccessConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailedConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

function hasPodReadyCondition(conditions: readonly Condition[] | undefined): boolean {
  return (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The STATUS, READY and RESTARTS cells of printPod. Init containers are not modelled. */
export function podStatusCells(pod: Pod, now: Instant): { ready: string; status: string; restarts: string } {
  const p = pod as PodFull;
  const phase = p.status?.phase ?? '';
  let reason = p.status?.reason ? p.status.reason : phase;
  for (const c of p.status?.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let restarts = 0;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let hasRunning = false;
  const statuses = p.status?.containerStatuses ?? [];
  // Upstream walks the statuses backwards, so the first container's reason wins.
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    restarts += c.restartCount ?? 0;
    const finished = parseTimestamp(c.lastState?.terminated?.finishedAt);
    if (finished !== undefined && (lastRestart === undefined || lastRestart < finished)) lastRestart = finished;
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated;
    if (waiting && waiting.reason) {
      reason = waiting.reason;
    } else if (terminated && terminated.reason) {
      reason = terminated.reason;
    } else if (terminated) {
      reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
    } else if (c.ready && c.state?.running) {
      hasRunning = true;
      readyContainers++;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    reason = hasPodReadyCondition(p.status?.conditions) ? 'Running' : 'NotReady';
  }

  if (p.metadata?.deletionTimestamp && p.status?.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (p.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsCell = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`;
  }
  const total = p.spec?.containers?.length ?? 0;
  return { ready: `${readyContainers}/${total}`, status: reason, restarts: restartsCell };
}

export const podPrinter: KindPrinter<Pod> = {
  columns: podColumns,
  printRow(pod, options): TableRow {
    const p = pod as PodFull;
    const s = podStatusCells(pod, options.now);
    const row: TableRow = {
      cells: [
        p.metadata?.name ?? '',
        s.ready,
        s.status,
        s.restarts,
        translateTimestampSince(p.metadata?.creationTimestamp, options.now),
      ],
      object: pod,
    };
    if (p.status?.phase === 'Succeeded') row.conditions = podSuccessConditions;
    if (p.status?.phase === 'Failed') row.conditions = podFailedConditions;
    if (options.wide) {
      const podIP = p.status?.podIPs?.[0]?.ip || '<none>';
      const nodeName = p.spec?.nodeName || '<none>';
      const nominated = p.status?.nominatedNodeName || '<none>';
      let readinessGates = '<none>';
      const gates = p.spec?.readinessGates ?? [];
      if (gates.length > 0) {
        let trueConditions = 0;
        for (const g of gates) {
          const c = (p.status?.conditions ?? []).find((c) => c.type === g.conditionType);
          if (c?.status === 'True') trueConditions++;
        }
        readinessGates = `${trueConditions}/${gates.length}`;
      }
      row.cells.push(podIP, nodeName, nominated, readinessGates);
    }
    return row;
  },
};
