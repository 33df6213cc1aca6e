// `kubemu kubeconfig`: the kubeconfig `up` wrote, for `kubectl --kubeconfig` or KUBECONFIG.
import { readFileSync } from 'node:fs';
import { booleanFlag, parseCommandArgs } from '../args.js';
import type { CliIO } from '../io.js';
import { resolveStateDir, statePaths } from '../state-dir.js';

export const KUBECONFIG_HELP = `Print the kubeconfig of the kubemu cluster (server, bearer token, context "kubemu").

Usage:
  kubemu kubeconfig [--state-dir DIR]

Example:
  kubemu kubeconfig > ~/.kube/kubemu && KUBECONFIG=~/.kube/kubemu kubectl get svc -A
`;

export async function kubeconfig(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('kubeconfig', argv, {}, false);
  if (booleanFlag(args, 'help')) {
    io.out(KUBECONFIG_HELP);
    return 0;
  }
  const paths = statePaths(resolveStateDir(args, io));
  let text: string;
  try {
    text = readFileSync(paths.kubeconfigFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    io.err(`error: no cluster in ${paths.root}: ${paths.kubeconfigFile} does not exist; start one with \`kubemu up\`\n`);
    return 1;
  }
  io.out(text);
  return 0;
}
