// `kubectl get namespaces`: printers.go namespaceColumnDefinitions, printNamespace.
import type { Namespace } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const namespaceColumns = [nameColumn(), column('Status', 'The status of the namespace'), ageColumn()] as const;

export const namespacePrinter: KindPrinter<Namespace> = {
  columns: namespaceColumns,
  printRow(ns, options): TableRow {
    return {
      cells: [
        ns.metadata?.name ?? '',
        ns.status?.phase ?? '',
        translateTimestampSince(ns.metadata?.creationTimestamp, options.now),
      ],
      object: ns,
    };
  },
};
