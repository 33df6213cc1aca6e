import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, logTail, spawnLogged, stopProcess } from './process-control.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-proc-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('spawnLogged / stopProcess', () => {
  it('logs to the file, recognises its pid by identity, stops with SIGTERM', async () => {
    const log = join(dir, 'a.log');
    const marker = join(dir, 'marker-a');
    const p = await spawnLogged({ command: process.execPath, args: ['-e', 'console.log("hello"); setInterval(() => {}, 1000)', marker] }, log);
    started.push(p.pid);
    for (let i = 0; i < 100 && !readFileSync(log, 'utf8').includes('hello'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(logTail(log)).toBe('hello');
    expect(isAlive(p.pid, marker)).toBe(true);
    expect(isAlive(p.pid, join(dir, 'someone-else'))).toBe(false);
    expect(await stopProcess(p.pid, marker, 5_000)).toBe('terminated');
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(isAlive(p.pid, marker)).toBe(false);
    expect(await stopProcess(p.pid, marker, 5_000)).toBe('not-running');
  });

  it('kills what ignores SIGTERM after the grace period', async () => {
    const marker = join(dir, 'marker-b');
    const p = await spawnLogged(
      { command: process.execPath, args: ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)', marker] },
      join(dir, 'b.log'),
    );
    started.push(p.pid);
    for (let i = 0; i < 100 && !logTail(join(dir, 'b.log')).includes('up'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stopProcess(p.pid, marker, 300)).toBe('killed');
    expect((await p.exited).signal).toBe('SIGKILL');
    expect(logTail(join(dir, 'b.log'))).toBe('up\nignored');
  });

  it('fails clearly when the program does not exist', async () => {
    await expect(spawnLogged({ command: join(dir, 'no-such-program'), args: [] }, join(dir, 'c.log'))).rejects.toThrow(/cannot start .*no-such-program: spawn .* ENOENT/);
  });
});
