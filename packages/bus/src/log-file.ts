// A stream as a file and back: `kubemu events export` records a run, `kubemu replay` and bug
// reports load it into a fresh server. The file is varint-delimited LogRecords (@kubemu/proto),
// written and read in chunks, so a log of any length passes through bounded memory.
//
// Import preserves sequences, which are resourceVersions: records go into an empty stream in file
// order, each publish expecting the previous record's sequence, so the server refuses rather than
// shifts anything. A log that does not start at 1 or has holes (messages deleted or aged out, only
// possible in KUBEMU_STATUS) is rebuilt with a purge to the first sequence and placeholder messages
// deleted again; a stream with deny_purge/deny_delete (KUBEMU_OBJECTS) cannot have been given holes
// and cannot take them, so such a file is refused before anything is written. Stream timestamps
// are the import's own: JetStream assigns them.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { decodeLogRecords, encodeLogRecordDelimited, type LogRecord } from '@kubemu/proto';
import type { PubAck, StreamConfig } from '@nats-io/jetstream';
import type { Bus } from './connection.js';
import { startStreamReader } from './stream-reader.js';

/** Publishes in flight during an import, by count and by bytes. */
export const IMPORT_PIPELINE_DEPTH = 256;
export const IMPORT_PIPELINE_BYTES = 16 * 1024 * 1024;
/** Placeholders an import will write and delete to reproduce holes in a log. */
export const MAX_IMPORT_HOLE_MESSAGES = 10_000;
const READ_CHUNK_BYTES = 1024 * 1024;

export class LogFileError extends Error {
  override name = 'LogFileError';
}

