import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OBJECT_EVENT_BYTES } from '@kubemu/proto';
import { freePort, startNats, type NatsHandle } from '@kubemu/testkit';
import { serviceEvent } from '../test-support/fixture.js';
import { connectBus, ensureStreams, OBJECTS_MAX_MSG_SIZE, type Bus } from './connection.js';
import { publishObjectEvent } from './publish.js';
import { headRevision } from './read.js';
import { OBJECTS_STREAM, objectSubject, STATUS_STREAM } from './subjects.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options?: Parameters<typeof startNats>[0]): Promise<NatsHandle> {
  const nats = await startNats(options);
  cleanups.push(() => nats.stop());
  return nats;
}

async function bus(nats: NatsHandle): Promise<Bus> {
  const b = await connectBus({ servers: nats.url, name: 'connection-test' });
  cleanups.push(() => b.close());
  return b;
}

describe('ensureStreams', () => {
  it('creates both streams with the log limits, and is idempotent', async () => {
    const b = await bus(await server());
    const { objects, status } = await ensureStreams(b, { storage: 'file' });
    expect(objects.config).toMatchObject({
      name: 'KUBEMU_OBJECTS',
      subjects: ['kubemu.obj.>'],
      retention: 'limits',
      storage: 'file',
      discard: 'new',
      max_bytes: 1024 ** 3,
      max_msg_size: OBJECTS_MAX_MSG_SIZE,
      max_age: 0,
      allow_rollup_hdrs: false,
      deny_delete: true,
      deny_purge: true,
      duplicate_window: 120_000_000_000,
    });
    expect(status.config).toMatchObject({
      name: 'KUBEMU_STATUS',
      subjects: ['kubemu.status.>'],
      discard: 'old',
      max_msgs: 1_000_000,
      deny_delete: false,
      deny_purge: false,
    });
    const again = await ensureStreams(b, { storage: 'file' });
    expect(again.objects.created).toBe(objects.created);
    expect(again.objects.config).toEqual(objects.config);
  });

  it('updates limits in place and refuses to change the storage type', async () => {
    const b = await bus(await server());
    await ensureStreams(b, { storage: 'file' });
    await publishObjectEvent(b, objectSubject('services', 'default', 'a'), serviceEvent('default', 'a'));
    const updated = await ensureStreams(b, { storage: 'file', maxBytes: 64 * 1024 ** 2, duplicateWindowMs: 30_000, statusMaxAgeMs: 3_600_000 });
    expect(updated.objects.config).toMatchObject({ max_bytes: 64 * 1024 ** 2, duplicate_window: 30_000_000_000 });
    expect(updated.status.config.max_age).toBe(3_600_000_000_000);
    expect(await headRevision(b)).toBe(1);
    await expect(ensureStreams(b, { storage: 'memory' })).rejects.toThrow(
      'stream KUBEMU_OBJECTS exists with storage file/retention limits; kubemu needs memory/limits, which cannot be changed in place',
    );
  });

  it('keeps history when the object log is full: new writes fail, nothing is dropped', async () => {
    const b = await bus(await server());
    await ensureStreams(b, { storage: 'memory', maxBytes: 8 * 1024 });
    let accepted = 0;
    let refusal: unknown;
    for (let i = 0; i < 100 && refusal === undefined; i++) {
      try {
        await publishObjectEvent(b, objectSubject('services', 'default', `s${i}`), serviceEvent('default', `s${i}`));
        accepted++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(accepted).toBeGreaterThan(10);
    expect((refusal as Error).message).toBe('maximum bytes exceeded');
    const { state } = await b.jsm.streams.info(OBJECTS_STREAM);
    expect([state.first_seq, state.last_seq, state.messages]).toEqual([1, accepted, accepted]);
  });

  it('denies deletes and purges of the object log, allows them on observations', async () => {
    const b = await bus(await server());
    await ensureStreams(b, { storage: 'file' });
    await publishObjectEvent(b, objectSubject('services', 'default', 'a'), serviceEvent('default', 'a'));
    await expect(b.jsm.streams.deleteMessage(OBJECTS_STREAM, 1)).rejects.toThrow('message delete not permitted');
    await expect(b.jsm.streams.purge(OBJECTS_STREAM)).rejects.toThrow('stream purge not permitted');
    await b.js.publish('kubemu.status.dns-agent.state', new Uint8Array([1]));
    expect(await b.jsm.streams.deleteMessage(STATUS_STREAM, 1)).toBe(true);
  });

  it("refuses a server whose max_payload cannot carry the largest ObjectEvent", async () => {
    expect(OBJECTS_MAX_MSG_SIZE).toBeLessThanOrEqual(1024 * 1024); // nats-server's default max_payload
    const b = await bus(await server({ maxPayloadBytes: 512 * 1024 }));
    await expect(ensureStreams(b, { storage: 'file' })).rejects.toThrow(
      `nats-server max_payload is 524288 bytes; kubemu's event log needs at least ${OBJECTS_MAX_MSG_SIZE} (an ObjectEvent may be ${MAX_OBJECT_EVENT_BYTES} bytes, plus headers): remove max_payload from the nats-server configuration (the default, 1MB, is enough) or raise it`,
    );
  });
});

describe('connectBus', () => {
  it('fails when no server listens', async () => {
    const port = await freePort();
    await expect(connectBus({ servers: `nats://127.0.0.1:${port}`, name: 'nobody-home' })).rejects.toThrow();
  });
});
