// The `kubemu` command: dispatch to a subcommand, turn what went wrong into kubectl-style text
// and an exit code (0 ok, 1 failed, 2 bad command line).
import { ApiError, ConnectionError } from '@kubemu/client';
import { USAGE_EXIT_CODE, UsageError } from './args.js';
import { NoClusterError } from './cluster-access.js';
import { ComponentStartError, PortInUseError } from './cluster-control.js';
import { ObjectSetupError } from './commands/apply.js';
import { ComponentNotBuiltError } from './components.js';
import { KubeconfigError } from './kubeconfig.js';
import { ManifestError } from './manifests.js';
import { NatsServerMissingError } from './nats-server-binary.js';
import { NoKindMatchError } from './object-names.js';
import { KubeletUnreachableError } from './node-kubelet.js';
import { ResourceArgError } from './resource-args.js';
import { apply } from './commands/apply.js';
import { deleteCommand } from './commands/delete.js';
import { describe } from './commands/describe.js';
import { exec } from './commands/exec.js';
import { down } from './commands/down.js';
import { get } from './commands/get.js';
import { kubeconfig } from './commands/kubeconfig.js';
import { rules } from './commands/rules.js';
import { status } from './commands/status.js';
import { trace } from './commands/trace.js';
import { proxy } from './commands/proxy.js';
import { up } from './commands/up.js';
import { validate } from './commands/validate.js';
import type { CliIO } from './io.js';
import { checkErrText } from './kubectl-errors.js';

export type Command = (argv: readonly string[], io: CliIO) => Promise<number>;

export const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  up: { run: up, summary: 'Start a cluster (nats-server, api-store, controller-manager, nodes, proxy agents); --detach to return' },
  down: { run: down, summary: 'Stop the cluster; its data stays for the next up' },
  status: { run: status, summary: 'Show which cluster processes run and serve' },
  kubeconfig: { run: kubeconfig, summary: 'Print the kubeconfig for kubectl' },
  apply: { run: apply, summary: 'Create or update objects from manifests (-f FILE|DIR|-)' },
  get: { run: get, summary: 'Display resources as kubectl get does' },
  describe: { run: describe, summary: 'Show details of resources as kubectl describe does' },
  delete: { run: deleteCommand, summary: 'Delete resources by name, selector or manifest' },
  validate: { run: validate, summary: 'Check manifests against admission, offline' },
  exec: { run: exec, summary: "Run curl, nc, nslookup, dig… inside a pod's network" },
  proxy: { run: proxy, summary: "kube-proxy's rules for a node from manifests, offline (render, trace)" },
  rules: { run: rules, summary: "Print a node's live iptables rules (iptables-save)" },
  trace: { run: trace, summary: "Walk a packet through a node's live rules and print what matched" },
};

/** Failures a user can act on: printed as kubectl prints errors. Anything else is a bug and keeps its stack. */
const REPORTED_ERRORS = [
  ApiError,
  ConnectionError,
  NoClusterError,
  ComponentStartError,
  ComponentNotBuiltError,
  PortInUseError,
  ObjectSetupError,
  KubeconfigError,
  ManifestError,
  NatsServerMissingError,
  NoKindMatchError,
  ResourceArgError,
  KubeletUnreachableError,
];

export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return (
    'kubemu emulates Kubernetes Service networking as separate processes sharing an event log.\n\n' +
    'Usage:\n  kubemu COMMAND [flags]\n\nCommands:\n' +
    Object.entries(COMMANDS)
      .map(([name, c]) => `  ${name.padEnd(width)}   ${c.summary}\n`)
      .join('') +
    '\nEvery command finds its cluster through --state-dir DIR (default .kubemu/ in the current folder,\n' +
    'or $KUBEMU_STATE_DIR).\n\n' +
    "Use 'kubemu COMMAND --help' for more about a command.\n"
  );
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return runCli([rest[0], '--help'], io);
    io.out(topHelp());
    return name === undefined ? USAGE_EXIT_CODE : 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`error: unknown command "${name}" for "kubemu"\nRun 'kubemu --help' for usage.\n`);
    return USAGE_EXIT_CODE;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\nSee 'kubemu ${err.command} --help' for usage.\n`);
      return USAGE_EXIT_CODE;
    }
    if (REPORTED_ERRORS.some((E) => err instanceof E)) {
      io.err(checkErrText([err]));
      return 1;
    }
    throw err;
  }
}
