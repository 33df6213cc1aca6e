// Running the real kubectl against a kubemu api-store in tests: the binary from KUBECTL or
// /usr/bin/kubectl, the kubeconfig at DIR/kubeconfig, its own cache under DIR, HOME=DIR so no
// user's configuration leaks in.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  /** Added to the child's environment (PATH and HOME=dir are always set). */
  env?: Record<string, string>;
  /** --cache-dir; default DIR/cache. */
  cacheDir?: string;
}

/** `kubectl --kubeconfig DIR/kubeconfig ARGS…`, its exit code and whole output. */
export function runKubectl(dir: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', options.cacheDir ?? join(dir, 'cache'), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: dir, ...options.env } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}
