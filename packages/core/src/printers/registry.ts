// The kind → printer table, as printers.go AddHandlers registers one TableHandler per type.
import type { KubeObject } from '../api/types.js';
import type { Instant } from './duration.js';
import { deploymentPrinter } from './deployment.js';
import { endpointsPrinter } from './endpoints.js';
import { endpointSlicePrinter } from './endpointslice.js';
import { eventPrinter } from './event.js';
import { leasePrinter } from './lease.js';
import { namespacePrinter } from './namespace.js';
import { nodePrinter } from './node.js';
import { podPrinter } from './pod.js';
import { replicaSetPrinter } from './replicaset.js';
import { servicePrinter } from './service.js';
import { statefulSetPrinter } from './statefulset.js';
import { generateTable, type KindPrinter, type Table } from './table.js';

const PRINTERS: Readonly<Record<string, KindPrinter<KubeObject>>> = {
  Service: servicePrinter as KindPrinter<KubeObject>,
  Endpoints: endpointsPrinter as KindPrinter<KubeObject>,
  EndpointSlice: endpointSlicePrinter as KindPrinter<KubeObject>,
  Pod: podPrinter as KindPrinter<KubeObject>,
  Node: nodePrinter as KindPrinter<KubeObject>,
  Namespace: namespacePrinter as KindPrinter<KubeObject>,
  Deployment: deploymentPrinter as KindPrinter<KubeObject>,
  ReplicaSet: replicaSetPrinter as KindPrinter<KubeObject>,
  StatefulSet: statefulSetPrinter as KindPrinter<KubeObject>,
  Lease: leasePrinter as KindPrinter<KubeObject>,
  Event: eventPrinter as KindPrinter<KubeObject>,
};

export function printerFor(kind: string): KindPrinter<KubeObject> | undefined {
  return Object.prototype.hasOwnProperty.call(PRINTERS, kind) ? PRINTERS[kind] : undefined;
}

export interface TableForOptions {
  now: Instant;
  /** Defaults to true, as kube-apiserver generates every Table (see GenerateOptions.wide). */
  wide?: boolean;
  /** The list's resourceVersion, carried in the Table's metadata. */
  resourceVersion?: string;
}

/** The metav1.Table for `objects` of `kind` (a Kind, e.g. "Service"), as kube-apiserver builds it. */
export function tableFor(kind: string, objects: readonly KubeObject[], opts: TableForOptions): Table {
  const printer = printerFor(kind);
  if (!printer) throw new Error(`no table printer for kind ${JSON.stringify(kind)}`);
  return generateTable(printer, objects, { now: opts.now, wide: opts.wide ?? true }, opts.resourceVersion);
}
