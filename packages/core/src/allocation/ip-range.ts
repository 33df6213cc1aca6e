// IP addresses and CIDRs as Go's net package (k8s.io/utils/net's "sloppy" fork of it) parses and
// prints them, and the range arithmetic of k8s.io/utils/net (RangeSize, GetIndexedIP).

export type IPFamily = 'IPv4' | 'IPv6';

export interface IP {
  readonly family: IPFamily;
  /** The address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

export interface CIDR {
  readonly family: IPFamily;
  /** The network address (host bits cleared). */
  readonly ip: bigint;
  readonly prefix: number;
}

export function familyBits(family: IPFamily): 32 | 128 {
  return family === 'IPv4' ? 32 : 128;
}

// Go net: "big" bounds the digits dtoi/xtoi accept before declaring overflow.
const BIG = 0xffffff;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function hexValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
}

/** dtoi: decimal digits at the start of s; [value, digits consumed] or undefined. */
function dtoi(s: string): [number, number] | undefined {
  let n = 0;
  let i = 0;
  for (; i < s.length && isDigit(s[i]!); i++) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= BIG) return undefined;
  }
  return i === 0 ? undefined : [n, i];
}

/** xtoi: hexadecimal digits at the start of s. */
function xtoi(s: string): [number, number] | undefined {
  let n = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const d = hexValue(s[i]!);
    if (d < 0) break;
    n = n * 16 + d;
    if (n >= BIG) return undefined;
  }
  return i === 0 ? undefined : [n, i];
}

// k8s.io/utils/internal/third_party/forked/golang/net/ip.go parseIPv4: leading zeros are accepted
// and read as decimal ("sloppy"), unlike Go >= 1.17's net.ParseIP.
function parseIPv4Bytes(s: string): number[] | undefined {
  const out: number[] = [];
  let rest = s;
  for (let i = 0; i < 4; i++) {
    if (rest.length === 0) return undefined;
    if (i > 0) {
      if (rest[0] !== '.') return undefined;
      rest = rest.slice(1);
    }
    const r = dtoi(rest);
    if (r === undefined || r[0] > 0xff) return undefined;
    out.push(r[0]);
    rest = rest.slice(r[1]);
  }
  return rest.length === 0 ? out : undefined;
}

function parseIPv6Bytes(s: string): number[] | undefined {
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  let rest = s;
  if (rest.length >= 2 && rest[0] === ':' && rest[1] === ':') {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const r = xtoi(rest);
    if (r === undefined || r[0] > 0xffff) return undefined;
    const [n, c] = r;
    if (c < rest.length && rest[c] === '.') {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4Bytes(rest);
      if (v4 === undefined) return undefined;
      ip.splice(i, 4, ...v4);
      rest = '';
      i += 4;
      break;
    }
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    rest = rest.slice(c);
    if (rest.length === 0) break;
    if (rest[0] !== ':' || rest.length === 1) return undefined;
    rest = rest.slice(1);
    if (rest[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return ip;
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

const V4_IN_V6_PREFIX = 0xffffn << 32n;

/**
 * ParseIPSloppy. The first '.' or ':' decides the syntax; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is an IPv4 address, as `ip.To4() != nil` makes it in Go.
 */
export function parseIP(s: string): IP | undefined {
  for (const ch of s) {
    if (ch === '.') {
      const b = parseIPv4Bytes(s);
      return b === undefined ? undefined : { family: 'IPv4', value: bytesToBigint(b) };
    }
    if (ch === ':') {
      const b = parseIPv6Bytes(s);
      if (b === undefined) return undefined;
      const v = bytesToBigint(b);
      if (v >> 32n === 0xffffn) return { family: 'IPv4', value: v - V4_IN_V6_PREFIX };
      return { family: 'IPv6', value: v };
    }
  }
  return undefined;
}

/** net.IP.String(): dotted quad, or RFC 5952 (longest run of two or more zero groups as "::"). */
export function formatIP(ip: IP): string {
  if (ip.family === 'IPv4') {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  let e0 = -1;
  let e1 = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j > i && j - i > e1 - e0) {
      e0 = i;
      e1 = j;
      i = j;
    }
  }
  if (e1 - e0 <= 1) {
    e0 = -1;
    e1 = -1;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === e0) {
      out += '::';
      i = e1 - 1;
      continue;
    }
    if (i > 0 && i !== e1) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

/** The canonical text of an address, or undefined when it does not parse. */
export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip === undefined ? undefined : formatIP(ip);
}

/** netutils.IsIPv6String / IsIPv4String as one: the family of a textual address. */
export function ipFamilyOf(s: string): IPFamily | undefined {
  return parseIP(s)?.family;
}

/** ParseCIDRSloppy: host bits are cleared. Returns undefined when s is not a CIDR. */
export function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let family: IPFamily = 'IPv4';
  let bytes = parseIPv4Bytes(addr);
  if (bytes === undefined) {
    family = 'IPv6';
    bytes = parseIPv6Bytes(addr);
  }
  const m = dtoi(mask);
  const bits = familyBits(family);
  if (bytes === undefined || m === undefined || m[1] !== mask.length || m[0] > bits) return undefined;
  const prefix = m[0];
  const host = BigInt(bits - prefix);
  return { family, ip: (bytesToBigint(bytes) >> host) << host, prefix };
}

/** ParseCIDR or the error Go's net.ParseCIDR returns (`invalid CIDR address: <s>`). */
export function mustParseCIDR(s: string): CIDR {
  const c = parseCIDR(s);
  if (c === undefined) throw new Error(`invalid CIDR address: ${s}`);
  return c;
}

/** IPNet.String(). */
export function formatCIDR(c: CIDR): string {
  return `${formatIP({ family: c.family, value: c.ip })}/${c.prefix}`;
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (ip.family !== c.family) return false;
  const host = BigInt(familyBits(c.family) - c.prefix);
  return ip.value >> host === c.ip >> host;
}

const MAX_INT64 = (1n << 63n) - 1n;

/** netutils.RangeSize: 2^hostbits; 0 when hostbits >= 31 (IPv4) or >= 127 (IPv6); MaxInt64 when 2^hostbits would overflow it. */
export function rangeSize(c: CIDR): bigint {
  const bits = familyBits(c.family);
  const host = bits - c.prefix;
  if ((bits === 32 && host >= 31) || (bits === 128 && host >= 127)) return 0n;
  if (host >= 63) return MAX_INT64;
  return 1n << BigInt(host);
}

/** netutils.GetIndexedIP: the CIDR's network address plus index; throws when outside the CIDR. */
export function indexedIP(c: CIDR, index: number | bigint): IP {
  const ip: IP = { family: c.family, value: c.ip + BigInt(index) };
  if (BigInt(index) < 0n || !cidrContains(c, ip)) {
    throw new RangeError(`can't generate IP with index ${index} from subnet. subnet too small. subnet: "${formatCIDR(c)}"`);
  }
  return ip;
}
