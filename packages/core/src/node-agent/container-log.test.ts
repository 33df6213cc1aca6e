import { describe, expect, it } from 'vitest';
import { appendContainerLog, emptyContainerLog, formatContainerLogLine, MAX_CONTAINER_LOG_LINES, parsePodLogOptions, selectContainerLogLines } from './container-log.js';

const T = Date.UTC(2024, 10, 27, 10, 0, 0, 0);

function logOf(n: number) {
  const log = emptyContainerLog();
  for (let i = 0; i < n; i++) appendContainerLog(log, { timeMs: T + i * 1000, nanos: i, text: `line ${i}` });
  return log;
}
const render = (q: string, nowMs = T + 10_000) => {
  const parsed = parsePodLogOptions(new URLSearchParams(q));
  if (!parsed.ok) return parsed.message;
  return selectContainerLogLines(logOf(5), parsed.options, nowMs).map((l) => formatContainerLogLine(l, parsed.options.timestamps)).join('');
};

describe('container logs', () => {
  it.each<[string, string]>([
    ['', 'line 0\nline 1\nline 2\nline 3\nline 4\n'],
    ['tailLines=2', 'line 3\nline 4\n'],
    ['tailLines=0', ''],
    ['tailLines=2&timestamps=true', '2024-11-27T10:00:03.000000003Z line 3\n2024-11-27T10:00:04.000000004Z line 4\n'],
    ['sinceSeconds=7', 'line 3\nline 4\n'],
    ['sinceTime=2024-11-27T10:00:02Z&tailLines=4', 'line 2\nline 3\nline 4\n'],
    ['tailLines=-1', 'tailLines: Invalid value: -1: must be greater than or equal to 0'],
    ['limitBytes=0', 'limitBytes: Invalid value: 0: must be greater than 0'],
    ['sinceSeconds=0', 'sinceSeconds: Invalid value: 0: must be greater than 0'],
    ['sinceSeconds=5&sinceTime=2024-11-27T10:00:02Z', ': Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'],
  ])('?%s', (q, want) => expect(render(q)).toBe(want));

  it('keeps at most MAX_CONTAINER_LOG_LINES lines, dropping the oldest', () => {
    const log = logOf(MAX_CONTAINER_LOG_LINES + 3);
    expect(log.lines.length).toBe(MAX_CONTAINER_LOG_LINES);
    expect(log.dropped).toBe(3);
    expect(log.lines[0]!.text).toBe('line 3');
    expect(log.bytes).toBe(log.lines.reduce((n, l) => n + l.text.length + 1, 0));
  });
});
