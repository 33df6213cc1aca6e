// `kubectl get endpointslices`: printers.go endpointSliceColumnDefinitions, printEndpointSlice,
// formatDiscoveryPorts, formatDiscoveryEndpoints, listWithMoreString.
import type { Endpoint, EndpointPort, EndpointSlice } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

export const endpointSliceColumns = [
  nameColumn(),
  column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
  column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
  column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
  ageColumn(),
] as const;

const MAX_LISTED = 3;

function listWithMoreString(list: string[], more: boolean, count: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - MAX_LISTED} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** Port numbers (else the port name, else `*`), at most 3; `<unset>` when there are none. */
export function formatDiscoveryPorts(ports: readonly EndpointPort[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports ?? []) {
    if (list.length < MAX_LISTED) {
      list.push(p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*');
    } else if (list.length === MAX_LISTED) {
      more = true;
    }
    count++;
  }
  return listWithMoreString(list, more, count);
}

/** Every address of every endpoint, ready or not, at most 3; `<unset>` when there are none. */
export function formatDiscoveryEndpoints(endpoints: readonly Endpoint[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of endpoints ?? []) {
    for (const address of e.addresses ?? []) {
      if (list.length < MAX_LISTED) list.push(address);
      else if (list.length === MAX_LISTED) more = true;
      count++;
    }
  }
  return listWithMoreString(list, more, count);
}

export const endpointSlicePrinter: KindPrinter<EndpointSlice> = {
  columns: endpointSliceColumns,
  printRow(eps, options): TableRow {
    return {
      cells: [
        eps.metadata?.name ?? '',
        eps.addressType ?? '',
        formatDiscoveryPorts(eps.ports),
        formatDiscoveryEndpoints(eps.endpoints),
        translateTimestampSince(eps.metadata?.creationTimestamp, options.now),
      ],
      object: eps,
    };
  },
};
