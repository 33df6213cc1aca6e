// `kubemu delete`: by type and names, TYPE/NAME, -l selector or -f manifests
// (kubectl pkg/cmd/delete/delete.go); each deletion prints `service "my-nginx" deleted`.
import { ApiError } from '@kubemu/client';
import { booleanFlag, parseCommandArgs, stringFlag, stringsFlag, UsageError } from '../args.js';
import { connect } from '../cluster-access.js';
import type { CliIO } from '../io.js';
import { addSourceToErr, checkErrText } from '../kubectl-errors.js';
import { readManifests } from '../manifests.js';
import { deletedLine, qualifiedName, resourceForObject } from '../object-names.js';
import { parseResourceArgs, type ResourceRequest } from '../resource-args.js';
import { placeObject, requireName } from './apply.js';

export const DELETE_HELP = `Delete resources by type and names, by label selector, or by the manifests that made them.

Usage:
  kubemu delete TYPE NAME... [-n NS]
  kubemu delete TYPE/NAME ... [-n NS]
  kubemu delete TYPE -l SELECTOR [-n NS]
  kubemu delete -f FILE|DIR|- [-R]

Options:
  -n, --namespace NS       the namespace (default: the kubeconfig's, else default)
  -l, --selector SEL       delete the objects of TYPE that match
  -f, --filename FILE      the objects of these manifests
  -R, --recursive          descend into subfolders of a folder given with -f
      --ignore-not-found   a missing object is not an error
  -o, --output name        print resource/name only
`;

const FLAGS = {
  namespace: { type: 'string', short: 'n' },
  selector: { type: 'string', short: 'l' },
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  'ignore-not-found': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

interface Target extends Required<ResourceRequest> {
  namespace: string | undefined;
  source?: string;
}

export async function deleteCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('delete', argv, FLAGS, true);
  if (booleanFlag(args, 'help')) {
    io.out(DELETE_HELP);
    return 0;
  }
  const output = stringFlag(args, 'output');
  if (output !== undefined && output !== 'name') {
    io.err(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: name\n`);
    return 1;
  }
  const files = stringsFlag(args, 'filename');
  const selector = stringFlag(args, 'selector');
  const ignoreNotFound = booleanFlag(args, 'ignore-not-found');
  if (files.length > 0 && args.positionals.length > 0) throw new UsageError('when paths are specified, resource names may not be given', 'delete');
  if (files.length === 0 && args.positionals.length === 0) throw new UsageError('you must provide one or more resources by argument or filename', 'delete');
  const explicitNamespace = stringFlag(args, 'namespace');

  const targets: Target[] = [];
  const errors: unknown[] = [];
  const { client, defaultNamespace } = connect(args, io);
  const namespace = explicitNamespace || defaultNamespace;
  if (files.length > 0) {
    for (const m of await readManifests(files, { recursive: booleanFlag(args, 'recursive'), readStdin: io.readStdin })) {
      try {
        const r = resourceForObject(m.object, m.source);
        const placed = placeObject(r, m.object, explicitNamespace, defaultNamespace);
        targets.push({ resource: r, name: requireName(placed, m.source), namespace: placed.metadata?.namespace, source: m.source });
      } catch (err) {
        errors.push(err);
      }
    }
  } else {
    const parsed = parseResourceArgs(args.positionals);
    const named = parsed.requests.filter((q) => q.name !== undefined);
    if (named.length > 0 && selector) throw new UsageError('name cannot be provided when a selector is specified', 'delete');
    if (named.length === 0 && !selector) {
      io.err(`error: resource(s) were provided, but no name was specified\n`);
      return 1;
    }
    for (const q of parsed.requests) {
      const ns = q.resource.namespaced ? namespace : undefined;
      if (q.name !== undefined) {
        targets.push({ resource: q.resource, name: q.name, namespace: ns });
        continue;
      }
      const list = await client.list(q.resource, ns, { labelSelector: selector });
      for (const o of list.items ?? []) targets.push({ resource: q.resource, name: o.metadata?.name ?? '', namespace: ns });
    }
  }

  for (const t of targets) {
    try {
      await client.delete(t.resource, t.namespace, t.name);
      io.out(output === 'name' ? `${qualifiedName(t.resource, t.name)}\n` : deletedLine(t.resource, t.name));
    } catch (err) {
      if (ignoreNotFound && err instanceof ApiError && err.status.code === 404) continue;
      if (!(err instanceof ApiError)) throw err;
      errors.push(addSourceToErr('deleting', t.source, err));
    }
  }
  if (targets.length === 0 && errors.length === 0 && selector) io.err('No resources found\n');
  io.err(checkErrText(errors));
  return errors.length > 0 ? 1 : 0;
}
