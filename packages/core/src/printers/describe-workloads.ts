// kubectl describe for Pods, Deployments and StatefulSets (kubectl pkg/describe/describe.go
// describePod, describeContainers, DescribePodTemplate, describeDeployment, describeStatefulSet).
// Only the fields api/types.ts models are printed; absent ones print as kubectl prints them empty
// (`Volumes: <none>`, `Tolerations: <none>`).
import type { Container, ContainerPort, ContainerStatus, Deployment, IntOrString, Pod, PodTemplateSpec, Probe, ReplicaSet, StatefulSet } from '../api/types.js';
import { findNewReplicaSet } from '../deployment/replica-sets.js';
import { refersTo, controllerOf } from '../replicaset/reconcile.js';
import { desiredReplicas } from './deployment.js';
import { translateTimestampSince } from './duration.js';
import { joinHostPort } from './endpoints.js';
import { labelSelectorString } from './labels.js';
import { addQuantity, canonicalQuantity, parseQuantity, ZERO_QUANTITY, type Quantity } from './quantity.js';
import {
  describeEvents,
  formatRFC1123Z,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  LEVEL_3,
  printAnnotationsMultiline,
  printController,
  printLabelsMultiline,
  tabbedString,
  type CoreEvent,
  type DescribeContext,
  type PrefixWriter,
} from './describe-writer.js';

type ContainerState = NonNullable<ContainerStatus['state']>;
// Fields of core/v1 that describe reads and api/types.ts does not (yet) declare.
type ContainerStatusFull = ContainerStatus & {
  containerID?: string;
  imageID?: string;
  state?: ContainerState & { terminated?: { signal?: number } };
  lastState?: ContainerState & { terminated?: { signal?: number } };
};

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function intOrStringString(v: IntOrString | undefined): string {
  return v === undefined ? '' : String(v);
}

function printBool(v: boolean | undefined): string {
  return v ? 'True' : 'False';
}

function stringOrNone(s: string): string {
  return s.length > 0 ? s : '<none>';
}

function describeContainerPorts(ports: readonly ContainerPort[] | undefined, host: boolean): string {
  return (ports ?? [])
    .map((p) => {
      const s = `${host ? (p.hostPort ?? 0) : (p.containerPort ?? 0)}/${p.protocol ?? ''}`;
      return p.name ? `${s} (${p.name})` : s;
    })
    .join(', ');
}

/** Go's net/url URL.String for a scheme, host and path, as DescribeProbe builds it. */
function probeURL(scheme: string, host: string, path: string): string {
  let s = scheme ? `${scheme}:` : '';
  if (scheme || host) {
    if (host || path) s += '//';
    s += host;
  }
  if (path && !path.startsWith('/') && host) s += '/';
  return s + path;
}

/** describe.go DescribeProbe. */
export function describeProbe(probe: Probe): string {
  const attrs =
    `delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 0}s period=${probe.periodSeconds ?? 0}s ` +
    `#success=${probe.successThreshold ?? 0} #failure=${probe.failureThreshold ?? 0}`;
  if (probe.exec) return `exec [${(probe.exec.command ?? []).join(' ')}] ${attrs}`;
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = intOrStringString(g.port);
    const host = port.length > 0 ? joinHostPort(g.host ?? '', port) : (g.host ?? '');
    return `http-get ${probeURL((g.scheme ?? '').toLowerCase(), host, g.path ?? '')} ${attrs}`;
  }
  if (probe.tcpSocket) return `tcp-socket ${probe.tcpSocket.host ?? ''}:${intOrStringString(probe.tcpSocket.port)} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeStatus(stateName: string, state: ContainerStatusFull['state'], w: PrefixWriter, ctx: DescribeContext): void {
  if (state?.running) {
    w.write(LEVEL_2, `${stateName}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${formatRFC1123Z(state.running.startedAt, ctx)}\n`);
  } else if (state?.waiting) {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
    if (state.waiting.reason) w.write(LEVEL_3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(LEVEL_2, `${stateName}:\tTerminated\n`);
    if (t.reason) w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if ((t.signal ?? 0) > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${formatRFC1123Z(t.startedAt, ctx)}\n`);
    w.write(LEVEL_3, `Finished:\t${formatRFC1123Z(t.finishedAt, ctx)}\n`);
  } else {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
  }
}

