// IPv4 addresses and prefixes as netfilter stores them: a 32-bit address and a mask, the address
// already masked (xtables_ipparse_multiple does `addr &= mask`), printed back as `a.b.c.d/len`.

export interface Prefix {
  /** Network address as an unsigned 32-bit integer, already masked. */
  readonly network: number;
  readonly length: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as an unsigned 32-bit integer, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIPv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** `10.0.0.1`, `10.0.0.0/8` or `10.0.0.0/255.0.0.0`; undefined when malformed. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const address = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  let length = 32;
  if (slash >= 0) {
    const maskText = text.slice(slash + 1);
    if (/^\d{1,2}$/.test(maskText)) {
      length = Number(maskText);
      if (length > 32) return undefined;
    } else {
      const mask = parseIPv4(maskText);
      if (mask === undefined) return undefined;
      length = Math.clz32(~mask >>> 0);
      if (maskOf(length) !== mask) return undefined; // a non-contiguous mask
    }
  }
  return { network: (address & maskOf(length)) >>> 0, length };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv4(p.network)}/${p.length}`;
}

export function prefixContains(p: Prefix, address: number): boolean {
  return ((address & maskOf(p.length)) >>> 0) === p.network;
}
