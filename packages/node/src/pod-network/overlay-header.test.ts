import { describe, expect, it } from 'vitest';
import { decodeOverlayHeader, encodeOverlayHeader } from './overlay-header.js';

describe('overlay header', () => {
  it('round-trips a tuple in 16 bytes', () => {
    const t = { protocol: 'UDP' as const, srcIP: '10.244.1.2', srcPort: 40000, dstIP: '10.244.2.3', dstPort: 8081 };
    const b = encodeOverlayHeader(t);
    expect(b.toString('hex')).toBe('4b4d01110af401029c400af402031f91');
    expect(decodeOverlayHeader(b)).toEqual(t);
  });
  it('refuses what is not a header', () => {
    expect(() => decodeOverlayHeader(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow('not a kubemu overlay header (magic or version)');
    expect(() => decodeOverlayHeader(Buffer.alloc(3))).toThrow('overlay header is 3 bytes, want 16');
  });
});
