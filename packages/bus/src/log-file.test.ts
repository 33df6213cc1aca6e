import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLogRecordDelimited, MAX_OBJECT_EVENT_BYTES } from '@kubemu/proto';
import { serviceEvent, startFixture, type Fixture } from '../test-support/fixture.js';
import type { Bus } from './connection.js';
import { exportLog, importLog, LogFileError } from './log-file.js';
import { publishObjectEvent } from './publish.js';
import { headRevision } from './read.js';
import { publishObservation } from './status.js';
import { OBJECTS_STREAM, objectSubject, STATUS_STREAM } from './subjects.js';

let source: Fixture;
let target: Fixture;
let dir: string;
beforeEach(async () => {
  [source, target] = await Promise.all([startFixture(), startFixture()]);
  dir = await mkdtemp(join(tmpdir(), 'kubemu-log-test-'));
});
afterEach(async () => {
  await Promise.all([source.close(), target.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** Every stored message, read one by one through the stream API (independent of the reader under test). */
async function dump(bus: Bus, stream: string): Promise<{ first: number; last: number; messages: [number, string, string][] }> {
  const { state } = await bus.jsm.streams.info(stream);
  const messages: [number, string, string][] = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq }); // null: deleted
    if (m) messages.push([m.seq, m.subject, createHash('sha256').update(m.data).digest('hex')]);
  }
  return { first: state.first_seq, last: state.last_seq, messages };
}

describe('exportLog → importLog', () => {
  it('reproduces the object log into a fresh server: same sequences, subjects and bytes', async () => {
    const acks = [];
    for (let i = 0; i < 1500; i++) acks.push(source.bus.js.publish(objectSubject('services', `ns${i % 7}`, `svc-${i}`), serviceEvent(`ns${i % 7}`, `svc-${i}`)));
    await Promise.all(acks);
    await source.bus.js.publish('kubemu.obj.services.default.x', new Uint8Array([0xff, 0xff, 0xff])); // kept as is: the log is the truth
    await publishObjectEvent(source.bus, objectSubject('nodes', '', 'node-1.example'), new Uint8Array(MAX_OBJECT_EVENT_BYTES).fill(1));
    const file = join(dir, 'objects.log');

    const exported = await exportLog(source.bus, OBJECTS_STREAM, file);
    expect(exported.records).toBe(1502);
    expect(exported.lastSequence).toBe(1502);
    expect((await stat(file)).size).toBe(exported.bytes);
    expect(await readdir(dir)).toEqual(['objects.log']); // no partial file left behind

    expect(await importLog(target.bus, file, { stream: OBJECTS_STREAM })).toEqual({ records: 1502, lastSequence: 1502 });
    const [want, got] = await Promise.all([dump(source.bus, OBJECTS_STREAM), dump(target.bus, OBJECTS_STREAM)]);
    expect(got.messages).toHaveLength(1502);
    expect(got).toEqual(want);
    // the imported log goes on where the original would
    expect((await publishObjectEvent(target.bus, objectSubject('services', 'ns0', 'svc-0'), serviceEvent('ns0', 'svc-0'), { expectedLastSubjectSequence: 1 })).seq).toBe(1503);
  });

  it('reproduces a status log that starts late and has holes', async () => {
    for (let i = 1; i <= 10; i++) await publishObservation(source.bus, { agent: `proxy-agent/node-${i % 3}`, revision: i, state: 'synced' });
    await source.bus.jsm.streams.purge(STATUS_STREAM, { seq: 4 }); // 1..3 gone, as max_msgs would drop them
    await source.bus.jsm.streams.deleteMessage(STATUS_STREAM, 6);
    await source.bus.jsm.streams.deleteMessage(STATUS_STREAM, 7);
    const file = join(dir, 'status.log');
    expect(await exportLog(source.bus, STATUS_STREAM, file)).toMatchObject({ records: 5, lastSequence: 10 });
    expect(await importLog(target.bus, file, { stream: STATUS_STREAM })).toEqual({ records: 5, lastSequence: 10 });
    const [want, got] = await Promise.all([dump(source.bus, STATUS_STREAM), dump(target.bus, STATUS_STREAM)]);
    expect(got.messages.map(([seq]) => seq)).toEqual([4, 5, 8, 9, 10]);
    expect(got).toEqual(want);
    expect((await target.bus.jsm.streams.info(STATUS_STREAM)).state.messages).toBe(5);
  });

  it('exports an empty stream as an empty file', async () => {
    const file = join(dir, 'empty.log');
    expect(await exportLog(source.bus, OBJECTS_STREAM, file)).toEqual({ records: 0, bytes: 0, lastSequence: 0 });
    expect((await readFile(file)).length).toBe(0);
    expect(await importLog(target.bus, file, { stream: OBJECTS_STREAM })).toEqual({ records: 0, lastSequence: 0 });
  });

  it('refuses a stream that is not empty', async () => {
    const file = join(dir, 'objects.log');
    await publishObjectEvent(source.bus, objectSubject('services', 'default', 'a'), serviceEvent('default', 'a'));
    await exportLog(source.bus, OBJECTS_STREAM, file);
    await publishObjectEvent(target.bus, objectSubject('services', 'default', 'b'), serviceEvent('default', 'b'));
    await expect(importLog(target.bus, file, { stream: OBJECTS_STREAM })).rejects.toThrow(
      new LogFileError('stream KUBEMU_OBJECTS is not empty (last sequence 1); import needs a fresh stream'),
    );
  });

  it('refuses, before writing anything, an object log with holes, a foreign stream, a truncated file', async () => {
    const record = (sequence: number, stream = OBJECTS_STREAM): Uint8Array =>
      encodeLogRecordDelimited({ stream, sequence, subject: objectSubject('services', 'default', `s${sequence}`), timeUnixNano: 1, data: serviceEvent('default', `s${sequence}`) });
    const cases: [string, Uint8Array, string][] = [
      ['holes.log', Buffer.concat([record(1), record(3)]), 'has 1 missing sequences; stream KUBEMU_OBJECTS denies the deletes that would reproduce them'],
      ['late.log', Buffer.concat([record(5), record(6)]), 'starts at sequence 5; stream KUBEMU_OBJECTS denies the purge that would make it start there'],
      ['foreign.log', Buffer.concat([record(1), record(2, STATUS_STREAM)]), 'holds a record of stream KUBEMU_STATUS, not KUBEMU_OBJECTS'],
      ['backwards.log', Buffer.concat([record(2), record(1)]), 'sequence 1 follows 2; sequences must strictly increase'],
      ['truncated.log', Buffer.concat([record(1), record(2)]).subarray(0, -3), 'ends inside a record'],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const err = await importLog(target.bus, file, { stream: OBJECTS_STREAM }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(LogFileError);
      expect((err as Error).message, name).toContain(message);
      expect(await headRevision(target.bus), name).toBe(0);
    }
  });
});
