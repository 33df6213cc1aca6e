import { describe, expect, it } from 'vitest';
import { formatPortRange, parsePortRange } from './port-range.js';

describe('parsePortRange (apimachinery util/net PortRange.Set)', () => {
  it.each([
    ['30000-32767', { base: 30000, size: 2768 }],
    ['30000+2767', { base: 30000, size: 2768 }],
    ['30000+2768', { base: 30000, size: 2769 }],
    ['30000', { base: 30000, size: 1 }],
    ['  30000-32767  ', { base: 30000, size: 2768 }],
    ['', { base: 0, size: 0 }],
    ['0-65535', { base: 0, size: 65536 }],
  ])('%j', (input, expected) => {
    expect(parsePortRange(input)).toEqual(expected);
  });

  it.each([
    ['abc', 'strconv.Atoi: parsing "abc": invalid syntax'],
    ['30000-', 'strconv.Atoi: parsing "": invalid syntax'],
    ['-5', 'strconv.Atoi: parsing "": invalid syntax'],
    ['30000 - 32767', 'strconv.Atoi: parsing "30000 ": invalid syntax'],
    ['30000+x', 'strconv.Atoi: parsing "x": invalid syntax'],
    ['99999999999999999999', 'strconv.Atoi: parsing "99999999999999999999": value out of range'],
    ['1-2+3', 'unable to parse port range: 1-2+3'],
    ['70000-80000', 'the port range cannot be greater than 65535: 70000-80000'],
    ['60000+10000', 'the port range cannot be greater than 65535: 60000+10000'],
    ['32767-30000', 'end port cannot be less than start port: 32767-30000'],
  ])('%j is refused', (input, message) => {
    expect(() => parsePortRange(input)).toThrow(message);
  });

  it('prints the inclusive form', () => {
    expect([formatPortRange({ base: 30000, size: 2768 }), formatPortRange({ base: 0, size: 0 })]).toEqual(['30000-32767', '']);
  });
});
