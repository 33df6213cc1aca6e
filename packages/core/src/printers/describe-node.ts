// kubectl describe for Nodes and Namespaces (kubectl pkg/describe/describe.go describeNode,
// describeNodeLease, describeNodeResource, describeNamespace).
import type { Lease, Namespace, Node, Pod } from '../api/types.js';
import { translateTimestampSince } from './duration.js';
import { findNodeRoles } from './node.js';
import { addQuantity, parseQuantity, quantityMilliValue, quantityString, quantityValue, ZERO_QUANTITY, type Quantity } from './quantity.js';
import {
  describeEvents,
  formatRFC1123Z,
  LEVEL_0,
  LEVEL_1,
  printAnnotationsMultiline,
  printLabelsMultiline,
  tabbedString,
  type CoreEvent,
  type DescribeContext,
  type PrefixWriter,
} from './describe-writer.js';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type ResourceList = Record<string, string> | undefined;

function quantityOf(list: ResourceList, name: string): Quantity {
  const v = list?.[name];
  if (v === undefined) return ZERO_QUANTITY;
  try {
    return parseQuantity(v);
  } catch {
    return ZERO_QUANTITY;
  }
}

/**
 * Go's int64(float64) as amd64 executes it: NaN, ±Inf and out-of-range values become
 * math.MinInt64. kubectl divides by allocatable without a guard for per-pod rows, so a node
 * without capacity prints this value, as kubectl built for amd64 does.
 */
function goInt64(x: number): string {
  if (!Number.isFinite(x) || x >= 2 ** 63 || x < -(2 ** 63)) return '-9223372036854775808';
  return BigInt(Math.trunc(x)).toString();
}

// resourcehelper.PodRequests / PodLimits over regular containers.
function podResources(pod: Pod, which: 'requests' | 'limits'): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? []) {
    for (const name of Object.keys(c.resources?.[which] ?? {})) {
      const q = quantityOf(c.resources?.[which], name);
      const prev = out.get(name);
      out.set(name, prev ? addQuantity(prev, q) : q);
    }
  }
  return out;
}

