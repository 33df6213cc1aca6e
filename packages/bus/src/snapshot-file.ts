// An agent's snapshot on disk: the objects it folded from KUBEMU_OBJECTS, each exactly as the log
// carries it, so a restored object is the object a replay would give. The file is the log-file
// format (varint-delimited LogRecords, @kubemu/proto), compacted to one record per live object:
//
//   header   stream kubemu.snapshot.v1, subject kubemu.snapshot.header, sequence = the agent's
//            revision, data = JSON {agent, logCreatedAt, objects}
//   objects  stream KUBEMU_OBJECTS, sequence = the object's revision, subject = its log subject,
//            data = an ADDED ObjectEvent (the log's own encoding)
//   trailer  stream kubemu.snapshot.v1, subject kubemu.snapshot.trailer, sequence = the revision,
//            data = SHA-256 over what came before, so a damaged file is refused, never half-read
//
// A file is written to a temporary name, fsynced and renamed over the old one (then the folder is
// fsynced): a reader sees the old snapshot or the new one, never a torn one.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeLogRecords, encodeLogRecordDelimited, encodeObjectEvent, type JsonObject, type LogRecord } from '@kubemu/proto';
import type { Bus } from './connection.js';
import { decodeObjectLogMessage } from './read.js';
import { OBJECTS_STREAM, objectSubject } from './subjects.js';

export const SNAPSHOT_FORMAT = 'kubemu.snapshot.v1';
const HEADER_SUBJECT = 'kubemu.snapshot.header';
const TRAILER_SUBJECT = 'kubemu.snapshot.trailer';
/** The largest snapshot file written or read: half the objects stream's own bound (1 GiB). */
export const MAX_SNAPSHOT_FILE_BYTES = 512 * 1024 * 1024;
/** A header is a few names and numbers. */
const MAX_HEADER_BYTES = 4096;

export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
}

export interface SnapshotObject {
  kind: string;
  /** The Kubernetes JSON object; metadata.resourceVersion is String(revision). */
  object: JsonObject;
  revision: number;
}

export interface SnapshotFileContent {
  /** The agent whose snapshot this is, e.g. "proxy-agent/node-1" (for a person reading the file). */
  agent: string;
  /** The agent's revision: every event up to it is in the objects (or was passed over). */
  revision: number;
  /** KUBEMU_OBJECTS' creation time when the snapshot was taken: another log is not resumed. */
  logCreatedAt: string;
  objects: readonly SnapshotObject[];
}

function hashRecord(hash: Hash, record: LogRecord): void {
  hash.update(`${record.stream}\n${record.subject}\n${record.sequence}\n${record.data.length}\n`);
  hash.update(record.data);
}

