// Two connected in-memory stream ends, the in-process stand-in for a TCP connection between an
// emulated client and an emulated container on the same node (node:stream's duplexPair arrived
// in Node 22). Writes wait while the other end's reader is full, so memory stays bounded.
import { Duplex } from 'node:stream';

export interface SocketAddresses {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/** A stream end that knows both addresses, as net.Socket does. */
export class PodSocket extends Duplex {
  peer?: PodSocket;
  private pendingWrite?: () => void;

  constructor(readonly addresses: SocketAddresses) {
    super({ allowHalfOpen: true, highWaterMark: 64 * 1024 });
  }

  get remoteAddress(): string {
    return this.addresses.remoteAddress;
  }
  get remotePort(): number {
    return this.addresses.remotePort;
  }
  get localAddress(): string {
    return this.addresses.localAddress;
  }
  get localPort(): number {
    return this.addresses.localPort;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      return;
    }
    if (peer.push(chunk)) callback();
    else peer.pendingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _read(): void {
    const resume = this.peer?.pendingWrite;
    if (this.peer) this.peer.pendingWrite = undefined;
    resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) {
      // A reset, as the kernel sends when a socket closes with unread data or is aborted.
      if (error) peer.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      else peer.push(null);
    }
    callback(error);
  }
}

export function podSocketPair(client: SocketAddresses): [client: PodSocket, server: PodSocket] {
  const a = new PodSocket(client);
  const b = new PodSocket({ localAddress: client.remoteAddress, localPort: client.remotePort, remoteAddress: client.localAddress, remotePort: client.localPort });
  a.peer = b;
  b.peer = a;
  return [a, b];
}
