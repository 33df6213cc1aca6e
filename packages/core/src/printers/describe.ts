// `kubectl describe` (kubectl pkg/describe/describe.go): Service, Endpoints and EndpointSlice
// here, Pods and workloads in describe-workloads.ts, Nodes and Namespaces in describe-node.ts,
// and the dispatcher that chooses among them.
import type {
  Deployment,
  EndpointSlice,
  Endpoints,
  KubeObject,
  Lease,
  LoadBalancerIngress,
  Namespace,
  Node,
  Pod,
  Service,
  ReplicaSet,
  StatefulSet,
} from '../api/types.js';
import { epochMs, type Instant } from './duration.js';
import { joinHostPort } from './endpoints.js';
import { formatLabels } from './labels.js';
import { describeNamespace, describeNode } from './describe-node.js';
import { describeDeployment, describePod, describeReplicaSet, describeStatefulSet } from './describe-workloads.js';
import {
  describeEvents,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  LEVEL_3,
  printAnnotationsMultiline,
  printLabelsMultiline,
  tabbedString,
  type CoreEvent,
  type DescribeContext,
} from './describe-writer.js';

export type { CoreEvent } from './describe-writer.js';

/** What a kubectl describer fetches besides the object itself. */
export interface DescribeRelated {
  /** Service: the EndpointSlices labelled kubernetes.io/service-name=<service>. */
  endpointSlices?: readonly EndpointSlice[];
  /**
   * Events about the object. Absent means none: kubectl prints `Events: <none>` when the
   * server has no events for it (or serves no events at all).
   */
  events?: readonly CoreEvent[];
  /** Node: all pods (those on the node are picked). StatefulSet, ReplicaSet: the pods its selector matches. */
  pods?: readonly Pod[];
  /** Deployment: the ReplicaSets its selector matches (those it controls are picked). */
  replicaSets?: readonly ReplicaSet[];
  /** Node: its Lease in kube-node-lease; null or absent when there is none. */
  lease?: Lease | null;
}

export interface DescribeOptions {
  /** `--show-events` (default true). */
  showEvents?: boolean;
  /** Minutes east of UTC at an instant, for the local times kubectl prints. Default: UTC. */
  timeZoneOffsetMinutes?: (epochMs: number) => number;
}

/** describe.go buildIngressString. */
function buildIngressString(ingress: readonly LoadBalancerIngress[]): string {
  return ingress.map((i) => (i.ip ? (i.ipMode ? `${i.ip} (${i.ipMode})` : i.ip) : (i.hostname ?? ''))).join(', ');
}

/**
 * describe.go formatEndpointSlices: ready endpoints (ready unset counts as ready) of the slice
 * ports whose name is in `ports`, as `IP:port`, at most 3, then ` + N more...`; no slices at all:
 * `<none>`.
 */
