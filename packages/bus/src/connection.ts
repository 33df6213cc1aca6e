// A process's connection to the event log, and the two streams it holds.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { MAX_OBJECT_EVENT_BYTES, MAX_OBSERVATION_BYTES } from '@kubemu/proto';
import { newBusMetrics, type BusMetrics } from './metrics.js';
import { OBJECTS_STREAM, OBJECTS_SUBJECTS, STATUS_STREAM, STATUS_SUBJECTS } from './subjects.js';

/** Room for the headers (Nats-Msg-Id, Nats-Expected-*) next to a payload at its limit; see MAX_MSG_ID_CHARS. */
export const HEADER_ALLOWANCE_BYTES = 4096;
/** JetStream's max_msg_size counts headers too (measured on nats-server 2.9.10). */
export const OBJECTS_MAX_MSG_SIZE = MAX_OBJECT_EVENT_BYTES + HEADER_ALLOWANCE_BYTES;
export const STATUS_MAX_MSG_SIZE = MAX_OBSERVATION_BYTES + HEADER_ALLOWANCE_BYTES;
/**
 * nats-server's max_payload (headers included) must carry the largest ObjectEvent. Its default,
 * 1 MiB, does: @kubemu/proto sizes MAX_OBJECT_EVENT_BYTES for it.
 */
export const REQUIRED_MAX_PAYLOAD_BYTES = OBJECTS_MAX_MSG_SIZE;

export const DEFAULT_OBJECTS_MAX_BYTES = { file: 1024 ** 3, memory: 256 * 1024 ** 2 } as const;
export const DEFAULT_STATUS_MAX_BYTES = { file: 256 * 1024 ** 2, memory: 64 * 1024 ** 2 } as const;
export const DEFAULT_STATUS_MAX_MSGS = 1_000_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
export const DEFAULT_API_TIMEOUT_MS = 5_000;

/** Readers register here so Bus.close() can end them before the connection goes. */
export interface BusReader {
  stop(): Promise<void>;
}

export interface Bus {
  readonly name: string;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly metrics: BusMetrics;
  /** @internal readers and watches still running */
  readonly readers: Set<BusReader>;
  /** Stops running readers and watches, then closes the connection. */
  close(): Promise<void>;
}

export interface ConnectBusOptions {
  servers: string | string[];
  /** The connection name the server shows, e.g. "proxy-agent/node-1". */
  name: string;
  /** -1 (the default): keep reconnecting; the log is the only way to make progress. */
  maxReconnectAttempts?: number;
  reconnectTimeWaitMs?: number;
  /** Keep trying when the server is not up yet, instead of failing the first connect. */
  waitOnFirstConnect?: boolean;
  /** JetStream API and publish-ack timeout. */
  apiTimeoutMs?: number;
}

export async function connectBus(options: ConnectBusOptions): Promise<Bus> {
  const apiTimeoutMs = options.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    timeout: apiTimeoutMs,
    // nats.js otherwise builds an Error (a stack capture) for every request and JetStream publish,
    // only to give a timeout a caller's stack: a measurable share of an api-store write.
    noAsyncTraces: true,
  });
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: apiTimeoutMs });
  } catch (err) {
    await nc.close();
    throw new Error(`JetStream is not available on ${String(options.servers)} (run nats-server with -js): ${(err as Error).message}`, { cause: err });
  }
  const js = jetstream(nc, { timeout: apiTimeoutMs });
  const readers = new Set<BusReader>();
  return {
    name: options.name,
    nc,
    js,
    jsm,
    metrics: newBusMetrics(),
    readers,
    async close() {
      await Promise.allSettled([...readers].map((reader) => reader.stop()));
      if (!nc.isClosed()) await nc.close();
    },
  };
}

export interface EnsureStreamsOptions {
  storage: 'file' | 'memory';
  /** Objects stream size bound. When reached, writes fail (discard new): history is never dropped. */
  maxBytes?: number;
  duplicateWindowMs?: number;
  /** Observations are kept up to these bounds, oldest dropped first. */
  statusMaxBytes?: number;
  statusMaxMsgs?: number;
  /** 0: no age limit. */
  statusMaxAgeMs?: number;
}

const nanos = (ms: number): number => ms * 1_000_000;

