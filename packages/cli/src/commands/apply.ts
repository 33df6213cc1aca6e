// `kubemu apply -f`: kubectl's client-side apply (kubectl pkg/cmd/apply/apply.go applyOneObject):
// create what does not exist, patch what does toward the manifest, report each object as
// created / configured / unchanged, and the errors at the end.
import type { KubeObject, ResourceInfo } from '@kubemu/core';
import { ApiError } from '@kubemu/client';
import { planApply, missingAnnotationWarning } from '../apply-patch.js';
import { booleanFlag, parseCommandArgs, stringFlag, stringsFlag, UsageError } from '../args.js';
import { connect } from '../cluster-access.js';
import type { CliIO } from '../io.js';
import { addSourceToErr, checkErrText } from '../kubectl-errors.js';
import { readManifests, type ManifestObject } from '../manifests.js';
import { operationLine, resourceForObject } from '../object-names.js';

export const APPLY_HELP = `Apply a configuration to the cluster, as kubectl apply does (client-side): create what does
not exist, patch what does toward the manifest.

Usage:
  kubemu apply -f FILE|DIR|- [-f ...] [-R] [-n NAMESPACE] [--state-dir DIR]

Options:
  -f, --filename FILE|DIR|-   YAML or JSON manifests (several documents, a List); a folder's .yaml/.yml/.json
                              files; - for standard input
  -R, --recursive             descend into subfolders of a folder given with -f
  -n, --namespace NS          namespace for objects that name none (default: the kubeconfig's, else default)
`;

const FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  namespace: { type: 'string', short: 'n' },
} as const;

export class ObjectSetupError extends Error {
  override name = 'ObjectSetupError';
}

/**
 * The namespace an object is applied in (cli-runtime resource.Builder NamespaceParam +
 * DefaultNamespace + RequireNamespace): its own, else -n, else the default; a clash with an
 * explicit -n is kubectl's error.
 */
export function placeObject(
  r: ResourceInfo,
  object: KubeObject,
  explicitNamespace: string | undefined,
  defaultNamespace: string,
): KubeObject {
  const out = structuredClone(object);
  out.metadata = { ...(out.metadata ?? {}) };
  if (!r.namespaced) return out;
  const own = out.metadata.namespace;
  if (own && explicitNamespace && own !== explicitNamespace) {
    throw new ObjectSetupError(
      `the namespace from the provided object "${own}" does not match the namespace "${explicitNamespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  out.metadata.namespace = own || explicitNamespace || defaultNamespace;
  return out;
}

export function requireName(object: KubeObject, source: string): string {
  const name = object.metadata?.name;
  if (name) return name;
  if (object.metadata?.generateName) throw new ObjectSetupError(`from ${source}: cannot use generate name with apply`);
  throw new ObjectSetupError(`error when retrieving current configuration from ${JSON.stringify(source)}: resource name may not be empty`);
}

export async function apply(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('apply', argv, FLAGS, true);
  if (booleanFlag(args, 'help')) {
    io.out(APPLY_HELP);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected args: [${args.positionals.join(' ')}]`, 'apply');
  const files = stringsFlag(args, 'filename');
  if (files.length === 0) throw new UsageError('must specify -f', 'apply');
  const manifests = await readManifests(files, { recursive: booleanFlag(args, 'recursive'), readStdin: io.readStdin });
  if (manifests.length === 0) {
    io.err('error: no objects passed to apply\n');
    return 1;
  }
  const { client, defaultNamespace } = connect(args, io);
  const explicitNamespace = stringFlag(args, 'namespace');
  const errors: unknown[] = [];
  for (const m of manifests) {
    try {
      await applyOne(m, client, explicitNamespace, defaultNamespace, io);
    } catch (err) {
      errors.push(err);
    }
  }
  io.err(checkErrText(errors));
  return errors.length > 0 ? 1 : 0;
}

async function applyOne(
  m: ManifestObject,
  client: ReturnType<typeof connect>['client'],
  explicitNamespace: string | undefined,
  defaultNamespace: string,
  io: CliIO,
): Promise<void> {
  const r = resourceForObject(m.object, m.source);
  const object = placeObject(r, m.object, explicitNamespace, defaultNamespace);
  const name = requireName(object, m.source);
  const namespace = r.namespaced ? object.metadata!.namespace : undefined;
  let live: KubeObject | undefined;
  try {
    live = await client.get(r, namespace, name);
  } catch (err) {
    if (!(err instanceof ApiError && err.status.code === 404)) throw addSourceToErr('retrieving current configuration of', m.source, err);
  }
  const plan = planApply(object, live);
  switch (plan.action) {
    case 'create':
      try {
        await client.create(r, namespace, plan.object);
      } catch (err) {
        throw addSourceToErr('creating', m.source, err);
      }
      io.out(operationLine(r, name, 'created'));
      return;
    case 'unchanged':
      if (plan.missingAnnotation) io.err(missingAnnotationWarning(`${r.resource}/${name}`));
      io.out(operationLine(r, name, 'unchanged'));
      return;
    case 'patch':
      if (plan.missingAnnotation) io.err(missingAnnotationWarning(`${r.resource}/${name}`));
      try {
        await client.mergePatch(r, namespace, name, plan.patch);
      } catch (err) {
        throw addSourceToErr('patching', m.source, err);
      }
      io.out(operationLine(r, name, 'configured'));
      return;
  }
}
