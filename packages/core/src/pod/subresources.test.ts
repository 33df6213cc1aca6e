import { describe, expect, it } from 'vitest';
import { statusInternalError } from '../api/status.js';
import { errorChannelStatus, execExitStatus, parsePodExecOptions } from './subresources.js';

describe('parsePodExecOptions', () => {
  it("kubectl's query: command repeated, container, the stream flags", () => {
    const q = new URLSearchParams('command=nc&command=-u&command=-w1&container=shell&stdin=true&stdout=true&stderr=true&tty=false');
    expect(parsePodExecOptions(q)).toEqual({ ok: true, options: { command: ['nc', '-u', '-w1'], container: 'shell', stdin: true, stdout: true, stderr: true, tty: false } });
  });

  it('the answers for what cannot run', () => {
    const message = (q: string): string | undefined => {
      const r = parsePodExecOptions(new URLSearchParams(q));
      return r.ok ? undefined : `${r.status.code} ${r.status.message}`;
    };
    expect([
      message('stdout=true'),
      message('command=ls'),
      message('command=ls&stdout=yes'),
      message('command=sh&stdin=true&stdout=true&tty=true'),
    ]).toEqual([
      '400 you must specify at least one command for the container',
      '400 you must specify at least 1 of stdin, stdout, stderr',
      '400 strconv.ParseBool: parsing "yes": invalid syntax',
      '400 kubemu: exec with a terminal (-t with -i) is not supported: the emulated commands have no terminal and run once stdin has ended; use kubectl exec -i POD -- COMMAND',
    ]);
  });
});

describe('the error channel', () => {
  it("the kubelet's Status for success and for a non-zero exit, byte for byte", () => {
    expect(execExitStatus(['ls'], 0)).toBe('{"metadata":{},"status":"Success"}');
    expect(execExitStatus(['sh', '-c', 'exit 3'], 3)).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
  });
  it("kube-apiserver's internal error as the StreamTranslator marshals it", () => {
    expect(errorChannelStatus(statusInternalError('unable to upgrade connection: container not found ("c")'))).toBe(
      '{"metadata":{},"status":"Failure","message":"Internal error occurred: unable to upgrade connection: container not found (\\"c\\")","reason":"InternalError","details":{"causes":[{"message":"unable to upgrade connection: container not found (\\"c\\")"}]},"code":500}',
    );
  });
});
