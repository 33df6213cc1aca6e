// A real nats-server per test, buses connected to it, and ObjectEvents to write.
import { encodeObjectEvent } from '@kubemu/proto';
import { startNats, type NatsHandle } from '@kubemu/testkit';
import { connectBus, ensureStreams, type Bus } from '../src/index.js';

export interface Fixture {
  nats: NatsHandle;
  /** A bus with both streams in place. */
  bus: Bus;
  /** Another connection, e.g. a second api-store racing the first. */
  connect(name?: string): Promise<Bus>;
  close(): Promise<void>;
}

export async function startFixture(options: { storage?: 'file' | 'memory'; maxBytes?: number } = {}): Promise<Fixture> {
  const nats = await startNats();
  const buses: Bus[] = [];
  const connect = async (name = 'test'): Promise<Bus> => {
    const bus = await connectBus({ servers: nats.url, name, reconnectTimeWaitMs: 50, apiTimeoutMs: 2000 });
    buses.push(bus);
    return bus;
  };
  try {
    const bus = await connect('fixture');
    await ensureStreams(bus, { storage: options.storage ?? 'file', maxBytes: options.maxBytes });
    return {
      nats,
      bus,
      connect,
      async close() {
        await Promise.allSettled(buses.map((b) => b.close()));
        await nats.stop();
      },
    };
  } catch (err) {
    await Promise.allSettled(buses.map((b) => b.close()));
    await nats.stop();
    throw err;
  }
}

/** An ObjectEvent for a Service, as the api-store would write it. */
export function serviceEvent(namespace: string, name: string, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'ADDED', port = 80): Uint8Array {
  return encodeObjectEvent({
    type,
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { type: 'ClusterIP', ports: [{ protocol: 'TCP', port, targetPort: port }], selector: { app: name } },
    },
    timeUnixMilli: 1_795_900_000_000,
    writer: 'api-store/test',
    author: 'kubectl/v1.32.0',
  });
}

export function nodeEvent(name: string): Uint8Array {
  return encodeObjectEvent({
    type: 'ADDED',
    object: { apiVersion: 'v1', kind: 'Node', metadata: { name } },
    timeUnixMilli: 1_795_900_000_000,
    writer: 'api-store/test',
    author: 'kubelet',
  });
}

export async function eventually(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