export function objectsStreamConfig(options: EnsureStreamsOptions): StreamConfig {
  return {
    name: OBJECTS_STREAM,
    description: 'kubemu desired state: one ObjectEvent per accepted write; the sequence is the resourceVersion',
    subjects: [OBJECTS_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: options.maxBytes ?? DEFAULT_OBJECTS_MAX_BYTES[options.storage],
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_age: 0,
    max_msg_size: OBJECTS_MAX_MSG_SIZE,
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    allow_rollup_hdrs: false,
    deny_delete: true,
    deny_purge: true,
    num_replicas: 1,
  } as StreamConfig;
}

export function statusStreamConfig(options: EnsureStreamsOptions): StreamConfig {
  return {
    name: STATUS_STREAM,
    description: 'kubemu observations: what each agent did and at which revision',
    subjects: [STATUS_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_bytes: options.statusMaxBytes ?? DEFAULT_STATUS_MAX_BYTES[options.storage],
    max_msgs: options.statusMaxMsgs ?? DEFAULT_STATUS_MAX_MSGS,
    max_msgs_per_subject: -1,
    max_age: nanos(options.statusMaxAgeMs ?? 0),
    max_msg_size: STATUS_MAX_MSG_SIZE,
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    allow_rollup_hdrs: false,
    deny_delete: false,
    deny_purge: false,
    num_replicas: 1,
  } as StreamConfig;
}

const MANAGED_FIELDS = [
  'subjects',
  'description',
  'discard',
  'max_bytes',
  'max_msgs',
  'max_msgs_per_subject',
  'max_age',
  'max_msg_size',
  'duplicate_window',
  'allow_rollup_hdrs',
  'deny_delete',
  'deny_purge',
] as const;

type ManagedField = (typeof MANAGED_FIELDS)[number];

function differences(want: StreamConfig, have: StreamConfig): ManagedField[] {
  return MANAGED_FIELDS.filter((field) => JSON.stringify(want[field] ?? null) !== JSON.stringify(have[field] ?? null));
}

async function ensureStream(jsm: JetStreamManager, want: StreamConfig): Promise<StreamInfo> {
  let have: StreamInfo | undefined;
  try {
    have = await jsm.streams.info(want.name);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === 10059)) throw err; // 10059: stream not found
  }
  if (!have) {
    try {
      return await jsm.streams.add(want);
    } catch (err) {
      // 10058: another process created it first, with a different configuration; update below
      if (!(err instanceof JetStreamApiError && err.code === 10058)) throw err;
      have = await jsm.streams.info(want.name);
    }
  }
  if (have.config.storage !== want.storage || have.config.retention !== want.retention) {
    throw new Error(
      `stream ${want.name} exists with storage ${have.config.storage}/retention ${have.config.retention}; ` +
        `kubemu needs ${want.storage}/${want.retention}, which cannot be changed in place: export the log, delete the stream, import it`,
    );
  }
  const changed = differences(want, have.config);
  if (changed.length === 0) return have;
  const update: Partial<StreamConfig> = {};
  for (const field of changed) (update as Record<string, unknown>)[field] = want[field];
  try {
    return await jsm.streams.update(want.name, update);
  } catch (err) {
    throw new Error(`stream ${want.name}: cannot update ${changed.join(', ')}: ${(err as Error).message}`, { cause: err });
  }
}

/** The server must accept the largest message the log may hold. */
export function assertMaxPayload(bus: Bus): void {
  const maxPayload = bus.nc.info?.max_payload ?? 0;
  if (maxPayload < REQUIRED_MAX_PAYLOAD_BYTES) {
    throw new Error(
      `nats-server max_payload is ${maxPayload} bytes; kubemu's event log needs at least ${REQUIRED_MAX_PAYLOAD_BYTES} ` +
        `(an ObjectEvent may be ${MAX_OBJECT_EVENT_BYTES} bytes, plus headers): remove max_payload from the nats-server configuration (the default, 1MB, is enough) or raise it`,
    );
  }
}

/** Creates KUBEMU_OBJECTS and KUBEMU_STATUS, or brings their limits to these options. */
export async function ensureStreams(bus: Bus, options: EnsureStreamsOptions): Promise<{ objects: StreamInfo; status: StreamInfo }> {
  assertMaxPayload(bus);
  const objects = await ensureStream(bus.jsm, objectsStreamConfig(options));
  const status = await ensureStream(bus.jsm, statusStreamConfig(options));
  return { objects, status };
}
