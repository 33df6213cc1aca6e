// Children and temporary folders that must not outlive this process. Tests, chaos suites and
// `kubemu up` all start real processes; a crashed test run must not leave a nats-server holding a
// port and a store for the next run to trip over.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

function removeAllTempDirs(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit: nothing left to report to
    }
  }
  tempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Only act as the default handler would: when the application installed its own handler, it
  // owns shutdown (e.g. `kubemu down` stops children gracefully) and the exit hook still runs.
  if (process.listenerCount(signal) > 1) return;
  killAllChildren();
  removeAllTempDirs();
  uninstallSignalHandlers();
  process.kill(process.pid, signal);
}

const signalHandlers = new Map<NodeJS.Signals, () => void>();

function uninstallSignalHandlers(): void {
  for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  signalHandlers.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllChildren();
    removeAllTempDirs();
  });
  for (const signal of FORWARDED_SIGNALS) {
    const handler = (): void => onSignal(signal);
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

/** Kills the child with SIGKILL if this process exits while the child still runs. */
export function registerChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => {
    if (child.pid === undefined) children.delete(child);
  });
}

/** Removes the folder if this process exits before its owner did. */
export function registerTempDir(dir: string): void {
  install();
  tempDirs.add(dir);
}

export function unregisterTempDir(dir: string): void {
  tempDirs.delete(dir);
}

/** How many registered children are still running; tests use it to prove nothing leaked. */
export function liveChildCount(): number {
  let n = 0;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) n++;
  return n;
}
