// `kubectl get deployments`: printers.go deploymentColumnDefinitions, printDeployment.
import type { Deployment } from '../api/types.js';
import { layoutContainerCells } from './containers.js';
import { translateTimestampSince } from './duration.js';
import { labelSelectorString } from './labels.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const deploymentColumns = [
  nameColumn(),
  column('Ready', 'Number of the pod with ready state'),
  column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  ageColumn(),
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  column('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', { priority: 1 }),
] as const;

/** apps/v1 SetDefaults_Deployment: replicas defaults to 1; printers read the defaulted object. */
export function desiredReplicas(replicas: number | undefined): number {
  return replicas ?? 1;
}

export const deploymentPrinter: KindPrinter<Deployment> = {
  columns: deploymentColumns,
  printRow(d, options): TableRow {
    const cells: (string | number)[] = [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${desiredReplicas(d.spec?.replicas)}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      translateTimestampSince(d.metadata?.creationTimestamp, options.now),
    ];
    if (options.wide) {
      const { names, images } = layoutContainerCells(d.spec?.template?.spec?.containers);
      cells.push(names, images, labelSelectorString(d.spec?.selector));
    }
    return { cells, object: d };
  },
};
