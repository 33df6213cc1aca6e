// An agent's snapshot file (--snapshot-file; DESIGN "The event log"): read once at start, then
// written once the agent has caught up with the log and while events arrive. The decisions are
// core's (restoreStoreSnapshot, resumePoint) and bus's (the file, SnapshotWriter); this glues them
// to an agent's logs and metrics, the same way for every agent.
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { encodeSnapshotFile, objectsLogExtent, readSnapshotFile, SnapshotWriter, type Bus, type SnapshotObject } from '@kubemu/bus';
import { resourceByKind, restoreStoreSnapshot, resumePoint, takeStoreSnapshot, type KubeObject, type ObjectStore, type StoredObject } from '@kubemu/core';

/** Snapshot writes and restores; every agent with a snapshot exports these names. */
export function snapshotMetrics(registry: Registry) {
  return {
    snapshotWrites: new Counter({ name: 'kubemu_snapshot_writes_total', help: 'Snapshot files written, by result (ok, error).', labelNames: ['result'] as const, registers: [registry] }),
    snapshotRestores: new Counter({
      name: 'kubemu_snapshot_restores_total',
      help: 'Starts by how the log was read: resumed after a snapshot, or replayed from revision 1 (no usable snapshot).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    snapshotRevision: new Gauge({ name: 'kubemu_snapshot_revision', help: 'Revision of the last snapshot written or restored.', registers: [registry] }),
  };
}

export type SnapshotMetrics = ReturnType<typeof snapshotMetrics>;

export interface AgentSnapshotsOptions {
  bus: Bus;
  path: string;
  /** The name the file carries; another agent's file is refused. */
  agent: string;
  intervalMs?: number;
  /** The objects the agent folds; a snapshot holding others is refused. */
  keeps?: (kind: string, object: KubeObject) => boolean;
  log: Logger;
  metrics: SnapshotMetrics;
}

/** What an agent snapshots: its folded store at its revision. */
export type AgentState = () => { store: ObjectStore; revision: number };

export class AgentSnapshots {
  private writer: SnapshotWriter | undefined;
  private starting = false;
  /** An event arrived while `start` was looking the log up. */
  private changedWhileStarting = false;

  private constructor(
    private readonly o: AgentSnapshotsOptions,
    /** The store to start from, or undefined: replay the log from revision 1. */
    readonly restored: ObjectStore | undefined,
  ) {}

  /** Reads the snapshot file. Never throws: a damaged snapshot means a replay from 1, not a stop. */
  static async open(o: AgentSnapshotsOptions): Promise<AgentSnapshots> {
    return new AgentSnapshots(o, await restoreSnapshot(o));
  }

  /** The agent has caught up with the log: write now, then while events arrive. */
  async start(state: AgentState): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    const { path, log, metrics, agent } = this.o;
    const logCreatedAt = (await objectsLogExtent(this.o.bus)).createdAt;
    this.writer = new SnapshotWriter({
      path,
      ...(this.o.intervalMs !== undefined ? { intervalMs: this.o.intervalMs } : {}),
      revision: () => state().revision,
      encode: () => {
        const { store, revision } = state();
        return encodeStoreSnapshot(agent, store, revision, logCreatedAt);
      },
      onWritten: (w) => {
        metrics.snapshotWrites.inc({ result: 'ok' });
        metrics.snapshotRevision.set(w.revision);
        log.info({ revision: w.revision, bytes: w.bytes, snapshotFile: path }, `wrote snapshot at revision ${w.revision}`);
      },
      onError: (err) => {
        metrics.snapshotWrites.inc({ result: 'error' });
        log.warn({ err: String((err as Error)?.message ?? err), snapshotFile: path }, 'could not write the snapshot');
      },
    });
    await this.writer.writeNow();
    if (this.changedWhileStarting) this.writer.changed();
  }

  /** An event was folded in (or skipped); before `start` there is nothing to write yet. */
  changed(): void {
    if (this.writer) this.writer.changed();
    else if (this.starting) this.changedWhileStarting = true;
  }

  /** The last write, on stop; nothing if the agent never caught up (its state is not a whole revision). */
  async close(): Promise<void> {
    await this.writer?.close();
  }
}

async function restoreSnapshot(o: AgentSnapshotsOptions): Promise<ObjectStore | undefined> {
  let reason: string;
  try {
    const file = await readSnapshotFile(o.path, { agent: o.agent });
    if (file === undefined) reason = 'there is no snapshot file yet';
    else {
      const objects = file.objects as readonly SnapshotObject[] as readonly StoredObject[];
      const store = restoreStoreSnapshot({ revision: file.revision, objects }, o.keeps ? { keeps: o.keeps } : {});
      const point = resumePoint({ revision: file.revision, createdAt: file.logCreatedAt }, await objectsLogExtent(o.bus));
      if (point.refused === undefined) {
        o.metrics.snapshotRestores.inc({ result: 'resumed' });
        o.metrics.snapshotRevision.set(store.revision);
        o.log.info({ revision: store.revision, objects: store.objects.size, snapshotFile: o.path }, `resumed from snapshot at revision ${store.revision}`);
        return store;
      }
      reason = point.refused;
    }
  } catch (err) {
    reason = String((err as Error)?.message ?? err);
  }
  o.metrics.snapshotRestores.inc({ result: 'replayed' });
  o.log.warn({ reason, snapshotFile: o.path }, 'not resuming from the snapshot; replaying the log from revision 1');
  return undefined;
}

/** The file's bytes for `store` at `revision`, as the log carried every object. */
export function encodeStoreSnapshot(agent: string, store: ObjectStore, revision: number, logCreatedAt: string): Uint8Array {
  const { objects } = takeStoreSnapshot(store, revision);
  return encodeSnapshotFile({ agent, revision, logCreatedAt, objects: objects as readonly StoredObject[] as readonly SnapshotObject[] }, (kind) => resourceByKind(kind)?.logKind);
}
