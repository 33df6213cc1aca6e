// hostPort on real sockets: a connection to the node's address:hostPort reaches the pod's
// containerPort through the pod network without kube-proxy's rules (the hooks here REJECT
// everything, as a node whose rules refuse the tuple would), and the pod sees the client as it is.
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PodNetwork } from '../pod-network/pod-network.js';
import type { ConnectionHooks } from '../pod-network/hooks.js';
import { HostPortSockets } from './host-port-listeners.js';

const NODE_ADDRESS = '127.0.1.240';
const POD_IP = '10.244.240.2';
const REJECT_ALL: ConnectionHooks = {
  localOut: () => ({ verdict: 'REJECT' }),
  preRouting: () => ({ verdict: 'REJECT' }),
  postRouting: () => ({ verdict: 'REJECT' }),
  reply: (t) => t,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, NODE_ADDRESS, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Connects, reads until the server closes; the local port the client used, or the error code. */
function exchange(port: number): Promise<{ text: string; localPort: number } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: NODE_ADDRESS, port });
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    socket.on('end', () => resolve({ text, localPort: socket.localPort! }));
  });
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function setup(): { net: PodNetwork; hostPorts: HostPortSockets } {
  const net = new PodNetwork({ nodeName: 'node-240', address: NODE_ADDRESS, podCIDR: '10.244.240.0/24', hooks: REJECT_ALL });
  net.addPod(POD_IP, 'default/web');
  cleanup.push(net.listenStream(POD_IP, 80, (socket) => socket.end(`${socket.localAddress}:${socket.localPort} from ${socket.remoteAddress}:${socket.remotePort}`)));
  const hostPorts = new HostPortSockets({ address: NODE_ADDRESS, net });
  cleanup.push(() => hostPorts.close());
  return { net, hostPorts };
}

describe('hostPort', () => {
  it("reaches the pod's containerPort without kube-proxy's rules; the pod sees the client's address", async () => {
    const { net, hostPorts } = setup();
    const hostPort = await freePort();
    expect(await hostPorts.openPod('default/web', POD_IP, [{ protocol: 'TCP', hostPort, containerPort: 80, hostIP: '' }])).toEqual([]);
    expect(hostPorts.open).toEqual([`TCP/${hostPort}`]);
    const r = await exchange(hostPort);
    expect(r).toEqual({ text: `${POD_IP}:80 from 127.0.0.1:${(r as { localPort: number }).localPort}`, localPort: expect.any(Number) });
    // The same client through the rules is refused: the hostPort path did not walk them.
    const viaRules = await net.connectExternal({ protocol: 'TCP', srcIP: '127.0.0.1', srcPort: 40000, dstIP: NODE_ADDRESS, dstPort: hostPort });
    expect(viaRules).toEqual({ ok: false, error: 'ECONNREFUSED', why: 'rejected by the node rules' });
  });

  it('closes with the pod; a containerPort nobody listens on resets; UDP and foreign hostIPs are reported', async () => {
    const { hostPorts } = setup();
    const [a, b] = [await freePort(), await freePort()];
    const problems = await hostPorts.openPod('default/web', POD_IP, [
      { protocol: 'TCP', hostPort: a, containerPort: 80, hostIP: NODE_ADDRESS },
      { protocol: 'TCP', hostPort: b, containerPort: 81, hostIP: '0.0.0.0' },
      { protocol: 'UDP', hostPort: 5353, containerPort: 53, hostIP: '' },
      { protocol: 'TCP', hostPort: 8443, containerPort: 443, hostIP: '192.0.2.1' },
    ]);
    expect(problems).toEqual([
      'hostPort UDP/5353: only TCP hostPorts are emulated',
      `hostPort 8443: hostIP 192.0.2.1 is not an address of this node (${NODE_ADDRESS})`,
    ]);
    expect(await exchange(b)).toEqual({ error: 'ECONNRESET' });
    hostPorts.closePod('default/web');
    expect(hostPorts.open).toEqual([]);
    expect(await exchange(a)).toEqual({ error: 'ECONNREFUSED' });
  });
});
