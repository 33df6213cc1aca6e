// Bounded holders for a child's output: a child that logs forever, or writes a megabyte without a
// newline, must not grow the parent's memory.
import { StringDecoder } from 'node:string_decoder';

/** The last `capacity` items, oldest first. */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  get size(): number {
    return this.#size;
  }

  toArray(): T[] {
    const out: T[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(start + i) % this.capacity] as T);
    return out;
  }
}

/** The last `maxChars` characters written, for error messages. */
export class TextTail {
  #text = '';

  constructor(readonly maxChars: number) {}

  append(text: string): void {
    this.#text += text;
    if (this.#text.length > this.maxChars * 2) this.#text = this.#text.slice(-this.maxChars);
  }

  toString(): string {
    return this.#text.length > this.maxChars ? this.#text.slice(-this.maxChars) : this.#text;
  }
}

/**
 * Splits a byte stream into lines. A line longer than `maxLineChars` is cut there and delivered
 * with `truncated: true`; the rest of it, up to the next newline, is dropped.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';
  #discarding = false;

  constructor(
    readonly maxLineChars: number,
    private readonly onLine: (line: string, truncated: boolean) => void,
  ) {}

  write(chunk: Buffer): void {
    this.#consume(this.#decoder.write(chunk));
  }

  end(): void {
    this.#consume(this.#decoder.end());
    if (this.#partial.length > 0 && !this.#discarding) this.onLine(this.#partial, false);
    this.#partial = '';
    this.#discarding = false;
  }

  #consume(text: string): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl === -1) break;
      const piece = text.slice(from, nl);
      from = nl + 1;
      if (this.#discarding) {
        this.#discarding = false;
        continue;
      }
      const line = this.#partial + piece;
      this.#partial = '';
      if (line.length > this.maxLineChars) this.onLine(line.slice(0, this.maxLineChars), true);
      else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, false);
    }
    if (this.#discarding) return;
    this.#partial += text.slice(from);
    if (this.#partial.length > this.maxLineChars) {
      this.onLine(this.#partial.slice(0, this.maxLineChars), true);
      this.#partial = '';
      this.#discarding = true;
    }
  }
}
