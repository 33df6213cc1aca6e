// A port of github.com/liggitt/tabwriter (Go's text/tabwriter plus RememberWidths), the elastic
// tabstops writer behind every kubectl table and every kubectl describe. Ported line by line so
// that column blocks, the flush on single-cell lines and minwidth behave exactly as upstream:
// a column is a run of consecutive lines that have a tab-terminated cell at that index; its width
// is max(minwidth, widest cell + padding); the last cell of a line is never padded.
// Not ported: HTML filtering, Escape sequences (0xff never occurs in UTF-8 text), tab padding,
// AlignRight, Debug and TabIndent, none of which kubectl uses.

export interface TabWriterOptions {
  /** Minimal cell width including any padding. */
  minwidth: number;
  /** Width of a tab character; only matters for tab padding, which is not ported. */
  tabwidth: number;
  /** Padding added to a cell before computing its width. */
  padding: number;
  /** The character used for padding; must not be a tab. */
  padchar: string;
  /** liggitt/tabwriter RememberWidths: keep the widest width per column across flushes. */
  rememberWidths?: boolean;
  /** text/tabwriter DiscardEmptyColumns: empty columns terminated only by '\v' take no space. */
  discardEmptyColumns?: boolean;
}

interface Cell {
  text: string;
  /** Width in code points, as Go's utf8.RuneCount. */
  width: number;
  /** Terminated by a horizontal tab. */
  htab: boolean;
}

export class TabWriter {
  private readonly opts: TabWriterOptions;
  private out: string[] = [];
  private cellText = '';
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private maxwidths: number[] = [];

  constructor(opts: TabWriterOptions) {
    if (opts.minwidth < 0 || opts.tabwidth < 0 || opts.padding < 0) {
      throw new Error('tabwriter: negative minwidth, tabwidth, or padding');
    }
    if (opts.padchar.length !== 1 || opts.padchar === '\t') {
      throw new Error('tabwriter: padchar must be one non-tab character');
    }
    this.opts = opts;
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cellText += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        // A line with a single cell cannot affect the alignment of later lines, so upstream
        // flushes there; this is why "Containers:" in kubectl describe restarts alignment.
        if (ch === '\f' || ncells === 1) this.flush();
      }
    }
    this.cellText += text.slice(start);
  }

  flush(): void {
    if (this.cellText.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.cellText = '';
    this.lines = [[]];
    this.widths = [];
  }

  /** Everything written so far, formatted. Call flush() first. */
  output(): string {
    return this.out.join('');
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1]!;
    line.push({ text: this.cellText, width: Array.from(this.cellText).length, htab });
    this.cellText = '';
    return line.length;
  }

  private writePadding(textw: number, cellw: number): void {
    this.out.push(this.opts.padchar.repeat(cellw - textw));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      line.forEach((c, j) => {
        if (c.text.length > 0) this.out.push(c.text);
        if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!);
      });
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline yet: write the incomplete cell.
        this.out.push(this.cellText);
      } else {
        this.out.push('\n');
      }
    }
  }

  // Same control flow as upstream format(): note the outer loop's increment after a block,
  // which steps over the line that ended the block (it is written later, from line0).
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= this.lines[current]!.length - 1) continue;

      this.writeLines(line0, current);
      line0 = current;

      let width = this.opts.minwidth;
      let discardable = true;
      for (; current < line1; current++) {
        const line = this.lines[current]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + this.opts.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }

      if (discardable && this.opts.discardEmptyColumns) width = 0;

      if (this.opts.rememberWidths) {
        const mw = this.maxwidths;
        if (mw.length < this.widths.length) mw.push(...this.widths.slice(mw.length));
        if (mw.length === this.widths.length) mw.push(width);
        else if (mw[this.widths.length]! > width) width = mw[this.widths.length]!;
        else if (mw[this.widths.length]! < width) mw[this.widths.length] = width;
      }

      this.widths.push(width);
      this.format(line0, current);
      this.widths.pop();
      line0 = current;
    }
    this.writeLines(line0, line1);
  }
}

/** kubectl's table writer: cli-runtime pkg/printers/tabwriter.go GetNewTabWriter. */
export function newTableTabWriter(): TabWriter {
  return new TabWriter({ minwidth: 6, tabwidth: 4, padding: 3, padchar: ' ', rememberWidths: true });
}

/** kubectl describe's writer: kubectl pkg/describe/describe.go tabbedString (text/tabwriter). */
export function newDescribeTabWriter(): TabWriter {
  return new TabWriter({ minwidth: 0, tabwidth: 8, padding: 2, padchar: ' ' });
}

/** Formats text through a fresh writer of the given options and returns the result. */
export function tabwrite(text: string, writer: TabWriter): string {
  writer.write(text);
  writer.flush();
  return writer.output();
}