function describeResources(resources: Container['resources'], w: PrefixWriter, level: number): void {
  for (const [title, list] of [['Limits', resources?.limits], ['Requests', resources?.requests]] as const) {
    const names = Object.keys(list ?? {}).sort(byteOrder);
    if (names.length > 0) w.write(level, `${title}:\n`);
    for (const name of names) w.write(level + 1, `${name}:\t${canonicalQuantity(list![name]!)}\n`);
  }
}

/** describe.go describeContainers; `space` is the Pod Template indent. */
export function describeContainers(
  label: string,
  containers: readonly Container[],
  statuses: readonly ContainerStatus[] | undefined,
  w: PrefixWriter,
  space: string,
  ctx: DescribeContext,
): void {
  const byName = new Map<string, ContainerStatusFull>();
  for (const s of statuses ?? []) byName.set(s.name ?? '', s as ContainerStatusFull);
  w.write(LEVEL_0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = byName.get(c.name ?? '');
    const nameIndent = space.length > 0 ? ' ' : '';
    w.write(LEVEL_1, `${nameIndent}${c.name ?? ''}:\n`);
    if (status) w.write(LEVEL_2, `Container ID:\t${status.containerID ?? ''}\n`);
    w.write(LEVEL_2, `Image:\t${c.image ?? ''}\n`);
    if (status) w.write(LEVEL_2, `Image ID:\t${status.imageID ?? ''}\n`);
    const ports = describeContainerPorts(c.ports, false);
    w.write(LEVEL_2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${stringOrNone(ports)}\n`);
    const hostPorts = describeContainerPorts(c.ports, true);
    w.write(LEVEL_2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${stringOrNone(hostPorts)}\n`);
    if ((c.command ?? []).length > 0) {
      w.write(LEVEL_2, 'Command:\n');
      for (const cmd of c.command!) for (const s of cmd.split('\n')) w.write(LEVEL_3, `${s}\n`);
    }
    if ((c.args ?? []).length > 0) {
      w.write(LEVEL_2, 'Args:\n');
      for (const arg of c.args!) for (const s of arg.split('\n')) w.write(LEVEL_3, `${s}\n`);
    }
    if (status) {
      describeStatus('State', status.state, w, ctx);
      if (status.lastState?.terminated) describeStatus('Last State', status.lastState, w, ctx);
      w.write(LEVEL_2, `Ready:\t${printBool(status.ready)}\n`);
      w.write(LEVEL_2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    describeResources(c.resources, w, LEVEL_2);
    if (c.livenessProbe) w.write(LEVEL_2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(LEVEL_2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    const env = c.env ?? [];
    w.write(LEVEL_2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
    for (const e of env) {
      (e.value ?? '').split('\n').forEach((s, i) => {
        w.write(LEVEL_3, i === 0 ? `${e.name ?? ''}:\t${s}\n` : `\t${s}\n`);
      });
    }
    w.write(LEVEL_2, 'Mounts:\t<none>\n');
  }
}

/** describe.go DescribePodTemplate. */
export function describePodTemplate(template: PodTemplateSpec | undefined, w: PrefixWriter, ctx: DescribeContext): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!template) {
    w.write(LEVEL_1, '<unset>');
    return;
  }
  printLabelsMultiline(w, '  Labels', template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0) {
    printAnnotationsMultiline(w, '  Annotations', template.metadata?.annotations);
  }
  if (template.spec?.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${template.spec.serviceAccountName}\n`);
  describeContainers('Containers', template.spec?.containers ?? [], undefined, w, '  ', ctx);
  w.write(LEVEL_0, '  Volumes:\t<none>\n');
  printLabelsMultiline(w, '  Node-Selectors', template.spec?.nodeSelector);
  w.write(LEVEL_0, '  Tolerations:\t');
  w.writeLine('<none>');
}

// qos.ComputePodQOS over cpu and memory.
function podQOS(pod: Pod): string {
  const explicit = (pod.status as { qosClass?: string } | undefined)?.qosClass;
  if (explicit) return explicit;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let isGuaranteed = true;
  // A malformed quantity never reaches kubectl (decoding fails); here it counts as unset.
  const parse = (v: string): Quantity => {
    try {
      return parseQuantity(v);
    } catch {
      return ZERO_QUANTITY;
    }
  };
  const add = (into: Map<string, Quantity>, name: string, q: Quantity): void => {
    const prev = into.get(name);
    into.set(name, prev ? addQuantity(q, prev) : q);
  };
  for (const c of pod.spec?.containers ?? []) {
    for (const [name, value] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parse(value);
      if (q.nanos > 0n) add(requests, name, q);
    }
    const found = new Set<string>();
    for (const [name, value] of Object.entries(c.resources?.limits ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parse(value);
      if (q.nanos > 0n) {
        found.add(name);
        add(limits, name, q);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name)?.nanos !== req.nanos) {
        isGuaranteed = false;
        break;
      }
    }
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** describe.go describePod. */
export function describePod(pod: Pod, events: readonly CoreEvent[] | undefined, ctx: DescribeContext): string {
  const md = pod.metadata ?? {};
  const status = pod.status ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    if (pod.spec?.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${pod.spec.serviceAccountName}\n`);
    if (!pod.spec?.nodeName) w.write(LEVEL_0, 'Node:\t<none>\n');
    else w.write(LEVEL_0, `Node:\t${pod.spec.nodeName}/${status.hostIP ?? ''}\n`);
    if (status.startTime) w.write(LEVEL_0, `Start Time:\t${formatRFC1123Z(status.startTime, ctx)}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    if (md.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
      w.write(LEVEL_0, `Status:\tTerminating (lasts ${translateTimestampSince(md.deletionTimestamp, ctx.now)})\n`);
      w.write(LEVEL_0, `Termination Grace Period:\t${md.deletionGracePeriodSeconds ?? 0}s\n`);
    } else {
      w.write(LEVEL_0, `Status:\t${status.phase ?? ''}\n`);
    }
    if (status.reason) w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
    if (status.message) w.write(LEVEL_0, `Message:\t${status.message}\n`);
    w.write(LEVEL_0, `IP:\t${status.podIP ?? ''}\n`);
    const ips = status.podIPs ?? [];
    if (ips.length === 0) {
      w.write(LEVEL_0, 'IPs:\t<none>\n');
    } else {
      w.write(LEVEL_0, 'IPs:\n');
      for (const ip of ips) w.write(LEVEL_1, `IP:\t${ip.ip ?? ''}\n`);
    }
    const controlledBy = printController(md.ownerReferences);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    describeContainers('Containers', pod.spec?.containers ?? [], status.containerStatuses, w, '', ctx);
    const conditions = status.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type ?? ''} \t${c.status ?? ''} \n`);
    }
    w.write(LEVEL_0, 'Volumes:\t<none>\n');
    w.write(LEVEL_0, `QoS Class:\t${podQOS(pod)}\n`);
    printLabelsMultiline(w, 'Node-Selectors', pod.spec?.nodeSelector);
    w.write(LEVEL_0, 'Tolerations:\t');
    w.writeLine('<none>');
    if (events) describeEvents(events, w, ctx);
  });
}

