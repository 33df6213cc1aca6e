// `kubemu validate -f`: apply's admission, offline (see offline-admission.ts).
import { booleanFlag, parseCommandArgs, stringFlag, stringsFlag, UsageError } from '../args.js';
import { ApiError } from '@kubemu/client';
import type { CliIO } from '../io.js';
import { checkErrText } from '../kubectl-errors.js';
import { readManifests } from '../manifests.js';
import { operationLine, resourceForObject } from '../object-names.js';
import { OfflineCluster } from '../offline-admission.js';
import { readSettings, resolveStateDir, statePaths } from '../state-dir.js';
import { placeObject, requireName } from './apply.js';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE } from './up.js';

export const VALIDATE_HELP = `Check manifests against Kubernetes admission without a cluster: defaulting, validation and
ClusterIP/NodePort allocation, in file order, starting from a new cluster (default namespaces, the
kubernetes and kube-dns Services). Prints "<kind>/<name> valid" or the error kubectl would print.

Usage:
  kubemu validate -f FILE|DIR|- [-f ...] [-R] [-n NS]

Options:
  -f, --filename FILE|DIR|-            manifests, as for apply
  -R, --recursive                      descend into subfolders
  -n, --namespace NS                   namespace for objects that name none (default: default)
  --service-cluster-ip-range CIDR      default: the state folder's cluster's, else 10.96.0.0/12
  --service-node-port-range RANGE      default: the state folder's cluster's, else 30000-32767

Exits 1 if any object is invalid.
`;

const FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  namespace: { type: 'string', short: 'n' },
  'service-cluster-ip-range': { type: 'string' },
  'service-node-port-range': { type: 'string' },
} as const;

export async function validate(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('validate', argv, FLAGS, true);
  if (booleanFlag(args, 'help')) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected args: [${args.positionals.join(' ')}]`, 'validate');
  const files = stringsFlag(args, 'filename');
  if (files.length === 0) throw new UsageError('must specify -f', 'validate');
  const settings = readSettings(statePaths(resolveStateDir(args, io)));
  const cluster = new OfflineCluster({
    serviceClusterIPRange: stringFlag(args, 'service-cluster-ip-range') ?? settings?.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE,
    serviceNodePortRange: stringFlag(args, 'service-node-port-range') ?? settings?.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE,
  });
  const manifests = await readManifests(files, { recursive: booleanFlag(args, 'recursive'), readStdin: io.readStdin });
  if (manifests.length === 0) {
    io.err('error: no objects passed to validate\n');
    return 1;
  }
  const explicitNamespace = stringFlag(args, 'namespace');
  let invalid = 0;
  for (const m of manifests) {
    try {
      const r = resourceForObject(m.object, m.source);
      const object = placeObject(r, m.object, explicitNamespace, 'default');
      const name = requireName(object, m.source);
      const decision = cluster.apply(r, object);
      if (decision.ok) io.out(operationLine(r, name, 'valid'));
      else {
        invalid++;
        io.err(checkErrText([new ApiError(decision.status)]));
      }
    } catch (err) {
      invalid++;
      io.err(checkErrText([err]));
    }
  }
  return invalid > 0 ? 1 : 0;
}
