// One child process whose stdout is a JSON log (pino: one object per line). Used by tests, chaos
// suites and `kubemu up`: start it, wait for the line that says it is ready (and learn from that
// line where it listens), keep a bounded window of its logs, stop it gracefully or kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { registerChild } from './child-registry.js';
import { LineSplitter, Ring, TextTail } from './output-buffers.js';

export type LogLine = Record<string, unknown>;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the child could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** The parsed object when a stdout line is a JSON object. */
  json?: LogLine;
  truncated: boolean;
}

export interface StartProcessOptions {
  /** Shown in errors, e.g. "proxy-agent/node-1". */
  name: string;
  command: string;
  args?: readonly string[];
  /** Added to (and overriding) this process's environment; `undefined` removes a variable. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Start from an empty environment instead of this process's. */
  cleanEnv?: boolean;
  cwd?: string;
  /** Resolves the start when a stdout JSON line satisfies it. Without it, the start resolves once spawned. */
  readyLine?: (line: LogLine) => boolean;
  readyTimeoutMs?: number;
  /** How many stdout log lines `logs` keeps. */
  logCapacity?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()`. */
  stopGraceMs?: number;
  /** Sees every output line as it arrives, e.g. to forward logs to a terminal. Must not throw. */
  onLine?: (line: OutputLine) => void;
}

export interface ProcessHandle {
  readonly name: string;
  readonly pid: number;
  /** The fields of the line that satisfied `readyLine`, or `{}` without one. */
  readonly ready: LogLine;
  /** The last `logCapacity` stdout log lines, oldest first (a copy). */
  readonly logs: LogLine[];
  /** The last few KiB of stdout and stderr, for error reports. */
  outputTail(): { stdout: string; stderr: string };
  /** Resolves with the first log line (already seen or future) that satisfies the predicate. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly running: boolean;
  /** Sends the signal (default SIGKILL) and resolves when the child has exited. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL if the child is still running after the grace period. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** Resolves (never rejects) when the child has exited and its output is read. */
  readonly exited: Promise<ExitInfo>;
}

export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
  constructor(
    message: string,
    readonly processName: string,
    readonly exit: ExitInfo | undefined,
    readonly stdoutTail: string,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

export const DEFAULT_READY_TIMEOUT_MS = 15_000;
export const DEFAULT_LOG_CAPACITY = 1000;
export const DEFAULT_STOP_GRACE_MS = 5_000;
/** A log line longer than this is cut; pino lines are far shorter. */
export const MAX_LOG_LINE_CHARS = 64 * 1024;
const OUTPUT_TAIL_CHARS = 8 * 1024;
/** After 'exit', how long to wait for the pipes to drain (a grandchild may hold them open). */
const PIPE_DRAIN_MS = 500;

function parseLogLine(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

function describeExit(exit: ExitInfo): string {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

interface LogWaiter {
  predicate: (line: LogLine) => boolean;
  resolve: (line: LogLine) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export async function startProcess(options: StartProcessOptions): Promise<ProcessHandle> {
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const logs = new Ring<LogLine>(options.logCapacity ?? DEFAULT_LOG_CAPACITY);
  const stdoutTail = new TextTail(OUTPUT_TAIL_CHARS);
  const stderrTail = new TextTail(OUTPUT_TAIL_CHARS);
  const waiters = new Set<LogWaiter>();

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.cleanEnv ? {} : process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const child: ChildProcess = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerChild(child);

  let exitInfo: ExitInfo | undefined;
  let resolveExited!: (exit: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((resolve) => (resolveExited = resolve));
  let onReadyLine: ((line: LogLine) => void) | undefined;

  const deliver = (line: OutputLine): void => {
    if (options.onLine) {
      try {
        options.onLine(line);
      } catch {
        // a faulty log forwarder must not break the child's supervision
      }
    }
  };

  const stdoutLines = new LineSplitter(MAX_LOG_LINE_CHARS, (text, truncated) => {
    stdoutTail.append(text + '\n');
    const json = truncated ? undefined : parseLogLine(text);
    const entry: LogLine = json ?? { msg: text, unparsed: true };
    logs.push(entry);
    deliver({ stream: 'stdout', text, json, truncated });
    for (const waiter of waiters) {
      let matched: boolean;
      try {
        matched = waiter.predicate(entry);
      } catch (err) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.reject(err as Error);
        continue;
      }
      if (matched) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(entry);
      }
    }
    if (json && onReadyLine) onReadyLine(json);
  });
  const stderrLines = new LineSplitter(MAX_LOG_LINE_CHARS, (text, truncated) => {
    stderrTail.append(text + '\n');
    deliver({ stream: 'stderr', text, truncated });
  });
  child.stdout!.on('data', (chunk: Buffer) => stdoutLines.write(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderrLines.write(chunk));

  let pipesClosed = false;
  const finish = (exit: ExitInfo): void => {
    if (exitInfo) return;
    exitInfo = exit;
    const settle = (): void => {
      if (!pipesClosed) {
        stdoutLines.end();
        stderrLines.end();
        child.stdout?.destroy();
        child.stderr?.destroy();
        pipesClosed = true;
      }
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${options.name} ${describeExit(exit)} before the awaited log line`));
      }
      waiters.clear();
      resolveExited(exit);
    };
    if (exit.error) {
      settle();
      return;
    }
    // 'close' follows 'exit' once both pipes are drained; don't wait forever for it.
    const timer = setTimeout(settle, PIPE_DRAIN_MS);
    child.once('close', () => {
      clearTimeout(timer);
      settle();
    });
  };
  child.once('exit', (code, signal) => finish({ code, signal }));
  child.once('error', (err) => {
    // 'error' without a pid: the spawn itself failed and no 'exit' will follow.
    if (child.pid === undefined) finish({ code: null, signal: null, error: err });
  });

  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!spawned || child.pid === undefined) {
    const exit = await exited;
    throw new ProcessStartError(`${options.name} (${options.command}) ${describeExit(exit)}`, options.name, exit, '', '');
  }
  const pid = child.pid;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> => {
    if (!exitInfo) {
      try {
        child.kill(signal);
      } catch {
        // exited in between
      }
    }
    return exited;
  };

  const stop = async (graceMs: number = stopGraceMs): Promise<ExitInfo> => {
    if (exitInfo) return exited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (!exitInfo) child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, escalated]);
    clearTimeout(timer);
    return exited;
  };

  const startFailure = async (why: string): Promise<ProcessStartError> => {
    const exit = exitInfo ? await exited : await kill('SIGKILL');
    const out = stdoutTail.toString().trimEnd();
    const err = stderrTail.toString().trimEnd();
    const parts = [`${options.name} ${why}`];
    if (err) parts.push(`--- stderr (tail) ---\n${err}`);
    if (out) parts.push(`--- stdout (tail) ---\n${out}`);
    return new ProcessStartError(parts.join('\n'), options.name, exit, out, err);
  };

  let ready: LogLine = {};
  if (options.readyLine) {
    const predicate = options.readyLine;
    const outcome = await new Promise<{ line: LogLine } | { failure: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ failure: `was not ready within ${readyTimeoutMs} ms` }), readyTimeoutMs);
      const done = (result: { line: LogLine } | { failure: string }): void => {
        clearTimeout(timer);
        onReadyLine = undefined;
        resolve(result);
      };
      onReadyLine = (line) => {
        let matched: boolean;
        try {
          matched = predicate(line);
        } catch (err) {
          done({ failure: `readiness check threw: ${(err as Error).message}` });
          return;
        }
        if (matched) done({ line });
      };
      void exited.then((exit) => done({ failure: `${describeExit(exit)} before it was ready` }));
    });
    if ('failure' in outcome) throw await startFailure(outcome.failure);
    ready = outcome.line;
  }

  return {
    name: options.name,
    pid,
    ready,
    get logs() {
      return logs.toArray();
    },
    outputTail: () => ({ stdout: stdoutTail.toString(), stderr: stderrTail.toString() }),
    waitForLog(predicate, timeoutMs = readyTimeoutMs) {
      const seen = logs.toArray().find((line) => predicate(line));
      if (seen) return Promise.resolve(seen);
      if (exitInfo) return Promise.reject(new Error(`${options.name} ${describeExit(exitInfo)}`));
      return new Promise<LogLine>((resolve, reject) => {
        const waiter: LogWaiter = { predicate, resolve, reject, timer: undefined };
        waiter.timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${options.name}: no matching log line within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    get running() {
      return exitInfo === undefined;
    },
    kill,
    stop,
    exited,
  };
}
