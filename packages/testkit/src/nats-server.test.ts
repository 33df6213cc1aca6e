import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectBus, ensureStreams, headRevision, objectSubject, publishObjectEvent, readObjectEvents, type Bus } from '@kubemu/bus';
import { findNatsServer, freePort, NATS_MAX_PAYLOAD_BYTES, NATS_SERVER_NOT_FOUND, startNats, type NatsHandle } from './nats-server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function nats(options?: Parameters<typeof startNats>[0]): Promise<NatsHandle> {
  const handle = await startNats(options);
  cleanups.push(() => handle.stop());
  return handle;
}

async function bus(url: string): Promise<Bus> {
  const b = await connectBus({ servers: url, name: 'testkit-test', reconnectTimeWaitMs: 50, apiTimeoutMs: 1000 });
  cleanups.push(() => b.close());
  return b;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * nats.js drops requests made while it reconnects (they time out; it buffers nothing across a
 * reconnect), so the first request after a restart may need another try.
 */
async function afterReconnect<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}

const payload = (i: number): Uint8Array => new Uint8Array([i, i + 1, i + 2]);

/** Raw bytes are fine here: the test is about the store, not the codec. Read back through the stream API. */
async function storedPayloads(b: Bus, last: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let seq = 1; seq <= last; seq++) out.push([...(await b.jsm.streams.getMessage('KUBEMU_OBJECTS', { seq }))!.data]);
  return out;
}

describe('startNats', () => {
  it("serves JetStream on a loopback port with nats-server's default 1 MiB max_payload", async () => {
    const server = await nats();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(isAlive(server.pid)).toBe(true);
    const b = await bus(server.url);
    expect(b.nc.info?.max_payload).toBe(NATS_MAX_PAYLOAD_BYTES);
    expect(NATS_MAX_PAYLOAD_BYTES).toBe(1024 * 1024);
    expect(b.nc.info?.jetstream).toBe(true);
  });

  it('sets max_payload when asked', async () => {
    const b = await bus((await nats({ maxPayloadBytes: 512 * 1024 })).url);
    expect(b.nc.info?.max_payload).toBe(512 * 1024);
  });

  it('keeps JetStream data across a graceful restart and across kill + restart, on the same port', async () => {
    const server = await nats();
    const { port, storeDir } = server;
    const b = await bus(server.url);
    await ensureStreams(b, { storage: 'file' });
    for (let i = 1; i <= 3; i++) await publishObjectEvent(b, objectSubject('services', 'default', `s${i}`), payload(i));

    const firstPid = server.pid;
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.storeDir).toBe(storeDir);
    expect(server.pid).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);
    // the same client reconnects by itself
    expect(await afterReconnect(() => headRevision(b))).toBe(3);
    await publishObjectEvent(b, objectSubject('services', 'default', 's4'), payload(4));

    const secondPid = server.pid;
    await server.kill();
    expect(isAlive(secondPid)).toBe(false);
    expect(server.running).toBe(false);
    await server.restart();
    expect(server.running).toBe(true);
    expect(await afterReconnect(() => headRevision(b))).toBe(4);
    expect(await storedPayloads(b, 4)).toEqual([payload(1), payload(2), payload(3), payload(4)].map((p) => [...p]));
    const read: string[] = [];
    await readObjectEvents(b, { fromRevision: 1, onEvent: (e) => void read.push(e.subject), onReject: (r) => void read.push(`rejected ${r.seq}`) });
    // raw payloads are not ObjectEvents: the reader skips each one and carries on
    expect(read).toEqual(['rejected 1', 'rejected 2', 'rejected 3', 'rejected 4']);
  });

  it('stop() ends the server and removes the temporary store; the handle is finished', async () => {
    const server = await startNats();
    const { storeDir, pid } = server;
    expect(existsSync(join(storeDir))).toBe(true);
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(storeDir)).toBe(false);
    await expect(server.restart()).rejects.toThrow('nats-server handle was stopped; start a new one');
    await server.stop(); // idempotent
  });

  it('keeps a store folder it was given', async () => {
    const storeDir = await mkdtemp(join(tmpdir(), 'kubemu-given-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
    const server = await startNats({ storeDir });
    const b = await connectBus({ servers: server.url, name: 't' });
    await ensureStreams(b, { storage: 'file' });
    await b.close();
    await server.stop();
    expect(existsSync(join(storeDir, 'jetstream'))).toBe(true);
  });

  it('gives concurrent servers distinct ports', async () => {
    const [a, b] = await Promise.all([nats(), nats()]);
    expect(a.port).not.toBe(b.port);
    expect(a.storeDir).not.toBe(b.storeDir);
  });

  it('fails clearly when a fixed port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    await expect(startNats({ port })).rejects.toThrow(`nats-server: port 127.0.0.1:${port} is in use`);
  });
});

describe('findNatsServer', () => {
  const saved = process.env.NATS_SERVER_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.NATS_SERVER_BIN;
    else process.env.NATS_SERVER_BIN = saved;
  });

  it('finds the installed binary', () => {
    delete process.env.NATS_SERVER_BIN;
    expect(findNatsServer()).toMatch(/\/nats-server$/);
  });

  it('uses NATS_SERVER_BIN, and names what to install when it is wrong', () => {
    delete process.env.NATS_SERVER_BIN;
    const installed = findNatsServer();
    process.env.NATS_SERVER_BIN = installed;
    expect(findNatsServer()).toBe(installed);
    process.env.NATS_SERVER_BIN = '/nonexistent/nats-server';
    expect(() => findNatsServer()).toThrow(`NATS_SERVER_BIN=/nonexistent/nats-server is not an executable file; ${NATS_SERVER_NOT_FOUND}`);
    expect(NATS_SERVER_NOT_FOUND).toBe(
      'nats-server not found: on Debian run `apt-get install -y nats-server` (as root), or set NATS_SERVER_BIN',
    );
  });
});