export function formatEndpointSlices(slices: readonly EndpointSlice[], ports?: ReadonlySet<string>): string {
  if (slices.length === 0) return '<none>';
  const MAX = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const slice of slices) {
    const endpoints = slice.endpoints ?? [];
    if ((slice.ports ?? []).length === 0) {
      // Headless services may have no ports.
      for (const e of endpoints) {
        if (list.length === MAX) more = true;
        if (e.conditions?.ready === false) continue;
        if (!more) list.push(e.addresses?.[0] ?? '');
        count++;
      }
      continue;
    }
    for (const port of slice.ports ?? []) {
      if (ports !== undefined && !ports.has(port.name ?? '')) continue;
      for (const e of endpoints) {
        if (list.length === MAX) more = true;
        if (e.conditions?.ready === false) continue;
        if (!more) list.push(joinHostPort(e.addresses?.[0] ?? '', port.port ?? 0));
        count++;
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX} more...` : ret;
}

/** describe.go describeService. */
export function describeService(
  svc: Service,
  endpointSlices: readonly EndpointSlice[],
  events: readonly CoreEvent[] | undefined,
  ctx: DescribeContext,
): string {
  const md = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Selector:\t${formatLabels(spec.selector)}\n`);
    w.write(LEVEL_0, `Type:\t${spec.type ?? ''}\n`);
    if (spec.ipFamilyPolicy !== undefined) w.write(LEVEL_0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
    const families = spec.ipFamilies ?? [];
    w.write(LEVEL_0, `IP Families:\t${families.length > 0 ? families.join(',') : '<none>'}\n`);
    w.write(LEVEL_0, `IP:\t${spec.clusterIP ?? ''}\n`);
    const ips = spec.clusterIPs ?? [];
    w.write(LEVEL_0, `IPs:\t${ips.length > 0 ? ips.join(',') : '<none>'}\n`);
    if ((spec.externalIPs ?? []).length > 0) w.write(LEVEL_0, `External IPs:\t${spec.externalIPs!.join(',')}\n`);
    if (spec.loadBalancerIP) w.write(LEVEL_0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
    if (spec.externalName) w.write(LEVEL_0, `External Name:\t${spec.externalName}\n`);
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    if (ingress.length > 0) w.write(LEVEL_0, `LoadBalancer Ingress:\t${buildIngressString(ingress)}\n`);
    for (const sp of spec.ports ?? []) {
      const name = sp.name ? sp.name : '<unset>';
      const proto = sp.protocol ?? '';
      w.write(LEVEL_0, `Port:\t${name}\t${sp.port ?? 0}/${proto}\n`);
      // An unset targetPort is intstr's zero value, the integer 0.
      w.write(LEVEL_0, `TargetPort:\t${sp.targetPort ?? 0}/${proto}\n`);
      if (sp.appProtocol !== undefined) w.write(LEVEL_0, `AppProtocol:\t${sp.appProtocol}\n`);
      if ((sp.nodePort ?? 0) !== 0) w.write(LEVEL_0, `NodePort:\t${name}\t${sp.nodePort}/${proto}\n`);
      w.write(LEVEL_0, `Endpoints:\t${formatEndpointSlices(endpointSlices, new Set([sp.name ?? '']))}\n`);
    }
    w.write(LEVEL_0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
    if (spec.externalTrafficPolicy) w.write(LEVEL_0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
    if (spec.internalTrafficPolicy !== undefined) w.write(LEVEL_0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
    if ((spec.healthCheckNodePort ?? 0) !== 0) w.write(LEVEL_0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
    if ((spec.loadBalancerSourceRanges ?? []).length > 0) {
      w.write(LEVEL_0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges!.join(',')}\n`);
    }
    if (spec.trafficDistribution !== undefined) w.write(LEVEL_0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
    if (events) describeEvents(events, w, ctx);
  });
}

/** describe.go describeEndpoints. */
export function describeEndpoints(ep: Endpoints, events: readonly CoreEvent[] | undefined, ctx: DescribeContext): string {
  const md = ep.metadata ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, 'Subsets:\n');
    for (const subset of ep.subsets ?? []) {
      const addresses = (subset.addresses ?? []).map((a) => a.ip ?? '').join(',');
      w.write(LEVEL_1, `Addresses:\t${addresses || '<none>'}\n`);
      const notReady = (subset.notReadyAddresses ?? []).map((a) => a.ip ?? '').join(',');
      w.write(LEVEL_1, `NotReadyAddresses:\t${notReady || '<none>'}\n`);
      if ((subset.ports ?? []).length > 0) {
        w.write(LEVEL_1, 'Ports:\n');
        w.write(LEVEL_2, 'Name\tPort\tProtocol\n');
        w.write(LEVEL_2, '----\t----\t--------\n');
        for (const p of subset.ports!) w.write(LEVEL_2, `${p.name || '<unset>'}\t${p.port ?? 0}\t${p.protocol ?? ''}\n`);
      }
      w.write(LEVEL_0, '\n');
    }
    if (events) describeEvents(events, w, ctx);
  });
}

/** describe.go describeEndpointSliceV1. */
export function describeEndpointSlice(eps: EndpointSlice, events: readonly CoreEvent[] | undefined, ctx: DescribeContext): string {
  const md = eps.metadata ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `AddressType:\t${eps.addressType ?? ''}\n`);
    const ports = eps.ports ?? [];
    if (ports.length === 0) {
      w.write(LEVEL_0, 'Ports: <unset>\n');
    } else {
      w.write(LEVEL_0, 'Ports:\n');
      w.write(LEVEL_1, 'Name\tPort\tProtocol\n');
      w.write(LEVEL_1, '----\t----\t--------\n');
      for (const p of ports) {
        const portNum = p.port !== undefined ? String(p.port) : '<unset>';
        w.write(LEVEL_1, `${p.name || '<unset>'}\t${portNum}\t${p.protocol ?? ''}\n`);
      }
    }
    const endpoints = eps.endpoints ?? [];
    if (endpoints.length === 0) {
      w.write(LEVEL_0, 'Endpoints: <none>\n');
    } else {
      w.write(LEVEL_0, 'Endpoints:\n');
      for (const e of endpoints) {
        w.write(LEVEL_1, `- Addresses:\t${(e.addresses ?? []).join(', ') || '<none>'}\n`);
        w.write(LEVEL_2, 'Conditions:\n');
        const ready = e.conditions?.ready;
        w.write(LEVEL_3, `Ready:\t${ready === undefined ? '<unset>' : String(ready)}\n`);
        w.write(LEVEL_2, `Hostname:\t${e.hostname ?? '<unset>'}\n`);
        if (e.targetRef) w.write(LEVEL_2, `TargetRef:\t${e.targetRef.kind ?? ''}/${e.targetRef.name ?? ''}\n`);
        w.write(LEVEL_2, `NodeName:\t${e.nodeName ?? '<unset>'}\n`);
        w.write(LEVEL_2, `Zone:\t${e.zone ?? '<unset>'}\n`);
      }
    }
    if (events) describeEvents(events, w, ctx);
  });
}

/**
 * `kubectl describe <kind> <name>` for one object, byte for byte. `kind` is the Kind
 * ("Service"); `related` carries what kubectl would fetch alongside; `now` dates the ages.
 * Separate several objects' outputs with "\n\n", as kubectl does.
 */
export function describe(kind: string, object: KubeObject, related: DescribeRelated, now: Instant, options: DescribeOptions = {}): string {
  const ctx: DescribeContext = { now: epochMs(now), timeZoneOffsetMinutes: options.timeZoneOffsetMinutes ?? (() => 0) };
  const events = options.showEvents === false ? undefined : (related.events ?? []);
  switch (kind) {
    case 'Service':
      return describeService(object as Service, related.endpointSlices ?? [], events, ctx);
    case 'Endpoints':
      return describeEndpoints(object as Endpoints, events, ctx);
    case 'EndpointSlice':
      return describeEndpointSlice(object as EndpointSlice, events, ctx);
    case 'Pod':
      return describePod(object as Pod, events, ctx);
    case 'Node':
      return describeNode(object as Node, related.pods ?? [], related.lease, events, ctx);
    case 'Namespace':
      return describeNamespace(object as Namespace);
    case 'Deployment':
      return describeDeployment(object as Deployment, events, ctx, related.replicaSets ?? []);
    case 'ReplicaSet':
      return describeReplicaSet(object as ReplicaSet, related.pods ?? [], events, ctx);
    case 'StatefulSet':
      return describeStatefulSet(object as StatefulSet, related.pods ?? [], events, ctx);
    default:
      throw new Error(`no describer for kind ${JSON.stringify(kind)}`);
  }
}
