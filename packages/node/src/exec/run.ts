// The commands `kubemu exec` can run in a pod, as the container's shell would find them.
import { renderResolvConf } from '@kubemu/core';
import { Output, type ExecContext, type ExecResult } from './context.js';
import { curl } from './curl.js';
import { dig, nslookup } from './dns-tools.js';
import { nc } from './nc.js';
import { runShell } from './shell.js';

export const EXEC_COMMANDS = ['curl', 'nc', 'netcat', 'nslookup', 'dig', 'cat', 'hostname', 'echo', 'sh'] as const;
const KNOWN = new Set<string>(EXEC_COMMANDS);

export async function runInPod(ctx: ExecContext, argv: readonly string[]): Promise<ExecResult> {
  const [cmd = '', ...args] = argv;
  const base = cmd.split('/').pop()!;
  const o = new Output();
  switch (base) {
    case 'curl':
      return curl(ctx, args);
    case 'nc':
    case 'netcat':
      return nc(ctx, args);
    case 'nslookup':
      return nslookup(ctx, args);
    case 'dig':
      return dig(ctx, args);
    case 'sh': {
      // sh -c 'LINE' [NAME ARGS…]; without -c the script comes on stdin (kubectl exec -i POD -- sh < script).
      if (args[0] === '-c') {
        if (args[1] === undefined) {
          o.err('sh: 0: -c requires an argument\n');
          return o.result(2);
        }
        return runShell(ctx, args[1], (c) => KNOWN.has(c), runInPod);
      }
      if (args.length > 0) {
        o.err(`sh: 0: cannot open ${args[0]}: No such file\n`);
        return o.result(2);
      }
      return runShell({ ...ctx, stdin: '' }, ctx.stdin, (c) => KNOWN.has(c), runInPod);
    }
    case 'hostname':
      o.out(`${ctx.hostname}\n`);
      return o.result(0);
    case 'echo':
      o.out(`${args.join(' ')}\n`);
      return o.result(0);
    case 'cat': {
      for (const f of args.length === 0 ? ['-'] : args) {
        if (f === '-') o.out(ctx.stdin);
        else if (f === '/etc/resolv.conf') o.out(renderResolvConf(ctx.resolvConf));
        else if (f === '/etc/hostname') o.out(`${ctx.hostname}\n`);
        else if (f === '/etc/hosts') o.out(`# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${ctx.podIP}\t${ctx.hostname}\n`);
        else {
          o.err(`cat: ${f}: No such file or directory\n`);
          return o.result(1);
        }
      }
      return o.result(0);
    }
    default:
      // runc's words, which kubectl exec prints for a missing binary; exit 127 as a shell would.
      o.err(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`);
      return o.result(127);
  }
}
