// The pieces every kubectl describer shares (kubectl pkg/describe/describe.go): the PrefixWriter
// over a text/tabwriter (tabbedString), multi-line labels and annotations, events, times.
import type { Event } from '../api/types.js';
import { parseTimestamp, translateTimestampSince, type Instant } from './duration.js';
import { escapeTerminal } from './render.js';
import { newDescribeTabWriter, type TabWriter } from './tabwriter.js';

/** The core/v1 Event as describe reads it. */
export type CoreEvent = Event;

export interface DescribeContext {
  now: Instant;
  /** Minutes east of UTC at an instant; kubectl prints times in its local zone. Default: UTC. */
  timeZoneOffsetMinutes: (epochMs: number) => number;
}

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;

/** describe.go prefixWriter: two spaces per level, terminal escapes neutralised. */
export class PrefixWriter {
  constructor(private readonly tw: TabWriter) {}

  write(level: number, text: string): void {
    this.tw.write(escapeTerminal('  '.repeat(level) + text));
  }

  /** fmt.Sprintln of one value. */
  writeLine(text: string): void {
    this.tw.write(escapeTerminal(text + '\n'));
  }

  flush(): void {
    this.tw.flush();
  }
}

/** describe.go tabbedString: text/tabwriter with minwidth 0, tabwidth 8, padding 2. */
export function tabbedString(f: (w: PrefixWriter) => void): string {
  const tw = newDescribeTabWriter();
  f(new PrefixWriter(tw));
  tw.flush();
  return tw.output();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Go's time.RFC1123Z layout, "Mon, 02 Jan 2006 15:04:05 -0700". A missing timestamp is Go's zero
 * time, which metav1.Time keeps in UTC.
 */
export function formatRFC1123Z(timestamp: string | undefined, ctx: DescribeContext): string {
  const at = parseTimestamp(timestamp);
  if (at === undefined) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const offset = ctx.timeZoneOffsetMinutes(at);
  const d = new Date(at + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** describe.go printLabelsMultilineWithIndent. */
export function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Record<string, string> | undefined,
  initialIndent = '',
  innerIndent = '\t',
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels![key]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;
/** describe.go skipAnnotations. */
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const utf8 = new TextEncoder();
const byteLength = (s: string): number => utf8.encode(s).length;

function shorten(s: string, maxLength: number): string {
  const bytes = utf8.encode(s);
  if (bytes.length <= maxLength) return s;
  return new TextDecoder().decode(bytes.slice(0, maxLength)) + '...';
}

/** describe.go printAnnotationsMultiline: long or multi-line values go on their own lines. */
export function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !SKIP_ANNOTATIONS.has(k))
    .sort(byteOrder);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const value = annotations![key]!.replace(/\n$/, '');
    if (byteLength(value) + byteLength(key) + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(LEVEL_0, `${indent}  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

// kubectl pkg/util/event sorted_event_list.go: ordered by series, last or event time.
function eventTime(e: CoreEvent): number {
  if (e.series) return parseTimestamp(e.series.lastObservedTime) ?? 0;
  const last = parseTimestamp(e.lastTimestamp);
  if (last !== undefined) return last;
  return parseTimestamp(e.eventTime) ?? 0;
}

/** describe.go DescribeEvents. */
export function describeEvents(events: readonly CoreEvent[], w: PrefixWriter, ctx: DescribeContext): void {
  if (events.length === 0) {
    w.write(LEVEL_0, 'Events:\t<none>\n');
    return;
  }
  // The event table aligns on its own, apart from the fields above it.
  w.flush();
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    let firstTimestampSince = translateTimestampSince(e.eventTime, ctx.now);
    if (parseTimestamp(e.eventTime) === undefined) firstTimestampSince = translateTimestampSince(e.firstTimestamp, ctx.now);
    let interval: string;
    if (e.series) {
      interval = `${translateTimestampSince(e.series.lastObservedTime, ctx.now)} (x${e.series.count ?? 0} over ${firstTimestampSince})`;
    } else if ((e.count ?? 0) > 1) {
      interval = `${translateTimestampSince(e.lastTimestamp, ctx.now)} (x${e.count} over ${firstTimestampSince})`;
    } else {
      interval = firstTimestampSince;
    }
    const source = e.source?.component || e.reportingComponent || '';
    // kubectl 1.32 prints the message alone (the fieldPath prefix went with kubectl 1.14).
    const message = (e.message ?? '').trim();
    w.write(LEVEL_1, `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${source}\t${message}\n`);
  }
}

/** describe.go printController: `Kind/name` of the controlling owner. */
export function printController(owners: readonly { kind?: string; name?: string; controller?: boolean }[] | undefined): string {
  const ref = (owners ?? []).find((o) => o.controller === true);
  return ref ? `${ref.kind ?? ''}/${ref.name ?? ''}` : '';
}
