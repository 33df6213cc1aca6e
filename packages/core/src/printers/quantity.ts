// resource.Quantity as kubectl describe prints it (apimachinery pkg/api/resource/quantity.go
// ParseQuantity, CanonicalizeBytes, Add, Value, MilliValue; amount.go AsCanonicalBytes,
// AsCanonicalBase1024Bytes). Values are held exactly in nano-units; finer precision rounds up.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI' | '';

export interface Quantity {
  /** The value times 10^9. */
  nanos: bigint;
  format: QuantityFormat;
}

export const ZERO_QUANTITY: Quantity = { nanos: 0n, format: '' };

const NANO = 1_000_000_000n;
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** resource.ParseQuantity. Throws on a malformed quantity, as MustParse panics. */
export function parseQuantity(input: string): Quantity {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z]*|[eE][+-]?\d+)$/.exec(input.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`quantities must match the regular expression: ${JSON.stringify(input)}`);
  const [, sign, whole, frac = '', suffix = ''] = m;
  let numerator = BigInt((whole || '0') + frac) * NANO;
  let denominator = pow10(frac.length);
  let format: QuantityFormat;
  if (suffix in BINARY) {
    numerator *= BINARY[suffix]!;
    format = 'BinarySI';
  } else if (suffix in DECIMAL) {
    const e = DECIMAL[suffix]!;
    if (e >= 0) numerator *= pow10(e);
    else denominator *= pow10(-e);
    format = 'DecimalSI';
  } else if (/^[eE]/.test(suffix)) {
    const e = Number(suffix.slice(1));
    if (e >= 0) numerator *= pow10(e);
    else denominator *= pow10(-e);
    format = 'DecimalExponent';
  } else {
    throw new Error(`unable to parse quantity's suffix: ${JSON.stringify(input)}`);
  }
  const nanos = ceilDiv(numerator, denominator);
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

/** Quantity.Add: the sum keeps the left format, unless the left side is zero. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** Quantity.Value: rounded up to an integer. */
export function quantityValue(q: Quantity): number {
  return Number(ceilDiv(q.nanos, NANO));
}

/** Quantity.MilliValue: rounded up to an integer number of thousandths. */
export function quantityMilliValue(q: Quantity): number {
  return Number(ceilDiv(q.nanos, 1_000_000n));
}

/** Quantity.String: the canonical form (`500m`, `2k`, `1536Mi`, `0`). */
export function quantityString(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    // Small or fractional binary quantities print as DecimalSI (CanonicalizeBytes).
    if (abs < 1024n * NANO || abs % NANO !== 0n) format = 'DecimalSI';
  } else if (format === '') {
    format = 'DecimalExponent';
  }
  if (format === 'BinarySI') {
    let amount = abs / NANO;
    let times = 0;
    while (amount % 1024n === 0n && times < BINARY_SUFFIX.length - 1) {
      amount /= 1024n;
      times++;
    }
    return `${sign}${amount}${BINARY_SUFFIX[times]}`;
  }
  // amount.go AsCanonicalBytes: strip factors of ten, then step down to a multiple of 3.
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const r = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(r);
  exponent -= r;
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_SUFFIX.get(exponent);
    if (suffix !== undefined) return `${sign}${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${sign}${mantissa}` : `${sign}${mantissa}e${exponent}`;
}

/** Parses and re-prints a quantity in canonical form; malformed input is returned unchanged. */
export function canonicalQuantity(s: string): string {
  try {
    return quantityString(parseQuantity(s));
  } catch {
    return s;
  }
}
