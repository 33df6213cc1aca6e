// The commands `kubemu exec` can run in a pod, as the container's shell would find them.
import { renderResolvConf } from '@kubemu/core';
import { Output, type ExecContext, type ExecResult } from './context.js';
import { curl } from './curl.js';
import { dig, nslookup } from './dns-tools.js';
import { nc } from './nc.js';

export const EXEC_COMMANDS = ['curl', 'nc', 'nslookup', 'dig', 'cat', 'hostname', 'echo'] as const;

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
    case 'hostname':
      o.out(`${ctx.hostname}\n`);
      return o.result(0);
    case 'echo':
      o.out(`${args.join(' ')}\n`);
      return o.result(0);
    case 'cat': {
      for (const f of args) {
        if (f === '/etc/resolv.conf') o.out(renderResolvConf(ctx.resolvConf));
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
