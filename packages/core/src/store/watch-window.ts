// The span of recent events a watch can resume from, like kube-apiserver's watch cache: a bounded
// ring. A watch from a revision older than the window gets 410 Expired and relists.

export const DEFAULT_WATCH_WINDOW = 10_000;

export class WatchWindow<E extends { event: { revision: number } }> {
  private readonly ring: (E | undefined)[];
  private start = 0;
  private size = 0;
  /** Revision before the first retained event: a watch from here or later can be served. */
  private floor = 0;

  constructor(readonly capacity: number = DEFAULT_WATCH_WINDOW) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`watch window capacity ${capacity}`);
    this.ring = new Array(capacity);
  }

  push(entry: E): void {
    if (this.size === this.capacity) {
      this.floor = this.ring[this.start]!.event.revision;
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.size) % this.capacity] = entry;
      this.size++;
    }
  }

  /** The oldest revision a watch may start after. */
  oldestResumable(): number {
    return this.floor;
  }

  /** Events with revision > after, or undefined when the window no longer reaches back that far. */
  since(after: number): E[] | undefined {
    if (after < this.floor) return undefined;
    const out: E[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.start + i) % this.capacity]!;
      if (e.event.revision > after) out.push(e);
    }
    return out;
  }
}
