import { describe, it, expect } from 'vitest';
import { newDescribeTabWriter, newTableTabWriter, TabWriter, tabwrite } from './tabwriter.js';

const dots = (minwidth = 0, padding = 1): TabWriter => new TabWriter({ minwidth, tabwidth: 0, padding, padchar: '.' });

describe('TabWriter (liggitt/tabwriter port)', () => {
  it('aligns only contiguous column blocks; a line without the cell ends the block (text/tabwriter doc example)', () => {
    const out = tabwrite('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n', dots());
    expect(out).toBe(['aaaa.bbb.d', 'aa...b...dd', 'a....', 'aa...cccc.eee', ''].join('\n'));
  });

  it('a single-cell line flushes, so alignment restarts after it', () => {
    const out = tabwrite('a\tx\nlonger-key\ty\nHeader:\nb\tz\n', dots(0, 2));
    expect(out).toBe(['a...........x', 'longer-key..y', 'Header:', 'b..z', ''].join('\n'));
  });

  it('minwidth pads narrow columns; the last cell of a line is never padded', () => {
    const out = tabwrite('a\tb\tc\n', dots(6, 3));
    expect(out).toBe('a.....b.....c\n');
  });

  it('counts width in code points, as utf8.RuneCount', () => {
    const out = tabwrite('ü\tx\nab\ty\n', dots());
    expect(out).toBe('ü..x\nab.y\n');
  });

  it('RememberWidths keeps the widest column across flushes', () => {
    const tw = new TabWriter({ minwidth: 0, tabwidth: 0, padding: 1, padchar: '.', rememberWidths: true });
    tw.write('long-cell\tx\n');
    tw.flush();
    tw.write('a\ty\n');
    tw.flush();
    expect(tw.output()).toBe('long-cell.x\na.........y\n');
  });

  it('without RememberWidths each flush aligns on its own', () => {
    const tw = dots();
    tw.write('long-cell\tx\n');
    tw.flush();
    tw.write('a\ty\n');
    tw.flush();
    expect(tw.output()).toBe('long-cell.x\na.y\n');
  });

  it("kubectl's two writers: tables pad 3 with minwidth 6, describe pads 2", () => {
    expect(tabwrite('NAME\tAGE\nab\t1s\n', newTableTabWriter())).toBe('NAME   AGE\nab     1s\n');
    expect(tabwrite('Name:\tx\nIP:\ty\n', newDescribeTabWriter())).toBe('Name:  x\nIP:    y\n');
  });

  it('rejects tab padding, which is not ported', () => {
    expect(() => new TabWriter({ minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' })).toThrow(/padchar/);
  });
});