/** Writes every message of `stream` (as of the start of the export) to `filePath`. */
export async function exportLog(bus: Bus, stream: string, filePath: string): Promise<{ records: number; bytes: number; lastSequence: number }> {
  const partial = `${filePath}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  let records = 0;
  let bytes = 0;
  let reader: ReturnType<typeof startStreamReader> | undefined;
  try {
    reader = startStreamReader(bus, {
      stream,
      from: 1,
      until: 'head',
      onMessage: async (msg) => {
        const chunk = encodeLogRecordDelimited({
          stream,
          sequence: msg.seq,
          subject: msg.subject,
          timeUnixNano: Number(msg.info.timestampNanos),
          data: msg.data,
        });
        records++;
        bytes += chunk.length;
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      },
    });
    const end = await Promise.race([reader.done, failed]);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    await rename(partial, filePath);
    return { records, bytes, lastSequence: end.lastSequence };
  } catch (err) {
    await reader?.stop();
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
}

/** Yields the file's records in order, reading it in chunks. */
async function* readLogRecords(filePath: string): AsyncGenerator<LogRecord> {
  let pending: Uint8Array = new Uint8Array(0);
  let offset = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    const buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let decoded;
    try {
      decoded = decodeLogRecords(buffer);
    } catch (err) {
      throw new LogFileError(`${filePath} near byte ${offset}: ${(err as Error).message}`, { cause: err });
    }
    offset += decoded.consumed;
    pending = buffer.subarray(decoded.consumed);
    yield* decoded.records;
  }
  if (pending.length > 0) throw new LogFileError(`${filePath} ends inside a record at byte ${offset} (${pending.length} bytes left over)`);
}

interface LogShape {
  records: number;
  first: number;
  last: number;
  /** Sequences missing between first and last. */
  holes: number;
}

async function scanLogFile(filePath: string, stream: string): Promise<LogShape> {
  let records = 0;
  let first = 0;
  let last = 0;
  let holes = 0;
  for await (const record of readLogRecords(filePath)) {
    if (record.stream !== stream) throw new LogFileError(`${filePath} holds a record of stream ${record.stream}, not ${stream}`);
    if (!(Number.isSafeInteger(record.sequence) && record.sequence > last)) {
      throw new LogFileError(`${filePath}: sequence ${record.sequence} follows ${last}; sequences must strictly increase`);
    }
    if (records === 0) first = record.sequence;
    else holes += record.sequence - last - 1;
    last = record.sequence;
    records++;
  }
  return { records, first, last, holes };
}

/** A subject the stream accepts, for the placeholders that reproduce holes. */
function placeholderSubject(config: StreamConfig): string {
  const pattern = config.subjects?.[0];
  if (!pattern) throw new LogFileError(`stream ${config.name} has no subjects to write placeholders on`);
  return pattern
    .split('.')
    .map((token) => (token === '>' || token === '*' ? '_kubemu_import_hole' : token))
    .join('.');
}

/** Loads a file written by exportLog into the empty `stream`, with the same sequences and subjects. */
export async function importLog(bus: Bus, filePath: string, options: { stream: string }): Promise<{ records: number; lastSequence: number }> {
  const { stream } = options;
  const info = await bus.jsm.streams.info(stream);
  if (info.state.messages !== 0 || info.state.last_seq !== 0) {
    throw new LogFileError(`stream ${stream} is not empty (last sequence ${info.state.last_seq}); import needs a fresh stream`);
  }
  const shape = await scanLogFile(filePath, stream);
  if (shape.records === 0) return { records: 0, lastSequence: 0 };
  const needsPurge = shape.first > 1;
  if (needsPurge && info.config.deny_purge) {
    throw new LogFileError(`${filePath} starts at sequence ${shape.first}; stream ${stream} denies the purge that would make it start there`);
  }
  if (shape.holes > 0 && info.config.deny_delete) {
    throw new LogFileError(`${filePath} has ${shape.holes} missing sequences; stream ${stream} denies the deletes that would reproduce them`);
  }
  if (shape.holes > MAX_IMPORT_HOLE_MESSAGES) {
    throw new LogFileError(`${filePath} has ${shape.holes} missing sequences; an import reproduces at most ${MAX_IMPORT_HOLE_MESSAGES}`);
  }
  if (needsPurge) await bus.jsm.streams.purge(stream, { seq: shape.first });

  // After a purge of an empty stream to N, nats-server 2.9.10 stores the next message at N but
  // checks an expected last sequence against the count of messages since the purge (0, 1, 2 …)
  // until it restarts; so after a purge no stream-wide expectation is sent. The stored sequence of
  // every record is checked either way.
  const expectLast = !needsPurge;
  const inFlight = new Set<Promise<unknown>>();
  let inFlightBytes = 0;
  let firstError: unknown;
  const send = (subject: string, data: Uint8Array, sequence: number): Promise<PubAck> => {
    const lastSequence = expectLast ? sequence - 1 : undefined;
    const ack = bus.js.publish(subject, data, { expect: { streamName: stream, lastSequence } });
    const tracked = ack.then(
      (pa) => {
        if (pa.seq !== sequence) firstError ??= new LogFileError(`record ${sequence} was stored as ${pa.seq}`);
      },
      (err: unknown) => {
        firstError ??= new LogFileError(`record ${sequence} was refused: ${(err as Error).message}`, { cause: err });
      },
    );
    inFlight.add(tracked);
    inFlightBytes += data.length;
    void tracked.finally(() => {
      inFlight.delete(tracked);
      inFlightBytes -= data.length;
    });
    return ack;
  };
  const drain = async (): Promise<void> => {
    await Promise.all(inFlight);
    if (firstError) throw firstError;
  };

  let records = 0;
  let expected = shape.first;
  for await (const record of readLogRecords(filePath)) {
    if (record.sequence > expected) {
      await drain();
      const subject = placeholderSubject(info.config);
      for (let seq = expected; seq < record.sequence; seq++) {
        await send(subject, new Uint8Array(0), seq).catch(() => {});
        await drain();
        await bus.jsm.streams.deleteMessage(stream, seq, false);
      }
    }
    send(record.subject, record.data, record.sequence).catch(() => {});
    records++;
    expected = record.sequence + 1;
    while (inFlight.size > 0 && (inFlight.size >= IMPORT_PIPELINE_DEPTH || inFlightBytes >= IMPORT_PIPELINE_BYTES)) await Promise.race(inFlight);
    if (firstError) break;
  }
  await drain();
  return { records, lastSequence: shape.last };
}