function describeNodeLease(lease: Lease | null | undefined, nodeName: string, w: PrefixWriter, ctx: DescribeContext): void {
  if (!lease) {
    // What client-go's NotFound error prints for kube-node-lease/<node>.
    w.write(LEVEL_0, `Lease:\tFailed to get lease: leases.coordination.k8s.io "${nodeName}" not found\n`);
    return;
  }
  w.write(LEVEL_0, 'Lease:\n');
  w.write(LEVEL_1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? '<unset>'}\n`);
  const acquire = lease.spec?.acquireTime ? formatRFC1123Z(lease.spec.acquireTime, ctx) : '<unset>';
  w.write(LEVEL_1, `AcquireTime:\t${acquire}\n`);
  const renew = lease.spec?.renewTime ? formatRFC1123Z(lease.spec.renewTime, ctx) : '<unset>';
  w.write(LEVEL_1, `RenewTime:\t${renew}\n`);
}

function describeNodeResource(pods: readonly Pod[], node: Node, w: PrefixWriter, ctx: DescribeContext): void {
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const capacity = node.status?.capacity;
  const allocatable = Object.keys(node.status?.allocatable ?? {}).length > 0 ? node.status?.allocatable : capacity;
  const allocCPU = quantityMilliValue(quantityOf(allocatable, 'cpu'));
  const allocMem = quantityValue(quantityOf(allocatable, 'memory'));

  const totals = { requests: new Map<string, Quantity>(), limits: new Map<string, Quantity>() };
  for (const pod of pods) {
    const req = podResources(pod, 'requests');
    const lim = podResources(pod, 'limits');
    for (const [into, from] of [[totals.requests, req], [totals.limits, lim]] as const) {
      for (const [name, q] of from) {
        const prev = into.get(name);
        into.set(name, prev ? addQuantity(prev, q) : q);
      }
    }
    const cpuReq = req.get('cpu') ?? ZERO_QUANTITY;
    const cpuLim = lim.get('cpu') ?? ZERO_QUANTITY;
    const memReq = req.get('memory') ?? ZERO_QUANTITY;
    const memLim = lim.get('memory') ?? ZERO_QUANTITY;
    const pct = (v: number, of: number): string => goInt64((v / of) * 100);
    w.write(
      LEVEL_1,
      `${pod.metadata?.namespace ?? ''}\t${pod.metadata?.name ?? ''}\t\t` +
        `${quantityString(cpuReq)} (${pct(quantityMilliValue(cpuReq), allocCPU)}%)\t` +
        `${quantityString(cpuLim)} (${pct(quantityMilliValue(cpuLim), allocCPU)}%)\t` +
        `${quantityString(memReq)} (${pct(quantityValue(memReq), allocMem)}%)\t` +
        `${quantityString(memLim)} (${pct(quantityValue(memLim), allocMem)}%)\t` +
        `${translateTimestampSince(pod.metadata?.creationTimestamp, ctx.now)}\n`,
    );
  }

  w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
  w.write(LEVEL_1, '--------\t--------\t------\n');
  // The totals are guarded against a zero allocatable, unlike the per-pod rows.
  const guarded = (v: number, of: number): string => (of !== 0 ? goInt64((v / of) * 100) : '0');
  const line = (name: string, milli: boolean): void => {
    const r = totals.requests.get(name) ?? ZERO_QUANTITY;
    const l = totals.limits.get(name) ?? ZERO_QUANTITY;
    const of = quantityOf(allocatable, name);
    const val = milli ? quantityMilliValue : quantityValue;
    w.write(
      LEVEL_1,
      `${name}\t${quantityString(r)} (${guarded(val(r), val(of))}%)\t${quantityString(l)} (${guarded(val(l), val(of))}%)\n`,
    );
  };
  line('cpu', true);
  line('memory', false);
  line('ephemeral-storage', false);
  const names = Object.keys(allocatable ?? {});
  for (const name of names.filter((n) => n.startsWith('hugepages-')).sort(byteOrder)) line(name, false);
  const standard = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);
  for (const ext of names.filter((n) => !standard.has(n) && !n.startsWith('hugepages-')).sort(byteOrder)) {
    const r = totals.requests.get(ext) ?? ZERO_QUANTITY;
    const l = totals.limits.get(ext) ?? ZERO_QUANTITY;
    w.write(LEVEL_1, `${ext}\t${quantityString(r)}\t${quantityString(l)}\n`);
  }
}

/**
 * describe.go describeNode. `pods` are all pods; those bound to this node and not Succeeded or
 * Failed are listed, as kubectl's field selector does. `lease` is kube-node-lease/<node>, null
 * when it does not exist.
 */
export function describeNode(
  node: Node,
  pods: readonly Pod[],
  lease: Lease | null | undefined,
  events: readonly CoreEvent[] | undefined,
  ctx: DescribeContext,
): string {
  const md = node.metadata ?? {};
  const st = node.status ?? {};
  const onNode = pods.filter(
    (p) => p.spec?.nodeName === md.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  );
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    const roles = findNodeRoles(node);
    w.write(LEVEL_0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `CreationTimestamp:\t${formatRFC1123Z(md.creationTimestamp, ctx)}\n`);
    w.write(LEVEL_0, 'Taints:\t');
    w.writeLine('<none>');
    w.write(LEVEL_0, `Unschedulable:\t${node.spec?.unschedulable ? 'true' : 'false'}\n`);
    describeNodeLease(lease, md.name ?? '', w, ctx);
    const conditions = st.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
      w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
      for (const c of conditions) {
        w.write(
          LEVEL_1,
          `${c.type ?? ''} \t${c.status ?? ''} \t${formatRFC1123Z(c.lastHeartbeatTime, ctx)} \t` +
            `${formatRFC1123Z(c.lastTransitionTime, ctx)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`,
        );
      }
    }
    w.write(LEVEL_0, 'Addresses:\n');
    for (const a of st.addresses ?? []) w.write(LEVEL_1, `${a.type ?? ''}:\t${a.address ?? ''}\n`);
    for (const [title, list] of [['Capacity', st.capacity], ['Allocatable', st.allocatable]] as const) {
      const names = Object.keys(list ?? {}).sort(byteOrder);
      if (names.length === 0) continue;
      w.write(LEVEL_0, `${title}:\n`);
      for (const name of names) w.write(LEVEL_0, `  ${name}:\t${quantityString(quantityOf(list, name))}\n`);
    }
    const info = st.nodeInfo ?? {};
    const full = info as typeof info & { machineID?: string; systemUUID?: string; bootID?: string };
    w.write(LEVEL_0, 'System Info:\n');
    w.write(LEVEL_0, `  Machine ID:\t${full.machineID ?? ''}\n`);
    w.write(LEVEL_0, `  System UUID:\t${full.systemUUID ?? ''}\n`);
    w.write(LEVEL_0, `  Boot ID:\t${full.bootID ?? ''}\n`);
    w.write(LEVEL_0, `  Kernel Version:\t${info.kernelVersion ?? ''}\n`);
    w.write(LEVEL_0, `  OS Image:\t${info.osImage ?? ''}\n`);
    w.write(LEVEL_0, `  Operating System:\t${info.operatingSystem ?? ''}\n`);
    w.write(LEVEL_0, `  Architecture:\t${info.architecture ?? ''}\n`);
    w.write(LEVEL_0, `  Container Runtime Version:\t${info.containerRuntimeVersion ?? ''}\n`);
    w.write(LEVEL_0, `  Kubelet Version:\t${info.kubeletVersion ?? ''}\n`);
    if (node.spec?.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${node.spec.podCIDR}\n`);
    if ((node.spec?.podCIDRs ?? []).length > 0) w.write(LEVEL_0, `PodCIDRs:\t${node.spec!.podCIDRs!.join(',')}\n`);
    if (node.spec?.providerID) w.write(LEVEL_0, `ProviderID:\t${node.spec.providerID}\n`);
    describeNodeResource(onNode, node, w, ctx);
    if (events) describeEvents(events, w, ctx);
  });
}

/**
 * describe.go describeNamespace. kubectl omits the quota and limit-range sections when the
 * server has no such resources, as kubemu has none.
 */
export function describeNamespace(ns: Namespace): string {
  const md = ns.metadata ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Status:\t${ns.status?.phase ?? ''}\n`);
  });
}
