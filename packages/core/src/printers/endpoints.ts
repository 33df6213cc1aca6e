// `kubectl get endpoints`: printers.go endpointColumnDefinitions, printEndpoints, formatEndpoints.
import type { Endpoints } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';
import { joinHostPort } from '../api/host-port.js';

export const endpointsColumns = [
  nameColumn(),
  column('Endpoints', 'The set of all endpoints is the union of all subsets.'),
  ageColumn(),
] as const;

/** Go net.JoinHostPort: IPv6 literals are bracketed. */
export { joinHostPort };

const MAX_LISTED = 3;

/**
 * printers.go formatEndpoints (ports = undefined for all ports): `IP:port` for each subset,
 * port, then address (ports are the outer loop), at most 3, then ` + N more...`.
 * No subsets: `<none>`. Subsets with only notReadyAddresses: the empty string.
 */
export function formatEndpoints(endpoints: Endpoints, ports?: ReadonlySet<string>): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if ((ss.ports ?? []).length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(a.ip ?? '');
      }
      continue;
    }
    for (const port of ss.ports ?? []) {
      if (ports !== undefined && !ports.has(port.name ?? '')) continue;
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip ?? '', port.port ?? 0));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX_LISTED} more...` : ret;
}

export const endpointsPrinter: KindPrinter<Endpoints> = {
  columns: endpointsColumns,
  printRow(ep, options): TableRow {
    return {
      cells: [
        ep.metadata?.name ?? '',
        formatEndpoints(ep),
        translateTimestampSince(ep.metadata?.creationTimestamp, options.now),
      ],
      object: ep,
    };
  },
};
