import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessStartError, startProcess, type ProcessHandle } from './process.js';
import { FAILS_EARLY, FLOODS, GRACEFUL, IGNORES_SIGTERM, NEVER_READY, READY_AFTER_LOGS } from '../test-support/children.js';

const started: ProcessHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.kill()));
});

async function node(name: string, script: string, options: Partial<Parameters<typeof startProcess>[0]> = {}): Promise<ProcessHandle> {
  const handle = await startProcess({ name, command: process.execPath, args: ['-e', script], ...options });
  started.push(handle);
  return handle;
}

/** Alive and not a zombie (an exited child not yet reaped still answers kill(pid, 0)). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startProcess', () => {
  it('resolves with the fields of the ready line and keeps the JSON log, unparsed lines marked', async () => {
    const h = await node('web', READY_AFTER_LOGS, { readyLine: (l) => l.msg === 'listening' });
    expect(h.ready).toMatchObject({ msg: 'listening', address: '127.0.1.2:31589', pid: h.pid });
    expect(h.logs.map((l) => l.msg)).toEqual(['starting', 'not json at all', 'listening']);
    expect(h.logs[1]).toEqual({ msg: 'not json at all', unparsed: true });
    expect(h.running).toBe(true);
    const exit = await h.kill('SIGTERM');
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(h.running).toBe(false);
    expect(isAlive(h.pid)).toBe(false);
  });

  it('rejects with the stderr tail and exit code when the child exits before it is ready', async () => {
    const err = await node('api-store', FAILS_EARLY, { readyLine: () => false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessStartError);
    const e = err as ProcessStartError;
    expect(e.exit).toEqual({ code: 3, signal: null });
    expect(e.stderrTail).toBe('fatal: cannot bind 127.0.1.2:31589: address already in use');
    expect(e.message).toBe(
      'api-store exited with code 3 before it was ready\n--- stderr (tail) ---\nfatal: cannot bind 127.0.1.2:31589: address already in use',
    );
  });

  it('kills the child and rejects when the ready line does not come in time', async () => {
    const pids: number[] = [];
    const err = await node('slow', NEVER_READY, {
      readyLine: (l) => l.msg === 'listening',
      readyTimeoutMs: 300,
      onLine: (line) => line.json && pids.push(line.json.pid as number),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessStartError);
    const e = err as ProcessStartError;
    expect(e.message).toMatch(/^slow was not ready within 300 ms\n--- stdout \(tail\) ---\n\{"level":30,"msg":"still thinking"\}$/);
    expect(e.exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('reports a command that cannot be spawned', async () => {
    const err = await startProcess({ name: 'ghost', command: '/nonexistent/kubemu-ghost' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessStartError);
    expect((err as Error).message).toMatch(/^ghost \(\/nonexistent\/kubemu-ghost\) could not be started: spawn \/nonexistent\/kubemu-ghost ENOENT/);
  });

  it('stop() sends SIGTERM and lets a graceful child exit by itself', async () => {
    const h = await node('graceful', GRACEFUL, { readyLine: (l) => l.msg === 'ready' });
    expect(await h.stop()).toEqual({ code: 0, signal: null });
    expect(h.logs.at(-1)).toEqual({ msg: 'shutting down' });
  });

  it('stop() escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const h = await node('stubborn', IGNORES_SIGTERM, { readyLine: (l) => l.msg === 'ready' });
    expect(await h.stop(300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(h.logs.map((l) => l.msg)).toEqual(['ready', 'ignoring SIGTERM']);
    expect(await h.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await h.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('keeps only the last logCapacity lines and cuts an overlong line', async () => {
    const h = await node('flood', FLOODS, { readyLine: (l) => l.msg === 'ready', logCapacity: 100 });
    const logs = h.logs;
    expect(logs).toHaveLength(100);
    expect(logs.at(-1)).toEqual({ msg: 'ready' });
    const cut = logs.at(-2)!;
    expect(cut.unparsed).toBe(true);
    expect((cut.msg as string).length).toBe(64 * 1024);
    expect(logs.slice(0, -2).map((l) => l.i)).toEqual(Array.from({ length: 98 }, (_, k) => 1902 + k));
  });

  it('waitForLog finds a past line, waits for a future one, and times out cleanly', async () => {
    const h = await node('web', READY_AFTER_LOGS);
    expect(await h.waitForLog((l) => l.msg === 'listening', 5000)).toMatchObject({ address: '127.0.1.2:31589' });
    expect(await h.waitForLog((l) => l.msg === 'starting')).toMatchObject({ msg: 'starting' });
    await expect(h.waitForLog((l) => l.msg === 'never', 100)).rejects.toThrow('web: no matching log line within 100 ms');
    const pending = h.waitForLog((l) => l.msg === 'never', 10_000);
    await h.kill();
    await expect(pending).rejects.toThrow('web was killed by SIGKILL before the awaited log line');
  });
});

describe('children do not outlive the process that started them', () => {
  const testkit = new URL('../dist/index.js', import.meta.url).href;
  const parentScript = (ending: string): string => `
    const { startProcess } = await import(${JSON.stringify(testkit)});
    const child = await startProcess({ name: 'sleeper', command: 'sleep', args: ['300'] });
    console.log(JSON.stringify({ msg: 'child started', childPid: child.pid }));
    ${ending}
  `;

  it.each([
    ['exits normally', 'setTimeout(() => process.exit(0), 50);', undefined],
    ['is terminated by SIGTERM', 'setInterval(() => {}, 1000);', 'SIGTERM' as const],
    ['is interrupted by SIGINT', 'setInterval(() => {}, 1000);', 'SIGINT' as const],
  ])('when the parent %s', async (_, ending, signal) => {
    const parent = await startProcess({
      name: 'parent',
      command: process.execPath,
      args: ['--input-type=module', '-e', parentScript(ending)],
      readyLine: (l) => l.msg === 'child started',
    });
    started.push(parent);
    const childPid = parent.ready.childPid as number;
    expect(isAlive(childPid)).toBe(true);
    if (signal) await parent.kill(signal);
    const exit = await parent.exited;
    expect(exit).toEqual(signal ? { code: null, signal } : { code: 0, signal: null });
    await eventually(() => !isAlive(childPid));
  });
});
