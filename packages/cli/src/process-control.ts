// Starting cluster processes so that they outlive `kubemu up --detach` (own session, output to a
// log file, no pipe back to us), and stopping them by pid from a later `kubemu down`.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface Launched {
  child: ChildProcess;
  pid: number;
  /** Resolves with how the child ended (only observable by the process that started it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns in its own process group (detached), stdin closed, stdout and stderr appended to logFile.
 * Ctrl-C in the terminal of a foreground `up` then reaches only `up`, which stops the processes in
 * order instead of them all dying at once.
 */
export async function spawnLogged(spec: LaunchSpec, logFile: string): Promise<Launched> {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new Error(`cannot start ${spec.command}: ${err.message}`)));
  });
  return { child, pid: child.pid!, exited };
}

/** /proc/PID/stat's state letter, or undefined where there is no /proc. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function procCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether pid runs and is the process we started: its command line still contains `identity` (a
 * pid reused by an unrelated process after a reboot must not be signalled). A zombie is not alive.
 */
export function isAlive(pid: number, identity?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = procState(pid);
  if (state === 'Z' || state === 'X') return false;
  if (identity !== undefined) {
    const cmdline = procCmdline(pid);
    if (cmdline !== undefined && !cmdline.includes(identity)) return false;
  }
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once the process is gone, false if it still runs after timeoutMs. */
export async function waitForExit(pid: number, identity: string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid, identity)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/** SIGTERM, wait up to graceMs, then SIGKILL (what `kubectl delete pod` and systemd both do). */
export async function stopProcess(pid: number, identity: string | undefined, graceMs: number): Promise<StopOutcome> {
  if (!isAlive(pid, identity)) return 'not-running';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  if (await waitForExit(pid, identity, graceMs)) return 'terminated';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  await waitForExit(pid, identity, 5_000);
  return 'killed';
}

/** How much of a log's end logTail reads. */
const LOG_TAIL_BYTES = 64 * 1024;

/** The last lines of a log file, for telling why a process did not come up. */
export function logTail(file: string, lines = 20): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
