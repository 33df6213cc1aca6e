// A container's log as the kubelet serves it (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs):
// lines with the time the runtime received them, the last `tailLines` of them, those at or after
// `since`, cut at `limitBytes`; with `timestamps` each line starts with its time in
// RFC3339NanoFixed. The node keeps a bounded log per container, as the runtime's log rotation
// does (containerLogMaxSize): past MAX_CONTAINER_LOG_LINES lines or MAX_CONTAINER_LOG_BYTES
// bytes the oldest lines are dropped.
import type { FieldError } from '../api/field-errors.js';
import { aggregateMessage, forbidden, invalid } from '../api/field-errors.js';

export const MAX_CONTAINER_LOG_LINES = 10_000;
export const MAX_CONTAINER_LOG_BYTES = 2 * 1024 * 1024;
/** The runtime splits longer lines (CRI's 16 KiB partial lines); kubemu cuts them. */
export const MAX_CONTAINER_LOG_LINE_BYTES = 16 * 1024;

export interface ContainerLogLine {
  timeMs: number;
  /** Nanoseconds within the millisecond (0–999,999). */
  nanos: number;
  text: string;
}

export interface ContainerLog {
  lines: ContainerLogLine[];
  bytes: number;
  /** Lines dropped from the front to stay within the bounds. */
  dropped: number;
}

export function emptyContainerLog(): ContainerLog {
  return { lines: [], bytes: 0, dropped: 0 };
}

function lineBytes(l: ContainerLogLine): number {
  return Buffer.byteLength(l.text) + 1;
}

/** Appends one line (no newline in it), dropping the oldest lines past the bounds. */
export function appendContainerLog(log: ContainerLog, line: ContainerLogLine): ContainerLogLine {
  let text = line.text;
  if (Buffer.byteLength(text) > MAX_CONTAINER_LOG_LINE_BYTES) text = Buffer.from(text).subarray(0, MAX_CONTAINER_LOG_LINE_BYTES).toString('utf8');
  const stored = { ...line, text };
  log.lines.push(stored);
  log.bytes += lineBytes(stored);
  let drop = 0;
  let bytes = log.bytes;
  while (log.lines.length - drop > MAX_CONTAINER_LOG_LINES || (bytes > MAX_CONTAINER_LOG_BYTES && log.lines.length - drop > 1)) {
    bytes -= lineBytes(log.lines[drop]!);
    drop++;
  }
  if (drop > 0) {
    log.lines.splice(0, drop);
    log.bytes = bytes;
    log.dropped += drop;
  }
  return stored;
}

/** v1.PodLogOptions, as query parameters of pods/log and of the kubelet's /containerLogs. */
export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** sinceTime, parsed. */
  sinceTimeMs?: number;
  limitBytes?: number;
}

export type PodLogOptionsResult = { ok: true; options: PodLogOptions } | { ok: false; message: string; errors: FieldError[] };

function bool(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True';
}

/**
 * The query decoded (runtime.ParameterCodec into PodLogOptions) and validated as
 * pkg/apis/core/validation ValidatePodLogOptions does; the errors are worded as kube-apiserver words them.
 */
export function parsePodLogOptions(params: URLSearchParams): PodLogOptionsResult {
  const options: PodLogOptions = {
    follow: bool(params.get('follow')),
    previous: bool(params.get('previous')),
    timestamps: bool(params.get('timestamps')),
  };
  const container = params.get('container');
  if (container) options.container = container;
  const ints: [keyof PodLogOptions & ('tailLines' | 'sinceSeconds' | 'limitBytes'), string][] = [
    ['tailLines', 'tailLines'],
    ['sinceSeconds', 'sinceSeconds'],
    ['limitBytes', 'limitBytes'],
  ];
  for (const [key, name] of ints) {
    const v = params.get(name);
    if (v === null || v === '') continue;
    const n = Number(v);
    if (!Number.isInteger(n)) return { ok: false, message: `${name}: Invalid value: "${v}": strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`, errors: [] };
    options[key] = n;
  }
  const sinceTime = params.get('sinceTime');
  if (sinceTime) {
    const ms = Date.parse(sinceTime);
    if (Number.isNaN(ms)) return { ok: false, message: `sinceTime: Invalid value: ${JSON.stringify(sinceTime)}: parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`, errors: [] };
    options.sinceTimeMs = ms;
  }
  const errors: FieldError[] = [];
  if (options.tailLines !== undefined && options.tailLines < 0) errors.push(invalid('tailLines', options.tailLines, 'must be greater than or equal to 0'));
  if (options.limitBytes !== undefined && options.limitBytes < 1) errors.push(invalid('limitBytes', options.limitBytes, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceTimeMs !== undefined) {
    errors.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (options.sinceSeconds !== undefined && options.sinceSeconds < 1) {
    errors.push(invalid('sinceSeconds', options.sinceSeconds, 'must be greater than 0'));
  }
  if (errors.length > 0) return { ok: false, message: aggregateMessage(errors), errors };
  return { ok: true, options };
}

/** The earliest time a line may have, from sinceSeconds or sinceTime. */
export function logSinceMs(o: PodLogOptions, nowMs: number): number | undefined {
  if (o.sinceTimeMs !== undefined) return o.sinceTimeMs;
  if (o.sinceSeconds !== undefined) return nowMs - o.sinceSeconds * 1000;
  return undefined;
}

/** The lines ReadLogs sends before following: the last tailLines, then those not before since. */
export function selectContainerLogLines(log: ContainerLog, o: PodLogOptions, nowMs: number): ContainerLogLine[] {
  let lines = log.lines;
  if (o.tailLines !== undefined) lines = o.tailLines === 0 ? [] : lines.slice(-o.tailLines);
  const since = logSinceMs(o, nowMs);
  if (since !== undefined) lines = lines.filter((l) => l.timeMs >= since);
  return lines;
}

/** types.RFC3339NanoFixed in UTC: 2006-01-02T15:04:05.000000000Z. */
export function rfc3339NanoFixed(timeMs: number, nanos: number): string {
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(nanos).padStart(6, '0')}Z`;
}

/** One line as the kubelet writes it to the client. */
export function formatContainerLogLine(l: ContainerLogLine, timestamps: boolean): string {
  return `${timestamps ? `${rfc3339NanoFixed(l.timeMs, l.nanos)} ` : ''}${l.text}\n`;
}

/** kubelet's error for --previous when the container never restarted (kuberuntime_container.go). */
export function previousContainerNotFoundMessage(container: string, pod: string): string {
  return `previous terminated container "${container}" in pod "${pod}" not found`;
}
