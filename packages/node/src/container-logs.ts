// The node's container logs: what each container it runs printed (core container-log.ts keeps
// each one bounded), and the followers of `kubectl logs -f` waiting for the next line. A pod's
// logs go with the pod: when it stops, its followers' answers end and its lines are dropped.
import { appendContainerLog, emptyContainerLog, type ContainerLog, type ContainerLogLine } from '@kubemu/core';

/** At most this many `logs -f` streams per node (each holds a connection). */
export const MAX_LOG_FOLLOWERS = 256;

type Follower = (line: ContainerLogLine | undefined) => void;

interface Entry {
  log: ContainerLog;
  followers: Set<Follower>;
}

export class ContainerLogs {
  private readonly entries = new Map<string, Entry>();
  private followers = 0;
  private lastMs = 0;
  private sameMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private static key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { log: emptyContainerLog(), followers: new Set() };
      this.entries.set(key, e);
    }
    return e;
  }

  /** A strictly increasing time, so lines keep their order under --timestamps and --since. */
  private stamp(timeMs?: number): { timeMs: number; nanos: number } {
    const ms = timeMs ?? this.now();
    if (ms === this.lastMs) this.sameMs++;
    else {
      this.lastMs = ms;
      this.sameMs = 0;
    }
    return { timeMs: ms, nanos: Math.min(this.sameMs * 1000, 999_999) };
  }

  /** A container printed `text` (one line, or several separated by newlines). */
  write(namespace: string, pod: string, container: string, text: string, timeMs?: number): void {
    const e = this.entry(ContainerLogs.key(namespace, pod, container));
    for (const part of text.split('\n')) {
      const line = appendContainerLog(e.log, { ...this.stamp(timeMs), text: part });
      for (const f of e.followers) f(line);
    }
  }

  has(namespace: string, pod: string, container: string): boolean {
    return this.entries.has(ContainerLogs.key(namespace, pod, container));
  }

  get(namespace: string, pod: string, container: string): ContainerLog | undefined {
    return this.entries.get(ContainerLogs.key(namespace, pod, container))?.log;
  }

  /** Calls `f` with every new line, and with undefined when the pod ends. Undefined past MAX_LOG_FOLLOWERS. */
  follow(namespace: string, pod: string, container: string, f: Follower): (() => void) | undefined {
    if (this.followers >= MAX_LOG_FOLLOWERS) return undefined;
    const e = this.entry(ContainerLogs.key(namespace, pod, container));
    e.followers.add(f);
    this.followers++;
    return () => {
      if (e.followers.delete(f)) this.followers--;
    };
  }

  /** The pod stopped: its followers end, its lines go. */
  removePod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [key, e] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      for (const f of e.followers) f(undefined);
      this.followers -= e.followers.size;
      this.entries.delete(key);
    }
  }
}
