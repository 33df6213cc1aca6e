// What an emulated command sees of the pod it runs in: its network namespace (the node's pod
// network with the pod's IP as source) and its /etc/resolv.conf.
import type { ResolvConf } from '@kubemu/core';
import type { PodNetwork } from '../pod-network/pod-network.js';

export interface ExecContext {
  net: PodNetwork;
  podIP: string;
  podName: string;
  namespace: string;
  hostname: string;
  resolvConf: ResolvConf;
  stdin: string;
  /** The latest moment the command may still run (the exec request's own bound). */
  deadlineMs: number;
}

/** Bound on what one command may print. */
export const MAX_EXEC_OUTPUT_BYTES = 1024 * 1024;

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class Output {
  stdout = '';
  stderr = '';
  out(text: string): void {
    if (this.stdout.length + text.length <= MAX_EXEC_OUTPUT_BYTES) this.stdout += text;
  }
  err(text: string): void {
    if (this.stderr.length + text.length <= MAX_EXEC_OUTPUT_BYTES) this.stderr += text;
  }
  result(exitCode: number): ExecResult {
    return { stdout: this.stdout, stderr: this.stderr, exitCode };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Why an address does not answer, for a note on stderr (the real tools only time out). */
export function silenceNote(ctx: ExecContext, ip: string): string | undefined {
  const route = ctx.net.route(ip);
  if (route.via !== 'none') return undefined;
  if (ip === ctx.resolvConf.nameservers[0]) {
    return `kubemu: nothing answers at ${ip} (the pod's nameserver): the DNS agent is not part of kubemu yet\n`;
  }
  return `kubemu: ${route.why}; a Service virtual IP answers once this node's proxy agent has programmed a rule for it (see \`kubemu rules NODE\`)\n`;
}
