// `kubectl get services`: printers.go serviceColumnDefinitions, printService.
import type { LoadBalancerIngress, Service, ServicePort } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { formatLabels } from './labels.js';
import { ageColumn, column, nameColumn, type KindPrinter, type TableRow } from './table.js';

/** printers.go loadBalancerWidth. */
export const LOAD_BALANCER_WIDTH = 16;

export const serviceColumns = [
  nameColumn(),
  column('Type', 'type determines how the Service is exposed.'),
  column('Cluster-IP', 'clusterIP is the IP address of the service.'),
  column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
  column('Port(s)', 'The list of ports that are exposed by this service.'),
  ageColumn(),
  column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
] as const;

/** printers.go loadBalancerStatusStringer: IPs (else hostnames), de-duplicated and sorted. */
export function loadBalancerStatusString(ingress: readonly LoadBalancerIngress[] | undefined, wide: boolean): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  // sets.NewString().List() sorts bytewise.
  let r = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = r.slice(0, LOAD_BALANCER_WIDTH - 3) + '...';
  return r;
}

/** printers.go getServiceExternalIP. */
export function getServiceExternalIP(svc: Service, wide: boolean): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerStatusString(svc.status?.loadBalancer?.ingress, wide);
      if (externalIPs.length > 0) {
        const results = lbIps.length > 0 ? lbIps.split(',') : [];
        return [...results, ...externalIPs].join(',');
      }
      return lbIps.length > 0 ? lbIps : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** printers.go makePortString: `port/PROTO` or `port:nodePort/PROTO`, in spec order. */
export function makePortString(ports: readonly ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const port = p.port ?? 0;
      const proto = p.protocol ?? '';
      return (p.nodePort ?? 0) > 0 ? `${port}:${p.nodePort}/${proto}` : `${port}/${proto}`;
    })
    .join(',');
}

export const servicePrinter: KindPrinter<Service> = {
  columns: serviceColumns,
  printRow(svc, options): TableRow {
    const clusterIPs = svc.spec?.clusterIPs ?? [];
    const internalIP = clusterIPs.length > 0 ? clusterIPs[0]! : '<none>';
    const ports = makePortString(svc.spec?.ports);
    const cells = [
      svc.metadata?.name ?? '',
      svc.spec?.type ?? '',
      internalIP,
      getServiceExternalIP(svc, options.wide),
      ports.length === 0 ? '<none>' : ports,
      translateTimestampSince(svc.metadata?.creationTimestamp, options.now),
    ];
    if (options.wide) cells.push(formatLabels(svc.spec?.selector));
    return { cells, object: svc };
  },
};
