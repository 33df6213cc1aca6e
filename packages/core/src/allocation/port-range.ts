// k8s.io/apimachinery/pkg/util/net/port_range.go: the value of --service-node-port-range.

export interface PortRange {
  readonly base: number;
  /** Number of ports; 0 for the empty range. */
  readonly size: number;
}

/** options.DefaultServiceNodePortRange (pkg/kubeapiserver/options): 30000-32767. */
export const DEFAULT_SERVICE_NODE_PORT_RANGE: PortRange = { base: 30000, size: 2768 };

export class PortRangeError extends Error {
  override readonly name = 'PortRangeError';
}

const MAX_INT64 = (1n << 63n) - 1n;

// strconv.Atoi on a 64-bit platform, with its *NumError texts.
function atoi(s: string): number {
  const fail = (why: string): never => {
    throw new PortRangeError(`strconv.Atoi: parsing ${JSON.stringify(s)}: ${why}`);
  };
  let i = 0;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    i = 1;
  }
  if (i === s.length) fail('invalid syntax');
  const limit = negative ? MAX_INT64 + 1n : MAX_INT64;
  let n = 0n;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) fail('invalid syntax');
    n = n * 10n + BigInt(c);
    if (n > limit) fail('value out of range');
  }
  return Number(negative ? -n : n);
}

/**
 * PortRange.Set: "" (empty range), "30000" (one port), "30000-32767" (inclusive) or "30000+2767"
 * (base plus offset, inclusive). Throws PortRangeError with upstream's texts.
 */
export function parsePortRange(input: string): PortRange {
  const value = input.trim();
  if (value === '') return { base: 0, size: 0 };
  const hyphen = value.indexOf('-');
  const plus = value.indexOf('+');
  let low: number;
  let high: number;
  if (hyphen === -1 && plus === -1) {
    low = high = atoi(value);
  } else if (hyphen !== -1 && plus === -1) {
    low = atoi(value.slice(0, hyphen));
    high = atoi(value.slice(hyphen + 1));
  } else if (plus !== -1 && hyphen === -1) {
    low = atoi(value.slice(0, plus));
    high = low + atoi(value.slice(plus + 1));
  } else {
    throw new PortRangeError(`unable to parse port range: ${value}`);
  }
  if (low > 65535 || high > 65535) throw new PortRangeError(`the port range cannot be greater than 65535: ${value}`);
  if (high < low) throw new PortRangeError(`end port cannot be less than start port: ${value}`);
  return { base: low, size: 1 + high - low };
}

/** PortRange.String(): "30000-32767", or "" for the empty range. */
export function formatPortRange(pr: PortRange): string {
  return pr.size === 0 ? '' : `${pr.base}-${pr.base + pr.size - 1}`;
}

export function portRangeContains(pr: PortRange, port: number): boolean {
  return port >= pr.base && port - pr.base < pr.size;
}
