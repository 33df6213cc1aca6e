// `kubectl get replicasets`: printers.go replicaSetColumnDefinitions, printReplicaSet.
import type { ReplicaSet } from '../api/types.js';
import { layoutContainerCells } from './containers.js';
import { desiredReplicas } from './deployment.js';
import { translateTimestampSince } from './duration.js';
import { labelSelectorString } from './labels.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const replicaSetColumns = [
  nameColumn(),
  column(
    'Desired',
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
    { type: 'integer' },
  ),
  column('Current', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', {
    type: 'integer',
  }),
  column('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
  ageColumn(),
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  column(
    'Selector',
    'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    { priority: 1 },
  ),
] as const;

export const replicaSetPrinter: KindPrinter<ReplicaSet> = {
  columns: replicaSetColumns,
  printRow(rs, options): TableRow {
    const cells: (string | number)[] = [
      rs.metadata?.name ?? '',
      desiredReplicas(rs.spec?.replicas),
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      translateTimestampSince(rs.metadata?.creationTimestamp, options.now),
    ];
    if (options.wide) {
      const { names, images } = layoutContainerCells(rs.spec?.template?.spec?.containers);
      cells.push(names, images, labelSelectorString(rs.spec?.selector));
    }
    return { cells, object: rs };
  },
};