/** describe.go printReplicaSetsByLabels. */
function replicaSetsByLabels(rss: readonly ReplicaSet[]): string {
  const list = rss.map((rs) => `${rs.metadata?.name ?? ''} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
  return list === '' ? '<none>' : list;
}

/**
 * describe.go describeDeployment. `replicaSets` are those its selector matches; as kubectl's
 * deploymentutil.GetAllReplicaSets, only those it controls count and the new one is the oldest with
 * its template; OldReplicaSets lists every other one, scaled to 0 or not (what kubectl 1.32 prints).
 */
export function describeDeployment(d: Deployment, events: readonly CoreEvent[] | undefined, ctx: DescribeContext, replicaSets: readonly ReplicaSet[] = []): string {
  const md = d.metadata ?? {};
  const st = d.status ?? {};
  const owned = replicaSets.filter((rs) => refersTo(controllerOf(rs), d, 'Deployment'));
  const newRS = findNewReplicaSet(d, owned);
  const oldRSs = [...owned].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')).filter((rs) => rs !== newRS);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${formatRFC1123Z(md.creationTimestamp, ctx)}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Selector:\t${labelSelectorString(d.spec?.selector)}\n`);
    w.write(
      LEVEL_0,
      `Replicas:\t${desiredReplicas(d.spec?.replicas)} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ` +
        `${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`,
    );
    w.write(LEVEL_0, `StrategyType:\t${d.spec?.strategy?.type ?? ''}\n`);
    w.write(LEVEL_0, `MinReadySeconds:\t${d.spec?.minReadySeconds ?? 0}\n`);
    const ru = d.spec?.strategy?.rollingUpdate;
    if (ru) {
      const s = (v: IntOrString | undefined): string => (v === undefined ? '<nil>' : String(v));
      w.write(LEVEL_0, `RollingUpdateStrategy:\t${s(ru.maxUnavailable)} max unavailable, ${s(ru.maxSurge)} max surge\n`);
    }
    describePodTemplate(d.spec?.template, w, ctx);
    const conditions = st.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
      w.write(LEVEL_1, '----\t------\t------\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type ?? ''} \t${c.status ?? ''}\t${c.reason ?? ''}\n`);
    }
    if (oldRSs.length > 0 || newRS !== undefined) {
      w.write(LEVEL_0, `OldReplicaSets:\t${replicaSetsByLabels(oldRSs)}\n`);
      w.write(LEVEL_0, `NewReplicaSet:\t${replicaSetsByLabels(newRS ? [newRS] : [])}\n`);
    }
    if (events) describeEvents(events, w, ctx);
  });
}

