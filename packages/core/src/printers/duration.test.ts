import { describe, it, expect } from 'vitest';
import { humanDuration, translateTimestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  // Each boundary of reference §e, from both sides.
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-2 * S - 1, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * S, '1s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 1 * S, '2m1s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [19 * M, '19m'],
    [19 * M + 59 * S, '19m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + 30 * M, '3h30m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [48 * H - 1, '47h'],
    [48 * H, '2d'],
    [49 * H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [730 * D - 1, '729d'],
    [730 * D, '2y'],
    [731 * D, '2y1d'],
    [2920 * D - 1, '7y364d'],
    [2920 * D, '8y'],
    [3650 * D + 100 * D, '10y'],
  ];
  it.each(cases)('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('translateTimestampSince (the AGE cell)', () => {
  const now = Date.parse('2026-11-27T21:29:00Z');
  const cases: [string | undefined, string][] = [
    [undefined, '<unknown>'],
    ['', '<unknown>'],
    ['2026-11-27T21:10:00Z', '19m'],
    ['2026-11-27T21:29:01Z', '0s'],
    ['2026-11-27T21:29:02Z', '<invalid>'],
    ['2026-11-22T21:29:00Z', '5d'],
  ];
  it.each(cases)('%s → %s', (ts, want) => {
    expect(translateTimestampSince(ts, now)).toBe(want);
    expect(translateTimestampSince(ts, new Date(now))).toBe(want);
  });
});
