// sh -c over the emulated commands: quoting, pipelines, ; && ||, dash's errors.
import { describe, expect, it } from 'vitest';
import { podResolvConf } from '@kubemu/core';
import { PodNetwork } from '../pod-network/pod-network.js';
import type { ExecContext } from './context.js';
import { runInPod } from './run.js';
import { tokenizeShell } from './shell.js';

const CLIENT = '10.244.251.2';
const SERVER = '10.244.251.3';

function ctx(stdin = ''): ExecContext {
  const net = new PodNetwork({ nodeName: 'node-251', address: '127.0.1.251', podCIDR: '10.244.251.0/24' });
  net.addPod(CLIENT, 'default/client');
  net.addPod(SERVER, 'default/server');
  net.listenDatagram(SERVER, 8081, (payload, _t, reply) => reply(Buffer.from(`[${payload.toString('utf8').trim()}]`)));
  return { net, podIP: CLIENT, podName: 'client', namespace: 'default', hostname: 'client', resolvConf: podResolvConf('default'), stdin, deadlineMs: Date.now() + 10_000 };
}

describe('sh -c', () => {
  it('tokenizes words, quotes and operators', () => {
    expect(tokenizeShell(`echo 'a  b'"c d"e\\ f | nc -u x 1 && a||b; c`)).toEqual([
      { word: 'echo' },
      { word: 'a  bc de f' },
      { op: '|' },
      { word: 'nc' },
      { word: '-u' },
      { word: 'x' },
      { word: '1' },
      { op: '&&' },
      { word: 'a' },
      { op: '||' },
      { word: 'b' },
      { op: ';' },
      { word: 'c' },
    ]);
  });

  it('echo hostname | nc -u -w1 HOST PORT: the pipe is nc\'s stdin', async () => {
    expect(await runInPod(ctx(), ['sh', '-c', `echo hostname | nc -u -w1 ${SERVER} 8081`])).toEqual({ stdout: '[hostname]', stderr: '', exitCode: 0 });
  });

  it.each<[string, { stdout: string; stderr: string; exitCode: number }]>([
    ['echo a; echo b', { stdout: 'a\nb\n', stderr: '', exitCode: 0 }],
    ['nope && echo b', { stdout: '', stderr: 'sh: 1: nope: not found\n', exitCode: 127 }],
    ['nope || echo b', { stdout: 'b\n', stderr: 'sh: 1: nope: not found\n', exitCode: 0 }],
    ['nope && echo b || echo c', { stdout: 'c\n', stderr: 'sh: 1: nope: not found\n', exitCode: 0 }],
    ['cat /etc/hostname | cat', { stdout: 'client\n', stderr: '', exitCode: 0 }],
    ['echo a > /tmp/x', { stdout: '', stderr: 'sh: 1: >: redirections, expansions and subshells are not emulated\n', exitCode: 2 }],
    ["echo 'open", { stdout: '', stderr: 'sh: 1: Syntax error: Unterminated quoted string\n', exitCode: 2 }],
    ['| echo a', { stdout: '', stderr: 'sh: 1: Syntax error: "|" unexpected\n', exitCode: 2 }],
  ])('%s', async (line, want) => {
    expect(await runInPod(ctx(), ['sh', '-c', line])).toEqual(want);
  });

  it('without -c the script comes on stdin', async () => {
    expect(await runInPod(ctx(`echo hostname | nc -u -w1 ${SERVER} 8081\n`), ['sh'])).toEqual({ stdout: '[hostname]', stderr: '', exitCode: 0 });
  });
});