/** getPodStatusForController: phases of the pods `owner` controls (by uid). */
function podPhaseCounts(pods: readonly Pod[], ownerUid: string | undefined): Record<'Running' | 'Pending' | 'Succeeded' | 'Failed', number> {
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const p of pods) {
    const owner = (p.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
    if (!owner || owner.uid !== ownerUid) continue;
    const phase = p.status?.phase ?? '';
    if (phase in counts) counts[phase as keyof typeof counts]++;
  }
  return counts;
}

/** describe.go describeReplicaSet. `pods` are the pods matching its selector. */
export function describeReplicaSet(rs: ReplicaSet, pods: readonly Pod[], events: readonly CoreEvent[] | undefined, ctx: DescribeContext): string {
  const md = rs.metadata ?? {};
  const counts = podPhaseCounts(pods, md.uid);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    w.write(LEVEL_0, `Selector:\t${labelSelectorString(rs.spec?.selector)}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    const controlledBy = printController(md.ownerReferences);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    w.write(LEVEL_0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${desiredReplicas(rs.spec?.replicas)} desired\n`);
    w.write(LEVEL_0, 'Pods Status:\t');
    w.write(LEVEL_0, `${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed\n`);
    describePodTemplate(rs.spec?.template, w, ctx);
    const conditions = rs.status?.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
      w.write(LEVEL_1, '----\t------\t------\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type ?? ''} \t${c.status ?? ''}\t${c.reason ?? ''}\n`);
    }
    if (events) describeEvents(events, w, ctx);
  });
}

/**
 * describe.go describeStatefulSet. `pods` are the pods matching its selector; as
 * getPodStatusForController, only those it controls (by owner UID) are counted.
 */
export function describeStatefulSet(
  ss: StatefulSet,
  pods: readonly Pod[],
  events: readonly CoreEvent[] | undefined,
  ctx: DescribeContext,
): string {
  const md = ss.metadata ?? {};
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 } as Record<string, number>;
  for (const p of pods) {
    const owner = (p.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
    if (!owner || owner.uid !== md.uid) continue;
    const phase = p.status?.phase ?? '';
    if (phase in counts) counts[phase]!++;
  }
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${md.name ?? ''}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${formatRFC1123Z(md.creationTimestamp, ctx)}\n`);
    w.write(LEVEL_0, `Selector:\t${labelSelectorString(ss.spec?.selector)}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Replicas:\t${desiredReplicas(ss.spec?.replicas)} desired | ${ss.status?.replicas ?? 0} total\n`);
    w.write(LEVEL_0, `Update Strategy:\t${ss.spec?.updateStrategy?.type ?? ''}\n`);
    const ru = ss.spec?.updateStrategy?.rollingUpdate;
    if (ru && ru.partition !== undefined) {
      w.write(LEVEL_1, `Partition:\t${ru.partition}\n`);
      if (ru.maxUnavailable !== undefined) w.write(LEVEL_1, `MaxUnavailable:\t${String(ru.maxUnavailable)}\n`);
    }
    w.write(
      LEVEL_0,
      `Pods Status:\t${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed\n`,
    );
    describePodTemplate(ss.spec?.template, w, ctx);
    w.write(LEVEL_0, 'Volume Claims:\t<none>\n');
    if (events) describeEvents(events, w, ctx);
  });
}
