// klog's text format, as kube-proxy writes it to stderr (k8s.io/klog/v2: the header of
// klog.go formatHeader, the structured part of internal/serialize KVListFormat):
//
//   I0312 17:42:27.267150       1 proxier.go:805] "Syncing iptables rules"
//   Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg key=value …
//
// The time is UTC (a container's TZ), the thread id is the process id right-aligned in 7
// columns (1 inside kube-proxy's container). Structured calls (InfoS/ErrorS) quote the message
// and print key=value pairs; printf-style calls (shared_informer's "Waiting for caches…") print
// the message as is.

export type KlogSeverity = 'I' | 'W' | 'E' | 'F';
export type KlogValue = string | number | boolean | readonly string[] | null;

export interface KlogRecord {
  severity: KlogSeverity;
  timeMs: number;
  /** Microseconds within timeMs's millisecond (0–999), when the caller has them. */
  micros?: number;
  pid: number;
  /** `file.go:line` of the call site. */
  source: string;
  msg: string;
  /** Key/value pairs in call order; only for structured calls. */
  keys?: readonly (readonly [string, KlogValue])[];
  /** false: a printf-style call (klog.Infof), the message unquoted and no keys. */
  structured?: boolean;
}

/** strconv.Quote (klog quotes with it) for the strings kube-proxy logs: JSON's escapes, but Go's \x.. and \u.... for control characters. */
export function klogQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatValue(v: KlogValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return klogQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // A []string is marshalled as JSON: ["10.244.0.227:53","10.244.0.65:53"].
  return `[${v.map((s) => JSON.stringify(s)).join(',')}]`;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The `Lmmdd hh:mm:ss.uuuuuu threadid file:line] ` header. */
export function klogHeader(r: Pick<KlogRecord, 'severity' | 'timeMs' | 'micros' | 'pid' | 'source'>): string {
  const d = new Date(r.timeMs);
  const micros = d.getUTCMilliseconds() * 1000 + (r.micros ?? 0);
  return (
    `${r.severity}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(micros, 6)} ` +
    `${String(r.pid).padStart(7, ' ')} ${r.source}] `
  );
}

/** One whole klog line, without the trailing newline. */
export function formatKlogLine(r: KlogRecord): string {
  if (r.structured === false) return klogHeader(r) + r.msg;
  let body = klogQuote(r.msg);
  for (const [k, v] of r.keys ?? []) body += ` ${k}=${formatValue(v)}`;
  return klogHeader(r) + body;
}

/**
 * time.Duration.String() of a duration in nanoseconds: "40.087239ms", "1.5s", "2m0.5s", "850ns",
 * "12.5µs" (the largest unit below one second, trailing zeros of the fraction dropped).
 */
export function goDurationString(ns: number): string {
  const n = Math.round(ns);
  if (n === 0) return '0s';
  const neg = n < 0;
  let v = Math.abs(n);
  const fraction = (value: number, digits: number): string => {
    const whole = Math.floor(value / 10 ** digits);
    const frac = String(value % 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
    return frac === '' ? String(whole) : `${whole}.${frac}`;
  };
  let out: string;
  if (v < 1e3) out = `${v}ns`;
  else if (v < 1e6) out = `${fraction(v, 3)}µs`;
  else if (v < 1e9) out = `${fraction(v, 6)}ms`;
  else {
    const h = Math.floor(v / 3.6e12);
    v -= h * 3.6e12;
    const m = Math.floor(v / 6e10);
    v -= m * 6e10;
    const s = `${fraction(v, 9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}
