// When an agent writes its snapshot: once it has caught up with the log, then at most once per
// interval while events arrive (a quiet log writes nothing), and a last time when it stops. One
// write at a time; the state is taken (encoded) synchronously, so it is the state at one revision.
import { writeSnapshotFile } from './snapshot-file.js';

/** Snapshot writes are at least this far apart while events arrive. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 30_000;

export interface SnapshotWriterOptions {
  path: string;
  intervalMs?: number;
  /** The agent's revision now and its snapshot's bytes; called only when the revision moved since the last write. */
  revision: () => number;
  encode: () => Uint8Array;
  onWritten?: (w: { revision: number; bytes: number }) => void;
  /** A failed write is reported and retried at the next interval: the agent goes on without it. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

export class SnapshotWriter {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private writtenRevision = -1;
  private lastWriteMs = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: SnapshotWriterOptions) {
    this.intervalMs = o.intervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    if (!(this.intervalMs > 0)) throw new RangeError(`snapshot interval ${this.intervalMs} ms must be positive`);
    this.now = o.now ?? Date.now;
  }

  /** The revision of the last snapshot written by this writer; -1 before the first. */
  get revision(): number {
    return this.writtenRevision;
  }

  /** An event was folded in: a write is due within the interval. */
  changed(): void {
    if (this.closed || this.timer !== undefined) return;
    const at = Math.max(this.now(), this.lastWriteMs + this.intervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, at - this.now());
    this.timer.unref();
  }

  /** Writes the current state now (after a write in progress), unless it is already written. */
  writeNow(): Promise<void> {
    const next = this.writing.then(() => this.writeOnce());
    this.writing = next;
    return next;
  }

  private async writeOnce(): Promise<void> {
    const revision = this.o.revision();
    if (revision === this.writtenRevision) return;
    this.lastWriteMs = this.now();
    try {
      const bytes = this.o.encode();
      await writeSnapshotFile(this.o.path, bytes);
      this.writtenRevision = revision;
      this.o.onWritten?.({ revision, bytes: bytes.length });
    } catch (err) {
      this.o.onError?.(err);
      if (!this.closed) this.changed();
    }
  }

  /** Stops the timer and writes a last snapshot. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writeNow();
  }
}
