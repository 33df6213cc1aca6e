// nc -u on the pod network alone (no rules: every hook accepts): what a connected UDP socket
// takes, the flags people use, and their errors.
import { describe, expect, it } from 'vitest';
import { podResolvConf } from '@kubemu/core';
import { PodNetwork } from '../pod-network/pod-network.js';
import type { Tuple } from '../pod-network/tuple.js';
import type { ExecContext } from './context.js';
import { nc } from './nc.js';

const CLIENT = '10.244.250.2';
const SERVER = '10.244.250.3';

function network(): PodNetwork {
  const net = new PodNetwork({ nodeName: 'node-250', address: '127.0.1.250', podCIDR: '10.244.250.0/24' });
  net.addPod(CLIENT, 'default/client');
  net.addPod(SERVER, 'default/server');
  return net;
}

function ctx(net: PodNetwork, stdin: string): ExecContext {
  return { net, podIP: CLIENT, podName: 'client', namespace: 'default', hostname: 'client', resolvConf: podResolvConf('default'), stdin, deadlineMs: Date.now() + 10_000 };
}

describe('nc -u', () => {
  it('takes only datagrams from the address and port it sent to, as a connect()ed socket does', async () => {
    const net = network();
    const seen: Tuple[] = [];
    net.listenDatagram(SERVER, 8081, (payload, tuple, reply) => {
      seen.push(tuple);
      // Another port of the same pod, and another address, answer the client's port too: dropped.
      net.sendDatagram({ protocol: 'UDP', srcIP: SERVER, srcPort: 9999, dstIP: tuple.srcIP, dstPort: tuple.srcPort }, Buffer.from('from 9999\n'), 'local');
      net.sendDatagram({ protocol: 'UDP', srcIP: CLIENT, srcPort: 8081, dstIP: tuple.srcIP, dstPort: tuple.srcPort }, Buffer.from('from the client pod\n'), 'local');
      reply(Buffer.from(`got ${payload.toString('utf8')}`));
    });
    expect(await nc(ctx(net, 'hostname\n'), ['-u', '-w1', '-p', '40400', SERVER, '8081'])).toEqual({ stdout: 'got hostname\n', stderr: '', exitCode: 0 });
    expect(seen).toEqual([{ protocol: 'UDP', srcIP: CLIENT, srcPort: 40400, dstIP: SERVER, dstPort: 8081 }]);
  });

  it('sends nothing for an empty stdin; -z probes with four "X" datagrams', async () => {
    const net = network();
    const got: string[] = [];
    net.listenDatagram(SERVER, 8081, (payload) => got.push(payload.toString('utf8')));
    expect(await nc(ctx(net, ''), ['-u', '-w0', SERVER, '8081'])).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([]);
    expect(await nc(ctx(net, ''), ['-vzu', SERVER, '8081'])).toEqual({ stdout: '', stderr: `Connection to ${SERVER} 8081 port [udp/*] succeeded!\n`, exitCode: 0 });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['X', 'X', 'X', 'X']);
  });

  it('-p: a source port in use is refused as bind() refuses it', async () => {
    const net = network();
    const held = net.bindDatagram(CLIENT, () => undefined, 40401);
    expect(await nc(ctx(net, 'x'), ['-u', '-p', '40401', SERVER, '8081'])).toEqual({ stdout: '', stderr: 'nc: bind failed: Address already in use\n', exitCode: 1 });
    held.close();
  });

  it.each<[string[], string]>([
    [['-u', '-x', SERVER, '8081'], "nc: invalid option -- 'x'\n"],
    [['-u', '-w'], "nc: option requires an argument -- 'w'\n"],
    [['-u', '-p', '70000', SERVER, '8081'], 'nc: port number invalid: 70000\n'],
    [['-uw', 'soon', SERVER, '8081'], 'nc: timeout invalid: soon\n'],
  ])('nc %j', async (args, stderrStart) => {
    const r = await nc(ctx(network(), ''), args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.startsWith(stderrStart)).toBe(true);
  });
});
