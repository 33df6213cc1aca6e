// `kubemu describe`: core's describers (kubectl pkg/describe/describe.go) over the objects and
// what each describer fetches besides (a Service's EndpointSlices, a Node's pods and Lease).
import { describe as describeObject, RESOURCES, type DescribeRelated, type Event, type KubeObject, type Lease, type Pod, type ResourceInfo } from '@kubemu/core';
import { ApiError, type ApiClient } from '@kubemu/client';
import { booleanFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import { connect } from '../cluster-access.js';
import type { CliIO } from '../io.js';
import { checkErrText } from '../kubectl-errors.js';
import { parseResourceArgs } from '../resource-args.js';

export const DESCRIBE_HELP = `Show details of resources, as kubectl describe prints them.

Usage:
  kubemu describe TYPE [NAME...] [-n NS | -A] [-l SELECTOR]
  kubemu describe TYPE/NAME ...

Options:
  -n, --namespace NS        the namespace (default: the kubeconfig's, else default)
  -A, --all-namespaces      across all namespaces
  -l, --selector SEL        only objects whose labels match
      --show-events         print the events about each object (default true)
`;

const FLAGS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'show-events': { type: 'string' },
} as const;

const resource = (kind: string): ResourceInfo => RESOURCES.find((r) => r.kind === kind)!;

/** The selector's matchLabels as a label selector string (matchExpressions are not sent). */
function matchLabelsSelector(object: KubeObject): string {
  const matchLabels = (object as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels ?? {};
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * describe.go searchEvents (client-go EventExpansion.Search): events by a field selector on the
 * object's name, namespace, kind and uid, in its namespace (all namespaces for a cluster-scoped one).
 */
export async function searchEvents(client: ApiClient, ref: { kind: string; namespace?: string | undefined; name: string; uid?: string | undefined }): Promise<Event[]> {
  const fields = [`involvedObject.kind=${ref.kind}`, `involvedObject.name=${ref.name}`, `involvedObject.namespace=${ref.namespace ?? ''}`];
  if (ref.uid) fields.push(`involvedObject.uid=${ref.uid}`);
  const list = await client.list(resource('Event'), ref.namespace || undefined, { fieldSelector: fields.sort().join(',') });
  return list.items as Event[];
}

/** The events kubectl's describer shows: a Node's are asked for twice (its uid, and its name as the kubelet's uid). */
async function fetchEvents(client: ApiClient, r: ResourceInfo, object: KubeObject): Promise<Event[]> {
  const ref = { kind: r.kind, namespace: r.namespaced ? object.metadata?.namespace : undefined, name: object.metadata?.name ?? '', uid: object.metadata?.uid };
  const events = await searchEvents(client, ref);
  if (r.kind === 'Node') events.push(...(await searchEvents(client, { ...ref, uid: ref.name })));
  return events;
}

/** What kubectl's describer for this kind reads besides the object. */
export async function fetchRelated(client: ApiClient, r: ResourceInfo, object: KubeObject, showEvents = true): Promise<DescribeRelated> {
  const related = await fetchKindRelated(client, r, object);
  if (showEvents && r.kind !== 'Namespace') related.events = await fetchEvents(client, r, object);
  return related;
}

async function fetchKindRelated(client: ApiClient, r: ResourceInfo, object: KubeObject): Promise<DescribeRelated> {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  switch (r.kind) {
    case 'Service': {
      const list = await client.list(resource('EndpointSlice'), namespace, { labelSelector: `kubernetes.io/service-name=${name}` });
      return { endpointSlices: list.items as DescribeRelated['endpointSlices'] };
    }
    case 'Node': {
      // kubectl NodeDescriber: non-terminated pods bound to the node.
      const pods = await client.list(resource('Pod'), undefined, { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` });
      let lease: Lease | null = null;
      try {
        lease = (await client.get(resource('Lease'), 'kube-node-lease', name)) as Lease;
      } catch (err) {
        if (!(err instanceof ApiError && err.status.code === 404)) throw err;
      }
      return { pods: pods.items as Pod[], lease };
    }
    case 'Deployment': {
      const replicaSets = await client.list(resource('ReplicaSet'), namespace, { labelSelector: matchLabelsSelector(object) });
      return { replicaSets: replicaSets.items as DescribeRelated['replicaSets'] };
    }
    case 'ReplicaSet':
    case 'StatefulSet': {
      const pods = await client.list(resource('Pod'), namespace, { labelSelector: matchLabelsSelector(object) });
      return { pods: pods.items as Pod[] };
    }
    default:
      return {};
  }
}

export async function describe(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('describe', argv, FLAGS, true);
  if (booleanFlag(args, 'help')) {
    io.out(DESCRIBE_HELP);
    return 0;
  }
  if (args.positionals.length === 0) throw new UsageError('You must specify the type of resource to describe', 'describe');
  const showEventsFlag = stringFlag(args, 'show-events');
  if (showEventsFlag !== undefined && showEventsFlag !== 'true' && showEventsFlag !== 'false') {
    throw new UsageError(`invalid argument "${showEventsFlag}" for "--show-events" flag: must be true or false`, 'describe');
  }
  const parsed = parseResourceArgs(args.positionals);
  const allNamespaces = booleanFlag(args, 'all-namespaces');
  const labelSelector = stringFlag(args, 'selector');
  const { client, defaultNamespace } = connect(args, io);
  const namespace = stringFlag(args, 'namespace') || defaultNamespace;

  const errors: unknown[] = [];
  const texts: string[] = [];
  const now = Date.now();
  for (const q of parsed.requests) {
    const ns = q.resource.namespaced && !allNamespaces ? namespace : undefined;
    let objects: KubeObject[];
    try {
      objects = q.name !== undefined ? [await client.get(q.resource, ns, q.name)] : (await client.list(q.resource, ns, { labelSelector })).items;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      errors.push(err);
      continue;
    }
    for (const object of objects) {
      const related = await fetchRelated(client, q.resource, object, showEventsFlag !== 'false');
      texts.push(
        describeObject(q.resource.kind, object, related, now, {
          showEvents: showEventsFlag !== 'false',
          timeZoneOffsetMinutes: (ms) => -new Date(ms).getTimezoneOffset(),
        }),
      );
    }
  }
  io.out(texts.join('\n\n'));
  if (texts.length === 0 && errors.length === 0) {
    io.err(allNamespaces || !parsed.types.every((r) => r.namespaced) ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
  }
  io.err(checkErrText(errors));
  return errors.length > 0 ? 1 : 0;
}
