import { describe, expect, it } from 'vitest';
import { bufferIO } from './io.js';
import { runCli } from './cli.js';
import { ensureNatsServer, NATS_SERVER_MISSING, type Host } from './nats-server-binary.js';

function host(overrides: Partial<Host> & { installs?: boolean; aptResults?: boolean[] }): Host & { aptCalls: string[][] } {
  let installed = false;
  const results = [...(overrides.aptResults ?? [])];
  const aptCalls: string[][] = [];
  return {
    find: () => (installed ? '/usr/sbin/nats-server' : undefined),
    isExecutable: () => false,
    isRootOnDebian: false,
    aptGet(args) {
      aptCalls.push(args);
      const ok = results.shift() ?? false;
      if (ok && args[0] === 'install' && overrides.installs !== false) installed = true;
      return ok;
    },
    aptCalls,
    ...overrides,
  };
}

describe('ensureNatsServer', () => {
  it('names exactly what to install where it will not install it', () => {
    expect(() => ensureNatsServer(bufferIO(), host({}))).toThrow(NATS_SERVER_MISSING);
    expect(NATS_SERVER_MISSING).toContain('`apt-get install -y nats-server`');
  });

  it('installs Debian’s package as root on Debian, saying so', () => {
    const io = bufferIO();
    const h = host({ isRootOnDebian: true, aptResults: [true] });
    expect(ensureNatsServer(io, h)).toBe('/usr/sbin/nats-server');
    expect(h.aptCalls).toEqual([['install', '-y', 'nats-server']]);
    expect(io.stderr()).toBe('kubemu: nats-server is missing; installing it: apt-get install -y nats-server\n');
  });

  it('updates the package lists once when the first install fails', () => {
    const h = host({ isRootOnDebian: true, aptResults: [false, true, true] });
    expect(ensureNatsServer(bufferIO(), h)).toBe('/usr/sbin/nats-server');
    expect(h.aptCalls).toEqual([['install', '-y', 'nats-server'], ['update'], ['install', '-y', 'nats-server']]);
    const failing = host({ isRootOnDebian: true, aptResults: [false, true, false] });
    expect(() => ensureNatsServer(bufferIO(), failing)).toThrow(`apt-get install -y nats-server failed; ${NATS_SERVER_MISSING}`);
  });

  it('takes $NATS_SERVER_BIN first, and refuses one that is not a program', () => {
    expect(ensureNatsServer(bufferIO({ env: { NATS_SERVER_BIN: '/opt/nats' } }), host({ isExecutable: () => true }))).toBe('/opt/nats');
    expect(() => ensureNatsServer(bufferIO({ env: { NATS_SERVER_BIN: '/opt/nats' } }), host({ find: () => '/usr/sbin/nats-server' }))).toThrow(
      `NATS_SERVER_BIN=/opt/nats is not an executable file; ${NATS_SERVER_MISSING}`,
    );
  });

  it('makes `up` fail before it starts anything', async () => {
    const io = bufferIO({ env: { NATS_SERVER_BIN: '/nonexistent/nats-server' }, cwd: '/nonexistent-cwd' });
    expect(await runCli(['up', '--detach'], io)).toBe(1);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe(`error: NATS_SERVER_BIN=/nonexistent/nats-server is not an executable file; ${NATS_SERVER_MISSING}\n`);
  });
});
