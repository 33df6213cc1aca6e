// `kubectl get statefulsets`: printers.go statefulSetColumnDefinitions, printStatefulSet.
import type { StatefulSet } from '../api/types.js';
import { layoutContainerCells } from './containers.js';
import { desiredReplicas } from './deployment.js';
import { translateTimestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const statefulSetColumns = [
  nameColumn(),
  column('Ready', 'Number of the pod with ready state'),
  ageColumn(),
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
] as const;

export const statefulSetPrinter: KindPrinter<StatefulSet> = {
  columns: statefulSetColumns,
  printRow(ss, options): TableRow {
    const cells = [
      ss.metadata?.name ?? '',
      `${ss.status?.readyReplicas ?? 0}/${desiredReplicas(ss.spec?.replicas)}`,
      translateTimestampSince(ss.metadata?.creationTimestamp, options.now),
    ];
    if (options.wide) {
      const { names, images } = layoutContainerCells(ss.spec?.template?.spec?.containers);
      cells.push(names, images);
    }
    return { cells, object: ss };
  },
};
