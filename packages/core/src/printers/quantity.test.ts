import { describe, it, expect } from 'vitest';
import { addQuantity, parseQuantity, quantityMilliValue, quantityString, quantityValue } from './quantity.js';

describe('resource.Quantity canonical strings', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['100m', '100m'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2000', '2k'],
    ['1.5Gi', '1536Mi'],
    ['1024Ki', '1Mi'],
    ['512', '512'],
    ['1Ki', '1Ki'],
    ['1e3', '1e3'],
    ['16Gi', '16Gi'],
    ['-100m', '-100m'],
  ];
  it.each(cases)('%s → %s', (input, want) => {
    expect(quantityString(parseQuantity(input))).toBe(want);
  });

  it('rounds Value and MilliValue up, as Quantity.Value does', () => {
    expect(quantityValue(parseQuantity('100m'))).toBe(1);
    expect(quantityMilliValue(parseQuantity('1'))).toBe(1000);
    expect(quantityMilliValue(parseQuantity('1n'))).toBe(1);
  });

  it('a sum keeps the left format unless the left is zero', () => {
    expect(quantityString(addQuantity(parseQuantity('512Mi'), parseQuantity('512Mi')))).toBe('1Gi');
    expect(quantityString(addQuantity(parseQuantity('0'), parseQuantity('1Gi')))).toBe('1Gi');
    expect(quantityString(addQuantity(parseQuantity('1000'), parseQuantity('24')))).toBe('1024');
  });

  it('rejects malformed quantities', () => {
    expect(() => parseQuantity('abc')).toThrow();
    expect(() => parseQuantity('1Qi')).toThrow();
  });
});
