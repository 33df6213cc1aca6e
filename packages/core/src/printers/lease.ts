// `kubectl get leases`: printers.go leaseColumnDefinitions, printLease.
import type { Lease } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const leaseColumns = [
  nameColumn(),
  column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'),
  ageColumn(),
] as const;

export const leasePrinter: KindPrinter<Lease> = {
  columns: leaseColumns,
  printRow(lease, options): TableRow {
    return {
      cells: [
        lease.metadata?.name ?? '',
        lease.spec?.holderIdentity ?? '',
        translateTimestampSince(lease.metadata?.creationTimestamp, options.now),
      ],
      object: lease,
    };
  },
};