/** The file's bytes. `logKindOf` names a kind's subject token (core's ResourceInfo.logKind). */
export function encodeSnapshotFile(content: SnapshotFileContent, logKindOf: (kind: string) => string | undefined, maxBytes = MAX_SNAPSHOT_FILE_BYTES): Uint8Array {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const push = (record: LogRecord): void => {
    hashRecord(hash, record);
    const chunk = encodeLogRecordDelimited(record);
    bytes += chunk.length;
    if (bytes > maxBytes) throw new SnapshotFileError(`a snapshot of ${content.objects.length} objects is over ${maxBytes} bytes`);
    chunks.push(chunk);
  };
  const header = { agent: content.agent, logCreatedAt: content.logCreatedAt, objects: content.objects.length };
  push({ stream: SNAPSHOT_FORMAT, subject: HEADER_SUBJECT, sequence: content.revision, timeUnixNano: 0, data: Buffer.from(JSON.stringify(header)) });
  for (const { kind, object, revision } of content.objects) {
    const logKind = logKindOf(kind);
    if (logKind === undefined) throw new SnapshotFileError(`kind ${kind} is not carried by the log`);
    const metadata = object.metadata as { namespace?: string; name?: string } | undefined;
    push({
      stream: OBJECTS_STREAM,
      subject: objectSubject(logKind, metadata?.namespace ?? '', metadata?.name ?? ''),
      sequence: revision,
      timeUnixNano: 0,
      data: encodeObjectEvent({ type: 'ADDED', object, timeUnixMilli: 0, writer: '', author: '' }),
    });
  }
  const trailer = encodeLogRecordDelimited({ stream: SNAPSHOT_FORMAT, subject: TRAILER_SUBJECT, sequence: content.revision, timeUnixNano: 0, data: hash.digest() });
  if (bytes + trailer.length > maxBytes) throw new SnapshotFileError(`a snapshot of ${content.objects.length} objects is over ${maxBytes} bytes`);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

/** The file's content, or SnapshotFileError saying what is wrong with it. */
export function decodeSnapshotFile(bytes: Uint8Array): SnapshotFileContent {
  let records: LogRecord[];
  let consumed: number;
  try {
    ({ records, consumed } = decodeLogRecords(bytes));
  } catch (err) {
    throw new SnapshotFileError(`not a snapshot: ${(err as Error).message}`, { cause: err });
  }
  if (consumed !== bytes.length) throw new SnapshotFileError(`the snapshot ends inside a record at byte ${consumed} of ${bytes.length}`);
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || first.stream !== SNAPSHOT_FORMAT || first.subject !== HEADER_SUBJECT) throw new SnapshotFileError(`not a ${SNAPSHOT_FORMAT} file: no header`);
  if (records.length < 2 || last!.stream !== SNAPSHOT_FORMAT || last!.subject !== TRAILER_SUBJECT) throw new SnapshotFileError('the snapshot has no trailer: it was cut short');
  const hash = createHash('sha256');
  for (let i = 0; i < records.length - 1; i++) hashRecord(hash, records[i]!);
  if (!hash.digest().equals(Buffer.from(last!.data))) throw new SnapshotFileError('the snapshot does not match its checksum: it is damaged');

  const revision = first.sequence;
  if (last!.sequence !== revision) throw new SnapshotFileError(`the header says revision ${revision}, the trailer ${last!.sequence}`);
  if (first.data.length > MAX_HEADER_BYTES) throw new SnapshotFileError(`the header is ${first.data.length} bytes; the limit is ${MAX_HEADER_BYTES}`);
  let header: { agent?: unknown; logCreatedAt?: unknown; objects?: unknown };
  try {
    header = JSON.parse(Buffer.from(first.data).toString('utf8')) as typeof header;
  } catch (err) {
    throw new SnapshotFileError(`the header is not JSON: ${(err as Error).message}`);
  }
  if (typeof header.agent !== 'string' || typeof header.logCreatedAt !== 'string' || typeof header.objects !== 'number') {
    throw new SnapshotFileError('the header lacks agent, logCreatedAt or objects');
  }
  if (header.objects !== records.length - 2) throw new SnapshotFileError(`the header counts ${header.objects} objects; the file holds ${records.length - 2}`);

  const objects: SnapshotObject[] = [];
  for (const record of records.slice(1, -1)) {
    if (record.stream !== OBJECTS_STREAM) throw new SnapshotFileError(`record ${record.sequence} is of stream ${record.stream}, not ${OBJECTS_STREAM}`);
    const decoded = decodeObjectLogMessage(record.sequence, record.subject, record.data);
    if ('rejection' in decoded) throw new SnapshotFileError(`record ${record.sequence} (${record.subject}): ${decoded.rejection.detail}`);
    if (decoded.event.type !== 'ADDED') throw new SnapshotFileError(`record ${record.sequence} is a ${decoded.event.type} event, not an object`);
    objects.push({ kind: decoded.event.kind, object: decoded.event.object, revision: record.sequence });
  }
  return { agent: header.agent, revision, logCreatedAt: header.logCreatedAt, objects };
}

/** Replaces `path` with `bytes` atomically: temporary file, fsync, rename, fsync of the folder. */
export async function writeSnapshotFile(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * The snapshot at `path`; undefined when there is none. Throws SnapshotFileError (or an I/O error)
 * for one that cannot be used, including another agent's (a proxy agent's snapshot holds only what
 * that agent keeps).
 */
export async function readSnapshotFile(path: string, options: { agent?: string; maxBytes?: number } = {}): Promise<SnapshotFileContent | undefined> {
  const maxBytes = options.maxBytes ?? MAX_SNAPSHOT_FILE_BYTES;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size > maxBytes) throw new SnapshotFileError(`${path} is ${size} bytes; a snapshot is at most ${maxBytes}`);
  const content = decodeSnapshotFile(await readFile(path));
  if (options.agent !== undefined && content.agent !== options.agent) throw new SnapshotFileError(`${path} is the snapshot of ${content.agent}, not of ${options.agent}`);
  return content;
}

/** Where KUBEMU_OBJECTS stands (first and last revision it holds) and which log it is (its creation time). */
export async function objectsLogExtent(bus: Bus): Promise<{ firstRevision: number; lastRevision: number; createdAt: string }> {
  const info = await bus.jsm.streams.info(OBJECTS_STREAM);
  return { firstRevision: info.state.first_seq, lastRevision: info.state.last_seq, createdAt: info.created };
}
