// `kubemu get`: kubectl get's output for the same objects (kubectl pkg/cmd/get/get.go): one table
// per resource type through core's printers, AGE against the local clock, kind-qualified names
// when several kinds print, yaml/json/name like kubectl's generic printers, errors after.
import { noResourcesFound, renderTable, tableFor, type KubeObject, type ResourceInfo, type Table } from '@kubemu/core';
import { ApiError } from '@kubemu/client';
import { booleanFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import { connect } from '../cluster-access.js';
import type { CliIO } from '../io.js';
import { checkErrText } from '../kubectl-errors.js';
import { kindString } from '../object-names.js';
import { formatNames, formatObjects, OUTPUT_FORMATS, withTypeMeta } from '../output-format.js';
import { parseResourceArgs } from '../resource-args.js';

export const GET_HELP = `Display one or many resources, as kubectl get prints them.

Usage:
  kubemu get TYPE[,TYPE...] [NAME...] [flags]
  kubemu get TYPE/NAME ... [flags]

Options:
  -n, --namespace NS          the namespace (default: the kubeconfig's, else default)
  -A, --all-namespaces        list across all namespaces
  -l, --selector SELECTOR     label selector, e.g. app=nginx,tier!=db
      --field-selector SEL    field selector, e.g. metadata.name=my-nginx
  -o, --output FORMAT         wide, yaml, json or name
      --no-headers            no header line
      --show-labels           a LABELS column

Types: services (svc), endpoints (ep), endpointslices, pods (po), nodes (no), namespaces (ns),
deployments (deploy), statefulsets (sts), leases, all.
`;

const FLAGS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  output: { type: 'string', short: 'o' },
  'no-headers': { type: 'boolean' },
  'show-labels': { type: 'boolean' },
} as const;

export interface Found {
  resource: ResourceInfo;
  object: KubeObject;
}

export interface TableOutputOptions {
  wide: boolean;
  allNamespaces: boolean;
  noHeaders: boolean;
  showLabels: boolean;
  now: number;
}

/** tableprinter.go with WithKind: the name column reads `service/my-nginx`. */
export function withKindNames(table: Table, r: ResourceInfo): Table {
  const col = table.columnDefinitions.findIndex((c) => c.format === 'name');
  if (col < 0) return table;
  return {
    ...table,
    rows: table.rows.map((row) => ({ ...row, cells: row.cells.map((c, i) => (i === col ? `${kindString(r)}/${String(c)}` : c)) })),
  };
}

/**
 * The human-readable output: a table per type in request order; a blank line between tables
 * when headers print; kind-qualified names when the objects span several kinds
 * (get.go multipleGVKsRequested).
 */
export function renderTables(found: readonly Found[], types: readonly ResourceInfo[], options: TableOutputOptions): string {
  const kinds = new Set(found.map((f) => f.resource.kind));
  const printWithKind = kinds.size > 1;
  let out = '';
  for (const r of types) {
    const objects = found.filter((f) => f.resource === r).map((f) => f.object);
    if (objects.length === 0) continue;
    let table = tableFor(r.kind, objects, { now: options.now });
    if (printWithKind) table = withKindNames(table, r);
    const text = renderTable(table, {
      wide: options.wide,
      withNamespace: options.allNamespaces && r.namespaced,
      noHeaders: options.noHeaders,
      showLabels: options.showLabels,
    });
    if (text === '') continue;
    if (out !== '' && !options.noHeaders) out += '\n';
    out += text;
  }
  return out;
}

export async function get(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('get', argv, FLAGS, true);
  if (booleanFlag(args, 'help')) {
    io.out(GET_HELP);
    return 0;
  }
  const output = stringFlag(args, 'output');
  if (output !== undefined && !OUTPUT_FORMATS.includes(output)) {
    io.err(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${[...OUTPUT_FORMATS].sort().join(',')}\n`);
    return 1;
  }
  if (args.positionals.length === 0) throw new UsageError('you must specify the type of resource to get', 'get');
  const parsed = parseResourceArgs(args.positionals);
  const allNamespaces = booleanFlag(args, 'all-namespaces');
  const labelSelector = stringFlag(args, 'selector');
  const fieldSelector = stringFlag(args, 'field-selector');
  const named = parsed.requests.some((q) => q.name !== undefined);
  if (named && labelSelector) {
    io.err('error: name cannot be provided when a selector is specified\n');
    return 1;
  }
  if (named && allNamespaces && parsed.requests.some((q) => q.resource.namespaced)) {
    io.err('error: a resource cannot be retrieved by name across all namespaces\n');
    return 1;
  }
  const { client, defaultNamespace } = connect(args, io);
  const namespace = stringFlag(args, 'namespace') || defaultNamespace;

  const found: Found[] = [];
  const errors: unknown[] = [];
  for (const q of parsed.requests) {
    const ns = q.resource.namespaced && !allNamespaces ? namespace : undefined;
    try {
      if (q.name !== undefined) {
        found.push({ resource: q.resource, object: await client.get(q.resource, ns, q.name) });
      } else {
        const list = await client.list(q.resource, ns, { labelSelector, fieldSelector });
        for (const object of list.items ?? []) found.push({ resource: q.resource, object });
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      errors.push(err);
    }
  }

  if (output === 'yaml' || output === 'json') {
    if (!(parsed.singleItemImplied && found.length === 0)) {
      io.out(formatObjects(output, found.map((f) => withTypeMeta(f.resource, f.object)), parsed.singleItemImplied));
    }
  } else if (output === 'name') {
    io.out(formatNames(found));
  } else {
    const text = renderTables(found, parsed.types, {
      wide: output === 'wide',
      allNamespaces,
      noHeaders: booleanFlag(args, 'no-headers'),
      showLabels: booleanFlag(args, 'show-labels'),
      now: Date.now(),
    });
    io.out(text);
    if (text === '' && errors.length === 0) {
      io.err(noResourcesFound({ namespaced: parsed.types.every((r) => r.namespaced), allNamespaces, namespace }));
    }
  }
  io.err(checkErrText(errors));
  return errors.length > 0 ? 1 : 0;
}
