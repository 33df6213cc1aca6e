// Exported log files: varint-length-delimited LogRecords, one per stream message.
import './long-as-number.js';
import $protobuf from 'protobufjs/minimal.js';
import { kubemu } from '../generated/kubemu.js';
import { CodecError } from './object-codec.js';
import { MAX_OBJECT_EVENT_BYTES } from './limits.js';

export interface LogRecord {
  stream: string;
  sequence: number;
  subject: string;
  timeUnixNano: number;
  data: Uint8Array;
}

/** A record holds one message plus its subject and a few numbers. */
export const MAX_LOG_RECORD_BYTES = MAX_OBJECT_EVENT_BYTES + 4096;

export function encodeLogRecordDelimited(record: LogRecord): Uint8Array {
  return kubemu.v1.LogRecord.encode(kubemu.v1.LogRecord.create(record), $protobuf.Writer.create().fork()).ldelim().finish();
}

/**
 * Splits a buffer of delimited records. Returns the records and how many bytes were consumed, so a
 * caller streaming a file can keep the incomplete tail for the next chunk.
 */
export function decodeLogRecords(buffer: Uint8Array): { records: LogRecord[]; consumed: number } {
  const records: LogRecord[] = [];
  const reader = $protobuf.Reader.create(buffer);
  let consumed = 0;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    let length: number;
    try {
      length = reader.uint32();
    } catch {
      break; // varint cut by the chunk boundary
    }
    if (length > MAX_LOG_RECORD_BYTES) throw new CodecError(`log record at byte ${start} is ${length} bytes; the limit is ${MAX_LOG_RECORD_BYTES}`);
    if (reader.pos + length > reader.len) break;
    let message: kubemu.v1.LogRecord;
    try {
      message = kubemu.v1.LogRecord.decode(buffer.subarray(reader.pos, reader.pos + length));
    } catch (err) {
      throw new CodecError(`malformed log record at byte ${start}: ${(err as Error).message}`);
    }
    reader.pos += length;
    consumed = reader.pos;
    records.push({
      stream: message.stream,
      sequence: Number(message.sequence),
      subject: message.subject,
      timeUnixNano: Number(message.timeUnixNano),
      data: message.data,
    });
  }
  return { records, consumed };
}
