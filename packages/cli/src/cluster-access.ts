// How the API commands reach the cluster: the kubeconfig in the state folder.
import { ApiClient } from '@kubemu/client';
import type { ParsedArgs } from './args.js';
import type { CliIO } from './io.js';
import { readKubeconfig } from './kubeconfig.js';
import { resolveStateDir, statePaths } from './state-dir.js';

export class NoClusterError extends Error {
  override name = 'NoClusterError';
}

export interface Connection {
  client: ApiClient;
  /** The namespace a command works in when -n is not given. */
  defaultNamespace: string;
}

export function connect(args: ParsedArgs, io: CliIO): Connection {
  const paths = statePaths(resolveStateDir(args, io));
  const access = readKubeconfig(paths.kubeconfigFile);
  if (!access) throw new NoClusterError(`no cluster in ${paths.root}: ${paths.kubeconfigFile} does not exist; start one with \`kubemu up\``);
  const tls = {
    ...(access.certificateAuthority ? { ca: access.certificateAuthority } : {}),
    ...(access.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
  };
  return { client: new ApiClient(access.server, access.token, tls), defaultNamespace: access.namespace };
}
